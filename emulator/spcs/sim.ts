/**
 * The simulation context handed to every engine function: state + virtual clock + event
 * queue + PRNG + timings + armed faults. `sync()` runs everything due on the clock; all
 * entry points (HTTP requests, API calls, clock.advance) call it first.
 */
import type { VirtualClock } from '../clock.js';
import type { SqlError } from '../errors.js';
import type { MsRange, Timings } from '../options.js';
import type { Rng } from '../random.js';
import { Scheduler } from './scheduler.js';
import type { ComputePool, Instance, Service, SpcsState } from './state.js';

/**
 * How the simulation's parts call each other where the calls would go both ways (services tell
 * deployments what happened; pools start instances; services release pools). wireSimulation()
 * (wiring.ts) fills it in, so deploy.ts, services.ts and pools.ts import none of each other in a circle.
 */
export interface SimHooks {
  buildFinished(sim: Sim, job: Service, ok: boolean, at: number): void;
  serviceStatusChanged(sim: Sim, svc: Service, at: number): void;
  serviceDropped(sim: Sim, svc: Service, at: number): void;
  startInstance(sim: Sim, svc: Service, inst: Instance, nodeId: number, at: number): void;
  finishPoolStopIfDone(sim: Sim, pool: ComputePool, at: number): void;
}

const unwired = (): never => {
  throw new Error('emulator: wireSimulation(sim) was not called');
};

export interface BuildFailureFault {
  /** Model name (or fq name) to match; undefined matches any. */
  model: string | undefined;
  message: string;
  remaining: number;
}

export interface OomFault {
  /** Service name (or fq name) to match; undefined matches any inference service. */
  service: string | undefined;
  phase: 'startup' | 'running';
  afterMs: number | undefined;
  restartLimit: number;
  remaining: number;
}

export interface StatusHoldFault {
  service: string;
  status: 'RESUMING' | 'UPGRADING';
  forMs: number;
}

export interface FaultState {
  buildFailures: BuildFailureFault[];
  /** SHOW SERVICES reports this status for the first `forMs` of the next matching service. */
  statusHolds: StatusHoldFault[];
  ooms: OomFault[];
  noFreeNodePools: Set<string>;
  /** DESCRIBE COMPUTE POOL error_code / status_message per pool name (the poolError fault). */
  poolErrors: Map<string, { code: string; message: string }>;
  /** Names of inference services whose images cannot be pulled (the imagePullFailure fault). */
  imagePullFailures: Set<string>;
  http503Remaining: number;
  sessionExpiryRemaining: number;
  slowQueries: { remaining: number; ms: number };
  /** Statements with this exact text (trimmed, case-insensitive) take `ms` real ms, `remaining` times. */
  slowStatements: Array<{ text: string; remaining: number; ms: number }>;
  /** The next asyncExec statements are accepted at once but their answer reaches the client late (real ms). */
  lateAsyncAnswers: { remaining: number; ms: number };
}

export type DeploymentPhase = 'BUILDING' | 'STARTING' | 'SUCCEEDED' | 'FAILED';

export interface Deployment {
  queryId: string;
  phase: DeploymentPhase;
  serviceKey: string;
  buildKey: string | null;
  /** Result message on success. */
  message: string | null;
  error: SqlError | null;
  finishedAt: number | null;
}

export class Sim {
  readonly scheduler = new Scheduler();
  readonly deployments = new Map<string, Deployment>();
  hooks: SimHooks = {
    buildFinished: unwired,
    serviceStatusChanged: unwired,
    serviceDropped: unwired,
    startInstance: unwired,
    finishPoolStopIfDone: unwired,
  };
  readonly faults: FaultState = {
    buildFailures: [],
    statusHolds: [],
    ooms: [],
    noFreeNodePools: new Set(),
    poolErrors: new Map(),
    imagePullFailures: new Set(),
    http503Remaining: 0,
    sessionExpiryRemaining: 0,
    slowQueries: { remaining: 0, ms: 0 },
    slowStatements: [],
    lateAsyncAnswers: { remaining: 0, ms: 0 },
  };

  constructor(
    readonly state: SpcsState,
    readonly clock: VirtualClock,
    readonly rng: Rng,
    readonly timings: Timings,
  ) {
    clock.onAdvance(() => this.sync());
  }

  /** Runs every scheduled event that is due. */
  sync(): void {
    this.scheduler.runDue(this.clock.now());
  }

  /** Syncs and returns the current virtual time. */
  now(): number {
    this.sync();
    return this.clock.now();
  }

  draw(range: MsRange): number {
    return this.rng.range(range);
  }
}
