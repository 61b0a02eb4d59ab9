import type { RunningBot } from './app.js';
import type { Logger } from './logger.js';

/** How long before SHUTDOWN_TIMEOUT_MS the process gives up waiting, so that it is gone by then. */
const EXIT_MARGIN_MS = 500;

/**
 * SIGTERM/SIGINT: stop taking requests, let running jobs finish, close Redis; exit 0. If that takes
 * longer than `timeoutMs`, exit 1 anyway, at the latest `timeoutMs` after the signal: a job still
 * running then keeps its lock until it lapses, and BullMQ hands it to another worker (a deploy job
 * resumes by its stored query id or QUERY_TAG, so Snowflake never gets a second CALL).
 */
export function stopOnSignals(bot: RunningBot, logger: Logger, timeoutMs: number, exit: (code: number) => never = process.exit): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down: no new requests, letting running jobs finish');
    const deadline = setTimeout(
      () => {
        logger.error({ timeoutMs }, 'shutdown took too long; exiting, running jobs go back to the queue when their locks lapse');
        exit(1);
      },
      Math.max(timeoutMs - EXIT_MARGIN_MS, Math.ceil(timeoutMs / 2)),
    );
    deadline.unref();
    void bot.stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
