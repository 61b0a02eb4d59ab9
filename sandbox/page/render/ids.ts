import { arr, isRecord, rec, str, type JsonRecord } from './json.js';

/**
 * Where each interactive element sits: its block_id and action_id. Slack fills in ids the app
 * left out with generated ones; the renderer does the same with stable ones (`sk-b3`,
 * `sk-b3-a1`), so the HTML and `state.values` built from the same view agree.
 */

export const fallbackBlockId = (blockIndex: number) => `sk-b${blockIndex}`;
export const fallbackActionId = (blockIndex: number, elementIndex: number) => `sk-b${blockIndex}-a${elementIndex}`;

export const blockIdOf = (block: unknown, blockIndex: number): string => str(block, 'block_id') ?? fallbackBlockId(blockIndex);
export const actionIdOf = (element: unknown, blockIndex: number, elementIndex: number): string =>
  str(element, 'action_id') ?? fallbackActionId(blockIndex, elementIndex);

/** Element types whose value Slack reports in `state.values`. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'rich_text_input',
  'file_input',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'radio_buttons',
  'checkboxes',
  'datepicker',
  'timepicker',
  'datetimepicker',
]);

export interface ElementRef {
  readonly element: JsonRecord;
  readonly type: string;
  readonly block: JsonRecord;
  readonly blockType: string;
  readonly blockId: string;
  readonly actionId: string;
}

/** The blocks of a view (`{ blocks }`) or a bare blocks array. */
export function blocksOf(source: unknown): readonly unknown[] {
  if (Array.isArray(source)) return source;
  return arr(source, 'blocks');
}

/** Every element a person can act on: input elements, actions elements, section accessories. */
export function interactiveElements(source: unknown): ElementRef[] {
  const refs: ElementRef[] = [];
  blocksOf(source).forEach((block, b) => {
    if (!isRecord(block)) return;
    const blockType = str(block, 'type') ?? '';
    const blockId = blockIdOf(block, b);
    const add = (element: unknown, e: number) => {
      if (!isRecord(element)) return;
      refs.push({ element, type: str(element, 'type') ?? '', block, blockType, blockId, actionId: actionIdOf(element, b, e) });
    };
    if (blockType === 'input') add(rec(block, 'element'), 0);
    else if (blockType === 'actions') arr(block, 'elements').forEach(add);
    else if (blockType === 'section') add(rec(block, 'accessory'), 0);
  });
  return refs;
}

export function findElement(source: unknown, blockId: string, actionId: string): ElementRef | undefined {
  return interactiveElements(source).find((r) => r.blockId === blockId && r.actionId === actionId);
}

/** The form field name of a stateful element: FormData entries map back to block_id and action_id. */
export const fieldName = (blockId: string, actionId: string): string => JSON.stringify([blockId, actionId]);

export function parseFieldName(name: string): { blockId: string; actionId: string } | null {
  try {
    const parsed: unknown = JSON.parse(name);
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { blockId: parsed[0], actionId: parsed[1] };
    }
  } catch {
    // Not one of ours.
  }
  return null;
}
