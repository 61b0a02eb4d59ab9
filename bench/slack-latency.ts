/**
 * Measure 1: Slack response time of the bot's web process (a child process, ROLE=web) against a
 * bare Bolt app (another child process), each with its own fake Slack; the load generator and the
 * fakes live in this process. Per concurrency: /spcs deploy → HTTP ack and → views.open (the
 * fake's call time, matched by trigger_id); a step submission → response; an Approve click → ack.
 * Every click approves a pending deployment of its own (one approval required), so it does the
 * whole approval: compare-and-set, audit entry and the jobs it hands to the workers. The
 * deployments are prepared first by a worker process (ROLE=worker posts their summaries), which
 * is stopped before measuring: the jobs the clicks enqueue wait in Redis, and the web process's
 * CPU is what each request costs it alone.
 */
import { blocksText, startFakeSlack, type FakeSlack } from '../test/support/fake-slack.js';
import { isRecord } from '../test/support/fake-slack-types.js';
import { createSlackRequestClient, type SlackRequestClient } from '../test/support/slack-request.js';
import { connectDeployments, deleteKeys, type DeploymentStarter } from './deployments.js';
import { APPROVER, CHANNEL, SIGNING_SECRET, botEnv, newKeyPrefix } from './environment.js';
import { runAtConcurrency } from './load-generator.js';
import { compiled, cpuMs, portOf, profileArgs, rssMb, sampleRss, spawnNode, type Child } from './processes.js';
import { measure, type Measure } from './report.js';
import { median, ratio, summarize, type Summary } from './stats.js';

export interface SlackLatencyOptions {
  readonly requests: number;
  /** Requests of each kind sent to each app before measuring. */
  readonly warmup: number;
  readonly concurrencies: readonly number[];
  /** Repetitions at concurrencies of 50 and more, whose tails move 2–3× between runs: the median is reported. */
  readonly tailRepetitions: number;
}

interface Target {
  readonly name: 'bot' | 'bare';
  readonly fake: FakeSlack;
  readonly slack: SlackRequestClient;
  readonly child: Child;
  readonly commandText: string;
  /** The next message with an approval.approve button (the bot's: a fresh pending deployment each time). */
  readonly nextButton: () => { channel: string; ts: string } | undefined;
  /** Whether a view is ready to submit (the bot's fills step 1 from Snowflake after opening). */
  readonly submittable: (viewId: string) => boolean;
}

interface Phase {
  readonly ack: Summary;
  readonly opened?: Summary;
  readonly failed: number;
  /** CPU the app's process used in this phase (everything its requests caused), ms, and how many requests. */
  readonly cpuMs: number;
  readonly requests: number;
}

interface Round {
  readonly command: Phase;
  readonly submit: Phase;
  readonly click: Phase;
}

export interface SlackLatencyResult {
  readonly measures: Measure[];
}

/** How many pending deployments the clicks use: one per click, warm-up included. */
export function clicksNeeded(options: SlackLatencyOptions): number {
  const repetitions = (c: number) => (c >= 50 ? options.tailRepetitions : 1);
  return options.warmup + options.concurrencies.reduce((sum, c) => sum + repetitions(c) * options.requests, 0);
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
    const botButtons = await preparePendingDeployments(starter, botFake, emulatorUrl, keyPrefix, clicksNeeded(options));
    const clicked: string[] = [];
    const bot = await spawnNode(
      compiled('bench/bot-process.ts'),
      [],
      botEnv(botFake, emulatorUrl, keyPrefix, { ROLE: 'web' }),
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
    const bareRssIdleMb = await rssMb(bare.child.pid);

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
        nextButton: () => {
          const next = botButtons.shift();
          if (next !== undefined) clicked.push(next.id);
          return next;
        },
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
        nextButton: () => ({ channel: CHANNEL, ts: bareMessage.ts }),
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

    // At rest again after the warm-up: connection pools open, code compiled, listings remembered.
    await new Promise((r) => setTimeout(r, 1000));
    const botRssWarmMb = await rssMb(bot.child.pid);
    const bareRssWarmMb = await rssMb(bare.child.pid);

    const measures: Measure[] = [];
    const rss = sampleRss(bot.child.pid);
    const bareRss = sampleRss(bare.child.pid);
    const everyRound: Array<{ bot: Round; bare: Round }> = [];
    for (const c of options.concurrencies) {
      // Repetitions alternate between the apps, so a stall of the machine falls on both alike.
      const rounds: Array<{ bot: Round; bare: Round }> = [];
      for (let rep = 0; rep < (c >= 50 ? options.tailRepetitions : 1); rep++) {
        const bot = await runRound(targets[0], options.requests, c);
        const bare = await runRound(targets[1], options.requests, c);
        rounds.push({ bot, bare });
      }
      const kinds = [
        ['command ack', (r: Round) => r.command.ack, (r: Round) => r.command.failed],
        ['views.open', (r: Round) => r.command.opened, (r: Round) => r.command.failed],
        ['step submission', (r: Round) => r.submit.ack, (r: Round) => r.submit.failed],
        ['approve click', (r: Round) => r.click.ack, (r: Round) => r.click.failed],
      ] as const;
      for (const [what, summary, failed] of kinds) {
        const pairs = rounds.flatMap((r) => {
          const ours = summary(r.bot);
          const theirs = summary(r.bare);
          return ours && theirs ? [{ ours, theirs, failed: failed(r.bot) }] : [];
        });
        measures.push(...phaseMeasures(`${what} c=${c}`, pairs));
        if (what === 'views.open' && c >= 50 && pairs.length > 0) {
          const p99 = median(pairs.map((p) => p.ours.p99));
          measures.push(measure('1 slack', `views.open p99 c=${c} (bot)`, p99, 'ms', '≤ 2000 (well inside 3 s)', p99 <= 2000));
        }
      }
      everyRound.push(...rounds);
    }
    measures.push(...cpuMeasures(everyRound));
    const botRssLoadMb = await rss.stop();
    const bareRssLoadMb = await bareRss.stop();
    const growth = ratio(botRssLoadMb, botRssIdleMb);
    // Each click must have done the real work: its deployment approved and handed to the workers.
    const approved = (await starter.store.getMany(clicked)).filter((d) => d?.state === 'approved' && d.execution?.phase === 'queued');
    measures.push(
      measure(
        '1 slack',
        'approve clicks that approved a deployment',
        approved.length,
        'clicks',
        `= ${clicked.length}`,
        approved.length === clicked.length,
      ),
      measure(
        '4 start-up',
        'RSS under load of (1) / idle (bot web process)',
        growth,
        '×',
        '≤ 1.5',
        growth <= 1.5,
        `idle (1 s after start) ${botRssIdleMb} MB, highest under load ${botRssLoadMb} MB; bare Bolt ${bareRssIdleMb} → ${bareRssLoadMb} MB (${ratio(bareRssLoadMb, bareRssIdleMb)}×)`,
      ),
      measure(
        '4 start-up',
        'RSS under load of (1) / at rest after the warm-up (bot web process)',
        ratio(botRssLoadMb, botRssWarmMb),
        '×',
        '',
        null,
        `at rest after the warm-up ${botRssWarmMb} MB; bare Bolt ${bareRssWarmMb} MB (${ratio(bareRssLoadMb, bareRssWarmMb)}×)`,
      ),
      measure(
        '4 start-up',
        'RSS idle, bot web process / bare Bolt',
        ratio(botRssIdleMb, bareRssIdleMb),
        '×',
        '',
        null,
        `bot ${botRssIdleMb} MB, bare Bolt ${bareRssIdleMb} MB`,
      ),
    );
    return { measures };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await botFake.close();
    await bareFake.close();
    await deleteKeys(starter.redis, keyPrefix).catch(() => undefined);
    await starter.close();
  }
}

/**
 * `count` pending deployments with their summaries posted, by a worker process of the bot that
 * is stopped afterwards (so it takes no CPU from the measured web process, and the jobs the
 * clicks enqueue stay queued). Its pace is 1,000× Slack's: this is preparation, not a measure.
 */
async function preparePendingDeployments(
  starter: DeploymentStarter,
  fake: FakeSlack,
  emulatorUrl: string,
  keyPrefix: string,
  count: number,
): Promise<Array<{ id: string; channel: string; ts: string }>> {
  const worker = await spawnNode(
    compiled('bench/bot-process.ts'),
    [],
    botEnv(fake, emulatorUrl, keyPrefix, { ROLE: 'worker', BENCH_SLACK_PACE_SCALE: '1000' }),
    (l) => l.includes('benchReady'),
  );
  try {
    const ids: string[] = [];
    await runAtConcurrency(count, 20, async (i) => void ids.push(await starter.request(`BENCH_CLICK_${i}`, fake.identity.teamId)));
    if (ids.length < count) throw new Error(`only ${ids.length} of ${count} click targets were requested`);
    const timestamps = await starter.summaryTimestamps(ids, 120_000 + count * 20);
    return timestamps.map((ts, i) => ({ id: ids[i] ?? '', channel: CHANNEL, ts }));
  } finally {
    await worker.child.stop();
  }
}

/** One repetition for one app: commands, then the submissions of the views they opened, then clicks. */
async function runRound(target: Target | undefined, n: number, c: number): Promise<Round> {
  if (target === undefined) throw new Error('no such target');
  const command = await runCommands(target, n, c);
  const submit = await runSubmissions(target, command.viewIds, c);
  const click = await runClicks(target, n, c);
  return { command: command.phase, submit, click };
}

/** CPU per request of each kind, over every measured round (so over thousands of requests: /proc counts 10 ms ticks), against its target. */
function cpuMeasures(rounds: ReadonlyArray<{ bot: Round; bare: Round }>): Measure[] {
  const perRequest = (phases: readonly Phase[]) =>
    Math.round(
      (phases.reduce((sum, p) => sum + p.cpuMs, 0) /
        Math.max(
          1,
          phases.reduce((sum, p) => sum + p.requests, 0),
        )) *
        100,
    ) / 100;
  const rows = [
    ['/spcs deploy', (r: Round) => r.command, 1.5],
    ['step submission', (r: Round) => r.submit, 1.5],
    ['approve click', (r: Round) => r.click, 2],
  ] as const;
  return rows.map(([what, phase, target]) => {
    const mine = perRequest(rounds.map((r) => phase(r.bot)));
    const theirs = perRequest(rounds.map((r) => phase(r.bare)));
    const r = ratio(mine, theirs);
    return measure(
      '1 slack',
      `CPU per ${what} ratio bot/bare`,
      r,
      '×',
      `≤ ${target}`,
      r <= target,
      `bot ${mine} ms, bare Bolt ${theirs} ms per request, over all ${rounds.length} rounds; everything the request caused on the app's (web) process`,
    );
  });
}

/** CPU the app's process used since `startMs` (its cpuMs then), once it has gone quiet. */
async function cpuSince(target: Target, startMs: number): Promise<number> {
  let last = await cpuMs(target.child.pid);
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await cpuMs(target.child.pid);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return last - startMs;
}

/**
 * One kind at one concurrency: p99 of each app and their ratio. With several repetitions each
 * ratio comes from its own repetition (both apps under the same conditions) and the medians are
 * reported.
 */
function phaseMeasures(what: string, pairs: ReadonlyArray<{ ours: Summary; theirs: Summary; failed: number }>): Measure[] {
  if (pairs.length === 0) return [];
  const ours = median(pairs.map((p) => p.ours.p99));
  const theirs = median(pairs.map((p) => p.theirs.p99));
  const ratios = pairs.map((p) => ratio(p.ours.p99, p.theirs.p99));
  const r = median(ratios);
  const failed = pairs.reduce((sum, p) => sum + p.failed, 0);
  const runs = pairs
    .map(
      ({ ours: o, theirs: t }) => `bot p50/p95/p99/max ${o.p50}/${o.p95}/${o.p99}/${o.max} ms; bare ${t.p50}/${t.p95}/${t.p99}/${t.max} ms`,
    )
    .join(' | ');
  const note = `${pairs.length > 1 ? `median of ${pairs.length} repetitions (ratios ${ratios.join(', ')}): ` : ''}${runs}; n=${pairs[0]?.ours.count ?? 0} each${failed > 0 ? `; ${failed} failed` : ''}`;
  return [
    measure('1 slack', `${what} p99 (bot)`, ours, 'ms', '', null, note),
    measure('1 slack', `${what} p99 (bare Bolt)`, theirs, 'ms'),
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
    phase: { ack: summarize(acks), opened: summarize(opened), failed, cpuMs: await cpuSince(target, cpuBefore), requests: n },
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
    cpuMs: await cpuSince(target, cpuBefore),
    requests: ready.length,
  };
}

async function runClicks(target: Target, n: number, c: number): Promise<Phase> {
  const times: number[] = [];
  const cpuBefore = await cpuMs(target.child.pid);
  const failed = await runAtConcurrency(n, c, async () => {
    const surface = target.nextButton();
    if (surface === undefined) throw new Error('no pending deployment left to approve');
    const res = await target.slack.clickButton(surface, 'approval.approve', { user: { id: APPROVER } });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    times.push(res.elapsedMs);
  });
  return { ack: summarize(times), failed, cpuMs: await cpuSince(target, cpuBefore), requests: n };
}
