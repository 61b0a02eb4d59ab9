/** Runs `n` tasks with at most `concurrency` in flight; each task's own timing is its business. */
export async function runAtConcurrency(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let failures = 0;
  const lane = async () => {
    for (let i = next++; i < n; i = next++) {
      await task(i).catch(() => void failures++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return failures;
}
