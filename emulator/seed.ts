/**
 * Seed data: the registry, pools, roles, users and one running service a bot can operate on
 * from the first request. See emulator/README.md ("Seed data") for the list.
 */
import type { UserOptions } from './options.js';
import type { SessionContext } from './session-context.js';
import { startDeploy } from './spcs/deploy.js';
import { findFamily } from './spcs/families.js';
import { reconcilePool, startPoolNow } from './spcs/pools.js';
import { addGrant } from './spcs/privileges.js';
import type { Sim } from './spcs/sim.js';
import type { ComputePool, GrantObjectType, Model, ModelMethod, ModelVersion, SpcsState } from './spcs/state.js';
import { displayName, key2, key3 } from './spcs/state.js';

export const BOT_USER = 'SPCS_BOT';
export const BOT_ROLE = 'SPCS_OPERATOR';
export const DEFAULT_PASSWORD = 'emulator';
export const DEFAULT_PAT = 'pat-spcs-bot-emulator';
export const DEFAULT_OAUTH_TOKEN = 'oauth-spcs-bot-emulator';
export const EXPIRED_OAUTH_TOKEN = 'oauth-spcs-bot-expired';
export const ANALYST_PAT = 'pat-analyst-emulator';

const DAY = 86_400_000;

export function defaultUsers(bot: Partial<UserOptions> | undefined): UserOptions[] {
  return [
    {
      name: BOT_USER,
      password: DEFAULT_PASSWORD,
      defaultRole: BOT_ROLE,
      roles: [BOT_ROLE, 'PUBLIC'],
      pats: [DEFAULT_PAT],
      oauthTokens: [DEFAULT_OAUTH_TOKEN],
      expiredOauthTokens: [EXPIRED_OAUTH_TOKEN],
      ...(bot ?? {}),
    },
    { name: 'ANALYST', password: DEFAULT_PASSWORD, defaultRole: 'ANALYST', roles: ['ANALYST', 'PUBLIC'], pats: [ANALYST_PAT] },
    {
      name: 'ADMIN',
      password: DEFAULT_PASSWORD,
      defaultRole: 'ACCOUNTADMIN',
      roles: ['ACCOUNTADMIN', 'SYSADMIN', 'SECURITYADMIN', 'PUBLIC'],
    },
  ];
}

export function installUsers(state: SpcsState, users: readonly UserOptions[]): void {
  for (const u of users) {
    const name = u.name.toUpperCase();
    const roles = (u.roles ?? ['PUBLIC']).map((r) => r.toUpperCase());
    for (const r of roles) state.roles.add(r);
    const keys = u.publicKeyPem === undefined ? [] : Array.isArray(u.publicKeyPem) ? u.publicKeyPem : [u.publicKeyPem];
    state.users.set(name, {
      name,
      password: u.password === undefined ? DEFAULT_PASSWORD : u.password,
      defaultRole: (u.defaultRole ?? roles[0] ?? 'PUBLIC').toUpperCase(),
      roles,
      networkPolicy: null,
      publicKeys: keys,
      pats: u.pats ?? [],
      oauthTokens: u.oauthTokens ?? [],
      expiredOauthTokens: u.expiredOauthTokens ?? [],
    });
  }
}

function grant(state: SpcsState, role: string, privilege: string, on: GrantObjectType, key: string, name: string, at: number): void {
  addGrant(state, { role, privilege, on, key, name, grantedBy: 'SYSADMIN', createdOn: at });
}

function method(name: string, inputs: Array<[string, string]>, outputs: Array<[string, string]>): ModelMethod {
  return {
    name,
    inputs: inputs.map(([n, t]) => ({ name: n, type: t, nullable: true })),
    outputs: outputs.map(([n, t]) => ({ name: n, type: t, nullable: true })),
    isTableFunction: false,
  };
}

function version(name: string, at: number, partial: Partial<ModelVersion> & Pick<ModelVersion, 'methods' | 'behavior'>): ModelVersion {
  return {
    name,
    createdOn: at,
    comment: null,
    aliases: [],
    gpuRuntime: null,
    modelType: 'sklearn',
    sizeBytes: 1_048_576,
    metadata: {},
    userData: {},
    workingSetGib: 0.5,
    ...partial,
  };
}

/** Seeds the registry, pools and grants, and deploys IRIS_SVC in the past if asked. */
export function seedWorld(sim: Sim, start: number, withRunningService: boolean, serviceSchemas: readonly string[] = []): void {
  const st = sim.state;
  const t0 = start - 30 * DAY;
  st.roles.add(BOT_ROLE);
  st.roles.add('ANALYST');
  st.warehouses.add('COMPUTE_WH');

  const dbs: Array<[string, 'STANDARD' | 'APPLICATION', string[]]> = [
    ['ML_DB', 'STANDARD', ['PUBLIC', 'REGISTRY', 'SERVING', ...serviceSchemas]],
    ['ANALYTICS_DB', 'STANDARD', ['PUBLIC']],
    ['SNOWFLAKE', 'APPLICATION', ['TELEMETRY', 'ACCOUNT_USAGE']],
  ];
  for (const [db, kind, schemas] of dbs) {
    st.databases.set(db, { name: db, createdOn: t0, owner: kind === 'APPLICATION' ? '' : 'SYSADMIN', comment: null, kind });
    if (kind === 'STANDARD') grant(st, 'SYSADMIN', 'OWNERSHIP', 'DATABASE', db, db, t0);
    for (const s of schemas) {
      st.schemas.set(key2(db, s), { database: db, name: s, createdOn: t0, owner: kind === 'APPLICATION' ? '' : 'SYSADMIN', comment: null });
      if (kind === 'STANDARD') grant(st, 'SYSADMIN', 'OWNERSHIP', 'SCHEMA', key2(db, s), displayName(db, s), t0);
    }
  }

  const iris = version('V1', t0 + DAY, {
    comment: 'Iris species classifier (sklearn LogisticRegression)',
    methods: [
      method(
        'PREDICT',
        [
          ['SEPAL_LENGTH', 'FLOAT'],
          ['SEPAL_WIDTH', 'FLOAT'],
          ['PETAL_LENGTH', 'FLOAT'],
          ['PETAL_WIDTH', 'FLOAT'],
        ],
        [['CLASS', 'STRING']],
      ),
    ],
    behavior: 'iris',
    metadata: { metrics: { accuracy: 0.967 } },
  });
  const bertMethods = [
    method(
      'PREDICT',
      [['TEXT', 'STRING']],
      [
        ['LABEL', 'STRING'],
        ['SCORE', 'DOUBLE'],
      ],
    ),
    method(
      'PREDICT_PROBA',
      [['TEXT', 'STRING']],
      [
        ['NEGATIVE', 'DOUBLE'],
        ['POSITIVE', 'DOUBLE'],
      ],
    ),
  ];
  const bertV1 = version('V1', t0 + 2 * DAY, {
    comment: 'DistilBERT sentiment, CPU only',
    methods: bertMethods,
    behavior: 'sentiment',
    modelType: 'huggingface_pipeline',
    sizeBytes: 268_000_000,
    workingSetGib: 3,
  });
  const bertV2 = version('V2', t0 + 5 * DAY, {
    comment: 'BERT sentiment, logged with cuda_version 12.1',
    methods: bertMethods,
    behavior: 'sentiment',
    modelType: 'huggingface_pipeline',
    sizeBytes: 438_000_000,
    workingSetGib: 4,
    gpuRuntime: { cudaVersion: '12.1' },
    aliases: ['FIRST_GPU'],
  });
  const models: Model[] = [
    {
      database: 'ML_DB',
      schema: 'REGISTRY',
      name: 'IRIS_CLASSIFIER',
      createdOn: t0 + DAY,
      comment: 'Iris demo model',
      owner: 'SYSADMIN',
      defaultVersion: 'V1',
      versions: new Map([['V1', iris]]),
    },
    {
      database: 'ML_DB',
      schema: 'REGISTRY',
      name: 'SENTIMENT_BERT',
      createdOn: t0 + 2 * DAY,
      comment: 'Review sentiment',
      owner: 'SYSADMIN',
      defaultVersion: 'V2',
      versions: new Map([
        ['V1', bertV1],
        ['V2', bertV2],
      ]),
    },
  ];
  for (const m of models) {
    const k = key3(m.database, m.schema, m.name);
    st.models.set(k, m);
    grant(st, 'SYSADMIN', 'OWNERSHIP', 'MODEL', k, displayName(m.database, m.schema, m.name), m.createdOn);
    grant(st, BOT_ROLE, 'USAGE', 'MODEL', k, displayName(m.database, m.schema, m.name), m.createdOn);
    grant(st, 'ANALYST', 'USAGE', 'MODEL', k, displayName(m.database, m.schema, m.name), m.createdOn);
  }

  const pools: Array<{
    name: string;
    family: string;
    min: number;
    max: number;
    autoResume: boolean;
    autoSuspend: number;
    running: number | null;
    comment: string | null;
    botPrivs: string[];
  }> = [
    {
      name: 'CPU_XS_POOL',
      family: 'CPU_X64_XS',
      min: 1,
      max: 2,
      autoResume: true,
      autoSuspend: 3600,
      running: start - 2 * DAY,
      comment: 'Shared CPU pool for small models',
      botPrivs: ['USAGE', 'MONITOR', 'OPERATE'],
    },
    {
      name: 'CPU_M_POOL',
      family: 'CPU_X64_M',
      min: 1,
      max: 3,
      autoResume: true,
      autoSuspend: 3600,
      running: null,
      comment: null,
      botPrivs: ['USAGE', 'MONITOR', 'OPERATE'],
    },
    {
      name: 'HIGHMEM_POOL',
      family: 'HIGHMEM_X64_S',
      min: 1,
      max: 1,
      autoResume: false,
      autoSuspend: 1800,
      running: null,
      comment: 'Needs an explicit RESUME',
      botPrivs: ['USAGE', 'MONITOR', 'OPERATE'],
    },
    {
      name: 'GPU_S_POOL',
      family: 'GPU_NV_S',
      min: 1,
      max: 2,
      autoResume: true,
      autoSuspend: 3600,
      running: start - 10 * 60_000,
      comment: '1 x A10G per node',
      botPrivs: ['USAGE', 'MONITOR', 'OPERATE'],
    },
    {
      name: 'GPU_M_POOL',
      family: 'GPU_NV_M',
      min: 1,
      max: 1,
      autoResume: true,
      autoSuspend: 3600,
      running: null,
      comment: '4 x A10G per node',
      botPrivs: ['USAGE', 'MONITOR', 'OPERATE'],
    },
    {
      name: 'GPU_L_POOL',
      family: 'GPU_NV_L',
      min: 1,
      max: 1,
      autoResume: true,
      autoSuspend: 3600,
      running: null,
      comment: 'Reserved for training (no USAGE for SPCS_OPERATOR)',
      botPrivs: ['MONITOR'],
    },
  ];
  for (const p of pools) {
    const family = findFamily(p.family);
    if (!family) throw new Error(`seed: unknown family ${p.family}`);
    const pool: ComputePool = {
      name: p.name,
      family,
      minNodes: p.min,
      maxNodes: p.max,
      autoResume: p.autoResume,
      autoSuspendSecs: p.autoSuspend,
      comment: p.comment,
      owner: 'SYSADMIN',
      createdOn: t0,
      resumedOn: null,
      updatedOn: t0,
      suspended: true,
      stopping: false,
      nodes: [],
      nextNodeId: 0,
      generation: 0,
      idleSince: null,
    };
    if (p.running !== null) startPoolNow(pool, p.running);
    st.pools.set(p.name, pool);
    if (p.running !== null) reconcilePool(sim, pool, p.running);
    grant(st, 'SYSADMIN', 'OWNERSHIP', 'COMPUTE_POOL', p.name, p.name, t0);
    for (const priv of p.botPrivs) grant(st, BOT_ROLE, priv, 'COMPUTE_POOL', p.name, p.name, t0);
  }
  grant(st, 'ANALYST', 'MONITOR', 'COMPUTE_POOL', 'CPU_XS_POOL', 'CPU_XS_POOL', t0);

  for (const s of ['REGISTRY', 'SERVING', ...serviceSchemas]) {
    grant(st, BOT_ROLE, 'USAGE', 'SCHEMA', key2('ML_DB', s), displayName('ML_DB', s), t0);
    grant(st, BOT_ROLE, 'CREATE SERVICE', 'SCHEMA', key2('ML_DB', s), displayName('ML_DB', s), t0);
    grant(st, BOT_ROLE, 'CREATE STAGE', 'SCHEMA', key2('ML_DB', s), displayName('ML_DB', s), t0);
    grant(st, 'ANALYST', 'USAGE', 'SCHEMA', key2('ML_DB', s), displayName('ML_DB', s), t0);
  }
  grant(st, BOT_ROLE, 'CREATE NETWORK RULE', 'SCHEMA', key2('ML_DB', 'SERVING'), displayName('ML_DB', 'SERVING'), t0);
  grant(st, BOT_ROLE, 'USAGE', 'DATABASE', 'ML_DB', 'ML_DB', t0);
  grant(st, 'ANALYST', 'USAGE', 'DATABASE', 'ML_DB', 'ML_DB', t0);
  grant(st, BOT_ROLE, 'USAGE', 'DATABASE', 'SNOWFLAKE', 'SNOWFLAKE', t0);
  grant(st, BOT_ROLE, 'USAGE', 'SCHEMA', key2('SNOWFLAKE', 'TELEMETRY'), 'SNOWFLAKE.TELEMETRY', t0);
  const et = st.eventTable;
  grant(st, BOT_ROLE, 'SELECT', 'EVENT_TABLE', key3(et.database, et.schema, et.name), displayName(et.database, et.schema, et.name), t0);
  for (const priv of ['CREATE COMPUTE POOL', 'BIND SERVICE ENDPOINT', 'CREATE NETWORK POLICY', 'ATTACH POLICY']) {
    grant(st, BOT_ROLE, priv, 'ACCOUNT', '', st.account, t0);
  }
  grant(st, BOT_ROLE, 'USAGE', 'WAREHOUSE', 'COMPUTE_WH', 'COMPUTE_WH', t0);
  grant(st, 'ANALYST', 'USAGE', 'WAREHOUSE', 'COMPUTE_WH', 'COMPUTE_WH', t0);

  if (withRunningService) {
    const ctx: SessionContext = {
      sessionId: 0,
      user: BOT_USER,
      role: BOT_ROLE,
      database: 'ML_DB',
      schema: 'SERVING',
      warehouse: null,
      params: {},
      clientIp: '127.0.0.1',
    };
    st.builtImages.add(`${key3('ML_DB', 'REGISTRY', 'IRIS_CLASSIFIER')}\u0001V1`);
    startDeploy(
      sim,
      ctx,
      '01b00000-0000-0000-0000-000000000001',
      [
        'models: [{name: ML_DB.REGISTRY.IRIS_CLASSIFIER, version: V1}]',
        'service: {name: ML_DB.SERVING.IRIS_SVC, compute_pool: CPU_XS_POOL, ingress_enabled: true, min_instances: 1, max_instances: 2}',
      ].join('\n'),
      start - DAY,
    );
    grant(st, 'ANALYST', 'USAGE', 'SERVICE', key3('ML_DB', 'SERVING', 'IRIS_SVC'), 'ML_DB.SERVING.IRIS_SVC', start - DAY);
  }
}
