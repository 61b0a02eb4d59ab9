import { channelName, userName, type RenderContext } from './context.js';
import { formatSlackDate } from './dates.js';
import { emojiChar } from './emoji.js';
import { escapeHtml, safeLinkUrl, tag } from './html.js';

/**
 * Slack mrkdwn → HTML (https://docs.slack.dev/messaging/formatting-message-text). The text comes
 * as Slack sends it: `&`, `<`, `>` escaped as entities, and `<…>` for links, mentions and dates.
 * Every piece of text is HTML-escaped on the way out.
 */

export interface MrkdwnOptions {
  /** `verbatim: true` on a text object: no auto-linking of bare URLs. */
  readonly verbatim?: boolean;
}

// Private-use characters mark rendered pieces inside the text while emphasis is worked out.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKERS = /[\uE000\uE001]/g;
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/** `&lt;` `&gt;` `&amp;` back to characters (in one pass, so `&amp;lt;` stays the text `&lt;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));
}

/** Plain text as HTML: line breaks kept, `:emoji:` shortcodes turned into characters when `emoji` is on. */
export function renderPlainText(text: string, ctx: RenderContext, emoji = true): string {
  const escaped = escapeHtml(text).replace(/\n/g, '<br>');
  return emoji ? escaped.replace(EMOJI_CODE, (whole, name: string) => emojiHtml(name, ctx) ?? whole) : escaped;
}

// A name has a letter (`:x:`, `:hourglass:`) or is `+1` / `-1`; times like 12:30:45 are not emoji.
const EMOJI_NAME = String.raw`(?:[a-z0-9_+'-]*[a-z][a-z0-9_+'-]*|[+-]1)(?:::skin-tone-\d)?`;
const EMOJI_CODE = new RegExp(`:(${EMOJI_NAME}):`, 'g');

/** Shortcodes → bare characters, for text that cannot hold tags (`<option>`). */
export function emojiToChars(text: string, ctx: RenderContext): string {
  return text.replace(EMOJI_CODE, (whole, name: string) => emojiChar(name, ctx) ?? whole);
}

function emojiHtml(name: string, ctx: RenderContext): string | undefined {
  const char = emojiChar(name, ctx);
  return char === undefined ? undefined : tag('span', { class: 'sk-emoji', title: `:${name}:` }, escapeHtml(char));
}

export function renderMrkdwn(text: string, ctx: RenderContext, options: MrkdwnOptions = {}): string {
  const clean = text.replace(MARKERS, '');
  const out: string[] = [];
  let last = 0;
  for (const m of clean.matchAll(/```([\s\S]*?)```/g)) {
    // The newlines around a fence belong to it: no empty line above or below the block.
    out.push(renderLines(clean.slice(last, m.index).replace(/\n$/, ''), ctx, options));
    const body = (m[1] ?? '').replace(/^\n/, '').replace(/\n$/, '');
    out.push(tag('pre', { class: 'sk-pre' }, escapeHtml(decodeEntities(body))));
    last = m.index + m[0].length;
    if (clean[last] === '\n') last++;
  }
  out.push(renderLines(clean.slice(last), ctx, options));
  return out.join('');
}

const QUOTE = /^(?:>|&gt;)(?!>|&gt;)\s?/;
const QUOTE_REST = /^(?:>>>|&gt;&gt;&gt;)\s?/;

/** Lines, with `>` lines grouped into block quotes and `>>>` quoting the rest. */
function renderLines(text: string, ctx: RenderContext, options: MrkdwnOptions): string {
  if (text === '') return '';
  const lines = text.split('\n');
  const parts: string[] = [];
  let plain: string[] = [];
  let quote: string[] = [];
  const flushPlain = () => {
    if (plain.length > 0) parts.push(plain.map((l) => renderInline(l, ctx, options)).join('<br>'));
    plain = [];
  };
  const flushQuote = () => {
    if (quote.length > 0)
      parts.push(tag('blockquote', { class: 'sk-quote' }, quote.map((l) => renderInline(l, ctx, options)).join('<br>')));
    quote = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (QUOTE_REST.test(line)) {
      flushPlain();
      flushQuote();
      quote = [line.replace(QUOTE_REST, ''), ...lines.slice(i + 1)];
      break;
    }
    if (QUOTE.test(line)) {
      flushPlain();
      quote.push(line.replace(QUOTE, ''));
    } else {
      flushQuote();
      plain.push(line);
    }
  }
  flushPlain();
  flushQuote();
  return parts.join('');
}

const INLINE_TOKEN = new RegExp(String.raw`\`([^\`\n]+)\`|<([^<>\n]+)>|:(${EMOJI_NAME}):|(https?:\/\/[^\s<>\`]+)`, 'g');

/** One line: code spans, `<…>` entities, emoji and bare URLs become pieces; emphasis around them. */
export function renderInline(line: string, ctx: RenderContext, options: MrkdwnOptions = {}): string {
  const pieces: string[] = [];
  const hold = (html: string) => {
    pieces.push(html);
    return `${OPEN}${pieces.length - 1}${CLOSE}`;
  };
  const skeleton = line.replace(INLINE_TOKEN, (whole, code?: string, entity?: string, emoji?: string, url?: string) => {
    if (code !== undefined) return hold(tag('code', { class: 'sk-code' }, escapeHtml(decodeEntities(code))));
    if (entity !== undefined) return hold(renderEntity(entity, ctx));
    if (emoji !== undefined) {
      const html = emojiHtml(emoji, ctx);
      return html === undefined ? whole : hold(html);
    }
    if (url !== undefined && options.verbatim !== true) {
      const trailing = /[.,;:!?)\]]+$/.exec(url)?.[0] ?? '';
      const href = url.slice(0, url.length - trailing.length);
      return hold(link(decodeEntities(href), escapeHtml(decodeEntities(href)))) + trailing;
    }
    return whole;
  });
  return emphasis(skeleton).replace(PLACEHOLDER, (_, i: string) => pieces[Number(i)] ?? '');
}

const WORD = /[\p{L}\p{N}]/u;
const EMPHASIS: Readonly<Record<string, string>> = { '*': 'b', _: 'i', '~': 's' };

const isBoundary = (c: string | undefined) => c === undefined || !WORD.test(c);
const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);

/** Slack's `*bold*`, `_italic_`, `~strike~`: markers at word boundaries, hugging non-space text. */
function emphasis(s: string): string {
  let out = '';
  let text = '';
  const flush = () => {
    out += escapeHtml(decodeEntities(text));
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    const el = EMPHASIS[c];
    if (el !== undefined && isBoundary(s[i - 1]) && !isSpace(s[i + 1]) && s[i + 1] !== c) {
      const j = closingMarker(s, i + 2, c);
      if (j > 0) {
        flush();
        out += `<${el}>${emphasis(s.slice(i + 1, j))}</${el}>`;
        i = j + 1;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

function closingMarker(s: string, from: number, marker: string): number {
  for (let j = from; j < s.length; j++) {
    if (s[j] === marker && !isSpace(s[j - 1]) && isBoundary(s[j + 1])) return j;
  }
  return -1;
}

function link(href: string, labelHtml: string): string {
  const safe = safeLinkUrl(href);
  if (safe === null) return labelHtml;
  return tag('a', { class: 'sk-link', href: safe, target: '_blank', rel: 'noopener noreferrer' }, labelHtml);
}

/** `<@U…>`, `<#C…|name>`, `<!here>`, `<!date^…>`, `<!subteam^…>`, `<url|label>`. */
function renderEntity(body: string, ctx: RenderContext): string {
  const bar = body.indexOf('|');
  const head = bar < 0 ? body : body.slice(0, bar);
  const label = bar < 0 ? undefined : body.slice(bar + 1);
  if (head.startsWith('@')) {
    const id = head.slice(1);
    const name = ctx.users?.[id] !== undefined ? userName(ctx, id) : label !== undefined ? decodeEntities(label).replace(/^@/, '') : id;
    return tag('span', { class: 'sk-mention', 'data-user-id': id }, `@${escapeHtml(name)}`);
  }
  if (head.startsWith('#')) {
    const id = head.slice(1);
    const name = channelName(ctx, id) ?? (label !== undefined ? decodeEntities(label) : id);
    return tag('span', { class: 'sk-channel', 'data-channel-id': id }, `#${escapeHtml(name)}`);
  }
  if (head.startsWith('!')) return renderSpecial(head.slice(1), label, ctx);
  const labelHtml = label === undefined || label === '' ? escapeHtml(decodeEntities(head)) : renderInline(label, ctx, { verbatim: true });
  return link(decodeEntities(head), labelHtml);
}

function renderSpecial(head: string, label: string | undefined, ctx: RenderContext): string {
  if (head.startsWith('date^')) {
    const [ts, format, linkUrl] = head.slice(5).split('^');
    const seconds = Number(ts);
    const fallback = escapeHtml(decodeEntities(label ?? ts ?? ''));
    if (ts === undefined || ts === '' || !Number.isFinite(seconds) || format === undefined)
      return tag('span', { class: 'sk-date' }, fallback);
    const text = escapeHtml(formatSlackDate(seconds, decodeEntities(format), ctx));
    const html = tag(
      'time',
      { class: 'sk-date', datetime: new Date(seconds * 1000).toISOString(), title: decodeEntities(label ?? '') || undefined },
      text,
    );
    return linkUrl === undefined ? html : link(decodeEntities(linkUrl), html);
  }
  if (head === 'here' || head === 'channel' || head === 'everyone') {
    return tag('span', { class: 'sk-mention sk-broadcast', 'data-broadcast': head }, `@${head}`);
  }
  if (head.startsWith('subteam^')) {
    const id = head.slice(8);
    const name = label !== undefined ? decodeEntities(label) : `@${id}`;
    return tag('span', { class: 'sk-mention sk-usergroup', 'data-usergroup-id': id }, escapeHtml(name.startsWith('@') ? name : `@${name}`));
  }
  return escapeHtml(decodeEntities(label ?? head));
}
