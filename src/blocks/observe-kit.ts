import type { KnownBlock } from '@slack/types';
import type { SnowflakeFailure } from '../snowflake/index.js';
import { escapeMrkdwn, inlineCode } from './text.js';

/** Shared pieces of the read-only "observe" views (/spcs list, status, pools, logs, metrics, diagnose). */

/** Slack's limits (slack-platform.md §1). */
export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;

export interface ObserveMessage {
  readonly response_type: 'ephemeral';
  /** Notification and screen-reader text. */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
export const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
export const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } });

export function message(text: string, blocks: KnownBlock[]): ObserveMessage {
  return { response_type: 'ephemeral', text, blocks: blocks.slice(0, MAX_MESSAGE_BLOCKS) };
}

/** One mrkdwn paragraph as a whole message. */
export function notice(text: string): ObserveMessage {
  return message(text, [section(text.slice(0, MAX_SECTION_TEXT))]);
}

/** A wrong argument: what was wrong, the usage line and one example. */
export function usageError(problem: string, usage: string, example: string): ObserveMessage {
  return notice(`${escapeMrkdwn(problem)}\nUsage: ${inlineCode(usage)}, e.g. ${inlineCode(example)}`);
}

/** "1 hour 30 min" for AUTO_SUSPEND_SECS; 0 or null means it never suspends by itself. */
export function formatAutoSuspend(seconds: number | null): string {
  if (seconds === null || seconds <= 0) return 'off';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Service status with a marker a person can scan: RUNNING ✅, FAILED ❌, PENDING ⏳, SUSPENDED ⏸. */
export function statusMarker(status: string): string {
  switch (status.toUpperCase()) {
    case 'RUNNING':
    case 'READY':
    case 'ACTIVE':
    case 'IDLE':
      return ':white_check_mark:';
    case 'FAILED':
    case 'INTERNAL_ERROR':
      return ':x:';
    case 'SUSPENDED':
    case 'SUSPENDING':
    case 'STOPPING':
      return ':double_vertical_bar:';
    default:
      return ':hourglass_flowing_sand:';
  }
}

/**
 * The last lines of `lines` that fit in a ``` block of at most `budget` characters, and how many
 * lines were cut from the top. Backticks in log text are defused so they cannot close the block.
 */
export function tailCodeBlock(lines: readonly string[], budget = MAX_SECTION_TEXT): { text: string; cut: number } {
  const fence = '```';
  const room = budget - fence.length * 2 - 2;
  const kept: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = escapeMrkdwn((lines[i] ?? '').replace(/```/g, "'''"));
    const clipped = line.length > room ? `${line.slice(0, room - 1)}…` : line;
    if (used + clipped.length + 1 > room) break;
    kept.unshift(clipped);
    used += clipped.length + 1;
  }
  const body = kept.length === 0 ? ' ' : kept.join('\n');
  return { text: `${fence}\n${body}\n${fence}`, cut: lines.length - kept.length };
}

/** "and 3 more" style counts. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * A Snowflake failure as a sentence that names what is missing. `failure` is null for errors that
 * did not come from Snowflake (a bug on our side: no details leak).
 */
export function describeFailure(failure: SnowflakeFailure | null, doing: string): string {
  if (failure === null) return `Could not ${doing}: something went wrong on our side. Try again, or tell the bot's owners.`;
  switch (failure.kind) {
    case 'insufficient_privileges': {
      const on = failure.objectName === undefined ? '' : ` on ${failure.objectKind ?? 'object'} ${inlineCode(failure.objectName)}`;
      const grant =
        failure.privilege === undefined
          ? ' Ask an admin which grant it needs.'
          : /^OWNERSHIP ON SERVICE\b/i.test(failure.privilege)
            ? // Docs (working-with-services): transferring service ownership isn't supported, so no GRANT fixes it.
              ` It needs ${inlineCode(failure.privilege)}: only the role that owns the service can do this, and Snowflake does not transfer service ownership. Run the bot with the role that owns the service (SHOW SERVICES \`owner\`), or make the change as that role.`
            : ` Ask an admin to run ${inlineCode(`GRANT ${failure.privilege} TO ROLE <bot role>`)}.`;
      return `:no_entry: Could not ${doing}: the bot's Snowflake role lacks a privilege${on}.${grant}`;
    }
    case 'not_found': {
      const what = failure.objectName === undefined ? 'It' : `${failure.objectKind ?? 'Object'} ${inlineCode(failure.objectName)}`;
      return `:mag: Could not ${doing}: ${what} was not found or not authorized. Try ${inlineCode('/spcs list')}.`;
    }
    case 'transient':
    case 'session_expired':
      return `:hourglass: Could not ${doing}: Snowflake did not answer in time. Try again in a moment.`;
    case 'bad_credentials':
    case 'configuration':
      return `:warning: Could not ${doing}: the bot cannot log in to Snowflake. Tell the bot's owners.`;
    default:
      return `:warning: Could not ${doing}: Snowflake refused the request (${failure.kind}). Try again, or tell the bot's owners.`;
  }
}

/** `/spcs status NAME` found nothing: 002003 wording, and where to look. */
export function serviceNotFound(display: string): ObserveMessage {
  return notice(
    `:mag: Service ${inlineCode(display)} was not found or not authorized for the bot's role. ` +
      `See the services it can see with ${inlineCode('/spcs list')}.`,
  );
}

/** A bare NAME matched services in several schemas. */
export function serviceAmbiguous(display: string, candidates: readonly string[]): ObserveMessage {
  const shown = candidates.slice(0, 20).map((c) => `• ${inlineCode(c)}`);
  const more = candidates.length > shown.length ? `\n…and ${candidates.length - shown.length} more` : '';
  return notice(`Several services are called ${inlineCode(display)}. Give the full name:\n${shown.join('\n')}${more}`);
}
