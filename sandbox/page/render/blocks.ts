import type { RenderContext } from './context.js';
import { dispatchTriggers, imageElement, renderElement, unsupported, type ElementPlace } from './elements.js';
import { escapeHtml, safeImageUrl, safeLinkUrl, tag } from './html.js';
import { actionIdOf, blockIdOf, blocksOf } from './ids.js';
import { arr, bool, isRecord, rec, records, str, type JsonRecord } from './json.js';
import { renderRichText } from './rich-text.js';
import { textHtml } from './text-object.js';

/** Blocks → HTML, one `<div class="sk-block" data-block-type data-block-id>` per block. */

export interface BlocksOptions {
  /** `response_action: errors` keyed by block_id: each is shown under that input. */
  readonly errors?: Readonly<Record<string, string>>;
}

interface BlockArgs {
  readonly block: JsonRecord;
  readonly index: number;
  readonly blockId: string;
  readonly ctx: RenderContext;
  readonly options: BlocksOptions;
}

type BlockRenderer = (a: BlockArgs) => string;

const place = (a: BlockArgs, element: unknown, elementIndex: number, dispatch: boolean, dispatchOn?: readonly string[]): ElementPlace => ({
  blockId: a.blockId,
  actionId: actionIdOf(element, a.index, elementIndex),
  dispatch,
  ...(dispatchOn !== undefined && { dispatchOn }),
});

function section(a: BlockArgs): string {
  const { block, ctx } = a;
  const text = block['text'] === undefined ? '' : tag('div', { class: 'sk-section-text sk-mrkdwn' }, textHtml(block['text'], ctx));
  const fields = records(block, 'fields');
  const fieldsHtml =
    fields.length === 0
      ? ''
      : tag('div', { class: 'sk-fields' }, fields.map((f) => tag('div', { class: 'sk-field sk-mrkdwn' }, textHtml(f, ctx))).join(''));
  const accessory = rec(block, 'accessory');
  const accessoryHtml =
    accessory === undefined
      ? ''
      : tag(
          'div',
          { class: 'sk-accessory' },
          str(accessory, 'type') === 'image'
            ? imageElement(accessory, ctx, 'sk-accessory-img')
            : renderElement(accessory, place(a, accessory, 0, true), ctx),
        );
  return tag(
    'div',
    { class: `sk-section${accessory === undefined ? '' : ' sk-has-accessory'}${bool(block, 'expand') === true ? ' sk-expand' : ''}` },
    tag('div', { class: 'sk-section-main' }, text + fieldsHtml) + accessoryHtml,
  );
}

function context(a: BlockArgs): string {
  const items = arr(a.block, 'elements').map((el) => {
    if (str(el, 'type') === 'image' && isRecord(el)) return imageElement(el, a.ctx, 'sk-context-img');
    if (str(el, 'type') === 'plain_text' || str(el, 'type') === 'mrkdwn')
      return tag('span', { class: 'sk-context-text sk-mrkdwn' }, textHtml(el, a.ctx));
    return unsupported('element', str(el, 'type') ?? '');
  });
  return tag('div', { class: 'sk-context' }, items.join(''));
}

function actions(a: BlockArgs): string {
  const els = arr(a.block, 'elements').map((el, i) => renderElement(el, place(a, el, i, true), a.ctx));
  return tag('div', { class: 'sk-actions' }, els.join(''));
}

function image(a: BlockArgs): string {
  const title = a.block['title'] === undefined ? '' : tag('div', { class: 'sk-image-title' }, textHtml(a.block['title'], a.ctx));
  return title + imageElement(a.block, a.ctx, 'sk-image');
}

function input(a: BlockArgs): string {
  const { block, ctx, blockId } = a;
  const element = rec(block, 'element');
  const dispatch = bool(block, 'dispatch_action') === true;
  const type = str(element, 'type') ?? '';
  const textual = type === 'plain_text_input' || type === 'number_input' || type === 'email_text_input' || type === 'url_text_input';
  const error = a.options.errors?.[blockId];
  const optional = bool(block, 'optional') === true ? ` ${tag('span', { class: 'sk-optional' }, '(optional)')}` : '';
  return tag(
    'div',
    {
      class: `sk-input-block${error === undefined ? '' : ' sk-has-error'}`,
      'data-optional': bool(block, 'optional') === true ? 'true' : undefined,
    },
    tag('label', { class: 'sk-label' }, textHtml(block['label'], ctx) + optional) +
      renderElement(element, place(a, element, 0, dispatch, dispatch && textual ? dispatchTriggers(element) : undefined), ctx) +
      (block['hint'] === undefined ? '' : tag('div', { class: 'sk-hint' }, textHtml(block['hint'], ctx))) +
      tag('div', { class: 'sk-field-error', 'data-error-for': blockId, role: 'alert' }, error === undefined ? '' : escapeHtml(error)),
  );
}

function file(a: BlockArgs): string {
  const id = str(a.block, 'file_id') ?? str(a.block, 'external_id') ?? '';
  const known = a.ctx.files?.[id];
  const name = known?.title ?? known?.name ?? id;
  return tag(
    'div',
    { class: 'sk-file-card', 'data-file-id': id, 'data-source': str(a.block, 'source') },
    tag('span', { class: 'sk-file-icon' }, '📄') + tag('span', { class: 'sk-file-name' }, escapeHtml(name)),
  );
}

/** The `markdown` block takes standard Markdown; the common parts are shown. */
function markdown(a: BlockArgs): string {
  const text = str(a.block, 'text') ?? '';
  const parts = text.split(/```/);
  const html = parts
    .map((part, i) => {
      if (i % 2 === 1) return tag('pre', { class: 'sk-pre' }, escapeHtml(part.replace(/^[^\n]*\n/, '')));
      return part
        .split('\n')
        .map((line) => {
          const heading = /^#{1,6}\s+(.*)$/.exec(line);
          const item = /^\s*[-*]\s+(.*)$/.exec(line);
          const body = markdownInline(heading?.[1] ?? item?.[1] ?? line);
          return heading ? `<b>${body}</b>` : item ? `• ${body}` : body;
        })
        .join('<br>');
    })
    .join('');
  return tag('div', { class: 'sk-markdown' }, html);
}

function markdownInline(line: string): string {
  return escapeHtml(line)
    .replace(/`([^`]+)`/g, '<code class="sk-code">$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/(^|\W)[*_]([^*_]+)[*_](?=\W|$)/g, '$1<i>$2</i>')
    .replace(/~~([^~]+)~~/g, '<s>$1</s>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_whole, label: string, url: string) => {
      // The URL was escaped with the line; undo that for the check, escape again for the attribute.
      const safe = safeLinkUrl(url.replace(/&amp;/g, '&'));
      return safe === null ? label : `<a class="sk-link" href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
    });
}

function video(a: BlockArgs): string {
  const { block, ctx } = a;
  const thumb = safeImageUrl(str(block, 'thumbnail_url') ?? '');
  const href = safeLinkUrl(str(block, 'title_url') ?? str(block, 'video_url') ?? '');
  const title = textHtml(block['title'], ctx);
  return tag(
    'div',
    { class: 'sk-video' },
    (href === null
      ? tag('div', { class: 'sk-video-title' }, title)
      : tag('a', { class: 'sk-link sk-video-title', href, target: '_blank', rel: 'noopener noreferrer' }, title)) +
      (thumb === null ? '' : `<img class="sk-video-thumb" src="${escapeHtml(thumb)}" alt="${escapeHtml(str(block, 'alt_text') ?? '')}">`) +
      (block['description'] === undefined ? '' : tag('div', { class: 'sk-video-desc' }, textHtml(block['description'], ctx))),
  );
}

function table(a: BlockArgs): string {
  const rows = arr(a.block, 'rows').map((row, r) => {
    const cells = (Array.isArray(row) ? row : []).map((cell: unknown) => {
      const inner = str(cell, 'type') === 'rich_text' && isRecord(cell) ? renderRichText(cell, a.ctx) : escapeHtml(str(cell, 'text') ?? '');
      return tag(r === 0 ? 'th' : 'td', {}, inner);
    });
    return tag('tr', {}, cells.join(''));
  });
  return tag('table', { class: 'sk-table' }, rows.join(''));
}

/** context_actions: feedback (thumbs) and icon buttons, each sending block_actions like a button. */
function contextActions(a: BlockArgs): string {
  const els = arr(a.block, 'elements').map((el, i) => {
    const p = place(a, el, i, true);
    const attrs = { type: 'button', 'data-block-id': p.blockId, 'data-action-id': p.actionId, 'data-dispatch': 'true' };
    if (str(el, 'type') === 'feedback_buttons') {
      return (['positive_button', 'negative_button'] as const)
        .map((k) => {
          const b = rec(el, k);
          return tag(
            'button',
            { ...attrs, class: 'sk-el sk-btn sk-btn-small', 'data-type': 'feedback_buttons', 'data-value': str(b, 'value') },
            textHtml(b?.['text'], a.ctx) || (k === 'positive_button' ? '👍' : '👎'),
          );
        })
        .join('');
    }
    if (str(el, 'type') === 'icon_button') {
      return tag(
        'button',
        { ...attrs, class: 'sk-el sk-btn sk-btn-small', 'data-type': 'icon_button', 'data-value': str(el, 'value') },
        textHtml(rec(el, 'text'), a.ctx),
      );
    }
    return unsupported('element', str(el, 'type') ?? '');
  });
  return tag('div', { class: 'sk-actions sk-context-actions' }, els.join(''));
}

const RENDERERS: Readonly<Record<string, BlockRenderer>> = {
  section,
  header: (a) => tag('div', { class: 'sk-header' }, textHtml(a.block['text'], a.ctx)),
  divider: () => '<hr class="sk-divider">',
  context,
  actions,
  image,
  input,
  rich_text: (a) => tag('div', { class: 'sk-rich-text' }, renderRichText(a.block, a.ctx)),
  file,
  markdown,
  video,
  table,
  context_actions: contextActions,
};

export const SUPPORTED_BLOCKS: ReadonlySet<string> = new Set(Object.keys(RENDERERS));

/** A blocks array (or a view's `blocks`) as HTML; a block of an unknown type shows a visible marker. */
export function renderBlocks(blocks: unknown, ctx: RenderContext, options: BlocksOptions = {}): string {
  return blocksOf(blocks)
    .map((block, index) => {
      const type = str(block, 'type') ?? '';
      const renderer = RENDERERS[type];
      const blockId = blockIdOf(block, index);
      const inner =
        renderer === undefined || !isRecord(block) ? unsupported('block', type) : renderer({ block, index, blockId, ctx, options });
      return tag(
        'div',
        { class: `sk-block sk-block-${type.replace(/[^a-z_]/g, '')}`, 'data-block-type': type, 'data-block-id': blockId },
        inner,
      );
    })
    .join('');
}
