/**
 * What a deployment's approval is bound to (issue 13): deployPlanHash over the statements the
 * worker sends, rendered from the request. The renderer reads nothing but the request, so within
 * one bot version the statements cannot drift between approval and execution; what can change
 * them is a new bot version rendering the spec differently, and every part it renders is covered.
 */
import { describe, expect, it } from 'vitest';
import type { DeployRequest } from '../../src/domain/deploy-request.js';
import { deployPlanHash, planDeployStatements } from '../../src/snowflake/index.js';
import { irisRequest } from '../support/deploy-requests.js';

const hashOf = (r: DeployRequest) => deployPlanHash(planDeployStatements(r));

describe('the deploy plan hash', () => {
  it('when the same request is rendered twice, then it hashes alike, and the statements are the ones sent', () => {
    const r = irisRequest('IRIS_HASH');
    expect(hashOf(r)).toBe(hashOf(structuredClone(r)));
    const plan = planDeployStatements(r);
    expect(plan.createPool).toBeNull();
    expect(plan.dropService).toBeNull();
    expect(plan.call.text).toBe('CALL SYSTEM$DEPLOY_MODEL(?)');
    expect(plan.call.binds).toEqual([plan.spec]);
    expect(plan.spec).toContain('IRIS_HASH');
  });

  it('when the spec the CALL carries differs (another renderer, another value), then the hash differs', () => {
    const r = irisRequest('IRIS_HASH');
    const plan = planDeployStatements(r);
    expect(deployPlanHash({ ...plan, spec: `${plan.spec}# rendered by another version\n` })).not.toBe(deployPlanHash(plan));
    expect(hashOf({ ...r, maxInstances: r.maxInstances + 1 })).not.toBe(hashOf(r));
  });

  it('when the statements before the CALL differ (drop and recreate, a new pool), then the hash differs, and they are part of the plan', () => {
    const r = irisRequest('IRIS_HASH');
    const dropping: DeployRequest = { ...r, existingService: 'drop_and_recreate' };
    expect(planDeployStatements(dropping).dropService?.text).toBe('DROP SERVICE IF EXISTS ML_DB.SERVING.IRIS_HASH');
    expect(hashOf(dropping)).not.toBe(hashOf(r));
    const pool = {
      kind: 'create',
      name: 'NEW_POOL',
      instanceFamily: 'CPU_X64_XS',
      gpu: null,
      minNodes: 1,
      maxNodes: 2,
      autoResume: true,
    } as const;
    const creating: DeployRequest = { ...r, pool };
    expect(planDeployStatements(creating).createPool?.text).toMatch(
      /^CREATE COMPUTE POOL IF NOT EXISTS NEW_POOL MIN_NODES = 1 MAX_NODES = 2/,
    );
    expect(hashOf(creating)).not.toBe(hashOf(r));
    expect(hashOf({ ...creating, pool: { ...pool, maxNodes: 3 } })).not.toBe(hashOf(creating));
  });

  it('when a statement differs only in what the worker sets at execution (QUERY_TAG, the staged file path), then the hash covers neither', () => {
    const plan = planDeployStatements(irisRequest('IRIS_HASH'));
    // The tag is a session parameter on the CALL, and the stage path replaces the bind: neither is in what is hashed.
    const tagged = { ...plan, call: plan.call.withParameters({ QUERY_TAG: 'spcs-chatops:deploy:d123' }) };
    expect(deployPlanHash(tagged)).toBe(deployPlanHash(plan));
  });
});
