import { renderBlocks } from './blocks.js';
import type { RenderContext, RenderFile } from './context.js';
import { formatSlackDate } from './dates.js';
import { emojiChar } from './emoji.js';
import { escapeHtml, safeImageUrl, safeLinkUrl, tag, voidTag } from './html.js';
import { arr, bool, isRecord, num, rec, records, str, strings, type JsonRecord } from './json.js';
import { renderMrkdwn, renderPlainText } from './mrkdwn.js';

/**
 * A message as the channel (or thread pane) shows it: avatar, author, time, blocks (or the
 * text when there are none), "(edited)", files, attachments, reactions, the thread link and the
 * "Only visible to you" note of an ephemeral message. The blocks sit in a
 * `<form data-message-form>` so a message's selects can be read like a modal's.
 */

export interface MessageOptions {
  /** chat.postEphemeral / ephemeral response_url messages. Also read from `message.ephemeral`. */
  readonly ephemeral?: boolean;
  /** Rendered inside the thread pane: no "N replies" link. */
  readonly inThread?: boolean;
}

function author(message: JsonRecord, ctx: RenderContext): { name: string; avatar: string | undefined; app: boolean } {
  const user = str(message, 'user');
  const profile = rec(message, 'bot_profile');
  const app = str(message, 'bot_id') !== undefined || profile !== undefined;
  const known = user === undefined ? undefined : ctx.users?.[user];
  const name = str(message, 'username') ?? str(profile, 'name') ?? known?.name ?? user ?? 'App';
  const avatar = known?.avatarUrl ?? str(rec(profile, 'icons'), 'image_48') ?? str(rec(message, 'icons'), 'image_48');
  return { name, avatar, app };
}

function fileHtml(f: JsonRecord, ctx: RenderContext): string {
  const file: RenderFile = {
    id: str(f, 'id') ?? '',
    name: str(f, 'name'),
    title: str(f, 'title'),
    mimetype: str(f, 'mimetype'),
    filetype: str(f, 'filetype'),
    size: num(f, 'size'),
    url_private: str(f, 'url_private'),
    permalink: str(f, 'permalink'),
  };
  const label = file.title ?? file.name ?? file.id;
  const url = ctx.fileUrl?.(file);
  const src = url === undefined ? null : safeImageUrl(url);
  const isImage = (file.mimetype ?? '').startsWith('image/') || /^(png|jpe?g|gif|webp|svg)$/i.test(file.filetype ?? '');
  const title = tag('div', { class: 'sk-file-title' }, escapeHtml(label));
  if (isImage && src !== null) {
    return tag(
      'figure',
      { class: 'sk-file sk-file-image', 'data-file-id': file.id },
      title + voidTag('img', { class: 'sk-file-img', src, alt: label }),
    );
  }
  const href = src ?? (url === undefined ? null : safeLinkUrl(url));
  const name =
    href === null
      ? escapeHtml(label)
      : tag('a', { class: 'sk-link', href, target: '_blank', rel: 'noopener noreferrer', download: file.name }, escapeHtml(label));
  const size =
    file.size === undefined ? '' : tag('span', { class: 'sk-file-size' }, escapeHtml(`${Math.max(1, Math.round(file.size / 1024))} KB`));
  return tag(
    'div',
    { class: 'sk-file-card', 'data-file-id': file.id },
    tag('span', { class: 'sk-file-icon' }, '📄') + tag('span', { class: 'sk-file-name' }, name) + size,
  );
}

function reactionsHtml(message: JsonRecord, ctx: RenderContext): string {
  const items = records(message, 'reactions').map((r) => {
    const name = str(r, 'name') ?? '';
    const users = strings(r, 'users');
    const count = num(r, 'count') ?? users.length;
    const mine = ctx.viewerId !== undefined && users.includes(ctx.viewerId);
    const char = emojiChar(name, ctx);
    return tag(
      'button',
      {
        type: 'button',
        class: `sk-reaction${mine ? ' sk-reacted' : ''}`,
        'data-reaction': name,
        'aria-pressed': mine ? 'true' : 'false',
        title: `:${name}:`,
      },
      tag('span', { class: 'sk-emoji' }, escapeHtml(char ?? `:${name}:`)) + tag('span', { class: 'sk-reaction-count' }, String(count)),
    );
  });
  return items.length === 0 ? '' : tag('div', { class: 'sk-reactions' }, items.join(''));
}

function attachmentsHtml(message: JsonRecord, ctx: RenderContext): string {
  return records(message, 'attachments')
    .map((a) => {
      const color = str(a, 'color') ?? '';
      const bar = /^#?[0-9a-f]{3,8}$/i.test(color)
        ? color.startsWith('#')
          ? color
          : `#${color}`
        : color === 'good'
          ? '#2eb67d'
          : color === 'danger'
            ? '#e01e5a'
            : color === 'warning'
              ? '#ecb22e'
              : '#dddddd';
      const body =
        arr(a, 'blocks').length > 0 ? renderBlocks(a['blocks'], ctx) : renderMrkdwn(str(a, 'text') ?? str(a, 'fallback') ?? '', ctx);
      const title = str(a, 'title') === undefined ? '' : tag('div', { class: 'sk-attachment-title' }, escapeHtml(str(a, 'title') ?? ''));
      return tag('div', { class: 'sk-attachment', style: `border-left-color:${bar}` }, title + body);
    })
    .join('');
}

export function renderMessage(message: unknown, ctx: RenderContext, options: MessageOptions = {}): string {
  const m: JsonRecord = isRecord(message) ? message : {};
  const ts = str(m, 'ts');
  const seconds = ts === undefined ? undefined : Number(ts);
  const who = author(m, ctx);
  const ephemeral = options.ephemeral === true || bool(m, 'ephemeral') === true || str(m, 'response_type') === 'ephemeral';
  const blocks = arr(m, 'blocks');
  const text = str(m, 'text') ?? '';
  const content =
    blocks.length > 0
      ? renderBlocks(blocks, ctx)
      : tag(
          'div',
          { class: 'sk-mrkdwn sk-message-text' },
          bool(m, 'mrkdwn') === false ? renderPlainText(text, ctx) : renderMrkdwn(text, ctx),
        );
  const time =
    seconds === undefined || !Number.isFinite(seconds)
      ? ''
      : tag(
          'time',
          {
            class: 'sk-time',
            datetime: new Date(seconds * 1000).toISOString(),
            title: formatSlackDate(seconds, '{date_long} at {time_secs}', ctx),
          },
          escapeHtml(formatSlackDate(seconds, '{time}', ctx)),
        );
  const initial = escapeHtml((who.name.trim()[0] ?? '?').toUpperCase());
  const avatarSrc = who.avatar === undefined ? null : safeImageUrl(who.avatar);
  const avatar = tag(
    'div',
    { class: 'sk-avatar', 'aria-hidden': 'true' },
    avatarSrc === null ? initial : voidTag('img', { src: avatarSrc, alt: '' }),
  );
  const replies = num(m, 'reply_count') ?? 0;
  const threadTs = str(m, 'thread_ts') ?? ts;
  const threadLink =
    options.inThread === true || replies === 0
      ? ''
      : tag(
          'button',
          { type: 'button', class: 'sk-thread-link', 'data-thread-ts': threadTs },
          escapeHtml(`${replies} ${replies === 1 ? 'reply' : 'replies'}`),
        );
  const edited = rec(m, 'edited') === undefined ? '' : tag('span', { class: 'sk-edited' }, '(edited)');
  return tag(
    'div',
    {
      class: `sk-message${ephemeral ? ' sk-ephemeral' : ''}`,
      'data-ts': ts,
      'data-thread-ts': str(m, 'thread_ts'),
      'data-channel': str(m, 'channel'),
      'data-user': str(m, 'user'),
    },
    avatar +
      tag(
        'div',
        { class: 'sk-message-body' },
        tag(
          'div',
          { class: 'sk-message-head' },
          tag('span', { class: 'sk-author' }, escapeHtml(who.name)) + (who.app ? tag('span', { class: 'sk-app-badge' }, 'APP') : '') + time,
        ) +
          (ephemeral ? tag('div', { class: 'sk-ephemeral-note' }, '👁️ Only visible to you') : '') +
          tag('form', { class: 'sk-message-blocks', 'data-message-form': true, 'data-ts': ts, novalidate: true }, content) +
          edited +
          records(m, 'files')
            .map((f) => fileHtml(f, ctx))
            .join('') +
          attachmentsHtml(m, ctx) +
          reactionsHtml(m, ctx) +
          threadLink,
      ),
  );
}
