/** Measure 4: `node --import tsx src/main.ts` from spawn to /readyz 200, and its idle resident memory. */
import { startFakeSlack } from '../test/support/fake-slack.js';
import { deleteKeys } from '../test/support/test-bot.js';
import { botEnv, newKeyPrefix, REDIS_URL } from './environment.js';
import { compiled, rssMb, spawnNode } from './processes.js';
import { freePort } from '../test/support/free-port.js';

export interface StartupResult {
  readonly readyMs: number;
  readonly idleRssMb: number;
}

export async function measureStartup(emulatorUrl: string): Promise<StartupResult> {
  const fake = await startFakeSlack();
  const port = await freePort();
  const started = performance.now();
  const keyPrefix = newKeyPrefix();
  const { child } = await spawnNode(
    compiled('src/main.ts'),
    [],
    botEnv(fake, emulatorUrl, keyPrefix, { PORT: String(port), LOG_LEVEL: 'info' }),
    (l) => l.includes('spcs-chatops started'),
  );
  try {
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (res?.status === 200) break;
      if (performance.now() - started > 60_000) throw new Error('/readyz never answered 200');
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = Math.round(performance.now() - started);
    await new Promise((r) => setTimeout(r, 2000));
    return { readyMs, idleRssMb: await rssMb(child.pid) };
  } finally {
    await child.stop();
    await fake.close();
    await deleteKeys(REDIS_URL, keyPrefix); // the queues' keys the bot created
  }
}
