/**
 * What a person does on rendered Block Kit, sent to the sandbox as Slack would send it to the
 * app: button clicks and menu picks (block_actions, after a confirm dialog when the element has
 * one), typing in an external select (block_suggestion), Submit (view_submission with the form's
 * state.values) and closing a modal (view_closed when the view asks for it).
 */
import { clientErrors, renderConfirm, renderSuggestionOptions, stateFromFormValues } from '../render/index.js';
import { api, type StateValues, type Surface } from './api.js';
import { byId } from './dom.js';
import type { RenderContext } from '../render/index.js';
import type { Snapshot, SnapshotView } from '../snapshot.js';

/** What the interactions need from the page (main.ts passes it in, so the two do not import each other). */
export interface PageAccess {
  context(snapshot: Snapshot): RenderContext;
  currentSnapshot(): Snapshot | undefined;
  currentUser(): string;
  openThread(ts: string): void;
  refresh(): Promise<void>;
}

let page: PageAccess | undefined;
const host = (): PageAccess => {
  if (page === undefined) throw new Error('bindInteractions() has not run');
  return page;
};
const context = (snapshot: Snapshot) => host().context(snapshot);
const currentSnapshot = () => host().currentSnapshot();
const currentUser = () => host().currentUser();
const openThread = (ts: string) => host().openThread(ts);
const refresh = () => host().refresh();

interface Place {
  surface: Surface;
  view: SnapshotView | undefined;
}

/** The message or view an element sits in. */
function placeOf(el: Element): Place | undefined {
  const viewEl = el.closest<HTMLElement>('.sk-view[data-view-id]');
  const snapshot = currentSnapshot();
  if (viewEl) {
    const viewId = viewEl.dataset['viewId'] ?? '';
    return { surface: { viewId }, view: snapshot?.views.find((v) => v.id === viewId) };
  }
  const messageEl = el.closest<HTMLElement>('.sk-message[data-ts]');
  if (!messageEl || !snapshot) return undefined;
  return { surface: { channel: messageEl.dataset['channel'] || snapshot.channel.id, ts: messageEl.dataset['ts'] ?? '' }, view: undefined };
}

/** state.values of a view's form, in Slack's shape. */
function viewValues(view: SnapshotView | undefined): StateValues | undefined {
  const snapshot = currentSnapshot();
  if (!view || !snapshot) return undefined;
  const form = document.querySelector<HTMLFormElement>(`.sk-view[data-view-id="${CSS.escape(view.id)}"] form[data-view-form]`);
  return form ? stateFromFormValues(view, new FormData(form), context(snapshot)) : undefined;
}

/** Shows the element's confirm dialog, if it has one; resolves true when the person confirms. */
function confirmed(el: HTMLElement): Promise<boolean> {
  const raw = el.dataset['confirm'];
  const snapshot = currentSnapshot();
  if (raw === undefined || !snapshot) return Promise.resolve(true);
  const layer = byId('confirm-layer');
  layer.innerHTML = renderConfirm(JSON.parse(raw), context(snapshot));
  layer.hidden = false;
  return new Promise((resolve) => {
    const onClick = (event: Event): void => {
      const choice =
        event.target instanceof Element ? event.target.closest('[data-confirm-action]')?.getAttribute('data-confirm-action') : null;
      if (!choice) return;
      layer.removeEventListener('click', onClick);
      layer.hidden = true;
      layer.innerHTML = '';
      resolve(choice === 'confirm');
    };
    layer.addEventListener('click', onClick);
  });
}

async function sendAction(el: HTMLElement, value: unknown, selectedOption?: { text: string; value: string }): Promise<void> {
  const place = placeOf(el);
  const actionId = el.dataset['actionId'];
  if (!place || actionId === undefined) return;
  if (!(await confirmed(el))) return;
  const url = el.dataset['url'];
  if (url) window.open(url, '_blank', 'noopener');
  const values = viewValues(place.view);
  el.classList.add('sk-busy');
  try {
    await api.action({
      user: currentUser(),
      surface: place.surface,
      actionId,
      ...(el.dataset['blockId'] ? { blockId: el.dataset['blockId'] } : {}),
      ...(value === undefined ? {} : { value }),
      ...(selectedOption ? { selectedOption } : {}),
      ...(values ? { values } : {}),
    });
  } finally {
    el.classList.remove('sk-busy');
  }
  await refresh();
}

function selectedValues(select: HTMLSelectElement): string[] {
  return [...select.selectedOptions].map((o) => o.value).filter((v) => v !== '');
}

async function submitView(viewEl: HTMLElement): Promise<void> {
  const viewId = viewEl.dataset['viewId'] ?? '';
  const view = currentSnapshot()?.views.find((v) => v.id === viewId);
  const form = viewEl.querySelector<HTMLFormElement>('form[data-view-form]');
  // What Slack's client refuses itself (a required field left empty, a number out of range) never reaches the app.
  const refused = view && form ? clientErrors(view, new FormData(form)) : {};
  if (showClientErrors(viewEl, refused)) return;
  const values = viewValues(view) ?? {};
  const button = viewEl.querySelector<HTMLButtonElement>('[data-view-action="submit"]');
  if (button) button.disabled = true;
  try {
    await api.submit(currentUser(), viewId, values);
  } finally {
    if (button) button.disabled = false;
  }
  await refresh();
}

function showClientErrors(viewEl: HTMLElement, errors: Record<string, string>): boolean {
  for (const slot of viewEl.querySelectorAll<HTMLElement>('[data-error-for]')) {
    const message = errors[slot.dataset['errorFor'] ?? ''];
    slot.textContent = message ?? '';
    slot.closest('.sk-input-block')?.classList.toggle('sk-has-error', message !== undefined);
  }
  return Object.keys(errors).length > 0;
}

async function closeView(viewEl: HTMLElement, all: boolean): Promise<void> {
  await api.close(currentUser(), viewEl.dataset['viewId'] ?? '', all);
  await refresh();
}

// ---- external selects -----------------------------------------------------------------------

const suggestTimers = new WeakMap<HTMLElement, number>();

/** Asks the app for options once the query is long enough (min_query_length 0: as soon as the box gets focus). */
function suggest(query: HTMLInputElement): void {
  const box = query.closest<HTMLElement>('.sk-external[data-action-id]');
  if (!box) return;
  window.clearTimeout(suggestTimers.get(box));
  const min = Number(box.dataset['minQueryLength'] ?? '3');
  if (query.value.length < min) return;
  suggestTimers.set(
    box,
    window.setTimeout(() => {
      const place = placeOf(box);
      const snapshot = currentSnapshot();
      if (!place || !snapshot) return;
      void api
        .suggest({
          user: currentUser(),
          surface: place.surface,
          actionId: box.dataset['actionId'] ?? '',
          ...(box.dataset['blockId'] ? { blockId: box.dataset['blockId'] } : {}),
          value: query.value,
        })
        .then((answer) => {
          const select = box.querySelector<HTMLSelectElement>('select[data-role="options"]');
          if (!select) return;
          const current = optionValue(select.value);
          const kept = select.multiple ? '' : '<option value="" class="sk-placeholder">Choose one</option>';
          select.innerHTML = kept + renderSuggestionOptions(answer, context(snapshot), current);
          select.dataset['loaded'] = 'true';
        });
    }, 250),
  );
}

/** The `value` of an external select's option (its <option> value is the option as JSON). */
function optionValue(json: string): string | undefined {
  try {
    const option: unknown = JSON.parse(json);
    return typeof option === 'object' && option !== null && 'value' in option && typeof option.value === 'string'
      ? option.value
      : undefined;
  } catch {
    return undefined;
  }
}

// ---- wiring ---------------------------------------------------------------------------------

export function bindInteractions(access: PageAccess): void {
  page = access;
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const thread = target.closest<HTMLElement>('.sk-thread-link[data-thread-ts]');
    if (thread) return openThread(thread.dataset['threadTs'] ?? '');
    const viewAction = target.closest<HTMLElement>('[data-view-action]');
    const viewEl = target.closest<HTMLElement>('.sk-view[data-view-id]');
    if (viewAction && viewEl) {
      const action = viewAction.dataset['viewAction'];
      if (action === 'submit') void submitView(viewEl);
      // The × dismisses the whole stack; Cancel goes back one view.
      if (action === 'close') void closeView(viewEl, viewAction.classList.contains('sk-modal-x'));
      return;
    }
    const button = target.closest<HTMLButtonElement>('button[data-action-id]');
    if (button && !button.disabled) void sendAction(button, undefined);
  });

  document.addEventListener('change', (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    const external = target.closest<HTMLElement>('.sk-external[data-action-id]');
    if (external && target instanceof HTMLSelectElement) {
      if (external.dataset['dispatch'] !== 'true') return;
      const picked = [...target.selectedOptions].flatMap((o) => {
        try {
          const option = JSON.parse(o.value) as { text?: { text?: string }; value?: string };
          return typeof option.value === 'string' ? [{ text: option.text?.text ?? option.value, value: option.value }] : [];
        } catch {
          return [];
        }
      });
      if (picked[0]) void sendAction(external, undefined, picked[0]);
      return;
    }
    const element = target.closest<HTMLElement>('[data-action-id][data-dispatch="true"]');
    if (!element) return;
    if (element instanceof HTMLSelectElement) {
      const type = element.dataset['type'] ?? '';
      const values = selectedValues(element);
      void sendAction(element, element.multiple ? values : (values[0] ?? null));
      if (type === 'overflow') element.selectedIndex = 0;
      return;
    }
    if (element.classList.contains('sk-choices')) {
      const checked = [...element.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      void sendAction(element, element.dataset['type'] === 'checkboxes' ? checked : (checked[0] ?? null));
      return;
    }
    if (element instanceof HTMLInputElement && (element.type === 'date' || element.type === 'time' || element.type === 'datetime-local')) {
      void sendAction(element, element.value);
    }
  });

  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.key !== 'Enter' || !(target instanceof HTMLInputElement)) return;
    // A text input with dispatch_action sends block_actions on Enter.
    if (target.dataset['dispatch'] === 'true' && target.dataset['actionId'] !== undefined) {
      event.preventDefault();
      void sendAction(target, target.value);
    } else if (target.closest('form[data-view-form]')) {
      event.preventDefault(); // Enter in a modal input never submits by itself, as in Slack
    }
  });

  const onQuery = (event: Event): void => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.dataset['role'] === 'query') suggest(target);
  };
  document.addEventListener('input', onQuery);
  document.addEventListener('focusin', onQuery);
}
