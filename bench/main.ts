/**
 * `npm run bench [-- --quick | --tiny] [--out PATH]`. The Snowflake driver reads these before it
 * is imported, so they are set first and the bench is loaded after.
 */
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';
process.env.NO_PROXY ??= '127.0.0.1,localhost';

const { runBench } = await import('./run.js');
const report = await runBench(process.argv.slice(2));
process.exit(report.errors.length > 0 ? 1 : 0);
