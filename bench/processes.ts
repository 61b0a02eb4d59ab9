/** Child processes of the bench: spawn one, wait for the line that says it is ready, read its memory, stop it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Every stdout line seen so far (bounded). */
  readonly lines: string[];
  stop(): Promise<void>;
}

const NODE_ARGS = ['--import', 'tsx'];

/** Spawns `node --import tsx <entry>` and resolves once a stdout line passes `ready`. */
export async function spawnNode(
  entry: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: (line: string) => boolean,
  timeoutMs = 60_000,
  nodeArgs: readonly string[] = [],
  ipc = false,
): Promise<{ child: Child; readyLine: string }> {
  const proc = spawn(process.execPath, [...nodeArgs, ...NODE_ARGS, entry, ...args], { env, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
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
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready within ${timeoutMs} ms: ${stderr.join('').slice(-2000)}`)), timeoutMs);
    const rl = createInterface({ input: proc.stdout! });
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

/** Resident set size of a process in MB (Linux /proc). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
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
