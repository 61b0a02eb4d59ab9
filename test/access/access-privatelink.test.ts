/**
 * PrivateLink: the bot's connection goes to `<account>.privatelink.snowflakecomputing.com` (the
 * real driver reaches it through the emulator acting as an HTTP proxy), the emulator is a Business
 * Critical account whose SHOW ENDPOINTS has `privatelink_ingress_url`, and so the deploy thread's
 * usage, `/spcs status` and `/spcs access` (its endpoint test included) give that URL, as
 * snowflake-ml-python does for a PrivateLink session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, CHANNEL, eventually, startDeployHarness, text, type DeployHarness } from '../deploy-approval/helpers.js';
import { spcs } from '../observe/support.js';
import { click, MANAGER, openAccess, submit, viewText, waitForView } from './support.js';
import { freePort } from '../support/free-port.js';

let h: DeployHarness;
const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };

beforeAll(async () => {
  const port = await freePort();
  // Only the driver's requests to the PrivateLink host go through the proxy; Slack and Redis are local.
  process.env.HTTP_PROXY = `http://127.0.0.1:${port}`;
  process.env.NO_PROXY = '127.0.0.1,localhost';
  h = await startDeployHarness({
    // The PAT rule is covered elsewhere; here the token only needs to reach the endpoint.
    emulator: { port, privateLink: true, patNetworkPolicyEvaluation: 'ENFORCED_NOT_REQUIRED' },
    env: { SNOWFLAKE_ACCESS_URL: `http://emuacct.privatelink.snowflakecomputing.com:${port}`, SPCS_MANAGERS: MANAGER.id },
  });
});

afterAll(async () => {
  await h?.stop();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const privateHostOf = (service: string): string => {
  const host = h.t.emulator.service(service)?.endpoints.find((e) => e.name === 'inference')?.host ?? 'missing';
  return host.replace(/\.snowflakecomputing\.app$/, '.privatelink.snowflakecomputing.app');
};

describe('over PrivateLink', () => {
  it('when a deployment runs, then the thread posts the privatelink_ingress_url in its usage', async () => {
    const { t } = h;
    const { id, ts } = await h.request('IRIS_PL');
    await t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    const running = await eventually(
      async () => {
        const d = await h.store.get(id);
        return d?.execution?.phase === 'running' && d.execution.ingressUrl !== undefined ? d : undefined;
      },
      30_000,
      'running with its endpoint',
    );
    const url = `https://${privateHostOf('IRIS_PL')}`;
    expect(running.execution?.ingressUrl).toBe(url);
    const replies = await eventually(
      () => {
        const r = t.fake.replies(CHANNEL, ts);
        return r.some((m) => text(m).includes(`${url}/predict`)) ? r : undefined;
      },
      10_000,
      'REST usage with the PrivateLink URL',
    );
    expect(replies.map(text).join('\n')).not.toMatch(/https:\/\/[a-z0-9-]+\.snowflakecomputing\.app/);
  });

  it('when /spcs status is asked, then the endpoint is the PrivateLink one', async () => {
    const { text: shown } = await spcs(h.t, 'status ML_DB.SERVING.IRIS_SVC');
    expect(shown).toContain(`https://${privateHostOf('IRIS_SVC')}`);
  });

  it('when /spcs access tests the endpoint, then it shows and calls the PrivateLink URL', async () => {
    const { viewId, overview } = await openAccess(h.t, 'ML_DB.SERVING.IRIS_SVC', MANAGER);
    const url = `https://${privateHostOf('IRIS_SVC')}`;
    expect(viewText(overview)).toContain(url);
    await click(h.t, viewId, 'access.open_test', MANAGER);
    await waitForView(h.t, viewId, 'access.test');
    await submit(
      h.t,
      viewId,
      { 'access.method': 'PREDICT', 'access.sample': '5.1, 3.5, 1.4, 0.2', 'access.pat_secret': h.t.emulator.credentials.pat },
      MANAGER,
    );
    const result = viewText(await waitForView(h.t, viewId, 'access.result'));
    expect(result).toContain(`POST ${url}/predict`);
    expect(result).toContain('HTTP 200');
    expect(result).toContain(`/ingress/${privateHostOf('IRIS_SVC')}/predict`);
  });
});
