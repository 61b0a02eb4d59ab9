/** Runs every measure in turn, prints the table and writes the JSON report. */
import { cpus } from 'node:os';
import { startEmulatorProcess } from './environment.js';
import { benchOptions } from './options.js';
import { buildMeasuredProcesses } from './processes.js';
import { measureRateLimits } from './rate-limits.js';
import { formatTable, measure, writeReport, type BenchReport, type Measure } from './report.js';
import { measureSlackLatency } from './slack-latency.js';
import { measureStartup } from './startup.js';
import { measureStatusTracking } from './status-tracking.js';

export async function runBench(argv: readonly string[]): Promise<BenchReport> {
  const options = benchOptions(argv);
  const startedAt = new Date();
  const measures: Measure[] = [];
  const errors: string[] = [];
  const attempt = async (what: string, run: () => Promise<void>) => {
    if (!options.only.has(Number(what.slice(0, 1)))) return;
    process.stderr.write(`bench: ${what}…\n`);
    await run().catch((err: unknown) => void errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`));
  };

  await buildMeasuredProcesses();
  const emulator = await startEmulatorProcess();
  try {
    await attempt('4 start-up', async () => {
      const s = await measureStartup(emulator.url);
      measures.push(
        measure('4 start-up', 'process start → /readyz 200', s.readyMs, 'ms'),
        measure('4 start-up', 'resident memory idle', s.idleRssMb, 'MB'),
      );
    });
    await attempt('1 Slack response time', async () => {
      measures.push(...(await measureSlackLatency(options.latency, emulator.url, options.cpuProfDir)).measures);
    });
  } finally {
    await emulator.child.stop();
  }
  await attempt('2 status tracking', async () => void measures.push(...(await measureStatusTracking(options.status, options.cpuProfDir))));
  await attempt('3 rate limits', async () => void measures.push(...(await measureRateLimits(options.rateLimits))));

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    mode: options.mode,
    machine: { cpus: cpus().length, node: process.version, platform: process.platform },
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    measures: [...measures].sort((a, b) => a.section.localeCompare(b.section)),
    errors,
  };
  await writeReport(options.output, report);
  process.stdout.write(`${formatTable(report.measures)}\n`);
  for (const e of errors) process.stdout.write(`NOT MEASURED: ${e}\n`);
  process.stdout.write(`mode ${report.mode}, ${report.durationS} s; written to ${options.output}\n`);
  return report;
}
