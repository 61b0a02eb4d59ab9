/**
 * Block Kit validation for the fake Slack server. It enforces the limits in
 * docs/reference (slack-platform.md §1) and reports problems the way Slack does in
 * `response_metadata.messages`: `[ERROR] <problem> [json-pointer:/blocks/3/text/text]`.
 * It is deliberately a checklist of the rules we rely on, not a full JSON-schema of Block Kit.
 */
import { isRecord, type JsonObject, type SlackBlock } from './types.js';

export type BlockSurface = 'message' | 'modal' | 'home';

export const BLOCK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  messageText: 40_000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  actionsElements: 25,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  placeholder: 150,
  inputLabel: 2000,
  viewTitle: 24,
  privateMetadata: 3000,
  viewBytes: 250_000,
} as const;

class Problems {
  readonly list: string[] = [];
  add(pointer: string, problem: string): void {
    this.list.push(`[ERROR] ${problem} [json-pointer:${pointer}]`);
  }
}

interface Ctx {
  surface: BlockSurface;
  p: Problems;
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** Validates a `blocks` array for a surface; returns Slack-style messages (empty when valid). */
export function validateBlocks(blocks: unknown, surface: BlockSurface, pointer = '/blocks'): string[] {
  const p = new Problems();
  checkBlocks(blocks, pointer, { surface, p });
  return p.list;
}

/** Validates a modal (or Home tab) view object as views.open/update/push receive it. */
export function validateView(view: unknown): string[] {
  const p = new Problems();
  if (!isRecord(view)) {
    p.add('/view', 'must be an object');
    return p.list;
  }
  const surface: BlockSurface = view['type'] === 'home' ? 'home' : 'modal';
  if (view['type'] !== 'modal' && view['type'] !== 'home') p.add('/view/type', "must be 'modal' or 'home'");
  if (JSON.stringify(view).length > BLOCK_LIMITS.viewBytes) p.add('/view', `must be less than ${BLOCK_LIMITS.viewBytes} bytes`);
  if (surface === 'modal') checkModalChrome(view, p);
  maxString(view['private_metadata'], '/view/private_metadata', BLOCK_LIMITS.privateMetadata, p);
  maxString(view['callback_id'], '/view/callback_id', BLOCK_LIMITS.id, p);
  maxString(view['external_id'], '/view/external_id', BLOCK_LIMITS.id, p);
  checkBlocks(view['blocks'], '/view/blocks', { surface, p });
  return p.list;
}

function checkModalChrome(view: JsonObject, p: Problems): void {
  const ctx: Ctx = { surface: 'modal', p };
  text(view['title'], '/view/title', ctx, { plainOnly: true, max: BLOCK_LIMITS.viewTitle, required: true });
  text(view['submit'], '/view/submit', ctx, { plainOnly: true, max: BLOCK_LIMITS.viewTitle });
  text(view['close'], '/view/close', ctx, { plainOnly: true, max: BLOCK_LIMITS.viewTitle });
  const blocks = Array.isArray(view['blocks']) ? view['blocks'] : [];
  const hasInput = blocks.some((b) => isRecord(b) && b['type'] === 'input');
  if (hasInput && view['submit'] === undefined) p.add('/view/submit', 'must be provided when the view contains input blocks');
}

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

function checkBlocks(blocks: unknown, at: string, ctx: Ctx): void {
  if (!Array.isArray(blocks)) {
    ctx.p.add(at, 'must be an array');
    return;
  }
  const max = ctx.surface === 'message' ? BLOCK_LIMITS.messageBlocks : BLOCK_LIMITS.modalBlocks;
  if (blocks.length > max) ctx.p.add(at, `must be less than ${max + 1} items (got ${blocks.length})`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => checkBlock(block, `${at}/${i}`, ctx, blockIds));
}

type BlockChecker = (block: JsonObject, at: string, ctx: Ctx) => void;

const BLOCK_CHECKERS: Record<string, BlockChecker> = {
  section: checkSection,
  divider: () => undefined,
  header: (b, at, ctx) => text(b['text'], `${at}/text`, ctx, { plainOnly: true, max: BLOCK_LIMITS.headerText, required: true }),
  image: checkImageBlock,
  actions: (b, at, ctx) => checkElements(b, at, ctx, ACTIONS_ELEMENTS, BLOCK_LIMITS.actionsElements),
  context: checkContext,
  input: checkInput,
  rich_text: (b, at, ctx) => requireArray(b, 'elements', at, ctx),
  markdown: (b, at, ctx) => maxString(b['text'], `${at}/text`, 12_000, ctx.p, true),
  file: (b, at, ctx) => maxString(b['external_id'], `${at}/external_id`, BLOCK_LIMITS.id, ctx.p, true),
  video: (b, at, ctx) => maxString(b['video_url'], `${at}/video_url`, 3000, ctx.p, true),
  table: (b, at, ctx) => requireArray(b, 'rows', at, ctx),
  context_actions: (b, at, ctx) => requireArray(b, 'elements', at, ctx),
};

function checkBlock(block: unknown, at: string, ctx: Ctx, blockIds: Set<string>): void {
  if (!isRecord(block)) return ctx.p.add(at, 'must be an object');
  const type = block['type'];
  if (typeof type !== 'string') return ctx.p.add(`${at}/type`, 'missing required field: type');
  const checker = BLOCK_CHECKERS[type];
  if (!checker) return ctx.p.add(`${at}/type`, `unsupported block type '${type}'`);
  checkUniqueId(block['block_id'], `${at}/block_id`, blockIds, 'block_id', ctx.p);
  checker(block, at, ctx);
}

function checkSection(b: JsonObject, at: string, ctx: Ctx): void {
  if (b['text'] === undefined && b['fields'] === undefined) ctx.p.add(at, 'must provide either text or fields');
  if (b['text'] !== undefined) text(b['text'], `${at}/text`, ctx, { max: BLOCK_LIMITS.sectionText, required: true });
  const fields = b['fields'];
  if (fields !== undefined) {
    if (!Array.isArray(fields)) ctx.p.add(`${at}/fields`, 'must be an array');
    else {
      if (fields.length > BLOCK_LIMITS.sectionFields)
        ctx.p.add(`${at}/fields`, `must be less than ${BLOCK_LIMITS.sectionFields + 1} items (got ${fields.length})`);
      fields.forEach((f, i) => text(f, `${at}/fields/${i}`, ctx, { max: BLOCK_LIMITS.sectionFieldText, required: true }));
    }
  }
  if (b['accessory'] !== undefined) checkElement(b['accessory'], `${at}/accessory`, ctx, SECTION_ACCESSORIES, new Set());
}

function checkImageBlock(b: JsonObject, at: string, ctx: Ctx): void {
  if (b['image_url'] === undefined && b['slack_file'] === undefined) ctx.p.add(at, 'must provide either image_url or slack_file');
  maxString(b['image_url'], `${at}/image_url`, 3000, ctx.p);
  maxString(b['alt_text'], `${at}/alt_text`, 2000, ctx.p, true);
  text(b['title'], `${at}/title`, ctx, { plainOnly: true, max: 2000 });
}

function checkContext(b: JsonObject, at: string, ctx: Ctx): void {
  const elements = requireArray(b, 'elements', at, ctx);
  if (!elements) return;
  if (elements.length > BLOCK_LIMITS.contextElements)
    ctx.p.add(`${at}/elements`, `must be less than ${BLOCK_LIMITS.contextElements + 1} items`);
  elements.forEach((el, i) => {
    const where = `${at}/elements/${i}`;
    if (isRecord(el) && el['type'] === 'image') return checkElement(el, where, ctx, new Set(['image']), new Set());
    text(el, where, ctx, { max: 3000, required: true });
  });
}

function checkInput(b: JsonObject, at: string, ctx: Ctx): void {
  if (ctx.surface === 'message') ctx.p.add(`${at}/type`, 'input blocks are only allowed in modals and Home tabs, not in messages');
  text(b['label'], `${at}/label`, ctx, { plainOnly: true, max: BLOCK_LIMITS.inputLabel, required: true });
  text(b['hint'], `${at}/hint`, ctx, { plainOnly: true, max: 2000 });
  if (b['element'] === undefined) return ctx.p.add(`${at}/element`, 'missing required field: element');
  checkElement(b['element'], `${at}/element`, ctx, INPUT_ELEMENTS, new Set());
}

function checkElements(b: JsonObject, at: string, ctx: Ctx, allowed: ReadonlySet<string>, max: number): void {
  const elements = requireArray(b, 'elements', at, ctx);
  if (!elements) return;
  if (elements.length > max) ctx.p.add(`${at}/elements`, `must be less than ${max + 1} items (got ${elements.length})`);
  // Slack documents action_id uniqueness per containing block.
  const actionIds = new Set<string>();
  elements.forEach((el, i) => checkElement(el, `${at}/elements/${i}`, ctx, allowed, actionIds));
}

// ---------------------------------------------------------------------------------------------
// Elements
// ---------------------------------------------------------------------------------------------

const SELECTS = ['static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select'];
const MULTI_SELECTS = SELECTS.map((s) => `multi_${s}`);
const PICKERS = ['datepicker', 'timepicker', 'datetimepicker'];
const CHOICES = ['checkboxes', 'radio_buttons'];

const ACTIONS_ELEMENTS = new Set([
  'button',
  'overflow',
  'workflow_button',
  'rich_text_input',
  ...SELECTS,
  ...MULTI_SELECTS,
  ...PICKERS,
  ...CHOICES,
]);
const SECTION_ACCESSORIES = new Set([
  'button',
  'image',
  'overflow',
  'workflow_button',
  ...SELECTS,
  ...MULTI_SELECTS,
  ...PICKERS,
  ...CHOICES,
]);
const INPUT_ELEMENTS = new Set([
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'file_input',
  'rich_text_input',
  ...SELECTS,
  ...MULTI_SELECTS,
  ...PICKERS,
  ...CHOICES,
]);

type ElementChecker = (el: JsonObject, at: string, ctx: Ctx) => void;

const ELEMENT_CHECKERS: Record<string, ElementChecker> = {
  button: checkButton,
  workflow_button: (el, at, ctx) => text(el['text'], `${at}/text`, ctx, { plainOnly: true, max: BLOCK_LIMITS.buttonText, required: true }),
  image: (el, at, ctx) => {
    if (el['image_url'] === undefined && el['slack_file'] === undefined) ctx.p.add(at, 'must provide either image_url or slack_file');
    maxString(el['alt_text'], `${at}/alt_text`, 2000, ctx.p, true);
  },
  overflow: (el, at, ctx) => checkOptionList(el, at, ctx, { min: 1, max: 5, plainOnly: true }),
  checkboxes: (el, at, ctx) => checkOptionList(el, at, ctx, { min: 1, max: 10, plainOnly: false }),
  radio_buttons: (el, at, ctx) => checkOptionList(el, at, ctx, { min: 1, max: 10, plainOnly: false }),
  static_select: checkStaticSelect,
  multi_static_select: checkStaticSelect,
  plain_text_input: (el, at, ctx) => {
    placeholder(el, at, ctx);
    if (typeof el['max_length'] === 'number' && el['max_length'] > 3000) ctx.p.add(`${at}/max_length`, 'must be less than 3001');
  },
  number_input: (el, at, ctx) => {
    placeholder(el, at, ctx);
    if (typeof el['is_decimal_allowed'] !== 'boolean') ctx.p.add(`${at}/is_decimal_allowed`, 'missing required field: is_decimal_allowed');
  },
};

function checkElement(el: unknown, at: string, ctx: Ctx, allowed: ReadonlySet<string>, actionIds: Set<string>): void {
  if (!isRecord(el)) return ctx.p.add(at, 'must be an object');
  const type = el['type'];
  if (typeof type !== 'string') return ctx.p.add(`${at}/type`, 'missing required field: type');
  if (!allowed.has(type)) return ctx.p.add(`${at}/type`, `unsupported element type '${type}' here`);
  if (type !== 'image') checkUniqueId(el['action_id'], `${at}/action_id`, actionIds, 'action_id', ctx.p);
  const checker = ELEMENT_CHECKERS[type] ?? placeholder;
  checker(el, at, ctx);
}

function checkButton(el: JsonObject, at: string, ctx: Ctx): void {
  text(el['text'], `${at}/text`, ctx, { plainOnly: true, max: BLOCK_LIMITS.buttonText, required: true });
  maxString(el['value'], `${at}/value`, BLOCK_LIMITS.buttonValue, ctx.p);
  maxString(el['url'], `${at}/url`, 3000, ctx.p);
  const style = el['style'];
  if (style !== undefined && style !== 'primary' && style !== 'danger') ctx.p.add(`${at}/style`, "must be 'primary' or 'danger'");
}

function checkStaticSelect(el: JsonObject, at: string, ctx: Ctx): void {
  placeholder(el, at, ctx);
  const hasOptions = el['options'] !== undefined;
  const hasGroups = el['option_groups'] !== undefined;
  if (hasOptions === hasGroups) return ctx.p.add(at, 'must provide exactly one of options or option_groups');
  if (hasOptions) return checkOptionList(el, at, ctx, { min: 1, max: BLOCK_LIMITS.selectOptions, plainOnly: true });
  const groups = requireArray(el, 'option_groups', at, ctx);
  if (!groups) return;
  if (groups.length > BLOCK_LIMITS.selectOptions)
    ctx.p.add(`${at}/option_groups`, `must be less than ${BLOCK_LIMITS.selectOptions + 1} items`);
  groups.forEach((g, i) => {
    const where = `${at}/option_groups/${i}`;
    if (!isRecord(g)) return ctx.p.add(where, 'must be an object');
    text(g['label'], `${where}/label`, ctx, { plainOnly: true, max: BLOCK_LIMITS.optionText, required: true });
    checkOptionList(g, where, ctx, { min: 1, max: BLOCK_LIMITS.selectOptions, plainOnly: true });
  });
}

function checkOptionList(el: JsonObject, at: string, ctx: Ctx, rule: { min: number; max: number; plainOnly: boolean }): void {
  const options = requireArray(el, 'options', at, ctx);
  if (!options) return;
  if (options.length < rule.min) ctx.p.add(`${at}/options`, `must be more than ${rule.min - 1} items`);
  if (options.length > rule.max) ctx.p.add(`${at}/options`, `must be less than ${rule.max + 1} items (got ${options.length})`);
  options.forEach((o, i) => checkOption(o, `${at}/options/${i}`, ctx, rule.plainOnly));
}

function checkOption(o: unknown, at: string, ctx: Ctx, plainOnly: boolean): void {
  if (!isRecord(o)) return ctx.p.add(at, 'must be an object');
  text(o['text'], `${at}/text`, ctx, { plainOnly, max: BLOCK_LIMITS.optionText, required: true });
  maxString(o['value'], `${at}/value`, BLOCK_LIMITS.optionValue, ctx.p, true);
  text(o['description'], `${at}/description`, ctx, { plainOnly, max: BLOCK_LIMITS.optionText });
}

function placeholder(el: JsonObject, at: string, ctx: Ctx): void {
  text(el['placeholder'], `${at}/placeholder`, ctx, { plainOnly: true, max: BLOCK_LIMITS.placeholder });
}

// ---------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------

interface TextRule {
  plainOnly?: boolean;
  max: number;
  required?: boolean;
}

/** A composition text object: `{ type: 'plain_text' | 'mrkdwn', text: non-empty string }`. */
function text(value: unknown, at: string, ctx: Ctx, rule: TextRule): void {
  if (value === undefined) {
    if (rule.required) ctx.p.add(at, 'missing required field');
    return;
  }
  if (!isRecord(value)) return ctx.p.add(at, 'must be a text object ({ type, text })');
  const type = value['type'];
  if (type === undefined) return ctx.p.add(`${at}/type`, 'missing required field: type');
  if (rule.plainOnly && type !== 'plain_text') return ctx.p.add(`${at}/type`, "must be 'plain_text'");
  if (type !== 'plain_text' && type !== 'mrkdwn') return ctx.p.add(`${at}/type`, "must be 'plain_text' or 'mrkdwn'");
  const t = value['text'];
  if (typeof t !== 'string') return ctx.p.add(`${at}/text`, 'missing required field: text');
  if (t.length === 0) return ctx.p.add(`${at}/text`, 'must be more than 0 characters');
  if (t.length > rule.max) ctx.p.add(`${at}/text`, `must be less than ${rule.max + 1} characters (got ${t.length})`);
}

function maxString(value: unknown, at: string, max: number, p: Problems, required = false): void {
  if (value === undefined) {
    if (required) p.add(at, 'missing required field');
    return;
  }
  if (typeof value !== 'string') return p.add(at, 'must be a string');
  if (value.length > max) p.add(at, `must be less than ${max + 1} characters (got ${value.length})`);
}

function checkUniqueId(value: unknown, at: string, seen: Set<string>, what: string, p: Problems): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0) return p.add(at, `${what} must be a non-empty string`);
  if (value.length > BLOCK_LIMITS.id) p.add(at, `must be less than ${BLOCK_LIMITS.id + 1} characters (got ${value.length})`);
  if (seen.has(value)) p.add(at, `duplicate ${what} '${value}'`);
  seen.add(value);
}

function requireArray(b: JsonObject, key: string, at: string, ctx: Ctx): unknown[] | undefined {
  const value = b[key];
  if (!Array.isArray(value)) {
    ctx.p.add(`${at}/${key}`, value === undefined ? `missing required field: ${key}` : 'must be an array');
    return undefined;
  }
  if (value.length === 0) ctx.p.add(`${at}/${key}`, 'must be more than 0 items');
  return value;
}

// ---------------------------------------------------------------------------------------------
// Helpers for tests that inspect blocks
// ---------------------------------------------------------------------------------------------

/** Narrows validated JSON to blocks; call only after validateBlocks returned no problems. */
export function asBlocks(value: unknown): SlackBlock[] {
  if (!Array.isArray(value)) return [];
  return value.filter((b): b is SlackBlock => isRecord(b) && typeof b['type'] === 'string');
}

/** All human-visible text in blocks (text objects, labels, button texts…), newline-joined, for `toContain` assertions. */
export function blocksText(blocks: readonly unknown[] | undefined): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isRecord(node)) return;
    if ((node['type'] === 'plain_text' || node['type'] === 'mrkdwn') && typeof node['text'] === 'string') {
      out.push(node['text']);
      return;
    }
    if (node['type'] === 'text' && typeof node['text'] === 'string') out.push(node['text']); // rich_text leaf
    for (const [key, value] of Object.entries(node)) if (key !== 'type') walk(value);
  };
  walk(blocks ?? []);
  return out.join('\n');
}

/** Finds the element with `action_id` (in actions/input/section accessory) and the block holding it. */
export function findElement(blocks: readonly SlackBlock[], actionId: string): { block: SlackBlock; element: JsonObject } | undefined {
  for (const block of blocks) {
    for (const element of blockElements(block)) {
      if (element['action_id'] === actionId) return { block, element };
    }
  }
  return undefined;
}

function blockElements(block: SlackBlock): JsonObject[] {
  const candidates: unknown[] = [block['accessory'], block['element']];
  if (Array.isArray(block['elements'])) candidates.push(...block['elements']);
  return candidates.filter(isRecord);
}
