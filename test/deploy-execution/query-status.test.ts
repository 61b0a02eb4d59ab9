import { afterEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/domain/deployment.js';
import {
  APPROVER,
  CHANNEL,
  eventually,
  sentimentRequest,
  startDeployHarness,
  text,
  type DeployHarness,
} from '../deploy-approval/helpers.js';

/**
 * The deploy query's own verdict, read every round through the real driver (GET
 * /monitoring/queries/<id>), whatever SHOW SERVICES still shows. The emulator's clock is frozen
 * once the deployment is where the test wants it, so the build job or service stays exactly as it
 * looks and only the query's status can tell.
 */

let h: DeployHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function approve(harness: DeployHarness, ts: string): Promise<void> {
  await harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
}

async function phaseOf(harness: DeployHarness, id: string, phase: string, timeoutMs = 20_000): Promise<Deployment> {
  return eventually(
    async () => {
      const d = await harness.store.get(id);
      return d?.execution?.phase === phase ? d : undefined;
    },
    timeoutMs,
    `phase ${phase}`,
  );
}

/** Approves a SENTIMENT_BERT deployment (it builds an image) and freezes the clock while its build job runs. */
async function buildingAndFrozen(harness: DeployHarness, name: string): Promise<{ id: string; ts: string; buildJob: string }> {
  const { id, ts } = await harness.request(name, sentimentRequest(name));
  await approve(harness, ts);
  const d = await phaseOf(harness, id, 'building_image');
  const buildJob = d.execution?.buildJobName ?? '?';
  await eventually(() => harness.t.emulator.service(buildJob)?.status === 'RUNNING' || undefined, 10_000, 'build job running');
  harness.t.emulator.clock.setSpeed(0);
  return { id, ts, buildJob };
}

const roundsLogged = (harness: DeployHarness): number => harness.t.logs.filter((l) => l['msg'] === 'status round').length;

describe('the deploy query is asked every round', () => {
  it('when the deploy query fails while the build job looks normal, then it is reported failed within a round or two, in Snowflake’s words, in the thread and on the summary', async () => {
    h = await startDeployHarness();
    const harness = h;
    const { id, ts, buildJob } = await buildingAndFrozen(h, 'SENTIMENT_QFAIL');
    const before = roundsLogged(h);
    expect(
      h.t.emulator.faults.failDeployQuery({
        service: 'SENTIMENT_QFAIL',
        message: 'Model deployment failed: quota of services for this account exceeded.',
      }),
    ).toBe(1);

    const d = await phaseOf(h, id, 'failed', 5_000);
    expect(roundsLogged(h) - before).toBeLessThanOrEqual(3); // the round in flight, then one more at most
    expect(d.execution?.failure?.kind).toBe('deploy_error');
    expect(d.execution?.failure?.message).toContain('quota of services for this account exceeded. (Snowflake error 100357)');
    // Nothing unusual on the rows: the build job still runs.
    expect(h.t.emulator.service(buildJob)?.status).toBe('RUNNING');

    const reply = await eventually(
      () =>
        harness.t.fake
          .replies(CHANNEL, ts)
          .map(text)
          .find((r) => r.includes('Diagnosis')),
      5_000,
      'failure reply',
    );
    expect(reply).toContain('quota of services for this account exceeded');
    expect(reply).toContain('100357');
    await eventually(
      () => text(harness.t.fake.message(CHANNEL, ts)).includes('quota of services for this account exceeded') || undefined,
      5_000,
      'summary with the error',
    );
  });

  it('when the deploy query is cancelled, then the deployment ends cancelled with Snowflake’s error, and the cancelling build job is not mistaken for progress', async () => {
    h = await startDeployHarness();
    const harness = h;
    const { id, ts, buildJob } = await buildingAndFrozen(h, 'SENTIMENT_CANCEL');
    expect(h.t.emulator.faults.cancelDeployQuery({ service: 'SENTIMENT_CANCEL' })).toBe(1);
    expect(h.t.emulator.service(buildJob)?.status).toBe('CANCELLING');

    const d = await phaseOf(h, id, 'cancelled', 5_000);
    expect(d.execution?.failure).toMatchObject({
      kind: 'cancelled',
      message: 'The deploy query was cancelled: SQL execution canceled (Snowflake error 000604)',
    });
    const reply = await eventually(
      () =>
        harness.t.fake
          .replies(CHANNEL, ts)
          .map(text)
          .find((r) => r.includes('Cancelled')),
      5_000,
      'cancelled reply',
    );
    expect(reply).toContain('SQL execution canceled');
    expect(reply).toContain('SYSTEM$CANCEL_QUERY');
    expect(await h.store.trackedIds()).not.toContain(id);
  });

  it('when the service reports UPGRADING, then it is still starting, and it is running once the row says RUNNING', async () => {
    h = await startDeployHarness();
    h.t.emulator.faults.holdServiceStatus({ service: 'IRIS_UPGRADING', status: 'UPGRADING', forMs: 600_000 });
    const { id, ts } = await h.request('IRIS_UPGRADING');
    await approve(h, ts);
    await phaseOf(h, id, 'starting');
    // The query succeeded underneath (the service runs); the row still says UPGRADING: keep following.
    const rounds = roundsLogged(h);
    await eventually(() => roundsLogged(h as DeployHarness) >= rounds + 3 || undefined, 5_000, 'three more rounds');
    expect((await h.store.get(id))?.execution?.phase).toBe('starting');
    h.t.emulator.clock.advance(600_000);
    await phaseOf(h, id, 'running');
  });

  it('when the deploy query fails while the service reports RESUMING, then it is reported failed with Snowflake’s error', async () => {
    h = await startDeployHarness();
    h.t.emulator.clock.setSpeed(0); // the service never gets further than its first row
    h.t.emulator.faults.holdServiceStatus({ service: 'IRIS_RESUMING', status: 'RESUMING', forMs: 600_000 });
    const { id, ts } = await h.request('IRIS_RESUMING');
    await approve(h, ts);
    await phaseOf(h, id, 'starting');
    expect(
      h.t.emulator.faults.failDeployQuery({
        service: 'IRIS_RESUMING',
        message: 'Model deployment failed: the inference server image could not be found.',
      }),
    ).toBe(1);
    const d = await phaseOf(h, id, 'failed', 5_000);
    expect(d.execution?.failure?.message).toBe(
      'Model deployment failed: the inference server image could not be found. (Snowflake error 100357)',
    );
  });

  it('when several deployments are in flight, then one round asks for every running deploy query, before it lists the services', async () => {
    h = await startDeployHarness();
    const harness = h;
    const names = ['SENTIMENT_B1', 'SENTIMENT_B2', 'SENTIMENT_B3'];
    const started = await Promise.all(names.map((name) => harness.request(name, sentimentRequest(name))));
    await Promise.all(started.map(({ ts }) => approve(harness, ts)));
    const ds = await Promise.all(started.map(({ id }) => phaseOf(harness, id, 'building_image')));
    h.t.emulator.clock.setSpeed(0);
    const queryIds = ds.map((d) => d.execution?.queryId ?? '?');
    const from = h.t.emulator.requestLog.length;
    const rounds = roundsLogged(h);
    await eventually(() => roundsLogged(harness) >= rounds + 3 || undefined, 5_000, 'three more rounds');

    // The driver's requests between two SHOW SERVICES: one round's status reads.
    const log = h.t.emulator.requestLog.slice(from);
    const segments: string[][] = [[]];
    for (const r of log) {
      if (r.sqlText !== null && /^SHOW SERVICES IN SCHEMA/i.test(r.sqlText)) segments.push([]);
      else if (r.method === 'GET' && r.path.startsWith('/monitoring/queries/'))
        segments.at(-1)?.push(r.path.slice('/monitoring/queries/'.length));
    }
    const complete = segments.filter((s) => queryIds.every((q) => s.includes(q)));
    expect(complete.length).toBeGreaterThanOrEqual(2);
    // Each id once per round.
    for (const s of complete) expect(s.filter((q) => q === queryIds[0])).toHaveLength(1);
  });
});
