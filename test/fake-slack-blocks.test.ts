/**
 * The fake's Block Kit rules, one limit per case, so a drift from slack-platform.md §1 shows up by name.
 */
import { describe, expect, it } from 'vitest';
import { blocksText, findElement, validateBlocks, validateView } from './support/fake-slack.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const button = (overrides: object = {}) => ({ type: 'button', action_id: 'go', text: plain('Go'), ...overrides });
const actions = (elements: object[], blockId?: string) => ({ type: 'actions', elements, ...(blockId ? { block_id: blockId } : {}) });
const option = (i: number) => ({ text: plain(`o${i}`), value: `v${i}` });
const select = (n: number) => ({ type: 'static_select', action_id: 's', options: Array.from({ length: n }, (_, i) => option(i)) });

describe('validateBlocks (message)', () => {
  const cases: [string, unknown[], string][] = [
    ['51 blocks', Array.from({ length: 51 }, () => section('x')), 'must be less than 51 items (got 51) [json-pointer:/blocks]'],
    ['section text over 3000', [section('x'.repeat(3001))], '[json-pointer:/blocks/0/text/text]'],
    [
      '11 section fields',
      [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }],
      'must be less than 11 items (got 11) [json-pointer:/blocks/0/fields]',
    ],
    ['section field over 2000', [{ type: 'section', fields: [mrkdwn('x'.repeat(2001))] }], '[json-pointer:/blocks/0/fields/0/text]'],
    ['section with neither text nor fields', [{ type: 'section' }], 'must provide either text or fields'],
    [
      'header over 150',
      [{ type: 'header', text: plain('x'.repeat(151)) }],
      'must be less than 151 characters (got 151) [json-pointer:/blocks/0/text/text]',
    ],
    ['mrkdwn header', [{ type: 'header', text: mrkdwn('x') }], "must be 'plain_text' [json-pointer:/blocks/0/text/type]"],
    [
      '26 actions elements',
      [actions(Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` })))],
      'must be less than 26 items (got 26) [json-pointer:/blocks/0/elements]',
    ],
    ['button text over 75', [actions([button({ text: plain('x'.repeat(76)) })])], '[json-pointer:/blocks/0/elements/0/text/text]'],
    ['button value over 2000', [actions([button({ value: 'x'.repeat(2001) })])], '[json-pointer:/blocks/0/elements/0/value]'],
    ['button style', [actions([button({ style: 'green' })])], "must be 'primary' or 'danger'"],
    ['block_id over 255', [{ ...section('x'), block_id: 'b'.repeat(256) }], '[json-pointer:/blocks/0/block_id]'],
    [
      'duplicate block_id',
      [
        { ...section('x'), block_id: 'a' },
        { ...section('y'), block_id: 'a' },
      ],
      "duplicate block_id 'a' [json-pointer:/blocks/1/block_id]",
    ],
    ['action_id over 255', [actions([button({ action_id: 'a'.repeat(256) })])], '[json-pointer:/blocks/0/elements/0/action_id]'],
    ['duplicate action_id in a block', [actions([button(), button()])], "duplicate action_id 'go'"],
    ['101 select options', [actions([select(101)])], 'must be less than 101 items (got 101) [json-pointer:/blocks/0/elements/0/options]'],
    [
      'text object without type',
      [{ type: 'section', text: { text: 'x' } }],
      'missing required field: type [json-pointer:/blocks/0/text/type]',
    ],
    ['empty text', [section('')], 'must be more than 0 characters [json-pointer:/blocks/0/text/text]'],
    [
      'input block in a message',
      [{ type: 'input', label: plain('L'), element: { type: 'plain_text_input', action_id: 'i' } }],
      'input blocks are only allowed in modals',
    ],
    ['unknown block type', [{ type: 'carousel' }], "unsupported block type 'carousel' [json-pointer:/blocks/0/type]"],
    ['unknown element type', [actions([{ type: 'slider', action_id: 'x' }])], "unsupported element type 'slider'"],
  ];

  it.each(cases)('rejects %s', (_name, blocks, expected) => {
    const problems = validateBlocks(blocks, 'message');
    expect(problems.join('\n')).toContain(expected);
  });

  it('accepts a realistic status message', () => {
    const blocks = [
      { type: 'header', text: plain('Deploying churn-model v3') },
      { type: 'section', fields: [mrkdwn('*Env*\nprod'), mrkdwn('*By*\n<@U1>')], accessory: button({ action_id: 'logs' }) },
      { type: 'context', elements: [mrkdwn('step 2/5'), { type: 'image', image_url: 'https://x/y.png', alt_text: 'spinner' }] },
      { type: 'divider' },
      actions([
        button({ action_id: 'approve', style: 'primary', value: 'd-1' }),
        button({ action_id: 'reject', style: 'danger' }),
        select(100),
      ]),
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'done' }] }] },
    ];
    expect(validateBlocks(blocks, 'message')).toEqual([]);
    expect(findElement(blocks, 'approve')?.element['value']).toBe('d-1');
    expect(blocksText(blocks)).toContain('step 2/5');
  });
});

describe('validateView', () => {
  const modal = (extra: object) => ({ type: 'modal', title: plain('Deploy'), blocks: [section('x')], ...extra });

  it('accepts inputs in a modal with a submit button', () => {
    const view = modal({
      submit: plain('Next'),
      blocks: [{ type: 'input', label: plain('Name'), element: { type: 'plain_text_input', action_id: 'n' } }],
    });
    expect(validateView(view)).toEqual([]);
  });

  const cases: [string, object, string][] = [
    ['101 blocks', modal({ blocks: Array.from({ length: 101 }, () => section('x')) }), '[json-pointer:/view/blocks]'],
    ['title over 24', modal({ title: plain('x'.repeat(25)) }), '[json-pointer:/view/title/text]'],
    ['missing title', { type: 'modal', blocks: [] }, 'missing required field [json-pointer:/view/title]'],
    ['submit over 24', modal({ submit: plain('x'.repeat(25)) }), '[json-pointer:/view/submit/text]'],
    ['close over 24', modal({ close: plain('x'.repeat(25)) }), '[json-pointer:/view/close/text]'],
    ['private_metadata over 3000', modal({ private_metadata: 'x'.repeat(3001) }), '[json-pointer:/view/private_metadata]'],
    ['callback_id over 255', modal({ callback_id: 'x'.repeat(256) }), '[json-pointer:/view/callback_id]'],
    [
      'inputs without submit',
      modal({ blocks: [{ type: 'input', label: plain('N'), element: { type: 'plain_text_input', action_id: 'n' } }] }),
      '[json-pointer:/view/submit]',
    ],
  ];

  it.each(cases)('rejects %s', (_name, view, expected) => {
    expect(validateView(view).join('\n')).toContain(expected);
  });
});
