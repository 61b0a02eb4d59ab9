import type { RenderContext } from './context.js';
import { dateParts } from './dates.js';
import { initialOptions } from './elements.js';
import { fieldName, findElement, interactiveElements, parseFieldName, STATEFUL_TYPES, type ElementRef } from './ids.js';
import { isRecord, records, str, type JsonRecord } from './json.js';

/**
 * `view.state.values` (and a message's `state.values`) in Slack's exact shape, from what the
 * page's form holds: the entries of `new FormData(form)` for the `<form>` the renderer made.
 * Pure, so it is unit-tested here and the page only has to collect the entries.
 */

/** `[name, value]` pairs, as `FormData.entries()` yields them; non-string values (files) are ignored. */
export type FormEntries = Iterable<readonly [string, unknown]>;

export type SlackOption = JsonRecord;

export type StateValue =
  | { readonly type: 'plain_text_input' | 'number_input' | 'email_text_input' | 'url_text_input'; readonly value: string | null }
  | { readonly type: 'static_select' | 'external_select' | 'radio_buttons'; readonly selected_option: SlackOption | null }
  | { readonly type: 'multi_static_select' | 'multi_external_select' | 'checkboxes'; readonly selected_options: SlackOption[] }
  | { readonly type: 'users_select'; readonly selected_user: string | null }
  | { readonly type: 'multi_users_select'; readonly selected_users: string[] }
  | { readonly type: 'conversations_select'; readonly selected_conversation: string | null }
  | { readonly type: 'multi_conversations_select'; readonly selected_conversations: string[] }
  | { readonly type: 'channels_select'; readonly selected_channel: string | null }
  | { readonly type: 'multi_channels_select'; readonly selected_channels: string[] }
  | { readonly type: 'datepicker'; readonly selected_date: string | null }
  | { readonly type: 'timepicker'; readonly selected_time: string | null; readonly timezone?: string }
  | { readonly type: 'datetimepicker'; readonly selected_date_time: number | null }
  | { readonly type: 'rich_text_input'; readonly rich_text_value: JsonRecord }
  | { readonly type: 'file_input'; readonly files: JsonRecord[] };

export type StateValues = Record<string, Record<string, StateValue>>;

/** Form values grouped by block_id and action_id. */
function group(entries: FormEntries): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || parseFieldName(name) === null) continue;
    const list = out.get(name) ?? [];
    list.push(value);
    out.set(name, list);
  }
  return out;
}

/** Every option an element lists, option groups included (and initial options, which may not be listed). */
function listedOptions(el: JsonRecord): SlackOption[] {
  return [...records(el, 'options'), ...records(el, 'option_groups').flatMap((g) => records(g, 'options')), ...initialOptions(el)];
}

function optionsFor(ref: ElementRef, raw: readonly string[]): SlackOption[] {
  if (ref.type === 'external_select' || ref.type === 'multi_external_select') {
    // The page's <option> values are the whole option as JSON (renderSuggestionOptions).
    return raw.flatMap((v) => {
      try {
        const parsed: unknown = JSON.parse(v);
        return isRecord(parsed) && typeof parsed['value'] === 'string' ? [parsed] : [];
      } catch {
        return [];
      }
    });
  }
  const listed = listedOptions(ref.element);
  return raw.flatMap((v) => {
    const found = listed.find((o) => str(o, 'value') === v);
    return found === undefined ? [] : [found];
  });
}

/** A `datetime-local` value in a zone → unix seconds. */
export function epochFromLocal(local: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (m === null) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  const p = dateParts(asUtc, timeZone);
  const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - (shown - asUtc)) / 1000);
}

const nonEmpty = (raw: readonly string[]): string[] => raw.filter((v) => v !== '');

/** One element's state from its raw form values. */
export function stateValue(ref: ElementRef, raw: readonly string[], ctx: RenderContext = {}): StateValue | null {
  const first = nonEmpty(raw)[0] ?? null;
  const all = nonEmpty(raw);
  switch (ref.type) {
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input':
      return { type: ref.type, value: first };
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type: ref.type, selected_option: optionsFor(ref, all)[0] ?? null };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type: ref.type, selected_options: optionsFor(ref, all) };
    case 'users_select':
      return { type: ref.type, selected_user: first };
    case 'multi_users_select':
      return { type: ref.type, selected_users: all };
    case 'conversations_select':
      return { type: ref.type, selected_conversation: first };
    case 'multi_conversations_select':
      return { type: ref.type, selected_conversations: all };
    case 'channels_select':
      return { type: ref.type, selected_channel: first };
    case 'multi_channels_select':
      return { type: ref.type, selected_channels: all };
    case 'datepicker':
      return { type: ref.type, selected_date: first };
    case 'timepicker': {
      const zone = str(ref.element, 'timezone');
      return { type: ref.type, selected_time: first, ...(zone !== undefined && { timezone: zone }) };
    }
    case 'datetimepicker':
      return { type: ref.type, selected_date_time: first === null ? null : epochFromLocal(first, ctx.timeZone ?? 'UTC') };
    case 'rich_text_input':
      return {
        type: ref.type,
        rich_text_value: {
          type: 'rich_text',
          elements: [{ type: 'rich_text_section', elements: first === null ? [] : [{ type: 'text', text: first }] }],
        },
      };
    case 'file_input':
      // The sandbox does not upload files picked in a form.
      return { type: ref.type, files: [] };
    default:
      return null;
  }
}

/**
 * `state.values` for a view (or a message's blocks): every stateful element of every block,
 * keyed `[block_id][action_id]`, with Slack's empty values (`null`, `[]`) for untouched ones.
 */
export function stateFromFormValues(source: unknown, entries: FormEntries, ctx: RenderContext = {}): StateValues {
  const raw = group(entries);
  const values: StateValues = {};
  for (const ref of interactiveElements(source)) {
    if (!STATEFUL_TYPES.has(ref.type)) continue;
    const state = stateValue(ref, raw.get(fieldName(ref.blockId, ref.actionId)) ?? [], ctx);
    if (state === null) continue;
    (values[ref.blockId] ??= {})[ref.actionId] = state;
  }
  return values;
}

/** One entry of a block_actions payload's `actions`. */
export type BlockAction = Readonly<Record<string, unknown>> & {
  readonly type: string;
  readonly block_id: string;
  readonly action_id: string;
  readonly action_ts: string;
};

export interface ActionInput {
  /** The form's entries when the action happened (for selects, inputs, pickers). */
  readonly entries?: FormEntries;
  /** The value picked from an overflow menu (its option's `value`). */
  readonly selectedValue?: string;
  /** e.g. "1700000000.123456" */
  readonly actionTs: string;
  readonly ctx?: RenderContext;
}

/**
 * The `actions[0]` Slack sends when a person clicks a button, picks from a menu or changes a
 * dispatching input: the element's type and ids plus what Slack reports for it (a button's
 * text, value, style and url; an overflow's selected option; a select's selection; an input's value).
 */
export function blockAction(source: unknown, blockId: string, actionId: string, input: ActionInput): BlockAction | null {
  const ref = findElement(source, blockId, actionId);
  if (ref === undefined) return null;
  const head = { type: ref.type, block_id: blockId, action_id: actionId, action_ts: input.actionTs };
  const el = ref.element;
  if (ref.type === 'button' || ref.type === 'workflow_button') {
    return {
      ...head,
      ...(el['text'] !== undefined && { text: el['text'] }),
      ...(str(el, 'value') !== undefined && { value: str(el, 'value') }),
      ...(str(el, 'style') !== undefined && { style: str(el, 'style') }),
      ...(str(el, 'url') !== undefined && { url: str(el, 'url') }),
    };
  }
  if (ref.type === 'overflow') {
    const option = records(el, 'options').find((o) => str(o, 'value') === input.selectedValue);
    return option === undefined ? null : { ...head, selected_option: option };
  }
  const raw = group(input.entries ?? []).get(fieldName(blockId, actionId)) ?? [];
  const state = stateValue(ref, raw, input.ctx);
  if (state === null) return null;
  const placeholder = el['placeholder'];
  return { ...state, ...head, ...(placeholder !== undefined && { placeholder }) };
}
