/** The bench's result: one row per measure, printed as a table and written as JSON. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Measure {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the value is held against, in words (e.g. "≤ 1.3"); empty when only informative. */
  readonly target: string;
  /** true / false against the target; null when the measure has no target. */
  readonly met: boolean | null;
  readonly note?: string;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly mode: string;
  readonly machine: { readonly cpus: number; readonly node: string; readonly platform: string };
  readonly durationS: number;
  readonly measures: readonly Measure[];
  /** Parts that could not run, with why. */
  readonly errors: readonly string[];
}

export function measure(
  section: string,
  name: string,
  value: number,
  unit: string,
  target = '',
  met: boolean | null = null,
  note?: string,
): Measure {
  return { section, name, value, unit, target, met, ...(note !== undefined && { note }) };
}

export function formatTable(measures: readonly Measure[]): string {
  const rows = measures.map((m) => [
    m.section,
    m.name,
    formatValue(m.value),
    m.unit,
    m.target,
    m.met === null ? '' : m.met ? 'met' : 'MISSED',
  ]);
  const head = ['section', 'measure', 'value', 'unit', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
