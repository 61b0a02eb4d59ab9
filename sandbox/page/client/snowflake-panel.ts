/**
 * The Snowflake side of the page: every statement the SPCS emulator received, in order; buttons
 * that move the emulator's clock on (the build finishes, the service starts, the endpoint is
 * ready); and the failures the emulator can inject, so the bot's diagnosis can be watched too.
 */
import { escapeHtml } from '../render/index.js';
import type { SnapshotTimeStep, SqlLogEntry } from '../snapshot.js';
import { api } from './api.js';
import { byId } from './dom.js';

const SHOWN = 400;
let seen = 0;
let stepsKey = '';
let loading: Promise<void> | undefined;

function faultSpec(kind: string, service: string, pool: string): string | undefined {
  if (kind === 'oom') return service ? `oom:${service}` : undefined;
  if (kind === 'pending') return pool ? `no-free-node:${pool}` : undefined;
  // MONITOR on the service: what status, logs and metrics need, so they fail with 003001.
  if (kind === 'privilege') return service ? `missing-privilege:MONITOR:SERVICE:${service}` : undefined;
  return undefined;
}

function entryHtml(e: SqlLogEntry): string {
  const time = new Date(e.at).toISOString().slice(11, 19);
  const outcome =
    e.outcome === 'error'
      ? `<span class="sql-error-code">${escapeHtml(e.errorCode ?? 'error')}</span> ${escapeHtml(e.errorMessage ?? '')}`
      : '';
  return `<li class="sql-${e.outcome}"><span class="sql-time">${time}</span><code>${escapeHtml(e.sqlText)}</code>${outcome ? `<div class="sql-outcome">${outcome}</div>` : ''}</li>`;
}

async function loadLog(): Promise<void> {
  const answer = await api.sqlLog(seen);
  const log = byId<HTMLOListElement>('sf-log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  if (answer.entries.length > 0) {
    log.insertAdjacentHTML('beforeend', answer.entries.map(entryHtml).join(''));
    while (log.children.length > SHOWN) log.firstElementChild?.remove();
  }
  seen = answer.total;
  byId('sf-count').textContent = `(${answer.total})`;
  if (atBottom) log.scrollTop = log.scrollHeight;
}

async function loadState(): Promise<void> {
  const state = await api.emulatorState();
  byId('sf-now').textContent = `Emulator clock: ${state.now.replace('T', ' ').slice(0, 19)} UTC`;
  fill(
    byId<HTMLSelectElement>('sf-service'),
    state.services.filter((s) => !s.isJob).map((s) => `${s.name} (${s.status})`),
    state.services.filter((s) => !s.isJob).map((s) => s.name),
  );
  fill(
    byId<HTMLSelectElement>('sf-pool'),
    state.pools.map((p) => `${p.name} (${p.state})`),
    state.pools.map((p) => p.name),
  );
}

/** Replaces a select's options, keeping the chosen one (or the newest, for services). */
function fill(select: HTMLSelectElement, labels: string[], values: string[]): void {
  const chosen = select.value;
  const key = labels.join('|');
  if (select.dataset['key'] === key) return;
  select.dataset['key'] = key;
  select.innerHTML = values.map((v, i) => `<option value="${escapeHtml(v)}">${escapeHtml(labels[i] ?? v)}</option>`).join('');
  // Until the person picks one, the service list follows the newest service (the one just deployed).
  const newest = select.id === 'sf-service' && select.dataset['picked'] !== 'true' ? values.at(-1) : undefined;
  if (newest !== undefined) select.value = newest;
  else if (values.includes(chosen)) select.value = chosen;
}

/** Refreshes the panel; overlapping calls share one load. */
export function refreshPanel(steps?: readonly SnapshotTimeStep[]): Promise<void> {
  if (steps) drawSteps(steps);
  loading ??= Promise.all([loadLog(), loadState()])
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

function drawSteps(steps: readonly SnapshotTimeStep[]): void {
  const key = JSON.stringify(steps);
  if (key === stepsKey) return;
  stepsKey = key;
  byId('sf-clock').innerHTML = steps
    .map(
      (s) =>
        `<button type="button" data-advance="${s.advanceMs}" title="Moves the emulator's clock on ${Math.round(s.advanceMs / 1000)} s">${escapeHtml(s.label)}</button>`,
    )
    .join('');
}

export function startSnowflakePanel(): void {
  const panel = byId('snowflake');
  panel.addEventListener('change', (event) => {
    if (event.target instanceof HTMLSelectElement) event.target.dataset['picked'] = 'true';
  });
  panel.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    if (!target) return;
    const status = byId('sf-fault-status');
    const advance = target.getAttribute('data-advance');
    if (advance !== null) {
      void api.advance(Number(advance)).then(() => refreshPanel());
      return;
    }
    if (target.getAttribute('data-monitor') === 'on') {
      const service = byId<HTMLSelectElement>('sf-service').value;
      if (!service) {
        status.textContent = 'Pick a service first.';
        return;
      }
      void api.platformMonitor(service).then((answer) => {
        status.textContent = answer.ok ? `platformMonitor on for ${service}` : `Refused: ${answer.error ?? 'error'}`;
      });
      return;
    }
    const kind = target.getAttribute('data-fault');
    if (kind === null) return;
    if (kind === 'clear') {
      void api.clearFaults().then(() => (status.textContent = 'Faults cleared.'));
      return;
    }
    const service = byId<HTMLSelectElement>('sf-service').value;
    const pool = byId<HTMLSelectElement>('sf-pool').value;
    const spec = faultSpec(kind, service, pool);
    if (!spec) {
      status.textContent = 'Pick a service or a pool first.';
      return;
    }
    void api.fault(spec).then((answer) => {
      status.textContent = answer.ok ? `Armed: ${spec}` : `Refused: ${answer.error ?? 'error'}`;
    });
  });
  // The emulator's clock runs on its own too, and statements arrive without a Slack change.
  window.setInterval(() => void refreshPanel(), 2000);
}
