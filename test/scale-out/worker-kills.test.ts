import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approve,
  deployCallsFor,
  doubledPosts,
  eventually,
  phaseOf,
  runningReplies,
  startFleet,
  type BotProcess,
  type Fleet,
} from './fleet.js';

/**
 * One web and two worker processes on one Redis prefix; workers are killed (SIGKILL) or stopped
 * (SIGTERM) mid-deployment and the other worker, or a new one, carries on. Test/deploy-execution's
 * worker-restart.test.ts covers the same moments with one ROLE=all process; here the survivor is
 * another live worker and the killed one is whichever took the job.
 */

const SHUTDOWN_TIMEOUT_MS = 3_000;

let fleet: Fleet;
let web: BotProcess;
beforeAll(async () => {
  fleet = await startFleet({ env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) } });
  [web] = await Promise.all([fleet.start('web'), fleet.start('worker'), fleet.start('worker')]);
}, 120_000);
afterAll(async () => {
  await fleet?.close();
});

const alive = (p: BotProcess) => p.child.exitCode === null && p.child.signalCode === null;
const liveWorkers = () => fleet.processes.filter((p) => p.role === 'worker' && alive(p));

/** The live worker that logged `step` of the deployment (the one running its job, or tracking it). */
function workerThatLogged(id: string, step: string): BotProcess | undefined {
  return liveWorkers().find((w) => w.logged(id, step));
}

async function running(id: string, ts: string): Promise<void> {
  await eventually(async () => (await phaseOf(fleet, id)) === 'running' || undefined, 40_000, `${id} running`);
  await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 15_000, `${id} running reply`);
}

describe('workers killed or stopped while deployments are in flight', () => {
  it('when the worker is SIGKILLed right after Snowflake accepted CALL SYSTEM$DEPLOY_MODEL, then a new worker (or the other) takes it to running without a second CALL', async () => {
    // Snowflake runs the CALL at once; the answer with its query id is held back: the kill lands
    // between Snowflake accepting the statement and the worker learning its id.
    fleet.emulator.faults.lateAsyncAnswer(1, 20_000);
    const { id, ts } = await fleet.request('IRIS_KILL_CALL');
    await approve(fleet, web, ts);
    await eventually(() => deployCallsFor(fleet, id) === 1 || undefined, 20_000, 'CALL received by Snowflake');
    const submitter = await eventually(() => workerThatLogged(id, 'submitting'), 5_000, 'the worker running the job');
    await submitter.kill('SIGKILL');
    expect((await fleet.store.get(id))?.execution?.queryId).toBeUndefined();

    await fleet.start('worker');
    await running(id, ts);
    expect(deployCallsFor(fleet, id)).toBe(1);
    expect((await fleet.deployQueue.getJob(id))?.returnvalue).toBe('resumed');
    expect(runningReplies(fleet, ts)).toHaveLength(1);
    const submitted = (await fleet.audit.read(id)).filter((e) => e.event === 'deploy_submitted');
    expect(submitted).toHaveLength(1);
    expect(doubledPosts(fleet)).toEqual([]);
  }, 90_000);

  it('when a worker is SIGKILLed while it tracks a deployment, then the other worker tracks it to running and the final message is posted once', async () => {
    // Snowflake's clock stands still while the worker is killed, so nothing is being posted then.
    fleet.emulator.clock.setSpeed(0);
    const { id, ts } = await fleet.request('IRIS_KILL_TRACK');
    await approve(fleet, web, ts);
    await eventually(async () => (await fleet.store.get(id))?.execution?.queryId, 20_000, 'query id stored');
    await eventually(async () => (await fleet.store.trackedIds()).includes(id) || undefined, 5_000, 'tracked');
    await eventually(() => fleet.notificationsIdle(), 10_000, 'notifications sent');
    const submitter = liveWorkers().find((w) => w.logged(id, 'submitted'));
    const victim = submitter ?? liveWorkers()[0];
    if (victim === undefined) throw new Error('no live worker');
    await victim.kill('SIGKILL');
    expect(liveWorkers()).toHaveLength(1);

    fleet.emulator.clock.setSpeed(4);
    await running(id, ts);
    expect(liveWorkers()[0]?.logged(id, 'running')).toBe(true);
    expect(runningReplies(fleet, ts)).toHaveLength(1);
    expect(deployCallsFor(fleet, id)).toBe(1);
    expect(doubledPosts(fleet)).toEqual([]);
  }, 90_000);

  it('when a worker gets SIGTERM with a deploy job in flight, then it exits within SHUTDOWN_TIMEOUT_MS and the job finishes on the other worker, once', async () => {
    while (liveWorkers().length < 2) await fleet.start('worker');
    // The CALL's answer is held 20 s: the job cannot finish before the shutdown deadline.
    fleet.emulator.faults.lateAsyncAnswer(1, 20_000);
    const { id, ts } = await fleet.request('IRIS_SIGTERM');
    await approve(fleet, web, ts);
    await eventually(() => deployCallsFor(fleet, id) === 1 || undefined, 20_000, 'CALL received by Snowflake');
    const submitter = await eventually(() => workerThatLogged(id, 'submitting'), 5_000, 'the worker running the job');
    const other = liveWorkers().find((w) => w !== submitter);

    const stopped = await submitter.kill('SIGTERM');
    expect(stopped.code).toBe(1); // it gave up waiting for the job
    // By the process's own clock it gave up inside SHUTDOWN_TIMEOUT_MS; seen from here, it was gone
    // about then (this process may be scheduled late on a busy machine, hence the second of slack).
    const at = (msg: string) => Number(submitter.logs.find((l) => String(l['msg']).startsWith(msg))?.['time']);
    const gaveUpAfterMs = at('shutdown took too long') - at('shutting down');
    expect(gaveUpAfterMs).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS / 2);
    expect(gaveUpAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(stopped.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1_000);

    await running(id, ts);
    expect(other?.logged(id, 'recovered')).toBe(true);
    expect(submitter.logged(id, 'recovered') || submitter.logged(id, 'submitted')).toBe(false);
    expect(await fleet.deployQueue.getJobState(id)).toBe('completed');
    expect(deployCallsFor(fleet, id)).toBe(1);
    expect(runningReplies(fleet, ts)).toHaveLength(1);
    expect(doubledPosts(fleet)).toEqual([]);
  }, 90_000);
});
