/** Sizes of a bench run: full (the numbers), quick (under two minutes), tiny (the CI smoke test). */
export type Mode = 'full' | 'quick' | 'tiny';

export interface BenchOptions {
  readonly mode: Mode;
  readonly latency: {
    readonly requests: number;
    readonly warmup: number;
    readonly concurrencies: readonly number[];
    readonly tailRepetitions: number;
  };
  readonly status: {
    readonly deployments: number;
    readonly schemas: number;
    readonly roundMs: number;
    readonly emulatorSpeed: number;
    readonly timeoutMs: number;
  };
  readonly rateLimits: { readonly deployments: number; readonly scale: number; readonly timeoutMs: number };
  readonly output: string;
  /** Directory for V8 CPU profiles of the bot and tracker processes (`--cpu-prof DIR`); none when absent. */
  readonly cpuProfDir: string | null;
  /** Which measures run (`--only 1,3`); all four by default. */
  readonly only: ReadonlySet<number>;
}

export function benchOptions(argv: readonly string[]): BenchOptions {
  const mode: Mode = argv.includes('--tiny') ? 'tiny' : argv.includes('--quick') ? 'quick' : 'full';
  const outIndex = argv.indexOf('--out');
  const output = outIndex >= 0 ? (argv[outIndex + 1] ?? 'bench/results/latest.json') : 'bench/results/latest.json';
  const profIndex = argv.indexOf('--cpu-prof');
  const next = argv[profIndex + 1];
  const cpuProfDir = profIndex < 0 ? null : next !== undefined && !next.startsWith('--') ? next : 'bench/results/profiles';
  const sizes = {
    full: { requests: 2000, deployments: 2000, rl: 200, rlTimeout: 600_000, stTimeout: 360_000 },
    quick: { requests: 100, deployments: 200, rl: 30, rlTimeout: 60_000, stTimeout: 30_000 },
    tiny: { requests: 20, deployments: 40, rl: 10, rlTimeout: 30_000, stTimeout: 10_000 },
  }[mode];
  const onlyIndex = argv.indexOf('--only');
  const only = new Set(
    (onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '') : '1,2,3,4')
      .split(',')
      .map(Number)
      .filter((n) => n >= 1 && n <= 4),
  );
  // Full: ten times the deployments of quick, each moving ten times slower, so the tracker follows
  // 10× as many with the same rate of state changes a second.
  return {
    mode,
    latency: {
      requests: sizes.requests,
      warmup: mode === 'tiny' ? 5 : 50,
      concurrencies: mode === 'tiny' ? [1, 10] : [1, 10, 50],
      tailRepetitions: mode === 'tiny' ? 1 : 3,
    },
    status: {
      deployments: sizes.deployments,
      schemas: mode === 'tiny' ? 5 : 20,
      roundMs: 1000,
      emulatorSpeed: mode === 'full' ? 0.1 : 1,
      timeoutMs: sizes.stTimeout,
    },
    rateLimits: { deployments: sizes.rl, scale: 20, timeoutMs: sizes.rlTimeout },
    output,
    cpuProfDir,
    only,
  };
}
