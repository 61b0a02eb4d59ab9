import type { KnownBlock, PlainTextOption } from '@slack/types';

/**
 * The one Block Kit kit every view module builds from: mrkdwn escaping, code blocks, the common
 * blocks and elements, the ephemeral reply and the Snowflake-failure sentence. Pure, like every
 * module in src/blocks.
 */

/** Slack's limits (slack-platform.md §1). */
export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
/** A plain_text option's text. */
const MAX_OPTION_TEXT = 75;
const MAX_HEADER_TEXT = 150;

// --- Text ---

/**
 * Slack's mrkdwn control characters. Text that came from a person is escaped so it cannot
 * become a mention (`<!channel>`), a link or broken markup.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Puts person-supplied text in an inline code span that it cannot close. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
}

/** A name from Snowflake or a person, safe in mrkdwn. */
export const bold = (text: string) => `*${escapeMrkdwn(text)}*`;

/** "and 3 more" style counts. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Cuts `text` to `max` characters, the last being `…`. */
export const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const FENCE = '```';

/**
 * A ``` block that its text cannot close, within `budget` characters of text. `keep: 'head'` cuts
 * the end and says how much; `'tail'` keeps the end (where the newest lines are) behind a `…`.
 * `escape` escapes mrkdwn inside (text from Snowflake or a person).
 */
export function codeBlock(
  text: string,
  opts: { readonly budget: number; readonly keep?: 'head' | 'tail'; readonly escape?: boolean },
): string {
  const safe = (opts.escape === true ? escapeMrkdwn(text) : text).replaceAll(FENCE, "'''");
  const { budget } = opts;
  if (safe.length <= budget) return `${FENCE}${safe}${FENCE}`;
  const body =
    opts.keep === 'tail' ? `…${safe.slice(safe.length - budget)}` : `${safe.slice(0, budget)}\n… (${safe.length - budget} more characters)`;
  return `${FENCE}${body}${FENCE}`;
}

/**
 * The last lines of `lines` that fit in a ``` block of at most `budget` characters, and how many
 * lines were cut from the top. Backticks in log text are defused so they cannot close the block.
 */
export function tailCodeBlock(lines: readonly string[], budget = MAX_SECTION_TEXT): { text: string; cut: number } {
  const room = budget - FENCE.length * 2 - 2;
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
  return { text: `${FENCE}\n${body}\n${FENCE}`, cut: lines.length - kept.length };
}

// --- Blocks and elements ---

/** A mrkdwn section, cut to Slack's 3000 characters (a longer one is refused as invalid_blocks). */
export const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, MAX_SECTION_TEXT) } });
export const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
export const header = (text: string): KnownBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: text.slice(0, MAX_HEADER_TEXT) },
});
export const divider: KnownBlock = { type: 'divider' };

export interface ButtonElement {
  readonly type: 'button';
  readonly text: { readonly type: 'plain_text'; readonly text: string };
  readonly action_id: string;
  readonly value?: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: ConfirmDialog;
}

/** Slack's "are you sure?" dialog on a button; `text` is mrkdwn. */
export interface ConfirmDialog {
  readonly title: { readonly type: 'plain_text'; readonly text: string };
  readonly text: { readonly type: 'mrkdwn'; readonly text: string };
  readonly confirm: { readonly type: 'plain_text'; readonly text: string };
  readonly deny: { readonly type: 'plain_text'; readonly text: string };
}

export const confirmDialog = (title: string, text: string, confirm: string, deny: string): ConfirmDialog => ({
  title: { type: 'plain_text', text: title },
  text: { type: 'mrkdwn', text },
  confirm: { type: 'plain_text', text: confirm },
  deny: { type: 'plain_text', text: deny },
});

export function button(
  text: string,
  actionId: string,
  opts: { readonly value?: string; readonly style?: 'primary' | 'danger'; readonly confirm?: ConfirmDialog } = {},
): ButtonElement {
  return {
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: actionId,
    ...(opts.value !== undefined && { value: opts.value }),
    ...(opts.style !== undefined && { style: opts.style }),
    ...(opts.confirm !== undefined && { confirm: opts.confirm }),
  };
}

/** An actions block of buttons (and other elements the caller builds), with a block_id when given. */
export function actions(elements: Extract<KnownBlock, { type: 'actions' }>['elements'], blockId?: string): KnownBlock {
  return { type: 'actions', ...(blockId !== undefined && { block_id: blockId }), elements };
}

/** A static option; Slack limits its text to 75 characters. */
export const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text: clip(text, MAX_OPTION_TEXT) },
  value,
});

/**
 * A text input whose block_id equals its action_id, so `errors` keyed by block_id land on it.
 * `actionId` only for views whose ids predate that rule (tests and handlers read them).
 */
export function textInput(
  id: string,
  label: string,
  opts: {
    readonly actionId?: string;
    readonly initial?: string | undefined;
    readonly placeholder?: string;
    readonly hint?: string;
    readonly optional?: boolean;
    readonly multiline?: boolean;
    readonly maxLength?: number;
  } = {},
): KnownBlock {
  return {
    type: 'input',
    block_id: id,
    label: { type: 'plain_text', text: label },
    optional: opts.optional ?? false,
    ...(opts.hint !== undefined && { hint: { type: 'plain_text', text: opts.hint } }),
    element: {
      type: 'plain_text_input',
      action_id: opts.actionId ?? id,
      ...(opts.maxLength !== undefined && { max_length: opts.maxLength }),
      ...(opts.multiline === true && { multiline: true }),
      ...(opts.initial !== undefined && { initial_value: opts.initial }),
      ...(opts.placeholder !== undefined && { placeholder: { type: 'plain_text', text: opts.placeholder } }),
    },
  };
}

/** A whole-number input (block_id equals action_id). */
export function numberInput(opts: {
  readonly id: string;
  readonly label: string;
  readonly min: number;
  readonly max?: number;
  readonly initial?: number | undefined;
  readonly optional?: boolean;
  readonly hint?: string;
}): KnownBlock {
  return {
    type: 'input',
    block_id: opts.id,
    optional: opts.optional ?? false,
    label: { type: 'plain_text', text: opts.label },
    ...(opts.hint !== undefined && { hint: { type: 'plain_text', text: opts.hint } }),
    element: {
      type: 'number_input',
      action_id: opts.id,
      is_decimal_allowed: false,
      min_value: String(opts.min),
      ...(opts.max !== undefined && { max_value: String(opts.max) }),
      ...(opts.initial !== undefined && { initial_value: String(opts.initial) }),
    },
  };
}

// --- Ephemeral replies ---

export interface EphemeralMessage {
  readonly response_type: 'ephemeral';
  /** Notification and screen-reader text. */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export function message(text: string, blocks: KnownBlock[]): EphemeralMessage {
  return { response_type: 'ephemeral', text, blocks: blocks.slice(0, MAX_MESSAGE_BLOCKS) };
}

/** One mrkdwn paragraph as a whole message. */
export function notice(text: string): EphemeralMessage {
  return message(text, [section(text.slice(0, MAX_SECTION_TEXT))]);
}

/** A wrong argument: what was wrong, the usage line and one example. */
export function usageError(problem: string, usage: string, example: string): EphemeralMessage {
  return notice(`${escapeMrkdwn(problem)}\nUsage: ${inlineCode(usage)}, e.g. ${inlineCode(example)}`);
}

// --- Failures ---

/**
 * What a failure sentence needs from a Snowflake error (src/snowflake's SnowflakeFailure fits it):
 * its kind and, when known, the object and the grant that is missing.
 */
export interface FailureModel {
  readonly kind: string;
  readonly objectKind?: string;
  readonly objectName?: string;
  readonly privilege?: string;
}

/**
 * A Snowflake failure as a sentence that names what is missing. `failure` is null for errors that
 * did not come from Snowflake (a bug on our side: no details leak).
 */
export function describeFailure(failure: FailureModel | null, doing: string): string {
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
