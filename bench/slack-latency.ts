/**
 * Measure 1: Slack response time of the bot (a child process) against a bare Bolt app (another
 * child process), each with its own fake Slack; the load generator and the fakes live in this
 * process. Per concurrency: /spcs deploy → HTTP ack and → views.open (the fake's call time,
 * matched by trigger_id); a step submission → response; an Approve click → ack.
 */
import { blocksText, startFakeSlack, type FakeSlack } from '../test/support/fake-slack.js';
import { isRecord } from '../test/support/fake-slack-types.js';
import { createSlackRequestClient, type SlackRequestClient } from '../test/support/slack-request.js';
import { connectDeployments, deleteKeys } from './deployments.js';
import { APPROVER, CHANNEL, SIGNING_SECRET, botEnv, newKeyPrefix } from './environment.js';
import { runAtConcurrency } from './load-generator.js';
import { compiled, cpuMs, portOf, profileArgs, rssMb, sampleRss, spawnNode, type Child } from './processes.js';
import { measure, type Measure } from './report.js';
import { ratio, summarize, type Summary } from './stats.js';

export interface SlackLatencyOptions {
  readonly requests: number;
  /** Requests of each kind sent to each app before measuring. */
  readonly warmup: number;
  readonly concurrencies: readonly number[];
  /** Pending deployments whose Approve buttons the clicks go round. */
  readonly clickTargets: number;
}

interface Target {
  readonly name: 'bot' | 'bare';
  readonly fake: FakeSlack;
  readonly slack: SlackRequestClient;
  readonly child: Child;
  readonly commandText: string;
  /** Messages with an approval.approve button. */
  readonly buttons: Array<{ channel: string; ts: string }>;
  /** Whether a view is ready to submit (the bot's fills step 1 from Snowflake after opening). */
  readonly submittable: (viewId: string) => boolean;
}

interface Phase {
  readonly ack: Summary;
  readonly opened?: Summary;
  readonly failed: number;
  /** CPU the app's process used per request in this phase (everything the request caused), ms. */
  readonly cpuPerRequestMs: number;
}

export interface SlackLatencyResult {
  readonly measures: Measure[];
  readonly botRssIdleMb: number;
  readonly botRssLoadMb: number;
}

export async function measureSlackLatency(
  options: SlackLatencyOptions,
  emulatorUrl: string,
  cpuProfDir: string | null = null,
): Promise<SlackLatencyResult> {
  const keyPrefix = newKeyPrefix();
  const botFake = await startFakeSlack();
  const bareFake = await startFakeSlack();
  botFake.seedUsers([{ id: APPROVER, name: 'approver' }]);
  const children: Child[] = [];
  const starter = connectDeployments(keyPrefix);
  try {
    const bot = await spawnNode(
      compiled('bench/bot-process.ts'),
      [],
      botEnv(botFake, emulatorUrl, keyPrefix, { BENCH_SLACK_PACE_SCALE: '50' }),
      (l) => l.includes('benchReady'),
      60_000,
      profileArgs(cpuProfDir, 'bot'),
    );
    children.push(bot.child);
    const bare = await spawnNode(compiled('bench/bare-bolt.ts'), [], botEnv(bareFake, emulatorUrl, keyPrefix), (l) =>
      l.includes('benchReady'),
    );
    children.push(bare.child);
    await new Promise((r) => setTimeout(r, 1000));
    const botRssIdleMb = await rssMb(bot.child.pid);

    const ids = await Promise.all(
      Array.from({ length: options.clickTargets }, (_, i) => starter.request(`BENCH_CLICK_${i}`, botFake.identity.teamId)),
    );
    const botButtons = await Promise.all(ids.map(async (id) => ({ channel: CHANNEL, ts: await starter.summaryTs(id) })));
    const bareMessage = bareFake.postAsUser(CHANNEL, {
      user: 'U0SOMEONE0',
      text: 'approve?',
      blocks: [
        {
          type: 'actions',
          block_id: 'approval',
          elements: [{ type: 'button', action_id: 'approval.approve', text: { type: 'plain_text', text: 'Approve' }, value: 'x' }],
        },
      ],
    });

    const client = (fake: FakeSlack, port: number) =>
      createSlackRequestClient({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, fake });
    const targets: Target[] = [
      {
        name: 'bot',
        fake: botFake,
        slack: client(botFake, portOf(bot.readyLine)),
        child: bot.child,
        commandText: 'deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1',
        buttons: botButtons,
        submittable: (id) => {
          const view = botFake.view(id);
          return (
            view?.open === true &&
            view.callback_id === 'deploy.wizard.model' &&
            !blocksText(view.blocks as unknown[]).includes(':hourglass_flowing_sand:')
          );
        },
      },
      {
        name: 'bare',
        fake: bareFake,
        slack: client(bareFake, portOf(bare.readyLine)),
        child: bare.child,
        commandText: 'deploy',
        buttons: [{ channel: CHANNEL, ts: bareMessage.ts }],
        submittable: (id) => bareFake.view(id)?.open === true,
      },
    ];

    // Warm-up, not measured: both apps get the same requests first, so the JIT and connection pools
    // are warm and the figures describe a running service rather than its first seconds.
    for (const target of targets) {
      const warm = await runCommands(target, options.warmup, 1);
      await runSubmissions(target, warm.viewIds, 1);
      await runClicks(target, options.warmup, 1);
    }

    const measures: Measure[] = [];
    const rss = sampleRss(bot.child.pid);
    for (const c of options.concurrencies) {
      const results = new Map<string, { command: Phase; submit: Phase; click: Phase }>();
      for (const target of targets) {
        const command = await runCommands(target, options.requests, c);
        const submit = await runSubmissions(target, command.viewIds, c);
        const click = await runClicks(target, options.requests, c);
        results.set(target.name, { command: command.phase, submit, click });
      }
      const ours = results.get('bot');
      const theirs = results.get('bare');
      if (ours === undefined || theirs === undefined) continue;
      measures.push(...phaseMeasures(`command ack c=${c}`, ours.command.ack, theirs.command.ack, ours.command.failed));
      if (c === options.concurrencies[0]) {
        for (const [what, mine, bare] of [
          ['/spcs deploy', ours.command, theirs.command],
          ['step submission', ours.submit, theirs.submit],
          ['approve click', ours.click, theirs.click],
        ] as const) {
          measures.push(
            measure(
              '1 slack',
              `CPU per ${what} (bot)`,
              mine.cpuPerRequestMs,
              'ms',
              '',
              null,
              `bare Bolt ${bare.cpuPerRequestMs} ms; ratio ${ratio(mine.cpuPerRequestMs, bare.cpuPerRequestMs)}×; everything the request caused, measured on the app's process`,
            ),
          );
        }
      }
      if (ours.command.opened && theirs.command.opened) {
        measures.push(...phaseMeasures(`views.open c=${c}`, ours.command.opened, theirs.command.opened, ours.command.failed));
        if (c >= 50)
          measures.push(
            measure(
              '1 slack',
              `views.open p99 c=${c} (bot)`,
              ours.command.opened.p99,
              'ms',
              '≤ 2000 (well inside 3 s)',
              ours.command.opened.p99 <= 2000,
            ),
          );
      }
      measures.push(...phaseMeasures(`step submission c=${c}`, ours.submit.ack, theirs.submit.ack, ours.submit.failed));
      measures.push(...phaseMeasures(`approve click c=${c}`, ours.click.ack, theirs.click.ack, ours.click.failed));
    }
    const botRssLoadMb = await rss.stop();
    return { measures, botRssIdleMb, botRssLoadMb };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await botFake.close();
    await bareFake.close();
    await deleteKeys(starter.redis, keyPrefix).catch(() => undefined);
    await starter.close();
  }
}

/** CPU the app's process used since `startMs` (its cpuMs then), once it has gone quiet, per request. */
async function cpuPerRequest(target: Target, startMs: number, requests: number): Promise<number> {
  let last = await cpuMs(target.child.pid);
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await cpuMs(target.child.pid);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return Math.round(((last - startMs) / Math.max(1, requests)) * 100) / 100;
}

function phaseMeasures(what: string, ours: Summary, theirs: Summary, failed: number): Measure[] {
  const r = ratio(ours.p99, theirs.p99);
  const note = `bot p50/p95/p99/max ${ours.p50}/${ours.p95}/${ours.p99}/${ours.max} ms; bare ${theirs.p50}/${theirs.p95}/${theirs.p99}/${theirs.max} ms; n=${ours.count}${failed > 0 ? `; ${failed} failed` : ''}`;
  return [
    measure('1 slack', `${what} p99 (bot)`, ours.p99, 'ms', '', null, note),
    measure('1 slack', `${what} p99 (bare Bolt)`, theirs.p99, 'ms'),
    measure('1 slack', `${what} p99 ratio bot/bare`, r, '×', '≤ 1.3', r <= 1.3),
  ];
}

async function runCommands(target: Target, n: number, c: number): Promise<{ phase: Phase; viewIds: string[] }> {
  const acks: number[] = [];
  const sent = new Map<string, number>();
  const before = target.fake.calls('views.open').length;
  const cpuBefore = await cpuMs(target.child.pid);
  let failed = await runAtConcurrency(n, c, async () => {
    const at = Date.now();
    const res = await target.slack.slashCommand({ command: '/spcs', text: target.commandText, channelId: CHANNEL });
    sent.set(res.triggerId, at);
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    acks.push(res.elapsedMs);
  });
  // Every views.open lands within the trigger's 3 s, or never.
  const deadline = Date.now() + 5_000;
  while (target.fake.calls('views.open').length - before < sent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const opened: number[] = [];
  const viewIds: string[] = [];
  let openFailures = 0;
  for (const call of target.fake.calls('views.open').slice(before)) {
    const at = sent.get(String(call.args['trigger_id']));
    if (at === undefined) continue;
    if (!call.ok) {
      openFailures++;
      continue;
    }
    opened.push(call.at - at);
    const view = call.response['view'];
    if (isRecord(view) && typeof view['id'] === 'string') viewIds.push(view['id']);
  }
  failed += openFailures + Math.max(0, sent.size - opened.length - openFailures);
  return {
    phase: { ack: summarize(acks), opened: summarize(opened), failed, cpuPerRequestMs: await cpuPerRequest(target, cpuBefore, n) },
    viewIds,
  };
}

async function runSubmissions(target: Target, viewIds: readonly string[], c: number): Promise<Phase> {
  const deadline = Date.now() + 20_000;
  let ready = viewIds.filter(target.submittable);
  while (ready.length < viewIds.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    ready = viewIds.filter(target.submittable);
  }
  const times: number[] = [];
  const cpuBefore = await cpuMs(target.child.pid);
  const failed = await runAtConcurrency(ready.length, c, async (i) => {
    const viewId = ready[i];
    if (viewId === undefined) return;
    const res = await target.slack.viewSubmission({ viewId });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    times.push(res.elapsedMs);
  });
  return {
    ack: summarize(times),
    failed: failed + (viewIds.length - ready.length),
    cpuPerRequestMs: await cpuPerRequest(target, cpuBefore, ready.length),
  };
}

async function runClicks(target: Target, n: number, c: number): Promise<Phase> {
  const times: number[] = [];
  const cpuBefore = await cpuMs(target.child.pid);
  const failed = await runAtConcurrency(n, c, async (i) => {
    const surface = target.buttons[i % target.buttons.length];
    if (surface === undefined) return;
    const res = await target.slack.clickButton(surface, 'approval.approve', { user: { id: APPROVER } });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    times.push(res.elapsedMs);
  });
  return { ack: summarize(times), failed, cpuPerRequestMs: await cpuPerRequest(target, cpuBefore, n) };
}
