/**
 * The sandbox page: a Slack-like client for #ml-deploys. It shows one person's view of the
 * channel (from GET /sandbox/api/state, refreshed on every event of the change feed), renders
 * Block Kit with the renderer in ../render/, and sends what the person does to the sandbox,
 * which signs it and sends it to the bot as Slack would.
 */
import { escapeHtml as escapeText, renderMessage, renderView, type RenderContext } from '../render/index.js';
import type { Snapshot, SnapshotMessage, SnapshotView } from '../snapshot.js';
import { api } from './api.js';
import { bindInteractions } from './interactions.js';
import { refreshPanel, startSnowflakePanel } from './snowflake-panel.js';
import { byId } from './dom.js';

const USER_KEY = 'spcs-sandbox-user';

interface PageState {
  snapshot: Snapshot | undefined;
  me: string;
  /** The parent ts of the open thread pane. */
  thread: string | undefined;
  /** What the modal layer shows now, so a refresh that changed nothing keeps what the person typed. */
  modalKey: string;
  timelineKey: string;
  threadKey: string;
  noticesKey: string;
}

const page: PageState = {
  snapshot: undefined,
  me: new URLSearchParams(location.search).get('user') ?? localStorage.getItem(USER_KEY) ?? '',
  thread: undefined,
  modalKey: '',
  timelineKey: '',
  threadKey: '',
  noticesKey: '',
};

export function context(snapshot: Snapshot): RenderContext {
  const users: Record<string, { name: string }> = { [snapshot.bot.id]: { name: snapshot.bot.name } };
  for (const p of snapshot.people) users[p.id] = { name: p.real_name };
  const files: Record<string, { id: string; name: string; mimetype: string }> = {};
  for (const m of [...snapshot.timeline, ...Object.values(snapshot.threads).flat()]) for (const f of m.files ?? []) files[f.id] = f;
  return {
    users,
    channels: { [snapshot.channel.id]: snapshot.channel.name },
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    nowMs: Date.now(),
    viewerId: snapshot.me,
    files,
    fileUrl: (file) => `/sandbox/api/files/${encodeURIComponent(file.id)}`,
  };
}

export function currentUser(): string {
  return page.me;
}

export function currentSnapshot(): Snapshot | undefined {
  return page.snapshot;
}

// ---- refresh --------------------------------------------------------------------------------

let refreshing: Promise<void> | undefined;
let again = false;

/** Fetches this person's view and redraws what changed; calls made while one runs fold into one more. */
export function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        draw(await api.state(page.me));
      } catch (error: unknown) {
        showLocalNotice(`The sandbox server did not answer: ${error instanceof Error ? error.message : String(error)}`);
      }
    } while (again);
    refreshing = undefined;
  })();
  return refreshing;
}

function draw(snapshot: Snapshot): void {
  page.snapshot = snapshot;
  if (page.me !== snapshot.me) {
    page.me = snapshot.me;
    localStorage.setItem(USER_KEY, page.me);
  }
  const ctx = context(snapshot);
  drawWho(snapshot);
  drawNotices(snapshot);
  drawTimeline(snapshot, ctx);
  drawThread(snapshot, ctx);
  drawModal(snapshot.views, ctx);
  byId('snowflake').hidden = !snapshot.snowflake;
  if (snapshot.snowflake) void refreshPanel(snapshot.timeSteps);
}

function drawWho(snapshot: Snapshot): void {
  const switcher = byId<HTMLSelectElement>('user-switcher');
  if (switcher.options.length !== snapshot.people.length) {
    switcher.innerHTML = snapshot.people.map((p) => `<option value="${escapeText(p.id)}">${escapeText(p.real_name)}</option>`).join('');
  }
  switcher.value = snapshot.me;
  const me = snapshot.people.find((p) => p.id === snapshot.me);
  byId('user-role').textContent = me ? `${me.role} · ${me.id}` : '';
  byId('acting-as').innerHTML = me
    ? `You are <strong>${escapeText(me.real_name)}</strong> <span class="muted">@${escapeText(me.name)} · ${escapeText(me.role)}</span>`
    : '';
  byId('channel-title').textContent = `# ${snapshot.channel.name}`;
  byId('nav-channel').textContent = `# ${snapshot.channel.name}`;
  byId<HTMLTextAreaElement>('composer-input').placeholder =
    `Message #${snapshot.channel.name} as ${me?.real_name ?? 'you'} — try /spcs help`;
}

const dismissed = new Set<number>();

function drawNotices(snapshot: Snapshot): void {
  const shown = snapshot.notices.filter((n) => !dismissed.has(n.id)).slice(-4);
  const key = JSON.stringify(shown.map((n) => n.id));
  if (key === page.noticesKey) return;
  page.noticesKey = key;
  byId('notices').innerHTML = shown
    .map(
      (n) =>
        `<div class="notice notice-${n.level}" role="alert" data-notice-id="${n.id}"><button type="button" class="notice-x" data-dismiss="${n.id}" aria-label="Dismiss">×</button>` +
        `<div class="notice-text">${escapeText(n.text)}</div>${(n.details ?? []).map((d) => `<div class="notice-detail">${escapeText(d)}</div>`).join('')}</div>`,
    )
    .join('');
}

function showLocalNotice(text: string): void {
  byId('notices').innerHTML = `<div class="notice notice-error" role="alert"><div class="notice-text">${escapeText(text)}</div></div>`;
  page.noticesKey = '';
}

function messagesHtml(messages: SnapshotMessage[], ctx: RenderContext, inThread: boolean): string {
  return messages.map((m) => renderMessage(m, ctx, { inThread, ...(m.ephemeral ? { ephemeral: true } : {}) })).join('');
}

function drawTimeline(snapshot: Snapshot, ctx: RenderContext): void {
  const key = JSON.stringify([snapshot.me, snapshot.timeline]);
  if (key === page.timelineKey) return;
  page.timelineKey = key;
  const timeline = byId('timeline');
  const atBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 80;
  timeline.innerHTML =
    snapshot.timeline.length === 0
      ? `<div class="empty">Nothing here yet. Type <code>/spcs deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1</code> below to start a deployment, or <code>/spcs help</code>.</div>`
      : messagesHtml(snapshot.timeline, ctx, false);
  if (atBottom) timeline.scrollTop = timeline.scrollHeight;
}

function drawThread(snapshot: Snapshot, ctx: RenderContext): void {
  const pane = byId('thread');
  const parent = page.thread === undefined ? undefined : snapshot.timeline.find((m) => m.ts === page.thread);
  if (!parent) {
    pane.hidden = true;
    page.threadKey = '';
    return;
  }
  pane.hidden = false;
  const replies = snapshot.threads[parent.ts] ?? [];
  const key = JSON.stringify([snapshot.me, parent, replies]);
  if (key === page.threadKey) return;
  page.threadKey = key;
  const body = byId('thread-body');
  body.innerHTML =
    messagesHtml([parent], ctx, true) +
    `<div class="thread-count">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</div>` +
    messagesHtml(replies, ctx, true);
  body.scrollTop = body.scrollHeight;
}

export function openThread(ts: string): void {
  page.thread = ts;
  page.threadKey = '';
  if (page.snapshot) drawThread(page.snapshot, context(page.snapshot));
}

function drawModal(views: SnapshotView[], ctx: RenderContext): void {
  const layer = byId('modal-layer');
  const top = views.at(-1);
  const key = top ? JSON.stringify([top.id, top.hash, top.errors, views.length]) : '';
  if (key === page.modalKey) return;
  page.modalKey = key;
  if (!top) {
    layer.hidden = true;
    layer.innerHTML = '';
    return;
  }
  // Slack keeps what the person typed in an input block when the app updates the view (same block_id and action_id).
  const typed = readTypedValues(layer, top.id);
  layer.hidden = false;
  const behind = views.length > 1 ? `<div class="stack-depth" aria-hidden="true">${views.length} views in the stack</div>` : '';
  layer.innerHTML = behind + renderView(top, ctx, { stackIndex: views.length - 1, ...(top.errors ? { errors: top.errors } : {}) });
  restoreTypedValues(layer, typed);
  const focus = layer.querySelector<HTMLElement>('[data-focus-on-load="true"]');
  focus?.focus();
}

function readTypedValues(layer: HTMLElement, viewId: string): Map<string, string[]> {
  const typed = new Map<string, string[]>();
  const form = layer.querySelector<HTMLFormElement>(`[data-view-id="${CSS.escape(viewId)}"] form[data-view-form]`);
  if (!form) return typed;
  for (const [name, value] of new FormData(form)) if (typeof value === 'string') typed.set(name, [...(typed.get(name) ?? []), value]);
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[type=text], input[type=number], textarea')) {
    if (el.name && !typed.has(el.name)) typed.set(el.name, [el.value]);
  }
  return typed;
}

function restoreTypedValues(layer: HTMLElement, typed: Map<string, string[]>): void {
  if (typed.size === 0) return;
  const form = layer.querySelector<HTMLFormElement>('form[data-view-form]');
  if (!form) return;
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('[name]')) {
    const values = typed.get(el.name);
    if (values === undefined) continue;
    if (el instanceof HTMLSelectElement) {
      for (const option of el.options) option.selected = values.includes(option.value);
    } else if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
      el.checked = values.includes(el.value);
    } else {
      el.value = values[0] ?? '';
    }
  }
}

// ---- start ----------------------------------------------------------------------------------

function start(): void {
  byId<HTMLSelectElement>('user-switcher').addEventListener('change', (event) => {
    const target = event.target;
    if (!(target instanceof HTMLSelectElement)) return;
    page.me = target.value;
    localStorage.setItem(USER_KEY, page.me);
    page.modalKey = 'switched';
    void refresh();
  });
  byId('notices').addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-dismiss]') : null;
    if (!target) return;
    dismissed.add(Number(target.getAttribute('data-dismiss')));
    page.noticesKey = '';
    if (page.snapshot) drawNotices(page.snapshot);
  });
  byId('thread-close').addEventListener('click', () => {
    page.thread = undefined;
    if (page.snapshot) drawThread(page.snapshot, context(page.snapshot));
  });
  bindComposer('composer', 'composer-input', () => undefined);
  bindComposer('thread-composer', 'thread-input', () => page.thread);
  bindInteractions({ context, currentSnapshot, currentUser, openThread, refresh });
  startSnowflakePanel();
  const feed = new EventSource('/sandbox/api/events');
  feed.addEventListener('change', () => void refresh());
  void refresh();
}

/** The channel's composer, and the thread pane's (which replies in the open thread). */
function bindComposer(formId: string, inputId: string, threadTs: () => string | undefined): void {
  const form = byId<HTMLFormElement>(formId);
  const input = byId<HTMLTextAreaElement>(inputId);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    void api.message(page.me, text, threadTs()).then((answer) => {
      if (!answer.ok) showLocalNotice(answer.error ?? 'The message was not sent');
      return refresh();
    });
  });
}

start();
