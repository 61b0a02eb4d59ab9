/**
 * `npm run bench:profile -- FILE.cpuprofile [--top N]`: where a V8 CPU profile (from
 * `npm run bench -- --cpu-prof`) spent its time — self time per package (or our own folder) and
 * the top functions. Idle and GC are shown as their own rows.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const Profile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
type Profile = z.infer<typeof Profile>;

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byArea: ReadonlyArray<readonly [string, number]>;
  readonly byFunction: ReadonlyArray<readonly [string, number]>;
  /** Each sample charged to every distinct package entered on its stack, named by the frame where it was entered. */
  readonly byEntry: ReadonlyArray<readonly [string, number]>;
  /** Each sample charged to the nearest function of ours on its stack (src/): what our code causes. */
  readonly byOwnCaller: ReadonlyArray<readonly [string, number]>;
}

/** node_modules/<pkg> (scoped too), our src/<folder>, node: internals, or the V8 pseudo-frames. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(src|bench|emulator|test)\/([^/]+)\//.exec(url);
  if (own?.[1] !== undefined) return `${own[1]}/${own[2] ?? ''}`;
  return url.replace(/^.*\//, '');
}

export function summarizeProfile(profile: Profile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
  const ownCaller = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const f = nodes.get(at);
      if (f !== undefined && /\/src\//.test(f.url) && !f.url.includes('node_modules'))
        return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/src\//, 'src/')}:${f.lineNumber + 1}`;
    }
    return '(not under our code)';
  };
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byOwnCaller = new Map<string, number>();
  const byEntry = new Map<string, number>();
  /** The frames where the stack crosses from one area into another, outermost first, deduplicated. */
  const entries = (id: number): Set<string> => {
    const seen = new Set<string>();
    let inner: string | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const f = nodes.get(at);
      if (f === undefined) continue;
      const area = areaOf(f.url, f.functionName);
      if (inner !== undefined && inner !== area && !inner.startsWith('(') && inner !== 'node internals') seen.add(`${inner} ← ${area}`);
      inner = area;
    }
    return seen;
  };
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (frame === undefined) return;
    total += ms;
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
    const fn = `${frame.functionName || '(anonymous)'} ${area}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    if (!area.startsWith('(') || area === '(garbage collector)') for (const e of entries(id)) byEntry.set(e, (byEntry.get(e) ?? 0) + ms);
    if (!area.startsWith('(')) {
      const caller = ownCaller(id);
      byOwnCaller.set(caller, (byOwnCaller.get(caller) ?? 0) + ms);
    }
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total,
    byArea: sorted(byArea),
    byFunction: sorted(byFunction),
    byOwnCaller: sorted(byOwnCaller),
    byEntry: sorted(byEntry),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const file = argv.find((a) => a.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('usage: npm run bench:profile -- FILE.cpuprofile [--top N]');
  const topIndex = argv.indexOf('--top');
  const top = topIndex >= 0 ? Number(argv[topIndex + 1] ?? 25) : 25;
  const summary = summarizeProfile(Profile.parse(JSON.parse(await readFile(file, 'utf8'))));
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms`;
  const lines = [`${file}: ${summary.totalMs.toFixed(0)} ms sampled`, '', 'self time by area:'];
  for (const [area, ms] of summary.byArea.slice(0, top)) lines.push(`  ${pct(ms)}  ${area}`);
  lines.push('', 'inclusive time (the function or anything it called) by package entry point:');
  for (const [fn, ms] of summary.byEntry.slice(0, top)) lines.push(`  ${pct(ms)}  ${fn}`);
  lines.push('', 'JavaScript time by the nearest function of ours on the stack:');
  for (const [fn, ms] of summary.byOwnCaller.slice(0, top)) lines.push(`  ${pct(ms)}  ${fn}`);
  lines.push('', 'self time by function:');
  for (const [fn, ms] of summary.byFunction.slice(0, top)) lines.push(`  ${pct(ms)}  ${fn}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1]?.endsWith('profile-summary.ts')) await main(process.argv.slice(2));
