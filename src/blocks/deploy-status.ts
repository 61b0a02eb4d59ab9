import type { KnownBlock } from '@slack/types';
import { qualifiedService, type ModelFunctionSummary } from '../domain/deploy-request.js';
import type { Milestone, Phase } from '../domain/deployment.js';
import type { DeploymentFailure, DeploymentView } from '../domain/deployment-view.js';
import { REMEDIES, type Remedy } from '../domain/diagnosis.js';
import { codeBlock as fencedCode, escapeMrkdwn, inlineCode, section } from './kit.js';

/** The status line of the summary message and the thread replies for each milestone. */

export interface SlackMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/** `<!date^…>` renders in each reader's time zone; the fallback is UTC. */
export function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${new Date(ms).toISOString()}>`;
}

const PHASE_TEXT: Record<Phase, string> = {
  queued: ':inbox_tray: Approved, queued to start',
  creating_pool: ':building_construction: Creating the compute pool',
  dropping_service: ':wastebasket: Dropping the existing service',
  submitting: ':outbox_tray: Sending the deployment to Snowflake',
  building_image: ':hammer_and_wrench: Building the model image',
  starting: ':hourglass_flowing_sand: Starting the service',
  running: ':large_green_circle: Running',
  failed: ':red_circle: Failed',
  timed_out: ':red_circle: Timed out',
  cancelled: ':no_entry: Cancelled',
  needs_attention: ':warning: Needs attention: a person has to check',
};

export function buildStatusLine(d: DeploymentView): string {
  const e = d.progress;
  if (e === undefined) {
    if (d.state === 'pending') return '*Status:* :large_yellow_circle: Waiting for approval';
    if (d.state === 'rejected') return '*Status:* :x: Rejected, nothing was deployed';
    if (d.state === 'expired') return '*Status:* :hourglass: Expired, nothing was deployed';
    return `*Status:* ${PHASE_TEXT.queued}`;
  }
  const extra =
    e.phase !== 'running'
      ? ''
      : e.ingressUrl !== undefined
        ? ` at ${e.ingressUrl}`
        : e.endpointPending
          ? ' (REST endpoint provisioning)'
          : '';
  // A deployment that ended without running says why on the summary too, in Snowflake's words.
  const said = e.phase === 'needs_attention' ? e.attention?.detail : e.phase === 'running' ? undefined : e.failure?.message;
  const why = said === undefined ? '' : `\n>${escapeMrkdwn(said.split('\n')[0] ?? '').slice(0, 300)}`;
  return `*Status:* ${PHASE_TEXT[e.phase]}${extra} (since ${slackDate(e.sinceMs)})${why}`;
}

/** Text in a code block that it cannot close, its end kept within Slack's 3000-character section limit. */
const codeBlock = (text: string) => fencedCode(text, { budget: 2800, keep: 'tail', escape: true });

/** A value of the input's type, so the REST example runs as pasted. */
function placeholder(type: string): string {
  const t = type.toUpperCase();
  if (/INT|FLOAT|DOUBLE|NUMBER|DECIMAL|REAL/.test(t)) return '0';
  if (t.includes('BOOL')) return 'false';
  return '"text"';
}

/** `predict_proba` → `predict-proba`, as the ingress routes methods. */
export function restPath(fn: ModelFunctionSummary): string {
  return fn.name.toLowerCase().replaceAll('_', '-');
}

/** The REST example per function (up to three), as pasted into a terminal. */
function restBlock(d: DeploymentView, ingressUrl: string): KnownBlock {
  const rest = d.request.functions
    .slice(0, 3)
    .map((fn) => {
      const body = `{"data": [[0, ${fn.inputs.map((i) => placeholder(i.type)).join(', ')}]]}`;
      const columns = fn.inputs.map((i) => i.name).join(', ');
      return `# after the row index: ${columns}\ncurl -X POST "${ingressUrl}/${restPath(fn)}" \\\n  -H 'Authorization: Snowflake Token="<PAT>"' \\\n  -H 'Content-Type: application/json' \\\n  -d '${body}'`;
    })
    .join('\n\n');
  return section(`*REST*\n${codeBlock(rest)}`);
}

function usageBlocks(d: DeploymentView, ingressUrl: string | undefined): KnownBlock[] {
  const service = qualifiedService(d.request);
  const fns = d.request.functions.slice(0, 3);
  const sql = fns.map((fn) => `SELECT ${service}!${fn.name}(${fn.inputs.map((i) => i.name).join(', ')}) FROM <input_table>;`).join('\n');
  const python = fns
    .map((fn) => `mv.run(df, function_name="${fn.name.toLowerCase()}", service_name="${d.request.service.name}")`)
    .join('\n');
  const blocks: KnownBlock[] = [
    section(`*SQL*\n${codeBlock(sql)}`),
    section(`*Python* (\`mv\` is the model version from the registry)\n${codeBlock(python)}`),
  ];
  if (ingressUrl !== undefined) blocks.push(restBlock(d, ingressUrl));
  else if (d.progress?.endpointPending === true)
    blocks.push(section('*REST*\nThe REST endpoint is still being provisioned; its URL and a ready-to-run request follow in this thread.'));
  blocks.push(
    section(
      `*Next steps*\n• REST access for people and apps outside Snowflake (network policy, PAT, service role): \`/spcs access ${service}\`\n• Status, logs, metrics, diagnosis: \`/spcs status ${service}\`\n• Monitoring: \`SELECT * FROM TABLE(${service}!SPCS_GET_METRICS())\` and \`CALL SYSTEM$GET_SERVICE_LOGS('${service}', 0, 'model-inference')\``,
    ),
  );
  return blocks;
}

/** A remedy from the diagnosis rules as one paragraph: the cause, then the fixes in order. */
function remedyText(r: Remedy): string {
  return escapeMrkdwn([r.cause, ...r.fixes].join(' '));
}

/**
 * What to do about each kind of failure. The cause and fixes come from the diagnosis rules'
 * REMEDIES (src/domain/diagnosis.ts), so the thread and `/spcs diagnose` say the same; only the
 * symptom sentence in front is the thread's own.
 */
export function diagnosis(d: DeploymentView, failure: DeploymentFailure): string {
  const pool = inlineCode(d.request.pool.name);
  switch (failure.kind) {
    case 'oom':
      return `The \`model-inference\` container ran out of memory (OOMKilled, exit code 137). ${remedyText(REMEDIES.oom_killed({ name: d.request.pool.instanceFamily }))}`;
    case 'no_free_node':
      return `Pending scheduling: compute pool ${pool} is at capacity. ${remedyText(REMEDIES.pending_scheduling({ pool: d.request.pool.name, nodes: null, atMax: true }))}`;
    case 'missing_privilege': {
      const grants = failure.privilege === undefined ? [] : [failure.privilege];
      const lacking = failure.privilege === undefined ? '' : `: ${inlineCode(failure.privilege)}`;
      return `The bot's role lacks a privilege${lacking}. ${remedyText(REMEDIES.missing_privilege({ grants, during: 'deploy' }))} Then deploy again.`;
    }
    case 'build_failed':
      return `The model image build failed (the \`model-build\` log is above). ${remedyText(REMEDIES.build_failed())}`;
    case 'timed_out':
      // Stuck waiting for a node: the capacity diagnosis says what to do.
      if (/pending scheduling/i.test(failure.message) || d.progress?.milestones.includes('waiting_for_capacity') === true) {
        return `It never got a node. ${diagnosis(d, { ...failure, kind: 'no_free_node' })} The service is left in place and starts once a node is free; drop it if you no longer want it.`;
      }
      return 'The deployment made no progress within the time allowed for one phase. Check the pool (`SHOW COMPUTE POOLS`) and the service logs; the service is left as it is.';
    case 'policy':
      return 'The approval no longer holds under the current settings, so nothing was deployed. Request it again with `/spcs deploy`.';
    case 'deploy_error':
      return 'Snowflake refused the deployment; the message above says why.';
    case 'cancelled':
      return 'It was cancelled in Snowflake (SYSTEM$CANCEL_QUERY, or the build job or service was cancelled), so it will not finish. Check `SHOW SERVICES` for what was left, and request it again with `/spcs deploy` if it is still wanted.';
  }
}

function failureBlocks(d: DeploymentView): KnownBlock[] {
  const f = d.progress?.failure;
  if (f === undefined) return [section('The deployment failed.')];
  const blocks: KnownBlock[] = [section(`*${PHASE_TEXT[d.progress?.phase ?? 'failed']}:* ${escapeMrkdwn(f.message).slice(0, 1500)}`)];
  if (f.logTail.length > 0) {
    const container = f.kind === 'build_failed' ? 'model-build' : 'model-inference';
    blocks.push(section(`*Last lines of the \`${container}\` log*\n${codeBlock(f.logTail.join('\n'))}`));
  }
  const closedBy = d.progress?.attention?.resolvedBy;
  if (closedBy !== undefined) blocks.push(section(`Marked as failed by <@${closedBy}>.`));
  blocks.push(section(`*Diagnosis:* ${diagnosis(d, f)}`));
  return blocks;
}

/** One thread reply per milestone, rendered from the deployment as it is when the reply is sent. */
export function buildMilestoneMessage(d: DeploymentView, milestone: Milestone): SlackMessage {
  const service = inlineCode(qualifiedService(d.request));
  switch (milestone) {
    case 'approved': {
      const who = d.approvals.map((a) => `<@${a.userId}>`).join(', ');
      return {
        text: 'Approved, deploying',
        blocks: [section(`:white_check_mark: Approved by ${who}. Deploying ${service} now; this typically takes 5 to 15 minutes.`)],
      };
    }
    case 'build_started':
      return {
        text: 'Image build started',
        blocks: [section(`:hammer_and_wrench: Building the model image (job ${inlineCode(d.progress?.buildJobName ?? 'MODEL_BUILD_…')}).`)],
      };
    case 'build_done':
      return { text: 'Image build done', blocks: [section(':package: The model image is built.')] };
    case 'starting':
      return { text: 'Service starting', blocks: [section(`:hourglass_flowing_sand: Starting ${service}.`)] };
    case 'waiting_for_capacity': {
      const waiting: DeploymentFailure = { kind: 'no_free_node', message: 'Pending scheduling', logTail: [] };
      return {
        text: 'Waiting for a free node',
        blocks: [section(`:warning: ${service} is waiting. *Diagnosis:* ${diagnosis(d, waiting)}`)],
      };
    }
    case 'running': {
      const url = d.progress?.ingressUrl;
      const head = section(`:rocket: ${service} is *running*.${url === undefined ? '' : ` Inference endpoint: ${url}`}`);
      return { text: `${qualifiedService(d.request)} is running`, blocks: [head, ...usageBlocks(d, url)] };
    }
    case 'endpoint_ready': {
      const url = d.progress?.ingressUrl;
      if (url === undefined)
        return {
          text: 'REST endpoint not available',
          blocks: [section(`The REST endpoint of ${service} is not available; \`/spcs status\` shows it once it is.`)],
        };
      return {
        text: `REST endpoint of ${qualifiedService(d.request)} is ready`,
        blocks: [section(`:link: The REST endpoint of ${service} is ready: ${url}`), restBlock(d, url)],
      };
    }
    case 'failed':
      return { text: `${qualifiedService(d.request)} did not deploy`, blocks: failureBlocks(d) };
    case 'needs_attention':
      return {
        text: `${qualifiedService(d.request)} needs attention`,
        blocks: [
          section(
            `:warning: *Needs attention:* ${escapeMrkdwn(d.progress?.attention?.detail ?? 'the outcome of the deployment is not known')}.\n` +
              'It was *not* sent again, so that it cannot deploy twice. When you know more, use the buttons on the summary above: ' +
              '*Check again* looks once more (it never sends the deployment), *Mark as failed* closes it.',
          ),
        ],
      };
  }
}
