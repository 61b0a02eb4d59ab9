/** HTML building blocks of the renderer: escaping, attributes, and safe URLs. No DOM. */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values both go through this: nothing from a message can open a tag or end an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export type AttrValue = string | number | boolean | null | undefined;

/** ` name="value"` pairs; null, undefined and false are left out, true is written as a bare attribute. */
export function attrs(map: Readonly<Record<string, AttrValue>>): string {
  let out = '';
  for (const [name, value] of Object.entries(map)) {
    if (value === null || value === undefined || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return out;
}

/** An element with escaped attributes around already-rendered inner HTML. */
export function tag(name: string, attributes: Readonly<Record<string, AttrValue>>, inner = ''): string {
  return `<${name}${attrs(attributes)}>${inner}</${name}>`;
}

const SAFE_LINK = /^(https?:|mailto:|slack:)/i;
const SAFE_IMAGE = /^(https?:|data:image\/(png|jpe?g|gif|webp);|blob:|\/)/i;

/** A link target a page may follow; `javascript:` and friends are dropped. */
export function safeLinkUrl(url: string): string | null {
  const trimmed = url.trim();
  return SAFE_LINK.test(trimmed) ? trimmed : null;
}

/** An image source a page may load: http(s), data: images, blob: and same-origin paths. */
export function safeImageUrl(url: string): string | null {
  const trimmed = url.trim();
  return SAFE_IMAGE.test(trimmed) && !trimmed.startsWith('//') ? trimmed : null;
}

/** A void element (`input`, `img`, `hr`): no content, no end tag. */
export function voidTag(name: string, attributes: Readonly<Record<string, AttrValue>>): string {
  return `<${name}${attrs(attributes)}>`;
}
