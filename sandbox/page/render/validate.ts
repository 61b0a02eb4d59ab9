import { interactiveElements, STATEFUL_TYPES } from './ids.js';
import { bool, num } from './json.js';
import { stateFromFormValues, type FormEntries, type StateValue } from './state.js';

/**
 * What Slack's own client refuses before it sends a view_submission: an empty required input,
 * a number that is not a number or out of range, text shorter than min_length. Keyed by block_id,
 * like `response_action: errors`. (Not Block Kit validation: that is sandbox/slack-api/blocks.ts.)
 */
export function clientErrors(view: unknown, entries: FormEntries): Record<string, string> {
  const state = stateFromFormValues(view, entries);
  const errors: Record<string, string> = {};
  for (const ref of interactiveElements(view)) {
    // file_input: the sandbox does not upload files, so it cannot hold a required one against the person.
    if (ref.blockType !== 'input' || !STATEFUL_TYPES.has(ref.type) || ref.type === 'file_input') continue;
    const value = state[ref.blockId]?.[ref.actionId];
    if (value === undefined) continue;
    const problem = emptyRequired(value, bool(ref.block, 'optional') === true) ?? badValue(value, ref.element);
    if (problem !== null) errors[ref.blockId] = problem;
  }
  return errors;
}

function isEmpty(v: StateValue): boolean {
  if ('value' in v) return v.value === null;
  if ('selected_option' in v) return v.selected_option === null;
  if ('selected_options' in v) return v.selected_options.length === 0;
  if ('selected_users' in v) return v.selected_users.length === 0;
  if ('selected_conversations' in v) return v.selected_conversations.length === 0;
  if ('selected_channels' in v) return v.selected_channels.length === 0;
  if ('selected_user' in v) return v.selected_user === null;
  if ('selected_conversation' in v) return v.selected_conversation === null;
  if ('selected_channel' in v) return v.selected_channel === null;
  if ('selected_date' in v) return v.selected_date === null;
  if ('selected_time' in v) return v.selected_time === null;
  if ('selected_date_time' in v) return v.selected_date_time === null;
  if ('files' in v) return v.files.length === 0;
  return false;
}

const emptyRequired = (v: StateValue, optional: boolean): string | null =>
  !optional && isEmpty(v) ? 'Please complete this required field.' : null;

function badValue(v: StateValue, element: unknown): string | null {
  if (!('value' in v) || v.value === null) return null;
  if (v.type === 'number_input') {
    const n = Number(v.value);
    const decimal = bool(element, 'is_decimal_allowed') === true;
    if (!Number.isFinite(n) || (!decimal && !Number.isInteger(n)))
      return decimal ? 'Please enter a number.' : 'Please enter a whole number.';
    const min = num(element, 'min_value');
    const max = num(element, 'max_value');
    if (min !== undefined && n < min) return `Please enter a number of at least ${min}.`;
    if (max !== undefined && n > max) return `Please enter a number of at most ${max}.`;
  }
  const minLength = num(element, 'min_length');
  if (minLength !== undefined && v.value.length < minLength) return `Please enter at least ${minLength} characters.`;
  const maxLength = num(element, 'max_length');
  if (maxLength !== undefined && v.value.length > maxLength) return `Please enter at most ${maxLength} characters.`;
  if (v.type === 'email_text_input' && !/^[^\s@]+@[^\s@]+$/.test(v.value)) return 'Please enter a valid email address.';
  if (v.type === 'url_text_input' && !/^https?:\/\/\S+$/.test(v.value)) return 'Please enter a valid URL.';
  return null;
}
