import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, inlineCode } from '../../src/blocks/kit.js';
import {
  formatSlackDate,
  renderBlocks,
  renderMessage,
  renderMrkdwn,
  renderView,
  type RenderContext,
} from '../../sandbox/page/render/index.js';

const ctx: RenderContext = {
  users: { U0REQUEST: { name: 'rita.requester' }, U0EVIL: { name: '<img src=x onerror=alert(1)>' } },
  channels: { C0DEPLOYS: 'ml-deploys' },
  timeZone: 'UTC',
  nowMs: Date.UTC(2023, 10, 14, 23, 0, 0),
};
const md = (text: string, c: RenderContext = ctx) => renderMrkdwn(text, c);

const OWN_TAGS = [
  'b',
  'i',
  's',
  'u',
  'a',
  'code',
  'pre',
  'span',
  'time',
  'blockquote',
  'br',
  'div',
  'form',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'img',
  'figure',
  'input',
  'label',
  'hr',
  'ul',
  'ol',
  'li',
  'table',
  'tr',
  'th',
  'td',
];

/** Every tag is one the renderer writes, and its attributes are well-formed name="value" pairs with no event handlers. */
function expectOnlyOwnMarkup(html: string): void {
  for (const m of html.matchAll(/<([a-z]+)([^>]*)>/g)) {
    expect(OWN_TAGS).toContain(m[1]);
    const attrs = m[2] ?? '';
    expect(attrs, m[0]).toMatch(/^(\s[a-z-]+(="[^"<>]*")?)*$/);
    for (const name of attrs
      .replace(/="[^"]*"/g, '')
      .split(/\s+/)
      .filter(Boolean))
      expect(name, m[0]).not.toMatch(/^on/);
    expect(attrs).not.toMatch(/(href|src)="\s*(javascript|data:text|vbscript)/i);
  }
  expect(html).not.toMatch(/<script|<img(?![^>]*class="sk-)/i);
}

describe('mrkdwn formatting', () => {
  it.each([
    ['*bold*', '<b>bold</b>'],
    ['_italic_', '<i>italic</i>'],
    ['~strike~', '<s>strike</s>'],
    ['*bold _and italic_*', '<b>bold <i>and italic</i></b>'],
    ['a *b* c', 'a <b>b</b> c'],
    ['(*x*)', '(<b>x</b>)'],
    ['*x*.', '<b>x</b>.'],
    ['*Model:* v', '<b>Model:</b> v'],
  ])('when %s is rendered, then it is %s', (text, html) => {
    expect(md(text)).toBe(html);
  });

  it.each([
    ['snake_case_name', 'snake_case_name'],
    ['2 * 3 * 4', '2 * 3 * 4'],
    ['* not bold *', '* not bold *'],
    ['a*b*c', 'a*b*c'],
    ['**', '**'],
    ['*unclosed', '*unclosed'],
    ['x_', 'x_'],
  ])('when %s has markers inside words or next to spaces, then it stays literal', (text, html) => {
    expect(md(text)).toBe(html);
  });

  it('when text has inline code, then markers and entities inside it are literal and the code is escaped once', () => {
    expect(md('`*not bold* &lt;b&gt; <@U0REQUEST>`')).toBe('<code class="sk-code">*not bold* &lt;b&gt; &lt;@U0REQUEST&gt;</code>');
    expect(md('*`bold code`*')).toBe('<b><code class="sk-code">bold code</code></b>');
    expect(md(inlineCode('a`b<c>'))).toBe('<code class="sk-code">a&#39;b&lt;c&gt;</code>');
  });

  it('when text has a code block, then its lines and indentation are kept, nothing inside is formatted, and no blank line is added around it', () => {
    expect(md('Before\n```\n  *x* _y_\n<b>&amp;\n```\nAfter')).toBe('Before<pre class="sk-pre">  *x* _y_\n&lt;b&gt;&amp;</pre>After');
    expect(md('```one line```')).toBe('<pre class="sk-pre">one line</pre>');
  });

  it('when lines start with > or &gt;, then they are quotes; >>> quotes the rest', () => {
    expect(md('> quoted *b*\n&gt; second\nplain')).toBe('<blockquote class="sk-quote">quoted <b>b</b><br>second</blockquote>plain');
    expect(md('intro\n>>> all\nof this')).toBe('intro<blockquote class="sk-quote">all<br>of this</blockquote>');
    expect(md('a > b')).toBe('a &gt; b');
  });

  it('when text has line breaks, then they become <br>', () => {
    expect(md('one\ntwo\n\nfour')).toBe('one<br>two<br><br>four');
  });

  it('when text has known and unknown emoji, then known ones become characters and unknown stay as :code:', () => {
    expect(md(':white_check_mark: done :no_such_emoji:')).toBe(
      '<span class="sk-emoji" title=":white_check_mark:">✅</span> done :no_such_emoji:',
    );
    expect(md('at 12:30:45')).toBe('at 12:30:45');
    expect(md(':+1::skin-tone-3:')).toBe('<span class="sk-emoji" title=":+1::skin-tone-3:">👍</span>');
  });
});

describe('mrkdwn links, mentions and dates', () => {
  it('when a link has a label, then the label is formatted and the URL is the href; without a label the URL is shown', () => {
    expect(md('<https://example.com/a?x=1&amp;y=2|*Docs* here>')).toBe(
      '<a class="sk-link" href="https://example.com/a?x=1&amp;y=2" target="_blank" rel="noopener noreferrer"><b>Docs</b> here</a>',
    );
    expect(md('<https://example.com>')).toBe(
      '<a class="sk-link" href="https://example.com" target="_blank" rel="noopener noreferrer">https://example.com</a>',
    );
    expect(md('<mailto:ops@example.com|mail us>')).toContain('href="mailto:ops@example.com"');
  });

  it('when a bare URL is in the text, then it is linked without the punctuation after it, and underscores in it are not italics', () => {
    expect(md('See https://x.example/a_b_c/d. Next')).toBe(
      'See <a class="sk-link" href="https://x.example/a_b_c/d" target="_blank" rel="noopener noreferrer">https://x.example/a_b_c/d</a>. Next',
    );
  });

  it('when users and channels are mentioned, then names come from the context, or the label, or the id', () => {
    expect(md('<@U0REQUEST> <@U0NOBODY> <@U0NOBODY|pat>')).toBe(
      '<span class="sk-mention" data-user-id="U0REQUEST">@rita.requester</span> <span class="sk-mention" data-user-id="U0NOBODY">@U0NOBODY</span> <span class="sk-mention" data-user-id="U0NOBODY">@pat</span>',
    );
    expect(md('<#C0DEPLOYS> <#C0OTHER|general>')).toBe(
      '<span class="sk-channel" data-channel-id="C0DEPLOYS">#ml-deploys</span> <span class="sk-channel" data-channel-id="C0OTHER">#general</span>',
    );
  });

  it('when <!here>, <!channel>, <!everyone> or a user group is used, then they show as broadcasts', () => {
    expect(md('<!here> <!channel> <!everyone|everyone>')).toBe(
      '<span class="sk-mention sk-broadcast" data-broadcast="here">@here</span> <span class="sk-mention sk-broadcast" data-broadcast="channel">@channel</span> <span class="sk-mention sk-broadcast" data-broadcast="everyone">@everyone</span>',
    );
    expect(md('<!subteam^S0OPS|@ops>')).toBe('<span class="sk-mention sk-usergroup" data-usergroup-id="S0OPS">@ops</span>');
  });

  it('when a date is given, then each documented token formats in the context time zone', () => {
    const ts = 1700000000; // 2023-11-14T22:13:20Z, a Tuesday
    const f = (format: string, c: RenderContext = ctx) => formatSlackDate(ts, format, c);
    expect(f('{date_num}')).toBe('2023-11-14');
    expect(f('{date}')).toBe('November 14th, 2023');
    expect(f('{date_short}')).toBe('Nov 14, 2023');
    expect(f('{date_long}')).toBe('Tuesday, November 14th, 2023');
    expect(f('{time}')).toBe('10:13 PM');
    expect(f('{time_secs}')).toBe('10:13:20 PM');
    expect(f('{date_pretty}')).toBe('today');
    expect(f('{date_short_pretty}', { ...ctx, nowMs: Date.UTC(2023, 10, 15, 9) })).toBe('yesterday');
    expect(f('{date_long_pretty}', { ...ctx, nowMs: Date.UTC(2023, 10, 13, 9) })).toBe('tomorrow');
    expect(f('{date_pretty}', { ...ctx, nowMs: Date.UTC(2024, 0, 1) })).toBe('November 14th, 2023');
    expect(f('{ago}', { ...ctx, nowMs: (ts + 180) * 1000 })).toBe('3 minutes ago');
    expect(f('{date_short} {time}', { ...ctx, timeZone: 'Asia/Tokyo' })).toBe('Nov 15, 2023 7:13 AM');
    expect(f('{nonsense} at {time}')).toBe('{nonsense} at 10:13 PM');
    expect(f('{date_slash}')).toBe('14/11/2023');
    expect(f('{date_long_full}')).toBe('November 14, 2023');
    expect(f('{day_divider_pretty}')).toBe('today');
    expect(f('{day_divider_pretty}', { ...ctx, nowMs: Date.UTC(2023, 0, 1) })).toBe('Tuesday, November 14th');
    expect(f('{day_divider_pretty}', { ...ctx, nowMs: Date.UTC(2024, 5, 1) })).toBe('Tuesday, November 14th, 2023');
    expect(formatSlackDate(1700006400, '{date} {time}', ctx)).toBe('November 15th, 2023 12:00 AM');
    expect(formatSlackDate(1701475200, '{date}', ctx)).toBe('December 2nd, 2023');
    expect(formatSlackDate(1699660800, '{date}', ctx)).toBe('November 11th, 2023');
  });

  it('when a <!date^…> entity is rendered, then it shows the formatted date, links when asked, and falls back on a bad timestamp', () => {
    expect(md('<!date^1700000000^{date_short_pretty} at {time}|2023-11-14T22:13:20.000Z>')).toBe(
      '<time class="sk-date" datetime="2023-11-14T22:13:20.000Z" title="2023-11-14T22:13:20.000Z">today at 10:13 PM</time>',
    );
    expect(md('<!date^1700000000^{date_num}^https://example.com/log|x>')).toBe(
      '<a class="sk-link" href="https://example.com/log" target="_blank" rel="noopener noreferrer"><time class="sk-date" datetime="2023-11-14T22:13:20.000Z" title="x">2023-11-14</time></a>',
    );
    expect(md('<!date^soon^{date}|some time &lt;later&gt;>')).toBe('<span class="sk-date">some time &lt;later&gt;</span>');
  });
});

describe('escaping: nothing in a message can inject HTML', () => {
  const attacks = [
    '<script>alert(1)</script>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '<img src=x onerror=alert(1)>',
    '<javascript:alert(1)|click me>',
    '<JaVaScRiPt:alert(1)>',
    '<data:text/html;base64,PHNjcmlwdD4=|x>',
    '<https://ok.example" onmouseover="alert(1)|label>',
    '*<b onclick=alert(1)>*',
    '`</code><script>`',
    '```</pre><script>alert(1)</script>```',
    '"quoted" \'single\' & ampersand',
    '<@U0EVIL>',
    '<#C1|<b>x</b>>',
    '\uE0000\uE001 placeholder characters',
  ];

  it.each(attacks)('when %s is rendered, then no tag or attribute comes out of the text', (text) => {
    expectOnlyOwnMarkup(md(text));
  });

  it('when person-supplied text was escaped by the bot (escapeMrkdwn), then the page shows exactly that text', () => {
    const typed = 'Use <!channel> & <script>x</script> > now';
    const html = md(escapeMrkdwn(typed));
    expect(html).toBe('Use &lt;!channel&gt; &amp; &lt;script&gt;x&lt;/script&gt; &gt; now');
    expect(md('&amp;lt;')).toBe('&amp;lt;');
  });

  it('when a javascript: URL is a link target, then only its label is shown, without a link', () => {
    expect(md('<javascript:alert(1)|click me>')).toBe('click me');
  });

  it('when plain_text, headers, labels, options, button values and view titles carry markup, then it is escaped everywhere', () => {
    const evil = '"><script>alert(1)</script>';
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: evil } },
      {
        type: 'section',
        text: { type: 'plain_text', text: evil },
        accessory: { type: 'button', action_id: evil, text: { type: 'plain_text', text: evil }, value: evil, url: `javascript:${evil}` },
      },
      {
        type: 'actions',
        block_id: evil,
        elements: [{ type: 'static_select', action_id: 's', options: [{ text: { type: 'plain_text', text: evil }, value: evil }] }],
      },
      { type: 'image', image_url: `javascript:${evil}`, alt_text: evil },
      { type: 'context', elements: [{ type: 'image', image_url: `https://x.example/${evil}`, alt_text: evil }] },
    ];
    const html = renderView(
      { type: 'modal', title: { type: 'plain_text', text: evil }, close: { type: 'plain_text', text: evil }, blocks },
      ctx,
    );
    expectOnlyOwnMarkup(html);
    expect(html).not.toContain('javascript:');
    expect(renderBlocks(blocks, ctx)).not.toContain('<script');
    const message = renderMessage(
      {
        ts: '1.0',
        username: evil,
        text: evil,
        files: [{ id: 'F1', name: evil, mimetype: 'image/png' }],
        reactions: [{ name: evil, count: 1, users: [] }],
      },
      { ...ctx, fileUrl: () => `javascript:${evil}` },
    );
    expectOnlyOwnMarkup(message);
    expect(message).not.toContain('javascript:');
  });

  it('when a user name from the context holds markup, then the mention shows it as text', () => {
    expect(md('<@U0EVIL>')).toBe('<span class="sk-mention" data-user-id="U0EVIL">@&lt;img src=x onerror=alert(1)&gt;</span>');
  });
});

describe('any input renders without throwing and without foreign markup', () => {
  // Slack-ish text: the characters that mean something to mrkdwn or HTML, and words.
  const slackText = fc
    .array(
      fc.constantFrom(
        '*',
        '_',
        '~',
        '`',
        '```',
        '<',
        '>',
        '&',
        '&lt;',
        '&gt;',
        '&amp;',
        '|',
        '@',
        '#',
        '!',
        '^',
        ':',
        '\n',
        '"',
        "'",
        ' ',
        'x',
        'here',
        'date',
        'https://a.example',
        'javascript:',
        'U0REQUEST',
        ':rocket:',
        '{date}',
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));

  it("when mrkdwn is any mix of control characters, then the output holds only the renderer's own markup", () => {
    fc.assert(
      fc.property(slackText, (text) => expectOnlyOwnMarkup(md(text))),
      { numRuns: 400 },
    );
  });

  it('when blocks are any JSON, then renderBlocks, renderView and renderMessage do not throw and hold only own markup', () => {
    const block = fc.oneof(
      fc.jsonValue(),
      fc.record({
        type: fc.constantFrom(
          'section',
          'header',
          'context',
          'actions',
          'input',
          'image',
          'rich_text',
          'divider',
          'file',
          'markdown',
          'video',
          'table',
          'context_actions',
          'nope',
        ),
        text: fc.jsonValue(),
        elements: fc.array(fc.jsonValue(), { maxLength: 3 }),
        element: fc.jsonValue(),
        accessory: fc.jsonValue(),
        fields: fc.jsonValue(),
        block_id: fc.jsonValue(),
        label: fc.jsonValue(),
      }),
    );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 5 }), fc.jsonValue(), (blocks, extra) => {
        expectOnlyOwnMarkup(renderBlocks(blocks, ctx));
        expectOnlyOwnMarkup(renderView({ type: 'modal', title: extra, blocks }, ctx));
        expectOnlyOwnMarkup(renderMessage({ ts: extra, text: extra, blocks, files: extra, reactions: extra }, ctx));
      }),
      { numRuns: 300 },
    );
  });
});
