/**
 * Fault injection. Each fault is armed on the running emulator (or at startup via options /
 * the CLI `--fault` flag) and affects what the bot sees next:
 * build failures, OOM-killed containers, pools with no free node, missing privileges,
 * transient HTTP 503s and session expiry.
 */
import type { FaultSpec, PrivilegeObjectType } from './options.js';
import { parseObjectName } from './sql/names.js';
import { addGrant, toGrantObjectType } from './spcs/privileges.js';
import { reconcilePool } from './spcs/pools.js';
import { armOom } from './spcs/services.js';
import { endDeployQueries } from './spcs/deploy.js';
import { deployError, statementCanceled } from './errors.js';
import type { Sim } from './spcs/sim.js';
import { type Grant, key2, key3 } from './spcs/state.js';

export interface BuildFailureOptions {
  /** Model name or fq name to match; default: the next deploy of any model. */
  model?: string;
  /** Error line written to the build log and returned by the deploy query. */
  message?: string;
  /** How many builds fail. @defaultValue 1 */
  count?: number;
}

export interface OomOptions {
  /** Service name or fq name; default: the next inference service (or every running one matching). */
  service?: string;
  /** `startup`: killed while loading the model, never ready; `running`: killed after becoming ready. @defaultValue 'running' */
  phase?: 'startup' | 'running';
  /** Virtual ms from READY to the kill (running phase). @defaultValue timings.oomAfterMs */
  afterMs?: number;
  /** Restarts before the container stays FAILED. @defaultValue Infinity (flaps) */
  restartLimit?: number;
  /** How many future services to affect when none is running. @defaultValue 1 */
  count?: number;
}

export interface DeployQueryFaultOptions {
  /** Service name or fq name whose running deploy query ends; default: every running deploy query. */
  service?: string;
  /** failDeployQuery only: the query's error message. */
  message?: string;
}

export interface StatusHoldOptions {
  /** Service name or fq name of the next service a deploy creates. */
  service: string;
  status: 'RESUMING' | 'UPGRADING';
  /** Virtual ms from its creation during which SHOW SERVICES reports `status`. */
  forMs: number;
}

export interface MissingPrivilegeOptions {
  privilege: string;
  on: PrivilegeObjectType;
  /** Object name (`POOL`, `DB.SCHEMA`, `DB.SCHEMA.SERVICE` …); default: every object of that type. */
  name?: string;
  /** Role to deny; default: every role. */
  role?: string;
}

export interface Faults {
  imageBuildFailure(opts?: BuildFailureOptions): void;
  oomKill(opts?: OomOptions): void;
  /**
   * The running deploy query (CALL SYSTEM$DEPLOY_MODEL) fails now with `message` (code 100357),
   * while its build job and service carry on looking normal. Returns how many queries it ended.
   */
  failDeployQuery(opts?: DeployQueryFaultOptions): number;
  /**
   * The running deploy query is cancelled now, as SYSTEM$CANCEL_QUERY does: it ends with 000604
   * "SQL execution canceled"; a build job still running goes CANCELLING, then CANCELLED.
   */
  cancelDeployQuery(opts?: DeployQueryFaultOptions): number;
  /** The next service a deploy creates with this name reports RESUMING or UPGRADING for a while. */
  holdServiceStatus(opts: StatusHoldOptions): void;
  /** The pool behaves as if all MAX_NODES nodes were busy: new instances stay PENDING ("Pending scheduling"). */
  noFreeNode(pool: string, enabled?: boolean): void;
  /**
   * DESCRIBE COMPUTE POOL reports this error_code / status_message for the pool (default 392507,
   * the capacity error of BCR 2024_06 bcr-1594); `null` clears it.
   */
  poolError(pool: string, error?: { readonly code?: string; readonly message?: string } | null): void;
  /**
   * Instances of this inference service that start from now on cannot pull their image: their
   * containers stay PENDING with "Failed to pull image" (and a CONTAINER.STATUS_CHANGE ERROR event).
   */
  imagePullFailure(service: string, enabled?: boolean): void;
  /** Denies a privilege (overrides grants and ownership) → 003001 on statements that need it. */
  missingPrivilege(opts: MissingPrivilegeOptions): void;
  /** Lifts every missing-privilege fault. */
  restorePrivileges(): void;
  /** The next `count` HTTP requests (except telemetry) answer HTTP 503; the driver retries. */
  http503(count?: number): void;
  /** The next `count` authenticated requests answer 390112; the driver renews its token. */
  expireSession(count?: number): void;
  /** The next `count` statements take `ms` real milliseconds (exercises 333333 polling). */
  slowQuery(count?: number, ms?: number): void;
  /**
   * The next `count` statements whose text is `sqlText` (trimmed, case-insensitive) take `ms` real
   * milliseconds, whatever else arrives meanwhile (one slow listing among many). @defaultValue count Infinity
   */
  slowStatement(opts: { readonly sqlText: string; readonly ms: number; readonly count?: number }): void;
  /**
   * The next `count` asynchronous statements run as soon as they arrive, but the answer carrying
   * their query id is held `ms` real milliseconds: a client that dies meanwhile never learns the id.
   */
  lateAsyncAnswer(count?: number, ms?: number): void;
  apply(spec: FaultSpec): void;
  /** Disarms everything not yet triggered and lifts denies and no-free-node pools. */
  clear(): void;
}

function upperIdent(text: string): string[] {
  return parseObjectName(text) ?? [text.toUpperCase()];
}

export function createFaults(sim: Sim): Faults {
  const f = sim.faults;
  // Grants taken away by missingPrivilege, given back by restorePrivileges/clear.
  let removedGrants: Grant[] = [];
  const restore = (): void => {
    sim.state.denies = [];
    for (const g of removedGrants) addGrant(sim.state, g);
    removedGrants = [];
  };
  const api: Faults = {
    imageBuildFailure(opts = {}) {
      f.buildFailures.push({
        model: opts.model,
        message:
          opts.message ??
          'Could not find a version that satisfies the requirement scikit-learn==9.9.9 (from versions: 1.3.2, 1.4.2, 1.5.1)',
        remaining: opts.count ?? 1,
      });
    },
    oomKill(opts = {}) {
      const now = sim.now();
      const plan = {
        phase: opts.phase ?? 'running',
        afterMs: opts.afterMs,
        restartLimit: opts.restartLimit ?? Number.POSITIVE_INFINITY,
      } as const;
      const target = opts.service === undefined ? null : upperIdent(opts.service);
      const running = [...sim.state.services.values()].filter((s) => {
        if (s.isJob || s.kind !== 'inference' || target === null) return false;
        const want = [s.database, s.schema, s.name].slice(3 - target.length);
        return target.every((p, i) => p === want[i]);
      });
      if (running.length > 0) {
        // Already deployed: instances that are (or become) READY get killed after afterMs.
        for (const svc of running) {
          armOom(
            sim,
            svc,
            { phase: 'running', afterMs: plan.afterMs ?? sim.draw(sim.timings.oomAfterMs), restartLimit: plan.restartLimit },
            now,
          );
        }
        return;
      }
      f.ooms.push({
        service: opts.service,
        phase: plan.phase,
        afterMs: plan.afterMs,
        restartLimit: plan.restartLimit,
        remaining: opts.count ?? 1,
      });
    },
    failDeployQuery(opts = {}) {
      return endDeployQueries(
        sim,
        opts.service,
        deployError(opts.message ?? 'Model deployment failed: the inference service could not be created.'),
        sim.now(),
        false,
      );
    },
    cancelDeployQuery(opts = {}) {
      return endDeployQueries(sim, opts.service, statementCanceled(), sim.now(), true);
    },
    holdServiceStatus(opts) {
      f.statusHolds.push({ service: opts.service, status: opts.status, forMs: opts.forMs });
    },
    noFreeNode(pool, enabled = true) {
      const name = upperIdent(pool)[0] ?? pool;
      if (enabled) f.noFreeNodePools.add(name);
      else f.noFreeNodePools.delete(name);
      const p = sim.state.pools.get(name);
      if (p) reconcilePool(sim, p, sim.now());
    },
    imagePullFailure(service, enabled = true) {
      const parts = upperIdent(service);
      const name = parts[parts.length - 1] ?? service;
      if (enabled) f.imagePullFailures.add(name);
      else f.imagePullFailures.delete(name);
    },
    poolError(pool, error = {}) {
      const name = upperIdent(pool)[0] ?? pool;
      if (error === null) f.poolErrors.delete(name);
      else {
        f.poolErrors.set(name, {
          code: error.code ?? '392507',
          message: error.message ?? 'Compute pool is starting for the last 3 minutes',
        });
      }
    },
    missingPrivilege(opts) {
      const on = toGrantObjectType(opts.on);
      let key: string | null = null;
      if (opts.name !== undefined) {
        const parts = upperIdent(opts.name);
        if (on === 'ACCOUNT') key = '';
        else if (on === 'SCHEMA') key = key2(parts[0] ?? '', parts[1] ?? '');
        else if (on === 'MODEL' || on === 'SERVICE' || on === 'EVENT_TABLE') key = key3(parts[0] ?? '', parts[1] ?? '', parts[2] ?? '');
        else key = parts[0] ?? '';
      } else if (on === 'ACCOUNT') {
        key = '';
      }
      const privilege = opts.privilege.toUpperCase();
      const role = opts.role?.toUpperCase() ?? null;
      sim.state.denies.push({ role, privilege, on, key });
      const matches = (g: Grant): boolean =>
        g.privilege === privilege && g.on === on && (key === null || g.key === key) && (role === null || g.role === role);
      removedGrants.push(...sim.state.grants.filter(matches));
      sim.state.grants = sim.state.grants.filter((g) => !matches(g));
    },
    restorePrivileges() {
      restore();
    },
    http503(count = 1) {
      f.http503Remaining += count;
    },
    expireSession(count = 1) {
      f.sessionExpiryRemaining += count;
    },
    slowQuery(count = 1, ms = 1500) {
      f.slowQueries = { remaining: f.slowQueries.remaining + count, ms };
    },
    slowStatement({ sqlText, ms, count = Number.POSITIVE_INFINITY }) {
      f.slowStatements.push({ text: sqlText.trim().toUpperCase(), remaining: count, ms });
    },
    lateAsyncAnswer(count = 1, ms = 10_000) {
      f.lateAsyncAnswers = { remaining: f.lateAsyncAnswers.remaining + count, ms };
    },
    apply(spec) {
      switch (spec.kind) {
        case 'imageBuildFailure':
          api.imageBuildFailure({
            ...(spec.model !== undefined ? { model: spec.model } : {}),
            ...(spec.message !== undefined ? { message: spec.message } : {}),
            ...(spec.count !== undefined ? { count: spec.count } : {}),
          });
          return;
        case 'oomKill':
          api.oomKill({
            ...(spec.service !== undefined ? { service: spec.service } : {}),
            ...(spec.phase !== undefined ? { phase: spec.phase } : {}),
            ...(spec.afterMs !== undefined ? { afterMs: spec.afterMs } : {}),
            ...(spec.restartLimit !== undefined ? { restartLimit: spec.restartLimit } : {}),
            ...(spec.count !== undefined ? { count: spec.count } : {}),
          });
          return;
        case 'noFreeNode':
          api.noFreeNode(spec.pool);
          return;
        case 'missingPrivilege':
          api.missingPrivilege({
            privilege: spec.privilege,
            on: spec.on,
            ...(spec.name !== undefined ? { name: spec.name } : {}),
            ...(spec.role !== undefined ? { role: spec.role } : {}),
          });
          return;
        case 'http503':
          api.http503(spec.count);
          return;
        case 'sessionExpiry':
          api.expireSession(spec.count);
          return;
        case 'slowQuery':
          api.slowQuery(spec.count, spec.ms);
      }
    },
    clear() {
      f.buildFailures = [];
      f.statusHolds = [];
      f.ooms = [];
      f.poolErrors.clear();
      f.imagePullFailures.clear();
      const pools = [...f.noFreeNodePools];
      f.noFreeNodePools.clear();
      f.http503Remaining = 0;
      f.sessionExpiryRemaining = 0;
      f.slowQueries = { remaining: 0, ms: 0 };
      f.slowStatements = [];
      f.lateAsyncAnswers = { remaining: 0, ms: 0 };
      restore();
      const now = sim.now();
      for (const name of pools) {
        const p = sim.state.pools.get(name);
        if (p) reconcilePool(sim, p, now);
      }
    },
  };
  return api;
}

/**
 * Parses a CLI fault: `build-failure[:MODEL[:MESSAGE]]`, `oom[:SERVICE[:startup|running]]`,
 * `no-free-node:POOL`, `missing-privilege:PRIVILEGE:OBJECT_TYPE[:NAME[:ROLE]]`,
 * `http503[:N]`, `session-expiry[:N]`, `slow-query[:N[:MS]]`.
 */
export function parseFaultFlag(text: string): FaultSpec {
  const [kind = '', ...args] = text.split(':');
  const n = (v: string | undefined, d: number): number => (v === undefined || v === '' ? d : Number(v));
  switch (kind) {
    case 'build-failure':
      return {
        kind: 'imageBuildFailure',
        ...(args[0] ? { model: args[0] } : {}),
        ...(args[1] ? { message: args.slice(1).join(':') } : {}),
      };
    case 'oom': {
      const phase = args[1] === 'startup' ? 'startup' : 'running';
      return { kind: 'oomKill', ...(args[0] ? { service: args[0] } : {}), phase };
    }
    case 'no-free-node':
      if (!args[0]) throw new Error('no-free-node needs a pool: no-free-node:POOL');
      return { kind: 'noFreeNode', pool: args[0] };
    case 'missing-privilege': {
      const [privilege, on, name, role] = args;
      const types: PrivilegeObjectType[] = [
        'ACCOUNT',
        'DATABASE',
        'SCHEMA',
        'COMPUTE POOL',
        'MODEL',
        'SERVICE',
        'NETWORK POLICY',
        'USER',
        'EVENT TABLE',
      ];
      const type = types.find((t) => t === (on ?? '').toUpperCase().replace(/_/g, ' '));
      if (!privilege || !type)
        throw new Error(`missing-privilege needs PRIVILEGE:OBJECT_TYPE[:NAME[:ROLE]], object type one of ${types.join(', ')}`);
      return {
        kind: 'missingPrivilege',
        privilege: privilege.replace(/_/g, ' '),
        on: type,
        ...(name ? { name } : {}),
        ...(role ? { role } : {}),
      };
    }
    case 'http503':
      return { kind: 'http503', count: n(args[0], 1) };
    case 'session-expiry':
      return { kind: 'sessionExpiry', count: n(args[0], 1) };
    case 'slow-query':
      return { kind: 'slowQuery', count: n(args[0], 1), ms: n(args[1], 1500) };
    default:
      throw new Error(`unknown fault '${kind}'`);
  }
}
