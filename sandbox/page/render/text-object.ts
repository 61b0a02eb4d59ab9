import type { RenderContext } from './context.js';
import { escapeHtml } from './html.js';
import { bool, isRecord, str } from './json.js';
import { emojiToChars, renderMrkdwn, renderPlainText } from './mrkdwn.js';

/** A Block Kit text object (`plain_text` or `mrkdwn`) as HTML; anything else renders as nothing. */
export function textHtml(t: unknown, ctx: RenderContext): string {
  if (!isRecord(t)) return '';
  const text = str(t, 'text') ?? '';
  if (str(t, 'type') === 'mrkdwn') return renderMrkdwn(text, ctx, { verbatim: bool(t, 'verbatim') === true });
  return renderPlainText(text, ctx, bool(t, 'emoji') !== false);
}

/** The raw string of a text object (for titles, aria labels and `<option>` text). */
export const textOf = (t: unknown): string => str(t, 'text') ?? '';

/** Escaped text with emoji as bare characters, for places that cannot hold tags (`<option>`). */
export function flatText(t: unknown, ctx: RenderContext): string {
  return escapeHtml(emojiToChars(textOf(t), ctx));
}
