/** Child processes of the bench: spawn one, wait for the line that says it is ready, read its memory, stop it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Every stdout line seen so far (bounded). */
  readonly lines: string[];
  stop(): Promise<void>;
}

const NODE_ARGS = ['--import', 'tsx'];

/**
 * The measured processes run compiled, as `npm start` runs the bot, so no TypeScript loader sits
 * in them; built once per bench run (incremental) from tsconfig.bench.json into dist-bench/.
 */
export async function buildMeasuredProcesses(): Promise<void> {
  const tsc = join('node_modules', 'typescript', 'bin', 'tsc');
  const proc = spawn(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`building the bench processes failed:\n${output.slice(-3000)}`);
}

/** `bench/x.ts` → its compiled `dist-bench/bench/x.js`. */
export const compiled = (entry: string): string => join('dist-bench', entry.replace(/\.ts$/, '.js'));

/** Spawns `node <entry>` (through tsx for a .ts entry) and resolves once a stdout line passes `ready`. */
export async function spawnNode(
  entry: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: (line: string) => boolean,
  timeoutMs = 60_000,
  nodeArgs: readonly string[] = [],
  ipc = false,
): Promise<{ child: Child; readyLine: string }> {
  const proc = spawn(process.execPath, [...nodeArgs, ...(entry.endsWith('.ts') ? NODE_ARGS : []), entry, ...args], {
    env,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  proc.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 200) stderr.push(chunk.toString());
  });
  const child: Child = {
    process: proc,
    pid: proc.pid ?? -1,
    lines,
    stop: () => stopChild(proc),
  };
  const stdout = proc.stdout;
  if (stdout === null) throw new Error(`${entry} was started without a stdout pipe`);
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${entry} not ready within ${timeoutMs} ms: ${stderr.join('').slice(-2000)}`)),
      timeoutMs,
    );
    const rl = createInterface({ input: stdout });
    rl.on('line', (line) => {
      if (lines.length < 5000) lines.push(line);
      if (ready(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}: ${stderr.join('').slice(-2000)}`));
    });
  });
  return { child, readyLine };
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Node flags that write V8 CPU profiles of the child into `dir/name` when it exits (none without a
 * dir). One file per thread (tsx's loader runs in its own); the main thread's is the largest.
 */
export function profileArgs(dir: string | null, name: string): string[] {
  return dir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', join(dir, name)];
}

/** Resident set size of a process in MB (Linux /proc). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc, 10 ms resolution). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest value seen. */
export function sampleRss(pid: number, everyMs = 250): { stop(): Promise<number> } {
  let max = 0;
  const timer = setInterval(() => void rssMb(pid).then((mb) => (max = Math.max(max, Number.isFinite(mb) ? mb : 0))), everyMs);
  return {
    async stop() {
      clearInterval(timer);
      max = Math.max(max, await rssMb(pid));
      return max;
    },
  };
}

/** Parses `{"port": N}` out of a JSON log line. */
export function portOf(line: string): number {
  const parsed: unknown = JSON.parse(line);
  const port = typeof parsed === 'object' && parsed !== null && 'port' in parsed ? parsed.port : undefined;
  if (typeof port !== 'number') throw new Error(`no port in ${line}`);
  return port;
}
