/**
 * `npm run bench [-- --quick | --tiny] [--out PATH]`. The Snowflake driver reads these before it
 * is imported, so they are set first and the bench is loaded after.
 */
import { EXIT_CANNOT_START, loadDotEnv, redisProblem } from '../src/startup.js';

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';
process.env.NO_PROXY ??= '127.0.0.1,localhost';
loadDotEnv(); // REDIS_URL from .env too; the environment wins

const problem = await redisProblem(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
if (problem !== undefined) {
  process.stderr.write(`bench cannot start: ${problem}\n`);
  process.exit(EXIT_CANNOT_START);
}

const { runBench } = await import('./run.js');
const report = await runBench(process.argv.slice(2));
process.exit(report.errors.length > 0 ? 1 : 0);
