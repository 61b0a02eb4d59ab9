import type { RenderContext } from './context.js';
import { escapeHtml, tag } from './html.js';
import { isRecord, rec, str } from './json.js';
import { textHtml } from './text-object.js';

/**
 * A confirmation dialog object (title, text, confirm, deny, style) as the `data-confirm` value of
 * the element that carries it, and as the dialog the page shows before it sends the action.
 */
export function confirmAttr(element: unknown): string | undefined {
  const confirm = rec(element, 'confirm');
  return confirm === undefined ? undefined : JSON.stringify(confirm);
}

/**
 * The dialog: `data-confirm-action="confirm"` / `"deny"` on its two buttons. Slack's defaults
 * when the app leaves them out: "Are you sure?", "Yes", "Cancel" (older clients) are used here.
 */
export function renderConfirm(confirm: unknown, ctx: RenderContext): string {
  if (!isRecord(confirm)) return '';
  const style = str(confirm, 'style');
  const title = textHtml(confirm['title'], ctx) || escapeHtml('Are you sure?');
  const ok = textHtml(confirm['confirm'], ctx) || escapeHtml('Yes');
  const deny = textHtml(confirm['deny'], ctx) || escapeHtml('Cancel');
  return tag(
    'div',
    { class: 'sk-confirm', role: 'alertdialog', 'aria-modal': 'true' },
    tag('div', { class: 'sk-confirm-title' }, title) +
      tag('div', { class: 'sk-confirm-text sk-mrkdwn' }, textHtml(confirm['text'], ctx)) +
      tag(
        'div',
        { class: 'sk-confirm-buttons' },
        tag('button', { type: 'button', class: 'sk-btn', 'data-confirm-action': 'deny' }, deny) +
          tag(
            'button',
            {
              type: 'button',
              class: `sk-btn ${style === 'danger' ? 'sk-btn-danger' : 'sk-btn-primary'}`,
              'data-confirm-action': 'confirm',
            },
            ok,
          ),
      ),
  );
}
