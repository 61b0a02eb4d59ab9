import { channelName, userName, type RenderContext } from './context.js';
import { formatSlackDate } from './dates.js';
import { emojiChar } from './emoji.js';
import { unsupported } from './elements.js';
import { escapeHtml, safeLinkUrl, tag } from './html.js';
import { bool, num, rec, records, str, type JsonRecord } from './json.js';

/** `rich_text` blocks: sections, lists, preformatted text and quotes, with their inline styles. */

const nl2br = (html: string) => html.replace(/\n/g, '<br>');

function styled(html: string, style: JsonRecord | undefined): string {
  let out = html;
  if (style === undefined) return out;
  if (bool(style, 'code') === true) out = `<code class="sk-code">${out}</code>`;
  if (bool(style, 'bold') === true) out = `<b>${out}</b>`;
  if (bool(style, 'italic') === true) out = `<i>${out}</i>`;
  if (bool(style, 'strike') === true) out = `<s>${out}</s>`;
  if (bool(style, 'underline') === true) out = `<u>${out}</u>`;
  return out;
}

function emojiFromUnicode(hex: string): string | undefined {
  const points = hex.split('-').map((h) => Number.parseInt(h, 16));
  if (points.length === 0 || points.some((p) => !Number.isInteger(p) || p < 0 || p > 0x10ffff)) return undefined;
  return String.fromCodePoint(...points);
}

function inline(el: JsonRecord, ctx: RenderContext): string {
  const style = rec(el, 'style');
  switch (str(el, 'type')) {
    case 'text':
      return styled(nl2br(escapeHtml(str(el, 'text') ?? '')), style);
    case 'link': {
      const url = str(el, 'url') ?? '';
      const label = nl2br(escapeHtml(str(el, 'text') ?? url));
      const safe = safeLinkUrl(url);
      return styled(
        safe === null ? label : tag('a', { class: 'sk-link', href: safe, target: '_blank', rel: 'noopener noreferrer' }, label),
        style,
      );
    }
    case 'user': {
      const id = str(el, 'user_id') ?? '';
      return styled(tag('span', { class: 'sk-mention', 'data-user-id': id }, `@${escapeHtml(userName(ctx, id))}`), style);
    }
    case 'usergroup': {
      const id = str(el, 'usergroup_id') ?? '';
      return styled(tag('span', { class: 'sk-mention sk-usergroup', 'data-usergroup-id': id }, `@${escapeHtml(id)}`), style);
    }
    case 'channel': {
      const id = str(el, 'channel_id') ?? '';
      return styled(tag('span', { class: 'sk-channel', 'data-channel-id': id }, `#${escapeHtml(channelName(ctx, id) ?? id)}`), style);
    }
    case 'emoji': {
      const name = str(el, 'name') ?? '';
      const char = emojiChar(name, ctx) ?? emojiFromUnicode(str(el, 'unicode') ?? '');
      return char === undefined ? escapeHtml(`:${name}:`) : tag('span', { class: 'sk-emoji', title: `:${name}:` }, escapeHtml(char));
    }
    case 'broadcast': {
      const range = str(el, 'range') ?? 'here';
      return styled(tag('span', { class: 'sk-mention sk-broadcast', 'data-broadcast': range }, `@${escapeHtml(range)}`), style);
    }
    case 'date': {
      const ts = num(el, 'timestamp');
      const zone = str(el, 'timezone');
      const text =
        ts === undefined
          ? (str(el, 'fallback') ?? '')
          : formatSlackDate(ts, str(el, 'format') ?? '{date_short} {time}', zone === undefined ? ctx : { ...ctx, timeZone: zone });
      const html = tag('time', { class: 'sk-date' }, escapeHtml(text));
      const href = safeLinkUrl(str(el, 'url') ?? '');
      return styled(href === null ? html : tag('a', { class: 'sk-link', href, target: '_blank', rel: 'noopener noreferrer' }, html), style);
    }
    case 'color': {
      const value = str(el, 'value') ?? '';
      const swatch = /^#[0-9a-f]{3,8}$/i.test(value) ? tag('span', { class: 'sk-color', style: `background:${value}` }) : '';
      return swatch + escapeHtml(value);
    }
    default:
      return unsupported('element', str(el, 'type') ?? '');
  }
}

const inlines = (container: JsonRecord, ctx: RenderContext) =>
  records(container, 'elements')
    .map((e) => inline(e, ctx))
    .join('');

function richElement(el: JsonRecord, ctx: RenderContext): string {
  switch (str(el, 'type')) {
    case 'rich_text_section':
      return tag('div', { class: 'sk-rt-section' }, inlines(el, ctx));
    case 'rich_text_preformatted':
      return tag('pre', { class: 'sk-pre' }, inlines(el, ctx));
    case 'rich_text_quote':
      return tag('blockquote', { class: 'sk-quote' }, inlines(el, ctx));
    case 'rich_text_list': {
      const ordered = str(el, 'style') === 'ordered';
      const indent = num(el, 'indent') ?? 0;
      const offset = num(el, 'offset') ?? 0;
      const items = records(el, 'elements')
        .map((item) => tag('li', {}, inlines(item, ctx)))
        .join('');
      return tag(
        ordered ? 'ol' : 'ul',
        {
          class: `sk-rt-list sk-rt-indent-${Math.min(Math.max(indent, 0), 8)}${(num(el, 'border') ?? 0) > 0 ? ' sk-rt-border' : ''}`,
          start: ordered && offset > 0 ? offset + 1 : undefined,
          'data-style': ordered ? 'ordered' : 'bullet',
        },
        items,
      );
    }
    default:
      return unsupported('element', str(el, 'type') ?? '');
  }
}

export function renderRichText(block: JsonRecord, ctx: RenderContext): string {
  return records(block, 'elements')
    .map((e) => richElement(e, ctx))
    .join('');
}
