/**
 * Runs once before any test file (vitest globalSetup). Every end-to-end test needs Redis, so when
 * it does not answer the whole run stops here, at once, with one line naming REDIS_URL, instead of
 * every test timing out on its own.
 */
import { redisProblem } from '../../src/startup.js';

export default async function checkRedis(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const problem = await redisProblem(url);
  if (problem === undefined) return;
  process.stderr.write(`\nThe tests cannot run: ${problem}\n`);
  // Not a thrown error: vitest would add a stack trace, and nothing has started that needs stopping.
  process.exit(2);
}
