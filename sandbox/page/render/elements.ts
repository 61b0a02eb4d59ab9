import { confirmAttr } from './confirm.js';
import type { RenderContext } from './context.js';
import { dateParts } from './dates.js';
import { escapeHtml, safeImageUrl, safeLinkUrl, tag, voidTag, type AttrValue } from './html.js';
import { fieldName } from './ids.js';
import { arr, bool, isRecord, num, rec, records, str, strings, type JsonRecord } from './json.js';
import { flatText, textHtml, textOf } from './text-object.js';

/** Block Kit elements → HTML controls carrying the data attributes of the contract in index.ts. */

export interface ElementPlace {
  readonly blockId: string;
  readonly actionId: string;
  /** Sends block_actions when it changes: always in actions blocks and accessories, on request in inputs. */
  readonly dispatch: boolean;
  /** For text inputs with dispatch: `on_enter_pressed`, `on_character_entered`. */
  readonly dispatchOn?: readonly string[];
}

type Renderer = (el: JsonRecord, place: ElementPlace, ctx: RenderContext) => string;

/** The attributes every interactive element root carries. */
function base(
  type: string,
  el: JsonRecord,
  place: ElementPlace,
  extra: Readonly<Record<string, AttrValue>> = {},
): Record<string, AttrValue> {
  return {
    'data-type': type,
    'data-block-id': place.blockId,
    'data-action-id': place.actionId,
    'data-dispatch': place.dispatch ? 'true' : undefined,
    'data-dispatch-on': place.dispatchOn === undefined || place.dispatchOn.length === 0 ? undefined : place.dispatchOn.join(' '),
    'data-confirm': confirmAttr(el),
    'data-focus-on-load': bool(el, 'focus_on_load') === true ? 'true' : undefined,
    ...extra,
  };
}

const placeholderText = (el: JsonRecord) => textOf(el['placeholder']);

// ---------------------------------------------------------------------------------------------
// Buttons and menus
// ---------------------------------------------------------------------------------------------

function button(el: JsonRecord, place: ElementPlace, ctx: RenderContext): string {
  const style = str(el, 'style');
  const url = str(el, 'url');
  const cls = ['sk-el', 'sk-btn', style === 'primary' ? 'sk-btn-primary' : style === 'danger' ? 'sk-btn-danger' : '']
    .filter(Boolean)
    .join(' ');
  return tag(
    'button',
    {
      type: 'button',
      class: cls,
      ...base('button', el, place, {
        'data-value': str(el, 'value'),
        'data-style': style,
        'data-url': url === undefined ? undefined : (safeLinkUrl(url) ?? undefined),
        'aria-label': str(el, 'accessibility_label'),
      }),
    },
    textHtml(el['text'], ctx),
  );
}

function workflowButton(el: JsonRecord, place: ElementPlace, ctx: RenderContext): string {
  const style = str(el, 'style');
  return tag(
    'button',
    {
      type: 'button',
      class: `sk-el sk-btn${style === 'primary' ? ' sk-btn-primary' : style === 'danger' ? ' sk-btn-danger' : ''}`,
      ...base('workflow_button', el, place),
    },
    textHtml(el['text'], ctx),
  );
}

/** Overflow: a ⋯ menu. Choosing an option sends block_actions with that option's value; the page then resets it. */
function overflow(el: JsonRecord, place: ElementPlace, ctx: RenderContext): string {
  const items = records(el, 'options').map((o) =>
    tag('option', { value: str(o, 'value') ?? '', 'data-url': safeLinkUrl(str(o, 'url') ?? '') ?? undefined }, flatText(o['text'], ctx)),
  );
  return tag(
    'select',
    { class: 'sk-el sk-overflow', 'aria-label': 'More actions', ...base('overflow', el, place) },
    tag('option', { value: '', selected: true, disabled: true }, '⋯') + items.join(''),
  );
}

// ---------------------------------------------------------------------------------------------
// Selects
// ---------------------------------------------------------------------------------------------

function optionTag(o: JsonRecord, selected: ReadonlySet<string>, ctx: RenderContext, value = str(o, 'value') ?? ''): string {
  return tag('option', { value, selected: selected.has(str(o, 'value') ?? '') }, flatText(o['text'], ctx));
}

/** The `<option>`s (and `<optgroup>`s) of a static list. */
function optionList(el: JsonRecord, selected: ReadonlySet<string>, ctx: RenderContext): string {
  const groups = records(el, 'option_groups');
  if (groups.length > 0) {
    return groups
      .map((g) =>
        tag(
          'optgroup',
          { label: textOf(g['label']) },
          records(g, 'options')
            .map((o) => optionTag(o, selected, ctx))
            .join(''),
        ),
      )
      .join('');
  }
  return records(el, 'options')
    .map((o) => optionTag(o, selected, ctx))
    .join('');
}

/** An element's initial choice(s): `initial_option` and `initial_options`. */
export const initialOptions = (el: JsonRecord): JsonRecord[] =>
  [rec(el, 'initial_option'), ...records(el, 'initial_options')].filter(isRecord);
const initialValues = (el: JsonRecord): Set<string> => new Set(initialOptions(el).map((o) => str(o, 'value') ?? ''));

function placeholderOption(el: JsonRecord, selected: ReadonlySet<string>, multiple: boolean): string {
  if (multiple) return '';
  return tag(
    'option',
    { value: '', selected: selected.size === 0, class: 'sk-placeholder' },
    escapeHtml(placeholderText(el) || 'Select an item'),
  );
}

function selectTag(
  type: string,
  el: JsonRecord,
  place: ElementPlace,
  inner: string,
  multiple: boolean,
  extra: Readonly<Record<string, AttrValue>> = {},
): string {
  return tag(
    'select',
    {
      class: `sk-el sk-select${multiple ? ' sk-multi' : ''}`,
      name: fieldName(place.blockId, place.actionId),
      multiple,
      'aria-label': placeholderText(el) || undefined,
      ...base(type, el, place, { 'data-max-selected-items': num(el, 'max_selected_items'), ...extra }),
    },
    inner,
  );
}

function staticSelect(multiple: boolean): Renderer {
  return (el, place, ctx) => {
    const selected = initialValues(el);
    return selectTag(
      multiple ? 'multi_static_select' : 'static_select',
      el,
      place,
      placeholderOption(el, selected, multiple) + optionList(el, selected, ctx),
      multiple,
    );
  };
}

/**
 * The `<option>` of an option a select cannot list by itself (from block_suggestion, or an
 * external select's initial option): its value is the whole option object as JSON, so
 * `stateFromFormValues` can report it as Slack does, text included.
 */
export function externalOptionHtml(option: unknown, selected: boolean, ctx: RenderContext): string {
  if (!isRecord(option)) return '';
  return tag('option', { value: JSON.stringify(option), selected }, flatText(option['text'], ctx));
}

/**
 * The options a block_suggestion answer carries (`options` or `option_groups`), as the inner
 * HTML of an external select's `<select data-role="options">`. `selectedValue`: the option value
 * to keep selected.
 */
export function renderSuggestionOptions(answer: unknown, ctx: RenderContext, selectedValue?: string): string {
  const groups = records(answer, 'option_groups');
  const one = (o: JsonRecord) => externalOptionHtml(o, str(o, 'value') === selectedValue, ctx);
  if (groups.length > 0)
    return groups.map((g) => tag('optgroup', { label: textOf(g['label']) }, records(g, 'options').map(one).join(''))).join('');
  return records(answer, 'options').map(one).join('');
}

/**
 * External selects: a query box (`data-role="query"`) and the `<select data-role="options">`
 * the page fills with `renderSuggestionOptions` after each block_suggestion round trip.
 */
function externalSelect(multiple: boolean): Renderer {
  return (el, place, ctx) => {
    const type = multiple ? 'multi_external_select' : 'external_select';
    const initial = initialOptions(el);
    const options = initial.map((o) => externalOptionHtml(o, true, ctx)).join('');
    const empty = multiple
      ? ''
      : tag(
          'option',
          { value: '', selected: initial.length === 0, class: 'sk-placeholder' },
          escapeHtml(placeholderText(el) || 'Select an item'),
        );
    return tag(
      'div',
      {
        class: 'sk-el sk-external',
        ...base(type, el, place, {
          'data-external': 'true',
          'data-min-query-length': num(el, 'min_query_length') ?? 3,
          'data-max-selected-items': num(el, 'max_selected_items'),
        }),
      },
      voidTag('input', {
        type: 'search',
        class: 'sk-external-query',
        'data-role': 'query',
        placeholder: placeholderText(el) || 'Type to search',
        autocomplete: 'off',
      }) +
        tag(
          'select',
          {
            class: `sk-select${multiple ? ' sk-multi' : ''}`,
            'data-role': 'options',
            name: fieldName(place.blockId, place.actionId),
            multiple,
          },
          empty + options,
        ),
    );
  };
}

/** users / conversations / channels selects, listing the people and channels the context knows. */
function entitySelect(kind: 'users' | 'conversations' | 'channels', multiple: boolean): Renderer {
  return (el, place, ctx) => {
    const type = `${multiple ? 'multi_' : ''}${kind}_select`;
    const singular = kind === 'users' ? 'user' : kind === 'conversations' ? 'conversation' : 'channel';
    const initial = new Set(multiple ? strings(el, `initial_${kind}`) : [str(el, `initial_${singular}`) ?? ''].filter((v) => v !== ''));
    const known: [string, string][] =
      kind === 'users'
        ? Object.entries(ctx.users ?? {}).map(([id, u]) => [id, `@${u.name}`])
        : Object.entries(ctx.channels ?? {}).map(([id, n]) => [id, `#${n}`]);
    for (const id of initial) if (!known.some(([k]) => k === id)) known.push([id, id]);
    known.sort((a, b) => a[1].localeCompare(b[1]));
    const options = known.map(([id, label]) => tag('option', { value: id, selected: initial.has(id) }, escapeHtml(label))).join('');
    return selectTag(type, el, place, placeholderOption(el, initial, multiple) + options, multiple, { 'data-entity': kind });
  };
}

// ---------------------------------------------------------------------------------------------
// Choices
// ---------------------------------------------------------------------------------------------

function choices(type: 'radio_buttons' | 'checkboxes'): Renderer {
  return (el, place, ctx) => {
    const selected = initialValues(el);
    const inputType = type === 'radio_buttons' ? 'radio' : 'checkbox';
    const items = records(el, 'options').map((o) => {
      const value = str(o, 'value') ?? '';
      const description = o['description'] === undefined ? '' : tag('span', { class: 'sk-choice-desc' }, textHtml(o['description'], ctx));
      return tag(
        'label',
        { class: 'sk-choice' },
        voidTag('input', { type: inputType, name: fieldName(place.blockId, place.actionId), value, checked: selected.has(value) }) +
          tag('span', { class: 'sk-choice-body' }, tag('span', { class: 'sk-choice-text' }, textHtml(o['text'], ctx)) + description),
      );
    });
    return tag(
      'div',
      {
        class: `sk-el sk-choices sk-${type.replace('_', '-')}`,
        role: type === 'radio_buttons' ? 'radiogroup' : 'group',
        ...base(type, el, place),
      },
      items.join(''),
    );
  };
}

// ---------------------------------------------------------------------------------------------
// Text, number, date and file inputs
// ---------------------------------------------------------------------------------------------

function textInput(type: string, htmlType: string): Renderer {
  return (el, place) => {
    const name = fieldName(place.blockId, place.actionId);
    const common = {
      name,
      placeholder: placeholderText(el) || undefined,
      maxlength: num(el, 'max_length'),
      minlength: num(el, 'min_length'),
      ...base(type, el, place),
    };
    if (type === 'plain_text_input' && bool(el, 'multiline') === true) {
      return tag('textarea', { class: 'sk-el sk-textarea', rows: 4, ...common }, escapeHtml(str(el, 'initial_value') ?? ''));
    }
    return voidTag('input', { class: 'sk-el sk-text', type: htmlType, value: str(el, 'initial_value'), ...common });
  };
}

function numberInput(el: JsonRecord, place: ElementPlace): string {
  const decimal = bool(el, 'is_decimal_allowed') === true;
  return voidTag('input', {
    class: 'sk-el sk-text sk-number',
    type: 'number',
    name: fieldName(place.blockId, place.actionId),
    inputmode: decimal ? 'decimal' : 'numeric',
    step: decimal ? 'any' : '1',
    min: str(el, 'min_value') ?? num(el, 'min_value'),
    max: str(el, 'max_value') ?? num(el, 'max_value'),
    value: str(el, 'initial_value') ?? num(el, 'initial_value'),
    placeholder: placeholderText(el) || undefined,
    ...base('number_input', el, place, { 'data-decimal': decimal ? 'true' : 'false' }),
  });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A unix time as the `datetime-local` value in the context's zone. */
export function localDateTime(epochSeconds: number, timeZone: string): string {
  const p = dateParts(epochSeconds * 1000, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

function picker(type: 'datepicker' | 'timepicker' | 'datetimepicker'): Renderer {
  return (el, place, ctx) => {
    const initialDateTime = num(el, 'initial_date_time');
    const value =
      type === 'datepicker'
        ? str(el, 'initial_date')
        : type === 'timepicker'
          ? str(el, 'initial_time')
          : initialDateTime === undefined
            ? undefined
            : localDateTime(initialDateTime, ctx.timeZone ?? 'UTC');
    return voidTag('input', {
      class: 'sk-el sk-text sk-picker',
      type: type === 'datepicker' ? 'date' : type === 'timepicker' ? 'time' : 'datetime-local',
      name: fieldName(place.blockId, place.actionId),
      value,
      'aria-label': placeholderText(el) || undefined,
      ...base(type, el, place, { 'data-timezone': str(el, 'timezone') }),
    });
  };
}

function fileInput(el: JsonRecord, place: ElementPlace): string {
  const types = strings(el, 'filetypes');
  return voidTag('input', {
    class: 'sk-el sk-file-input',
    type: 'file',
    name: fieldName(place.blockId, place.actionId),
    multiple: (num(el, 'max_files') ?? 10) > 1,
    accept: types.length === 0 ? undefined : types.map((t) => `.${t}`).join(','),
    ...base('file_input', el, place),
  });
}

function richTextInput(el: JsonRecord, place: ElementPlace): string {
  return tag(
    'textarea',
    {
      class: 'sk-el sk-textarea',
      rows: 3,
      name: fieldName(place.blockId, place.actionId),
      placeholder: placeholderText(el) || undefined,
      ...base('rich_text_input', el, place),
    },
    '',
  );
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/** `image_url`, or a `slack_file` by url or id (through ctx.files and ctx.fileUrl). */
export function imageSource(el: unknown, ctx: RenderContext): string | null {
  const url = str(el, 'image_url');
  if (url !== undefined) return safeImageUrl(url);
  const file = rec(el, 'slack_file');
  const fileUrl = str(file, 'url');
  if (fileUrl !== undefined) return safeImageUrl(fileUrl);
  const known = ctx.files?.[str(file, 'id') ?? ''];
  const served = known === undefined ? undefined : ctx.fileUrl?.(known);
  return served === undefined ? null : safeImageUrl(served);
}

export function imageElement(el: JsonRecord, ctx: RenderContext, cls = 'sk-img-el'): string {
  const src = imageSource(el, ctx);
  const alt = str(el, 'alt_text') ?? '';
  if (src === null) return tag('span', { class: `${cls} sk-img-missing`, title: alt }, escapeHtml(alt || 'image'));
  return voidTag('img', { class: cls, src, alt, title: alt || undefined, loading: 'lazy' });
}

// ---------------------------------------------------------------------------------------------

const RENDERERS: Readonly<Record<string, Renderer>> = {
  button,
  workflow_button: workflowButton,
  overflow,
  static_select: staticSelect(false),
  multi_static_select: staticSelect(true),
  external_select: externalSelect(false),
  multi_external_select: externalSelect(true),
  users_select: entitySelect('users', false),
  multi_users_select: entitySelect('users', true),
  conversations_select: entitySelect('conversations', false),
  multi_conversations_select: entitySelect('conversations', true),
  channels_select: entitySelect('channels', false),
  multi_channels_select: entitySelect('channels', true),
  radio_buttons: choices('radio_buttons'),
  checkboxes: choices('checkboxes'),
  plain_text_input: textInput('plain_text_input', 'text'),
  email_text_input: textInput('email_text_input', 'email'),
  url_text_input: textInput('url_text_input', 'url'),
  number_input: numberInput,
  datepicker: picker('datepicker'),
  timepicker: picker('timepicker'),
  datetimepicker: picker('datetimepicker'),
  file_input: fileInput,
  rich_text_input: richTextInput,
  image: (el, _place, ctx) => imageElement(el, ctx),
};

export const SUPPORTED_ELEMENTS: ReadonlySet<string> = new Set(Object.keys(RENDERERS));

export function unsupported(kind: 'block' | 'element', type: string): string {
  return tag(
    'div',
    { class: 'sk-unsupported', 'data-unsupported': kind, 'data-unsupported-type': type },
    escapeHtml(`Unsupported ${kind} type: ${type || '(none)'}`),
  );
}

export function renderElement(el: unknown, place: ElementPlace, ctx: RenderContext): string {
  const type = str(el, 'type') ?? '';
  const renderer = RENDERERS[type];
  if (!isRecord(el) || renderer === undefined) return unsupported('element', type);
  return renderer(el, place, ctx);
}

/** dispatch_action_config.trigger_actions_on of a text input; Slack's default is on_enter_pressed. */
export function dispatchTriggers(el: unknown): string[] {
  const config = rec(el, 'dispatch_action_config');
  const on = arr(config, 'trigger_actions_on').filter((v): v is string => typeof v === 'string');
  return on.length === 0 ? ['on_enter_pressed'] : on;
}
