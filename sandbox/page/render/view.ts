import { renderBlocks, type BlocksOptions } from './blocks.js';
import type { RenderContext } from './context.js';
import { escapeHtml, tag } from './html.js';
import { bool, rec, str } from './json.js';
import { textHtml } from './text-object.js';

/**
 * A modal (title, close ×, body, Cancel / Submit) or an App Home tab. The body is a
 * `<form data-view-form>` so the page reads its values with `new FormData(form)`; each input
 * block has a `[data-error-for=<block_id>]` slot for `response_action: errors`.
 */

export interface ViewOptions extends BlocksOptions {
  /** Position in the modal stack (0 = the first views.open); pushed views sit above. */
  readonly stackIndex?: number;
}

export function renderView(view: unknown, ctx: RenderContext, options: ViewOptions = {}): string {
  const type = str(view, 'type') ?? 'modal';
  const common = {
    'data-view-type': type,
    'data-view-id': str(view, 'id'),
    'data-callback-id': str(view, 'callback_id'),
    'data-external-id': str(view, 'external_id'),
    'data-stack-index': options.stackIndex,
  };
  const body = tag('form', { class: 'sk-view-form', 'data-view-form': true, novalidate: true }, renderBlocks(view, ctx, options));
  if (type === 'home') return tag('div', { class: 'sk-view sk-home', ...common }, body);
  const title = textHtml(rec(view, 'title'), ctx);
  const close = textHtml(rec(view, 'close'), ctx) || escapeHtml('Cancel');
  const submit = rec(view, 'submit');
  return tag(
    'div',
    {
      class: 'sk-view sk-modal',
      role: 'dialog',
      'aria-modal': 'true',
      ...common,
      'data-notify-on-close': bool(view, 'notify_on_close') === true ? 'true' : undefined,
      'data-clear-on-close': bool(view, 'clear_on_close') === true ? 'true' : undefined,
    },
    tag(
      'div',
      { class: 'sk-modal-header' },
      tag('div', { class: 'sk-modal-title' }, title) +
        tag('button', { type: 'button', class: 'sk-modal-x', 'data-view-action': 'close', 'aria-label': 'Close' }, '×'),
    ) +
      tag('div', { class: 'sk-modal-body' }, body) +
      tag(
        'div',
        { class: 'sk-modal-footer' },
        tag('button', { type: 'button', class: 'sk-btn', 'data-view-action': 'close' }, close) +
          (submit === undefined
            ? ''
            : tag('button', { type: 'button', class: 'sk-btn sk-btn-primary', 'data-view-action': 'submit' }, textHtml(submit, ctx))),
      ),
  );
}
