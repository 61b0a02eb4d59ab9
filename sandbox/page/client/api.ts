/** The sandbox server's JSON API, as the page calls it. */
import type { EmulatorState, Snapshot, SqlLogEntry } from '../snapshot.js';

export type Surface = { channel: string; ts: string } | { viewId: string };
export type StateValues = Record<string, Record<string, unknown>>;

export interface ApiAnswer {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

async function post(path: string, body: unknown): Promise<ApiAnswer> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as ApiAnswer;
  if (!res.ok && answer.error === undefined) answer.error = `HTTP ${res.status}`;
  return answer;
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export const api = {
  state: (user: string) => get<Snapshot>(`/sandbox/api/state?user=${encodeURIComponent(user)}`),
  message: (user: string, text: string, threadTs?: string) =>
    post('/sandbox/api/message', { user, text, ...(threadTs ? { threadTs } : {}) }),
  action: (body: {
    user: string;
    surface: Surface;
    actionId: string;
    blockId?: string;
    value?: unknown;
    selectedOption?: { text: string; value: string };
    values?: StateValues;
  }) => post('/sandbox/api/action', body),
  submit: (user: string, viewId: string, values: StateValues) => post('/sandbox/api/submit', { user, viewId, values }),
  close: (user: string, viewId: string, all: boolean) => post('/sandbox/api/close', { user, viewId, all }),
  suggest: (body: { user: string; surface: Surface; actionId: string; blockId?: string; value: string }) =>
    post('/sandbox/api/suggest', body),
  sqlLog: (since: number) => get<{ entries: SqlLogEntry[]; total: number }>(`/sandbox/api/snowflake/sql-log?since=${since}`),
  emulatorState: () => get<EmulatorState>('/sandbox/api/snowflake/state'),
  advance: (advanceMs: number) => post('/sandbox/api/snowflake/clock', { advanceMs }),
  fault: (spec: string) => post('/sandbox/api/snowflake/faults', { spec }),
  clearFaults: () => post('/sandbox/api/snowflake/faults/clear', {}),
  platformMonitor: (service: string) => post('/sandbox/api/snowflake/platform-monitor', { service, groups: ['system', 'system_limits'] }),
};
