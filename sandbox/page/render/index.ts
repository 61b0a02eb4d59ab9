/**
 * The sandbox's Slack renderer: what the bot sends (mrkdwn, Block Kit, views, messages) as the
 * HTML Slack would show. Pure TypeScript with no DOM use, so it runs in Node (unit tests) and in
 * the page (bundled by esbuild). Input is `unknown` (JSON as it came over the wire): a block of
 * any shape renders, and one the renderer does not know shows a visible
 * `.sk-unsupported[data-unsupported="block"|"element"]` marker. All text is HTML-escaped; only
 * http(s)/mailto/slack links and http(s)/data:image/blob/same-origin images get through.
 *
 * Data-attribute contract (what the page reads; every value is escaped):
 *
 * - Blocks: `div.sk-block[data-block-type][data-block-id]`. Ids the app left out get stable
 *   stand-ins (`sk-b<block index>`, `sk-b<i>-a<element index>`), the same ones
 *   `stateFromFormValues` and `blockAction` use.
 * - Interactive elements: the element's root carries `data-type` (the Block Kit type),
 *   `data-block-id`, `data-action-id`; buttons also `data-value`, `data-style`, `data-url`.
 *   Find it from an event with `target.closest('[data-action-id]')`.
 * - `data-dispatch="true"`: a change sends block_actions (buttons, everything in actions blocks
 *   and accessories, and inputs with `dispatch_action`). Text inputs carry
 *   `data-dispatch-on="on_enter_pressed on_character_entered"` (Slack's default: Enter).
 * - `data-confirm='<confirm object JSON>'`: show `renderConfirm(JSON.parse(it), ctx)` first;
 *   its buttons are `[data-confirm-action="confirm"|"deny"]`. Send the action only on confirm.
 * - Overflow: a `<select data-type="overflow">`; on change send
 *   `blockAction(..., { selectedValue: select.value })`, then reset it to its first option.
 * - External selects: `div[data-type="external_select"|"multi_external_select"][data-external="true"]
 *   [data-min-query-length]` with an `input[data-role="query"]` and a
 *   `select[data-role="options"]`. When the query has at least min_query_length characters (0:
 *   on focus too), send block_suggestion (`value` = the query, `action_id`, `block_id`), and put
 *   `renderSuggestionOptions(answer, ctx, currentValue)` into the select's innerHTML. Its option
 *   values are the option objects as JSON; `stateFromFormValues` turns them back.
 * - users/conversations/channels selects list `ctx.users` / `ctx.channels` (`data-entity`).
 * - Values: every stateful control is a native form control named `fieldName(block_id,
 *   action_id)` (a JSON pair) inside the `<form data-view-form>` of `renderView` or the
 *   `<form data-message-form>` of `renderMessage`. So `new FormData(form)` is all the page
 *   collects: `stateFromFormValues(view, formData.entries(), ctx)` gives Slack's
 *   `state.values[block_id][action_id]` (value, selected_option(s), selected_date,
 *   selected_time, selected_date_time, selected_user(s), selected_conversation(s),
 *   selected_channel(s), rich_text_value, files) for view_submission and block_actions, and
 *   `blockAction(view, block_id, action_id, { entries, actionTs })` the `actions[0]` entry.
 *   The forms carry `novalidate`; the page prevents their `submit` event (Enter in a field).
 * - Modals: buttons `[data-view-action="close"|"submit"]`; the root has `data-view-id`,
 *   `data-callback-id`, `data-stack-index`, `data-notify-on-close`. `response_action: errors`:
 *   re-render with `{ errors }`, or fill `[data-error-for="<block_id>"]` and add `sk-has-error`
 *   to its `.sk-input-block`. `clientErrors(view, entries)` gives what Slack's client itself
 *   refuses before sending (required fields, number ranges).
 * - Messages: `div.sk-message[data-ts][data-thread-ts]`, `button.sk-thread-link[data-thread-ts]`
 *   opens the thread, `button.sk-reaction[data-reaction]`, `.sk-ephemeral` for "Only visible to you".
 *
 * The look: inject `RENDER_CSS` once (`<style>`); it only styles `sk-` classes.
 */

export type { RenderContext, RenderFile, RenderUser } from './context.js';
export { renderMrkdwn, renderPlainText, decodeEntities, type MrkdwnOptions } from './mrkdwn.js';
export { formatSlackDate } from './dates.js';
export { renderBlocks, SUPPORTED_BLOCKS, type BlocksOptions } from './blocks.js';
export { renderElement, renderSuggestionOptions, SUPPORTED_ELEMENTS } from './elements.js';
export { renderConfirm } from './confirm.js';
export { renderView, type ViewOptions } from './view.js';
export { renderMessage, type MessageOptions } from './message.js';
export { fieldName, parseFieldName, interactiveElements, findElement, STATEFUL_TYPES, type ElementRef } from './ids.js';
export {
  stateFromFormValues,
  blockAction,
  stateValue,
  type StateValues,
  type StateValue,
  type FormEntries,
  type BlockAction,
  type ActionInput,
} from './state.js';
export { clientErrors } from './validate.js';
export { escapeHtml } from './html.js';
export { RENDER_CSS } from './styles.js';
