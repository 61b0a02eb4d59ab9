import { describe, expect, it } from 'vitest';
import {
  blockAction,
  clientErrors,
  fieldName,
  renderBlocks,
  renderConfirm,
  renderMessage,
  renderSuggestionOptions,
  renderView,
  stateFromFormValues,
  type RenderContext,
} from '../../sandbox/page/render/index.js';

/**
 * Block and element types the bot does not send today but Slack supports (so a future builder
 * renders too): hand-written Block Kit, each as Slack documents it.
 */

const ctx: RenderContext = {
  users: {
    U0REQUEST: { name: 'rita.requester' },
    U0APPROVE: { name: 'alex.approver' },
    U0OPS: { name: 'omar.ops', avatarUrl: 'https://avatars.example/omar.png' },
  },
  channels: { C0DEPLOYS: 'ml-deploys', C0GENERAL: 'general' },
  files: { F0CHART: { id: 'F0CHART', name: 'metrics.png', title: 'Metrics', mimetype: 'image/png' } },
  fileUrl: (f) => `/sandbox/files/${f.id}`,
  timeZone: 'UTC',
  nowMs: Date.UTC(2026, 11, 3, 12, 0, 0),
  viewerId: 'U0APPROVE',
};

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const visibleText = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, ''));
function openTag(html: string, actionId: string): string {
  const found = [...html.matchAll(new RegExp(`<[a-z]+\\b[^>]*data-action-id="${actionId}"[^>]*>`, 'g'))].map((m) => m[0]);
  expect(found, actionId).toHaveLength(1);
  return found[0] ?? '';
}
function attr(tagHtml: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s>])`).exec(tagHtml);
  return m === null ? undefined : unescapeHtml(m[1] ?? '');
}
const opt = (text: string, value: string) => ({ text: { type: 'plain_text', text }, value });

describe('buttons, overflow menus and confirm dialogs', () => {
  const confirm = {
    title: { type: 'plain_text', text: 'Drop the service?' },
    text: { type: 'mrkdwn', text: 'This deletes `IRIS_SVC` *for good*.' },
    confirm: { type: 'plain_text', text: 'Drop it' },
    deny: { type: 'plain_text', text: 'Keep it' },
    style: 'danger',
  };
  const blocks = [
    {
      type: 'actions',
      block_id: 'ops',
      elements: [
        {
          type: 'button',
          action_id: 'drop',
          text: { type: 'plain_text', text: 'Drop' },
          value: 'ML_DB.SERVING.IRIS_SVC',
          style: 'danger',
          confirm,
        },
        { type: 'button', action_id: 'docs', text: { type: 'plain_text', text: 'Docs :book:' }, url: 'https://docs.snowflake.com/x' },
        {
          type: 'overflow',
          action_id: 'more',
          options: [opt('Logs', 'logs'), { ...opt('Open in Snowsight', 'snowsight'), url: 'https://app.snowflake.com' }],
        },
      ],
    },
  ];
  const html = renderBlocks(blocks, ctx);

  it('when a button has a confirm dialog, then it carries the dialog as JSON and the dialog renders its title, text and buttons', () => {
    const drop = openTag(html, 'drop');
    expect(JSON.parse(attr(drop, 'data-confirm') ?? '')).toEqual(confirm);
    const dialog = renderConfirm(JSON.parse(attr(drop, 'data-confirm') ?? ''), ctx);
    expect(dialog).toContain('<div class="sk-confirm-title">Drop the service?</div>');
    expect(dialog).toContain('This deletes <code class="sk-code">IRIS_SVC</code> <b>for good</b>.');
    expect(dialog).toContain('<button type="button" class="sk-btn sk-btn-danger" data-confirm-action="confirm">Drop it</button>');
    expect(dialog).toContain('data-confirm-action="deny">Keep it</button>');
    expect(renderConfirm({ text: { type: 'plain_text', text: 'Sure?' } }, ctx)).toContain(
      'class="sk-btn sk-btn-primary" data-confirm-action="confirm">Yes</button>',
    );
  });

  it('when a button has a url, then it carries it and the action reports it', () => {
    expect(attr(openTag(html, 'docs'), 'data-url')).toBe('https://docs.snowflake.com/x');
    expect(blockAction(blocks, 'ops', 'docs', { actionTs: '1.1' })).toEqual({
      type: 'button',
      block_id: 'ops',
      action_id: 'docs',
      action_ts: '1.1',
      text: { type: 'plain_text', text: 'Docs :book:' },
      url: 'https://docs.snowflake.com/x',
    });
  });

  it('when an overflow option is picked, then the action carries that option', () => {
    const more = openTag(html, 'more');
    expect(attr(more, 'data-type')).toBe('overflow');
    expect(html).toContain('<option value="snowsight" data-url="https://app.snowflake.com">Open in Snowsight</option>');
    expect(blockAction(blocks, 'ops', 'more', { actionTs: '1.2', selectedValue: 'logs' })).toEqual({
      type: 'overflow',
      block_id: 'ops',
      action_id: 'more',
      action_ts: '1.2',
      selected_option: opt('Logs', 'logs'),
    });
    expect(blockAction(blocks, 'ops', 'more', { actionTs: '1.2', selectedValue: 'nope' })).toBeNull();
    expect(blockAction(blocks, 'ops', 'missing', { actionTs: '1.2' })).toBeNull();
  });
});

describe('selects of every kind, in a modal, read back as Slack state', () => {
  const view = {
    type: 'modal',
    id: 'V0DEMO',
    callback_id: 'all.selects',
    title: { type: 'plain_text', text: 'Selects' },
    submit: { type: 'plain_text', text: 'Save' },
    notify_on_close: true,
    blocks: [
      {
        type: 'input',
        block_id: 'multi',
        label: { type: 'plain_text', text: 'Families' },
        element: {
          type: 'multi_static_select',
          action_id: 'm',
          max_selected_items: 2,
          option_groups: [
            { label: { type: 'plain_text', text: 'CPU' }, options: [opt('XS', 'CPU_X64_XS'), opt('S', 'CPU_X64_S')] },
            { label: { type: 'plain_text', text: 'GPU' }, options: [opt('NV S', 'GPU_NV_S')] },
          ],
          initial_options: [opt('S', 'CPU_X64_S')],
        },
      },
      {
        type: 'input',
        block_id: 'mext',
        optional: true,
        label: { type: 'plain_text', text: 'Models' },
        element: { type: 'multi_external_select', action_id: 'me', min_query_length: 1, initial_options: [opt('IRIS', 'IRIS')] },
      },
      {
        type: 'input',
        block_id: 'user',
        label: { type: 'plain_text', text: 'Approver' },
        element: { type: 'users_select', action_id: 'u', initial_user: 'U0APPROVE' },
      },
      {
        type: 'input',
        block_id: 'users',
        optional: true,
        label: { type: 'plain_text', text: 'Watchers' },
        element: { type: 'multi_users_select', action_id: 'us', initial_users: ['U0OPS'] },
      },
      {
        type: 'input',
        block_id: 'conv',
        label: { type: 'plain_text', text: 'Post to' },
        element: { type: 'conversations_select', action_id: 'c' },
      },
      {
        type: 'input',
        block_id: 'convs',
        optional: true,
        label: { type: 'plain_text', text: 'Also' },
        element: { type: 'multi_conversations_select', action_id: 'cs' },
      },
      {
        type: 'input',
        block_id: 'chan',
        optional: true,
        label: { type: 'plain_text', text: 'Channel' },
        element: { type: 'channels_select', action_id: 'ch', initial_channel: 'C0DEPLOYS' },
      },
      {
        type: 'input',
        block_id: 'chans',
        optional: true,
        label: { type: 'plain_text', text: 'Channels' },
        element: { type: 'multi_channels_select', action_id: 'chs' },
      },
    ],
  };
  const html = renderView(view, ctx, { stackIndex: 1 });

  it('when rendered, then each select lists its options and marks its initial choices', () => {
    expect(html).toContain('data-view-id="V0DEMO" data-callback-id="all.selects" data-stack-index="1" data-notify-on-close="true"');
    const multi = openTag(html, 'm');
    expect(attr(multi, 'multiple')).toBe('');
    expect(attr(multi, 'data-max-selected-items')).toBe('2');
    expect(html).toContain(
      '<optgroup label="CPU"><option value="CPU_X64_XS">XS</option><option value="CPU_X64_S" selected>S</option></optgroup>',
    );
    expect(attr(openTag(html, 'me'), 'data-min-query-length')).toBe('1');
    expect(html).toContain(`<option value="${JSON.stringify(opt('IRIS', 'IRIS')).replace(/"/g, '&quot;')}" selected>IRIS</option>`);
    expect(html).toContain('<option value="U0APPROVE" selected>@alex.approver</option>');
    expect(html).toContain('<option value="C0DEPLOYS" selected>#ml-deploys</option>');
    expect(attr(openTag(html, 'c'), 'data-entity')).toBe('conversations');
  });

  it('when values are picked, then state.values has selected_options, selected_user(s), selected_conversation(s) and selected_channel(s)', () => {
    const entries: [string, string][] = [
      [fieldName('multi', 'm'), 'CPU_X64_XS'],
      [fieldName('multi', 'm'), 'GPU_NV_S'],
      [fieldName('mext', 'me'), JSON.stringify(opt('IRIS', 'IRIS'))],
      [fieldName('mext', 'me'), JSON.stringify(opt('WINE', 'WINE'))],
      [fieldName('user', 'u'), 'U0APPROVE'],
      [fieldName('users', 'us'), 'U0OPS'],
      [fieldName('users', 'us'), 'U0REQUEST'],
      [fieldName('conv', 'c'), 'C0GENERAL'],
      [fieldName('convs', 'cs'), 'C0DEPLOYS'],
      [fieldName('chan', 'ch'), 'C0DEPLOYS'],
      ['not ours', 'x'],
    ];
    expect(stateFromFormValues(view, entries)).toEqual({
      multi: { m: { type: 'multi_static_select', selected_options: [opt('XS', 'CPU_X64_XS'), opt('NV S', 'GPU_NV_S')] } },
      mext: { me: { type: 'multi_external_select', selected_options: [opt('IRIS', 'IRIS'), opt('WINE', 'WINE')] } },
      user: { u: { type: 'users_select', selected_user: 'U0APPROVE' } },
      users: { us: { type: 'multi_users_select', selected_users: ['U0OPS', 'U0REQUEST'] } },
      conv: { c: { type: 'conversations_select', selected_conversation: 'C0GENERAL' } },
      convs: { cs: { type: 'multi_conversations_select', selected_conversations: ['C0DEPLOYS'] } },
      chan: { ch: { type: 'channels_select', selected_channel: 'C0DEPLOYS' } },
      chans: { chs: { type: 'multi_channels_select', selected_channels: [] } },
    });
    expect(clientErrors(view, entries)).toEqual({});
    expect(clientErrors(view, [])).toEqual({
      multi: 'Please complete this required field.',
      user: 'Please complete this required field.',
      conv: 'Please complete this required field.',
    });
  });

  it('when a block_suggestion answer arrives, then its options (and groups) become <option>s whose values read back as those options', () => {
    const answer = { option_groups: [{ label: { type: 'plain_text', text: 'Recent' }, options: [opt('IRIS :rocket:', 'IRIS')] }] };
    const inner = renderSuggestionOptions(answer, ctx, 'IRIS');
    expect(inner).toMatch(/^<optgroup label="Recent"><option value="[^"]+" selected>IRIS 🚀<\/option><\/optgroup>$/);
    const value = unescapeHtml(/value="([^"]+)"/.exec(inner)?.[1] ?? '');
    expect(stateFromFormValues(view, [[fieldName('mext', 'me'), value]])['mext']).toEqual({
      me: { type: 'multi_external_select', selected_options: [opt('IRIS :rocket:', 'IRIS')] },
    });
    expect(renderSuggestionOptions({ options: [opt('<b>', 'x')] }, ctx)).toContain('>&lt;b&gt;</option>');
  });
});

describe('text, number, date, time and file inputs', () => {
  const view = {
    type: 'modal',
    title: { type: 'plain_text', text: 'Inputs' },
    submit: { type: 'plain_text', text: 'Save' },
    blocks: [
      {
        type: 'input',
        block_id: 'q',
        dispatch_action: true,
        label: { type: 'plain_text', text: 'Search' },
        element: {
          type: 'plain_text_input',
          action_id: 'q',
          placeholder: { type: 'plain_text', text: 'Type…' },
          min_length: 2,
          dispatch_action_config: { trigger_actions_on: ['on_character_entered'] },
        },
      },
      {
        type: 'input',
        block_id: 'mail',
        optional: true,
        label: { type: 'plain_text', text: 'Email' },
        element: { type: 'email_text_input', action_id: 'e' },
      },
      {
        type: 'input',
        block_id: 'site',
        optional: true,
        label: { type: 'plain_text', text: 'URL' },
        element: { type: 'url_text_input', action_id: 'w' },
      },
      {
        type: 'input',
        block_id: 'ratio',
        optional: true,
        label: { type: 'plain_text', text: 'Ratio' },
        element: {
          type: 'number_input',
          action_id: 'r',
          is_decimal_allowed: true,
          min_value: '0.5',
          max_value: '2.5',
          initial_value: '1.5',
        },
      },
      {
        type: 'input',
        block_id: 'day',
        label: { type: 'plain_text', text: 'Day' },
        element: { type: 'datepicker', action_id: 'd', initial_date: '2026-12-24' },
      },
      {
        type: 'input',
        block_id: 'at',
        optional: true,
        label: { type: 'plain_text', text: 'At' },
        element: { type: 'timepicker', action_id: 't', initial_time: '09:30', timezone: 'Europe/Zurich' },
      },
      {
        type: 'input',
        block_id: 'when',
        optional: true,
        label: { type: 'plain_text', text: 'When' },
        element: { type: 'datetimepicker', action_id: 'dt', initial_date_time: 1767000000 },
      },
      {
        type: 'input',
        block_id: 'note',
        optional: true,
        label: { type: 'plain_text', text: 'Note' },
        element: { type: 'rich_text_input', action_id: 'n' },
      },
      {
        type: 'input',
        block_id: 'upload',
        optional: true,
        label: { type: 'plain_text', text: 'File' },
        element: { type: 'file_input', action_id: 'f', filetypes: ['csv', 'json'], max_files: 1 },
      },
      {
        type: 'actions',
        elements: [
          { type: 'datepicker', action_id: 'inline_day' },
          { type: 'checkboxes', options: [{ ...opt('On', 'on'), description: { type: 'mrkdwn', text: '*really* on' } }] },
        ],
      },
    ],
  };
  const html = renderView(view, ctx);

  it('when rendered, then each input has its HTML type, limits, initial value and dispatch triggers', () => {
    const q = openTag(html, 'q');
    expect([attr(q, 'type'), attr(q, 'placeholder'), attr(q, 'minlength'), attr(q, 'data-dispatch'), attr(q, 'data-dispatch-on')]).toEqual([
      'text',
      'Type…',
      '2',
      'true',
      'on_character_entered',
    ]);
    expect(attr(openTag(html, 'e'), 'type')).toBe('email');
    expect(attr(openTag(html, 'w'), 'type')).toBe('url');
    const r = openTag(html, 'r');
    expect([attr(r, 'step'), attr(r, 'min'), attr(r, 'max'), attr(r, 'value'), attr(r, 'inputmode')]).toEqual([
      'any',
      '0.5',
      '2.5',
      '1.5',
      'decimal',
    ]);
    expect([attr(openTag(html, 'd'), 'type'), attr(openTag(html, 'd'), 'value')]).toEqual(['date', '2026-12-24']);
    expect([attr(openTag(html, 't'), 'type'), attr(openTag(html, 't'), 'value'), attr(openTag(html, 't'), 'data-timezone')]).toEqual([
      'time',
      '09:30',
      'Europe/Zurich',
    ]);
    expect([attr(openTag(html, 'dt'), 'type'), attr(openTag(html, 'dt'), 'value')]).toEqual(['datetime-local', '2025-12-29T09:20']);
    expect(openTag(html, 'n').startsWith('<textarea')).toBe(true);
    expect([attr(openTag(html, 'f'), 'accept'), attr(openTag(html, 'f'), 'multiple')]).toEqual(['.csv,.json', undefined]);
    // Elements without ids get the stand-ins state.values uses too.
    expect(attr(openTag(html, 'sk-b9-a1'), 'data-block-id')).toBe('sk-b9');
    expect(attr(openTag(html, 'inline_day'), 'data-block-id')).toBe('sk-b9');
    expect(html).toContain('<span class="sk-choice-desc"><b>really</b> on</span>');
  });

  it('when values are typed, then state.values has value, selected_date, selected_time (with its zone), selected_date_time, rich_text_value and files', () => {
    const state = stateFromFormValues(view, [
      [fieldName('q', 'q'), 'iris'],
      [fieldName('mail', 'e'), 'ops@example.com'],
      [fieldName('ratio', 'r'), '2'],
      [fieldName('day', 'd'), '2026-12-31'],
      [fieldName('at', 't'), '17:45'],
      [fieldName('when', 'dt'), '2025-12-29T09:20'],
      [fieldName('note', 'n'), 'hello'],
      [fieldName('sk-b9', 'sk-b9-a1'), 'on'],
    ]);
    expect(state).toEqual({
      q: { q: { type: 'plain_text_input', value: 'iris' } },
      mail: { e: { type: 'email_text_input', value: 'ops@example.com' } },
      site: { w: { type: 'url_text_input', value: null } },
      ratio: { r: { type: 'number_input', value: '2' } },
      day: { d: { type: 'datepicker', selected_date: '2026-12-31' } },
      at: { t: { type: 'timepicker', selected_time: '17:45', timezone: 'Europe/Zurich' } },
      when: { dt: { type: 'datetimepicker', selected_date_time: 1767000000 } },
      note: {
        n: {
          type: 'rich_text_input',
          rich_text_value: { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hello' }] }] },
        },
      },
      upload: { f: { type: 'file_input', files: [] } },
      'sk-b9': {
        inline_day: { type: 'datepicker', selected_date: null },
        'sk-b9-a1': {
          type: 'checkboxes',
          selected_options: [{ ...opt('On', 'on'), description: { type: 'mrkdwn', text: '*really* on' } }],
        },
      },
    });
    // A datetime typed in another zone is that zone's wall time.
    const zurich = stateFromFormValues(view, [[fieldName('when', 'dt'), '2025-12-29T10:20']], { timeZone: 'Europe/Zurich' });
    expect(zurich['when']).toEqual({ dt: { type: 'datetimepicker', selected_date_time: 1767000000 } });
  });

  it('when values break the element limits, then the client refuses them on the right field', () => {
    expect(
      clientErrors(view, [
        [fieldName('q', 'q'), 'x'],
        [fieldName('mail', 'e'), 'not-mail'],
        [fieldName('site', 'w'), 'ftp:x'],
        [fieldName('ratio', 'r'), '3'],
        [fieldName('day', 'd'), '2026-01-01'],
      ]),
    ).toEqual({
      q: 'Please enter at least 2 characters.',
      mail: 'Please enter a valid email address.',
      site: 'Please enter a valid URL.',
      ratio: 'Please enter a number of at most 2.5.',
    });
    // The sandbox cannot upload, so a required file input does not hold the form back.
    expect(
      clientErrors(
        {
          type: 'modal',
          blocks: [
            { type: 'input', block_id: 'f', label: { type: 'plain_text', text: 'File' }, element: { type: 'file_input', action_id: 'f' } },
          ],
        },
        [],
      ),
    ).toEqual({});
  });

  it('when a dispatching text input fires, then the action carries its value', () => {
    expect(blockAction(view, 'q', 'q', { actionTs: '3.3', entries: [[fieldName('q', 'q'), 'ir']] })).toEqual({
      type: 'plain_text_input',
      block_id: 'q',
      action_id: 'q',
      action_ts: '3.3',
      value: 'ir',
      placeholder: { type: 'plain_text', text: 'Type…' },
    });
  });
});

describe('images, files, rich text and the newer blocks', () => {
  it('when image blocks, accessories and context images are rendered, then each shows its image with alt text; a slack_file uses the page URL', () => {
    const html = renderBlocks(
      [
        {
          type: 'image',
          title: { type: 'plain_text', text: 'Memory' },
          image_url: 'https://charts.example/m.png',
          alt_text: 'memory chart',
        },
        { type: 'image', slack_file: { id: 'F0CHART' }, alt_text: 'chart' },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'x' },
          accessory: { type: 'image', image_url: 'https://img.example/a.png', alt_text: 'thumb' },
        },
        {
          type: 'context',
          elements: [
            { type: 'image', image_url: 'https://img.example/i.png', alt_text: 'icon' },
            { type: 'plain_text', text: 'by :robot_face:' },
          ],
        },
      ],
      ctx,
    );
    expect(html).toContain(
      '<div class="sk-image-title">Memory</div><img class="sk-image" src="https://charts.example/m.png" alt="memory chart" title="memory chart" loading="lazy">',
    );
    expect(html).toContain('<img class="sk-image" src="/sandbox/files/F0CHART" alt="chart"');
    expect(html).toContain('<div class="sk-accessory"><img class="sk-accessory-img" src="https://img.example/a.png"');
    expect(html).toContain('<img class="sk-context-img" src="https://img.example/i.png" alt="icon"');
    expect(visibleText(html)).toContain('by 🤖');
  });

  it('when a rich_text block is rendered, then styles, links, mentions, emoji, lists, code and quotes come out as Slack shows them', () => {
    const html = renderBlocks(
      [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'Deployed ', style: { bold: true } },
                { type: 'text', text: 'IRIS', style: { code: true } },
                { type: 'text', text: ' by ' },
                { type: 'user', user_id: 'U0OPS' },
                { type: 'text', text: ' in ' },
                { type: 'channel', channel_id: 'C0DEPLOYS' },
                { type: 'text', text: ' ' },
                { type: 'emoji', name: 'rocket' },
                { type: 'emoji', name: 'custom_thing', unicode: '1f600' },
                { type: 'text', text: ' ' },
                { type: 'link', url: 'https://docs.example', text: 'docs', style: { italic: true } },
                { type: 'text', text: ' ' },
                { type: 'broadcast', range: 'here' },
                { type: 'text', text: ' <b>&', style: { strike: true } },
                { type: 'date', timestamp: 1700000000, format: '{date_short}' },
                { type: 'date', timestamp: 1700000000, format: '{time}', timezone: 'Asia/Tokyo', url: 'https://status.example' },
              ],
            },
            {
              type: 'rich_text_list',
              style: 'bullet',
              indent: 1,
              elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }],
            },
            {
              type: 'rich_text_list',
              style: 'ordered',
              offset: 2,
              elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'three' }] }],
            },
            { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'SELECT 1;\nSELECT 2;' }] },
            { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
          ],
        },
      ],
      ctx,
    );
    expect(html).toContain(
      '<b>Deployed </b><code class="sk-code">IRIS</code> by <span class="sk-mention" data-user-id="U0OPS">@omar.ops</span> in <span class="sk-channel" data-channel-id="C0DEPLOYS">#ml-deploys</span>',
    );
    expect(html).toContain('🚀</span><span class="sk-emoji" title=":custom_thing:">😀</span>');
    expect(html).toContain('<i><a class="sk-link" href="https://docs.example" target="_blank" rel="noopener noreferrer">docs</a></i>');
    expect(html).toContain(
      'data-broadcast="here">@here</span><s> &lt;b&gt;&amp;</s><time class="sk-date">Nov 14, 2023</time><a class="sk-link" href="https://status.example" target="_blank" rel="noopener noreferrer"><time class="sk-date">7:13 AM</time></a>',
    );
    expect(html).toContain('<ul class="sk-rt-list sk-rt-indent-1" data-style="bullet"><li>one</li></ul>');
    expect(html).toContain('<ol class="sk-rt-list sk-rt-indent-0" start="3" data-style="ordered"><li>three</li></ol>');
    expect(html).toContain('<pre class="sk-pre">SELECT 1;<br>SELECT 2;</pre>');
    expect(html).toContain('<blockquote class="sk-quote">quoted</blockquote>');
    expect(html).not.toContain('sk-unsupported');
  });

  it('when file, markdown, video, table and context_actions blocks are rendered, then none is unsupported and their content shows', () => {
    const html = renderBlocks(
      [
        { type: 'file', external_id: 'F0CHART', source: 'remote' },
        { type: 'markdown', text: '# Title\n**bold** and [link](https://x.example?a=1&b=2) and `code`\n- item' },
        {
          type: 'video',
          title: { type: 'plain_text', text: 'Demo' },
          title_url: 'https://video.example/1',
          video_url: 'https://video.example/embed/1',
          thumbnail_url: 'https://video.example/1.jpg',
          alt_text: 'demo video',
        },
        {
          type: 'table',
          rows: [
            [
              { type: 'raw_text', text: 'Pool' },
              { type: 'raw_text', text: 'State' },
            ],
            [
              { type: 'raw_text', text: 'CPU_XS' },
              {
                type: 'rich_text',
                elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'ACTIVE', style: { bold: true } }] }],
              },
            ],
          ],
        },
        {
          type: 'context_actions',
          elements: [
            {
              type: 'feedback_buttons',
              action_id: 'fb',
              positive_button: { text: { type: 'plain_text', text: 'Good' }, value: 'up' },
              negative_button: { text: { type: 'plain_text', text: 'Bad' }, value: 'down' },
            },
          ],
        },
      ],
      ctx,
    );
    expect(html).not.toContain('sk-unsupported');
    expect(html).toContain('<span class="sk-file-name">Metrics</span>');
    expect(html).toContain('<b>Title</b><br><b>bold</b> and <a class="sk-link" href="https://x.example?a=1&amp;b=2"');
    expect(html).toContain('• item');
    expect(html).toContain('<a class="sk-link sk-video-title" href="https://video.example/1"');
    expect(html).toContain(
      '<tr><th>Pool</th><th>State</th></tr><tr><td>CPU_XS</td><td><div class="sk-rt-section"><b>ACTIVE</b></div></td></tr>',
    );
    expect(html).toContain('data-value="up">Good</button>');
  });
});

describe('views and messages', () => {
  it('when an App Home view is rendered, then it has no modal chrome but a form for its inputs', () => {
    const html = renderView({ type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Home' } }] }, ctx);
    expect(
      html.startsWith('<div class="sk-view sk-home" data-view-type="home"><form class="sk-view-form" data-view-form novalidate>'),
    ).toBe(true);
    expect(html).not.toContain('sk-modal-footer');
  });

  it('when a message has no blocks, then its text is the body with mrkdwn converted', () => {
    const html = renderMessage({ ts: '1764763200.000100', user: 'U0OPS', text: 'Deploy *done* for <@U0REQUEST>' }, ctx);
    expect(html).toContain(
      '<div class="sk-mrkdwn sk-message-text">Deploy <b>done</b> for <span class="sk-mention" data-user-id="U0REQUEST">@rita.requester</span></div>',
    );
    expect(html).toContain('<span class="sk-author">omar.ops</span><time class="sk-time" datetime="2025-12-03T12:00:00.000Z"');
    expect(html).toContain('<img src="https://avatars.example/omar.png" alt="">');
    expect(html).not.toContain('sk-app-badge');
    expect(renderMessage({ text: '*x*', mrkdwn: false }, ctx)).toContain('sk-message-text">*x*</div>');
    expect(renderBlocks([{ type: 'section', text: { type: 'plain_text', text: 'two\nlines :x:', emoji: false } }], ctx)).toContain(
      'two<br>lines :x:</div>',
    );
  });

  it("when a message was edited, has reactions, files and replies, then each shows; the viewer's own reaction is highlighted", () => {
    const html = renderMessage(
      {
        ts: '1764763200.000100',
        bot_id: 'B0SPCS',
        username: 'spcs',
        text: 'Metrics',
        edited: { user: 'B0SPCS', ts: '1764763300.000000' },
        reply_count: 1,
        reactions: [
          { name: 'eyes', count: 2, users: ['U0APPROVE', 'U0OPS'] },
          { name: 'tada', count: 1, users: ['U0OPS'] },
        ],
        files: [
          { id: 'F0CHART', name: 'metrics.png', title: 'Metrics of IRIS_SVC', mimetype: 'image/png' },
          { id: 'F0LOG', name: 'logs.txt', mimetype: 'text/plain', size: 4096 },
        ],
      },
      ctx,
    );
    expect(html).toContain('<span class="sk-edited">(edited)</span>');
    expect(html).toContain(
      '<button type="button" class="sk-reaction sk-reacted" data-reaction="eyes" aria-pressed="true" title=":eyes:"><span class="sk-emoji">👀</span><span class="sk-reaction-count">2</span></button>',
    );
    expect(html).toContain('class="sk-reaction" data-reaction="tada" aria-pressed="false"');
    expect(html).toContain(
      '<figure class="sk-file sk-file-image" data-file-id="F0CHART"><div class="sk-file-title">Metrics of IRIS_SVC</div><img class="sk-file-img" src="/sandbox/files/F0CHART" alt="Metrics of IRIS_SVC"></figure>',
    );
    expect(html).toContain('<a class="sk-link" href="/sandbox/files/F0LOG"');
    expect(html).toContain('<span class="sk-file-size">4 KB</span>');
    expect(html).toContain('>1 reply</button>');
    expect(renderMessage({ ts: '1.0', reply_count: 4, text: 'x' }, ctx, { inThread: true })).not.toContain('sk-thread-link');
  });

  it('when a message is ephemeral, then it says "Only visible to you"; attachments show with their colour bar', () => {
    const html = renderMessage({ ts: '1.0', text: 'x', attachments: [{ color: 'danger', title: 'Failed', text: '*OOM*' }] }, ctx, {
      ephemeral: true,
    });
    expect(html).toContain('<div class="sk-message sk-ephemeral"');
    expect(visibleText(html)).toContain('Only visible to you');
    expect(html).toContain(
      '<div class="sk-attachment" style="border-left-color:#e01e5a"><div class="sk-attachment-title">Failed</div><b>OOM</b></div>',
    );
  });
});
