import { describe, expect, it } from 'vitest';
import type { KnownBlock, ModalView } from '@slack/types';
import {
  buildAccessBusyView,
  buildAccessNoticeView,
  buildAccessOverview,
  buildGrantConfirm,
  buildGrantForm,
  buildNetworkConfirm,
  buildNetworkForm,
  buildTestForm,
  buildTestResult,
  AccessIds,
  type AccessOverviewModel,
  type MethodModel,
} from '../../src/blocks/access.js';
import { buildMilestoneMessage } from '../../src/blocks/deploy-status.js';
import { ApprovalIds, buildDeploySummary, buildRejectModal } from '../../src/blocks/deploy-summary.js';
import { deploymentView } from '../../src/domain/deployment-view.js';
import { operationView } from '../../src/domain/operation-view.js';
import { buildWizardView, WizardIds } from '../../src/blocks/deploy-wizard.js';
import { buildExpiredView, buildKeptServiceView } from '../../src/blocks/deploy-wizard-review.js';
import { buildCommandHelpMessage, buildHelpMessage } from '../../src/blocks/help.js';
import {
  buildAutoSuspendModal,
  buildChangeConfirmation,
  buildChangeOutcome,
  buildChangeRejectModal,
  buildChangeSummary,
  buildCreatePoolModal,
  buildScaleModal,
  ManageIds,
} from '../../src/blocks/manage.js';
import { buildDiagnosis } from '../../src/blocks/observe-diagnosis.js';
import { notice, usageError } from '../../src/blocks/kit.js';
import { serviceAmbiguous } from '../../src/blocks/observe-common.js';
import { buildServiceList } from '../../src/blocks/observe-list.js';
import { buildLogMessage } from '../../src/blocks/observe-logs.js';
import { buildPoolTable, PoolActions } from '../../src/blocks/observe-pools.js';
import { buildServiceStatus, StatusActions } from '../../src/blocks/observe-status.js';
import type { DeployRequest } from '../../src/domain/deploy-request.js';
import type { Deployment, Milestone } from '../../src/domain/deployment.js';
import type { Finding } from '../../src/domain/diagnosis.js';
import type { Operation, OperationChange } from '../../src/domain/operation.js';
import type { ComputePoolInfo, InstanceFamilyInfo, ServiceContainer, ServiceInfo } from '../../src/snowflake/index.js';
import type { Draft, PoolRow } from '../../src/domain/deploy-draft.js';
import { checkedOf, selectedOf, textOf, type StateValues as BotStateValues } from '../../src/flows/deploy/values.js';
import {
  blockAction,
  clientErrors,
  fieldName,
  renderBlocks,
  renderMessage,
  renderView,
  stateFromFormValues,
  SUPPORTED_BLOCKS,
  SUPPORTED_ELEMENTS,
  type RenderContext,
} from '../../sandbox/page/render/index.js';
import { irisRequest } from '../support/deploy-requests.js';

/**
 * The renderer fed from the bot's real block builders (src/blocks/*), with realistic inputs:
 * what a person sees in the sandbox is what these builders produce.
 */

const ctx: RenderContext = {
  users: { U0REQUEST: { name: 'rita.requester' }, U0APPROVE: { name: 'alex.approver' }, U0OPS: { name: 'omar.ops' } },
  channels: { C0DEPLOYS: 'ml-deploys' },
  timeZone: 'UTC',
  nowMs: Date.UTC(2026, 11, 3, 12, 0, 0),
};

// --- HTML probes (the renderer's output is a string; these read it the way the page's selectors would) ---

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The opening tag of the element with this data-action-id (and data-block-id when given). */
function openTag(html: string, actionId: string, blockId?: string): string {
  const re = new RegExp(`<[a-z]+\\b[^>]*data-action-id="${escapeRe(actionId)}"[^>]*>`, 'g');
  const found = [...html.matchAll(re)].map((m) => m[0]).filter((t) => blockId === undefined || t.includes(`data-block-id="${blockId}"`));
  expect(found, `element ${actionId}`).toHaveLength(1);
  return found[0] ?? '';
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function attr(tagHtml: string, name: string): string | undefined {
  const m = new RegExp(`\\s${escapeRe(name)}(?:="([^"]*)")?(?=[\\s>])`).exec(tagHtml);
  return m === null ? undefined : unescapeHtml(m[1] ?? '');
}
/** The HTML of the block with this block_id. */
function blockHtml(html: string, blockId: string): string {
  const start = html.indexOf(`data-block-id="${blockId}"`);
  expect(start, `block ${blockId}`).toBeGreaterThan(-1);
  const from = html.lastIndexOf('<div class="sk-block', start);
  const next = html.indexOf('<div class="sk-block ', start);
  return html.slice(from, next < 0 ? undefined : next);
}
const visibleText = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, ''));
const footer = (html: string) => html.slice(html.indexOf('<div class="sk-modal-footer"'));

// --- Realistic inputs ---

const HASH = 'c'.repeat(64);
const T0 = Date.UTC(2026, 10, 20, 9, 30, 0);

function deployment(over: Partial<Deployment> = {}, request: DeployRequest = irisRequest('IRIS_SVC')): Deployment {
  return {
    id: 'd0000demo1',
    request,
    planHash: HASH,
    requestedBy: 'U0REQUEST',
    teamId: 'T0DEMO',
    channelId: 'C0DEPLOYS',
    requestedAtMs: T0,
    state: 'pending',
    approvals: [],
    ...over,
  };
}

const draft = (over: Partial<Draft> = {}): Draft => ({
  id: 'w000000000000000000000001',
  userId: 'U0REQUEST',
  teamId: 'T0DEMO',
  channelId: 'C0DEPLOYS',
  createdAtMs: T0,
  step: 'model',
  rev: 1,
  model: { database: 'ML_DB', schema: 'REGISTRY', name: 'IRIS_CLASSIFIER', version: 'V1' },
  lists: {},
  versionInfo: { functions: irisRequest('X').functions, hasGpuRuntime: false },
  service: { database: 'ML_DB', schema: 'SERVING', name: 'IRIS_SVC' },
  poolMode: 'existing',
  ...over,
});

const poolRow = (name: string, over: Partial<PoolRow> = {}): PoolRow => ({
  name,
  instanceFamily: 'CPU_X64_XS',
  gpu: null,
  minNodes: 1,
  maxNodes: 2,
  activeNodes: 1,
  state: 'ACTIVE',
  services: 0,
  autoResume: true,
  usable: true,
  ...over,
});

const service = (over: Partial<ServiceInfo> = {}): ServiceInfo => ({
  name: 'IRIS_SVC',
  status: 'RUNNING',
  databaseName: 'ML_DB',
  schemaName: 'SERVING',
  owner: null,
  computePool: 'CPU_XS_POOL',
  dnsName: null,
  currentInstances: 1,
  targetInstances: 1,
  minReadyInstances: 1,
  minInstances: 1,
  maxInstances: 2,
  autoResume: true,
  autoSuspendSecs: 1800,
  externalAccessIntegrations: [],
  comment: null,
  queryWarehouse: null,
  isJob: false,
  isUpgrading: false,
  specDigest: null,
  createdOn: null,
  updatedOn: null,
  resumedOn: null,
  suspendedOn: null,
  ...over,
});

const container = (over: Partial<ServiceContainer> = {}): ServiceContainer => ({
  serviceName: 'IRIS_SVC',
  serviceStatus: 'RUNNING',
  instanceId: '0',
  instanceStatus: 'READY',
  containerName: 'model-inference',
  status: 'READY',
  message: 'Running',
  imageName: null,
  imageDigest: null,
  restartCount: 2,
  startTime: null,
  lastExitCode: 137,
  ...over,
});

const computePool = (name: string, state = 'ACTIVE'): ComputePoolInfo => ({
  name,
  state,
  minNodes: 1,
  maxNodes: 2,
  instanceFamily: 'CPU_X64_XS',
  numServices: 1,
  numJobs: 0,
  autoSuspendSecs: 3600,
  autoResume: false,
  activeNodes: 1,
  idleNodes: 0,
  targetNodes: 1,
  owner: null,
  comment: null,
  isExclusive: false,
  application: null,
  errorCode: null,
  statusMessage: null,
  createdOn: null,
  resumedOn: null,
  updatedOn: null,
});

const family: InstanceFamilyInfo = {
  name: 'GPU_NV_S',
  description: null,
  vcpu: 6,
  memoryGib: 27,
  storageGib: null,
  gpu: { type: 'A10G', perNode: 1, memoryGib: 24 },
  currentNodeUsage: null,
  message: null,
};

const operation = (change: OperationChange, over: Partial<Operation> = {}): Operation => ({
  id: 'o0000demo1',
  service: 'ML_DB.SERVING.IRIS_SVC',
  change,
  before: { status: 'RUNNING', minInstances: 1, maxInstances: 2, autoSuspendSecs: 1800 },
  gate: 'self',
  planHash: HASH,
  requestedBy: 'U0OPS',
  teamId: 'T0DEMO',
  channelId: 'C0DEPLOYS',
  requestedAtMs: T0,
  state: 'pending',
  approvals: [],
  ...over,
});

const methods: MethodModel[] = [
  {
    name: 'PREDICT',
    signature: 'PREDICT(SEPAL_LENGTH FLOAT, SEPAL_WIDTH FLOAT, PETAL_LENGTH FLOAT, PETAL_WIDTH FLOAT)',
    path: 'predict',
    example: '1.0, 1.0, 1.0, 1.0',
  },
  { name: 'PREDICT_PROBA', signature: 'PREDICT_PROBA(SEPAL_LENGTH FLOAT)', path: 'predict-proba', example: '1.0' },
];

const overview = (over: Partial<AccessOverviewModel> = {}): AccessOverviewModel => ({
  sessionId: 'a1',
  service: 'ML_DB.SERVING.IRIS_SVC',
  serviceStatus: 'RUNNING',
  snowflakeUser: 'ANALYST_DANA',
  botUser: 'SPCS_BOT',
  networkPolicy: null,
  accountPolicy: null,
  endpoint: { state: 'ready', url: 'https://abc-org-acct.snowflakecomputing.app' },
  model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
  methods,
  ...over,
});

const finding: Finding = {
  code: 'oom_killed',
  severity: 'problem',
  title: 'Container model-inference was OOM-killed',
  cause: 'The model needs more memory than a CPU_X64_XS node has.',
  fixes: ['Use a pool of a larger instance family.', 'Lower num_workers.'],
  evidence: ['last exit code 137', 'memory peak 5.9 GiB of 6 GiB'],
};

const running: Deployment = deployment({
  state: 'approved',
  approvals: [{ userId: 'U0APPROVE', atMs: T0 + 60_000 }],
  execution: { phase: 'running', phaseSinceMs: T0 + 600_000, ingressUrl: 'https://abc-org-acct.snowflakecomputing.app', milestones: [] },
});

const failed = (kind: 'oom' | 'build_failed' | 'missing_privilege' | 'no_free_node'): Deployment =>
  deployment({
    state: 'approved',
    approvals: [{ userId: 'U0APPROVE', atMs: T0 + 60_000 }],
    execution: {
      phase: 'failed',
      phaseSinceMs: T0 + 900_000,
      milestones: [],
      failure: {
        kind,
        message: 'Container model-inference exited with 137 <OOMKilled>',
        logTail: ['Loading model…', 'Killed <pid 7> & gone'],
        privilege: 'USAGE ON COMPUTE POOL CPU_XS_POOL',
      },
    },
  });

type Surface = { kind: 'message'; blocks: KnownBlock[] } | { kind: 'view'; view: ModalView };
const msg = (m: { blocks: KnownBlock[] }): Surface => ({ kind: 'message', blocks: m.blocks });
const modal = (view: ModalView): Surface => ({ kind: 'view', view });

/** Every builder of src/blocks with realistic inputs: what the bot can put in front of a person. */
function allOutputs(): Record<string, Surface> {
  const w = (d: Partial<Draft>, loading = false, request: DeployRequest | null = null) =>
    modal(buildWizardView({ draft: draft(d), loading, request }));
  const gpuPool = {
    kind: 'existing' as const,
    name: 'GPU_POOL',
    instanceFamily: 'GPU_NV_M',
    gpu: { type: 'A10G', perNode: 4, memoryGib: 24 },
    state: 'ACTIVE',
  };
  const milestones: Milestone[] = [
    'approved',
    'build_started',
    'build_done',
    'starting',
    'waiting_for_capacity',
    'running',
    'endpoint_ready',
  ];
  const out: Record<string, Surface> = {
    'wizard model': w({ step: 'model', notice: 'Snowflake said <no> & stopped' }),
    'wizard model loading': w({ step: 'model', model: {} }, true),
    'wizard location': w({ step: 'location' }),
    'wizard pool existing': w({
      step: 'pool',
      lists: { pools: [poolRow('CPU_XS_POOL'), poolRow('GPU_POOL', { gpu: gpuPool.gpu, state: 'SUSPENDED', autoResume: false })] },
      pool: { ...poolRow('CPU_XS_POOL'), kind: 'existing' },
    }),
    'wizard pool loading': w({ step: 'pool' }, true),
    'wizard pool create': w({
      step: 'pool',
      poolMode: 'create',
      lists: {
        families: [
          { name: 'CPU_X64_XS', gpu: null, vcpu: 1 },
          { name: 'GPU_NV_S', gpu: { type: 'A10G', perNode: 1, memoryGib: 24 }, vcpu: 6 },
        ],
      },
      pool: {
        kind: 'create',
        name: 'NEW_POOL',
        instanceFamily: 'GPU_NV_S',
        gpu: { type: 'A10G', perNode: 1, memoryGib: 24 },
        minNodes: 1,
        maxNodes: 3,
        autoResume: true,
      },
    }),
    'wizard instances': w({ step: 'instances', maxInstances: 3 }),
    'wizard workers cpu': w({
      step: 'workers',
      pool: { kind: 'existing', name: 'CPU_XS_POOL', instanceFamily: 'CPU_X64_XS', gpu: null, state: 'ACTIVE' },
    }),
    'wizard workers gpu': w({ step: 'workers', pool: gpuPool, numWorkers: 2 }),
    'wizard existing': w({
      step: 'existing',
      existing: { status: 'RUNNING', computePool: 'CPU_XS_POOL', currentInstances: 1, minInstances: 1, maxInstances: 1 },
      existingService: 'drop_and_recreate',
    }),
    'wizard review': w({ step: 'review' }, false, { ...irisRequest('IRIS_SVC'), existingService: 'drop_and_recreate' }),
    'wizard kept': modal(
      buildKeptServiceView(draft({ step: 'existing' }), {
        status: 'RUNNING',
        computePool: 'CPU_XS_POOL',
        currentInstances: 1,
        minInstances: 1,
        maxInstances: 1,
      }),
    ),
    'wizard expired': modal(buildExpiredView()),
    'summary pending': msg(buildDeploySummary(deploymentView(deployment()), 1)),
    'summary pending partly approved': msg(
      buildDeploySummary(deploymentView(deployment({ approvals: [{ userId: 'U0APPROVE', atMs: T0 }] })), 2),
    ),
    'summary running': msg(buildDeploySummary(deploymentView(running), 1)),
    'summary rejected': msg(
      buildDeploySummary(
        deploymentView(
          deployment({ state: 'rejected', rejection: { userId: 'U0APPROVE', atMs: T0, reason: 'Use <!channel> & the GPU pool' } }),
        ),
        1,
      ),
    ),
    'summary expired': msg(buildDeploySummary(deploymentView(deployment({ state: 'expired' })), 1)),
    'reject modal': modal(buildRejectModal(deploymentView(deployment()))),
    ...Object.fromEntries(milestones.map((m) => [`milestone ${m}`, msg(buildMilestoneMessage(deploymentView(running), m))])),
    'milestone failed oom': msg(buildMilestoneMessage(deploymentView(failed('oom')), 'failed')),
    'milestone failed build': msg(buildMilestoneMessage(deploymentView(failed('build_failed')), 'failed')),
    'milestone failed privilege': msg(buildMilestoneMessage(deploymentView(failed('missing_privilege')), 'failed')),
    list: msg(
      buildServiceList({
        scope: 'ML_DB.SERVING',
        skipped: ['SECRET_DB'],
        services: [
          {
            service: service(),
            endpoint: {
              state: 'ready',
              host: 'abc-org-acct.snowflakecomputing.app',
              url: 'https://abc-org-acct.snowflakecomputing.app',
            },
          },
          { service: service({ name: 'OTHER', status: 'SUSPENDED' }), endpoint: { state: 'provisioning' } },
        ],
      }),
    ),
    'list empty': msg(buildServiceList({ scope: null, skipped: [], services: [] })),
    status: msg(
      buildServiceStatus({ service: service(), qualifiedName: 'ML_DB.SERVING.IRIS_SVC', endpoint: null, containers: [container()] }),
    ),
    'status suspended': msg(
      buildServiceStatus({
        service: service({ status: 'SUSPENDED' }),
        qualifiedName: 'ML_DB.SERVING.IRIS_SVC',
        endpoint: { state: 'absent' },
        containers: [],
      }),
    ),
    pools: msg(buildPoolTable({ pools: [computePool('CPU_XS_POOL'), computePool('GPU_POOL', 'SUSPENDED')], families: [family] })),
    'pools empty': msg(buildPoolTable({ pools: [], families: [] })),
    logs: msg(
      buildLogMessage(
        {
          service: 'ML_DB.SERVING.IRIS_SVC',
          container: 'model-inference',
          source: 'live',
          lines: ['INFO start', 'WARN <!here> ```x``` & more'],
        },
        { fileHint: 'add `--file` for all of it' },
      ),
    ),
    'logs history': msg(
      buildLogMessage(
        {
          service: 'ML_DB.SERVING.IRIS_SVC',
          container: 'model-inference',
          source: 'history',
          lines: [],
          notRunning: 'Pending scheduling',
          gone: true,
        },
        { fileHint: '' },
      ),
    ),
    diagnosis: msg(
      buildDiagnosis({
        service: 'ML_DB.SERVING.IRIS_SVC',
        status: 'FAILED',
        findings: [finding],
        looked: 'status, 1 container, pool, 100 log lines',
      }),
    ),
    notice: msg(notice(':mag: Service `X` was not found.')),
    'usage error': msg(usageError('Too many arguments <x>', '/spcs logs <service>', '/spcs logs IRIS_SVC')),
    ambiguous: msg(serviceAmbiguous('IRIS_SVC', ['A.B.IRIS_SVC', 'C.D.IRIS_SVC'])),
    'change confirm scale': msg(buildChangeConfirmation(operationView(operation({ kind: 'scale', min: 1, max: 4 })))),
    'change confirm drop': msg(buildChangeConfirmation(operationView(operation({ kind: 'drop' })))),
    'change summary pending': msg(
      buildChangeSummary(operationView(operation({ kind: 'drop' }, { gate: 'approval', gateReason: 'drop' })), 1),
    ),
    'change summary rejected': msg(
      buildChangeSummary(
        operationView(operation({ kind: 'drop' }, { state: 'rejected', rejection: { userId: 'U0APPROVE', atMs: T0, reason: 'not now' } })),
        1,
      ),
    ),
    'change outcome': msg(buildChangeOutcome(operationView(operation({ kind: 'suspend' })), { ok: true })),
    'change reject modal': modal(buildChangeRejectModal(operationView(operation({ kind: 'drop' })))),
    'scale modal': modal(buildScaleModal('ML_DB.SERVING.IRIS_SVC', '{"s":"x"}')),
    'autosuspend modal': modal(buildAutoSuspendModal('ML_DB.SERVING.IRIS_SVC', '{"s":"x"}')),
    'create pool modal': modal(buildCreatePoolModal([family, { ...family, name: 'CPU_X64_XS', gpu: null, vcpu: 1, memoryGib: 6 }], '{}')),
    'access overview': modal(buildAccessOverview(overview())),
    'access overview provisioning': modal(
      buildAccessOverview(
        overview({
          networkPolicy: 'ALLOW_OFFICE',
          endpoint: { state: 'provisioning', message: null },
          methods: [],
          notice: ':warning: heads up',
        }),
      ),
    ),
    'access busy': modal(buildAccessBusyView('a1', 'Reading `X`…')),
    'access notice': modal(buildAccessNoticeView('Session expired. Run `/spcs access` again.')),
    'network form': modal(
      buildNetworkForm({ sessionId: 'a1', service: 'ML_DB.SERVING.IRIS_SVC', snowflakeUser: 'ANALYST_DANA', botUser: 'SPCS_BOT' }),
    ),
    'network confirm': modal(
      buildNetworkConfirm({
        sessionId: 'a1',
        change: { kind: 'network', user: 'ANALYST', policy: 'P', rule: 'ML_DB.SERVING.R', ip: '203.0.113.7' },
        statements: ["CREATE NETWORK RULE R MODE = INGRESS VALUE_LIST = ('203.0.113.7')"],
        planHash: '0'.repeat(64),
      }),
    ),
    'grant form': modal(buildGrantForm({ sessionId: 'a1', service: 'ML_DB.SERVING.IRIS_SVC' })),
    'grant confirm': modal(
      buildGrantConfirm({
        sessionId: 'a1',
        change: { kind: 'grant', service: 'ML_DB.SERVING.IRIS_SVC', role: 'ANALYST' },
        statements: ['GRANT SERVICE ROLE ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE TO ROLE ANALYST'],
        planHash: '0'.repeat(64),
      }),
    ),
    'test form': modal(
      buildTestForm({ sessionId: 'a1', url: 'https://abc-org-acct.snowflakecomputing.app/predict', methods, selected: 'PREDICT_PROBA' }),
    ),
    'test result': modal(
      buildTestResult({
        sessionId: 'a1',
        url: 'https://abc-org-acct.snowflakecomputing.app/predict',
        requestBody: '{"data": [[0, 1.0]]}',
        outcome: { kind: 'response', status: 403, statusText: 'Forbidden', body: '{"message":"<denied>"}', isJson: true },
      }),
    ),
    help: msg(
      buildHelpMessage(
        [{ name: 'deploy', usage: '/spcs deploy <model> <version>', summary: 'Deploy a model version.' }],
        "I don't know `/spcs foo`.",
      ),
    ),
    'command help': msg(
      buildCommandHelpMessage({ name: 'logs', usage: '/spcs logs <service>', summary: 'Show logs.', examples: ['/spcs logs IRIS_SVC'] }),
    ),
  };
  return out;
}

const render = (s: Surface) =>
  s.kind === 'view'
    ? renderView(s.view, ctx)
    : renderMessage({ ts: '1764763200.000100', bot_id: 'B0SPCS', username: 'spcs', blocks: s.blocks, text: 'fallback' }, ctx);

// --- Every type the builders send renders, none as "unsupported" ---

function collectTypes(blocks: readonly unknown[], blockTypes: Set<string>, elementTypes: Set<string>): void {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const block of blocks) {
    if (!isObject(block)) continue;
    blockTypes.add(String(block['type']));
    const els = [block['accessory'], block['element'], ...(Array.isArray(block['elements']) ? block['elements'] : [])];
    for (const el of els) {
      const type = isObject(el) ? el['type'] : undefined;
      if (typeof type === 'string' && type !== 'mrkdwn' && type !== 'plain_text') elementTypes.add(type);
    }
  }
}

describe('every block and element type the bot sends', () => {
  const outputs = allOutputs();

  it('when all builders are rendered, then no block or element shows the unsupported marker', () => {
    for (const [name, surface] of Object.entries(outputs)) {
      const html = render(surface);
      expect(html, name).not.toContain('sk-unsupported');
      expect(html.length, name).toBeGreaterThan(100);
    }
  });

  it('when the types are collected from all builders, then each is one the renderer supports, and the expected ones occur', () => {
    const blockTypes = new Set<string>();
    const elementTypes = new Set<string>();
    for (const s of Object.values(outputs)) collectTypes(s.kind === 'view' ? s.view.blocks : s.blocks, blockTypes, elementTypes);
    for (const t of blockTypes) expect(SUPPORTED_BLOCKS.has(t), `block ${t}`).toBe(true);
    for (const t of elementTypes) expect(SUPPORTED_ELEMENTS.has(t), `element ${t}`).toBe(true);
    expect([...blockTypes].sort()).toEqual(['actions', 'context', 'divider', 'header', 'input', 'section']);
    expect([...elementTypes].sort()).toEqual([
      'button',
      'checkboxes',
      'external_select',
      'number_input',
      'plain_text_input',
      'radio_buttons',
      'static_select',
    ]);
  });

  it('when any modal is rendered, then each input block has exactly one error slot keyed by its block_id and one named form control or group', () => {
    for (const [name, surface] of Object.entries(outputs)) {
      if (surface.kind !== 'view') continue;
      const html = render(surface);
      for (const block of surface.view.blocks) {
        if (block.type !== 'input' || block.block_id === undefined || !('element' in block)) continue;
        const element: unknown = block.element;
        const actionId =
          typeof element === 'object' && element !== null && 'action_id' in element && typeof element.action_id === 'string'
            ? element.action_id
            : '';
        expect(html.split(`data-error-for="${block.block_id}"`).length - 1, `${name} ${block.block_id}`).toBe(1);
        expect(html, `${name} ${block.block_id}`).toContain(`name="${fieldName(block.block_id, actionId).replace(/"/g, '&quot;')}"`);
      }
    }
  });

  it('when a block type is unknown, then it shows a visible marker naming the type', () => {
    const html = renderBlocks([{ type: 'carousel' }, { type: 'actions', elements: [{ type: 'magic_button', action_id: 'm' }] }], ctx);
    expect(html).toContain('data-unsupported="block"');
    expect(visibleText(html)).toContain('Unsupported block type: carousel');
    expect(visibleText(html)).toContain('Unsupported element type: magic_button');
  });
});

// --- Deploy summary and approval ---

describe('deploy summary (buildDeploySummary)', () => {
  it('when pending, then the header, fields, mention and the Approve / Reject buttons render with their ids, values and styles', () => {
    const d = deployment();
    const summary = buildDeploySummary(deploymentView(d), 1);
    const html = renderMessage({ ts: '1764763200.000100', bot_id: 'B0SPCS', username: 'spcs', ...summary, reply_count: 3 }, ctx);
    expect(html).toContain('<div class="sk-header">Deploy IRIS_SVC</div>');
    expect(html).toContain('<b>Model:</b> <code class="sk-code">ML_DB.REGISTRY.IRIS_CLASSIFIER</code>');
    expect(html).toContain('<span class="sk-mention" data-user-id="U0REQUEST">@rita.requester</span>');
    expect(visibleText(blockHtml(html, ApprovalIds.status))).toContain('🟡 Waiting for approval');
    const approve = openTag(html, ApprovalIds.approve);
    expect(attr(approve, 'class')).toContain('sk-btn-primary');
    expect(attr(approve, 'data-block-id')).toBe(ApprovalIds.actions);
    expect(attr(approve, 'data-style')).toBe('primary');
    expect(JSON.parse(attr(approve, 'data-value') ?? '')).toEqual({ d: d.id, h: HASH });
    expect(attr(openTag(html, ApprovalIds.reject), 'class')).toContain('sk-btn-danger');
    expect(html).toContain('data-thread-ts="1764763200.000100">3 replies</button>');

    // What the page sends back when Approve is clicked.
    expect(blockAction(summary.blocks, ApprovalIds.actions, ApprovalIds.approve, { actionTs: '1764763201.000200' })).toEqual({
      type: 'button',
      block_id: ApprovalIds.actions,
      action_id: ApprovalIds.approve,
      action_ts: '1764763201.000200',
      text: { type: 'plain_text', text: 'Approve' },
      value: JSON.stringify({ d: d.id, h: HASH }),
      style: 'primary',
    });
  });

  it('when approved by two people, then their mentions and the <!date^…> times are shown in the page time zone', () => {
    const html = render(
      msg(
        buildDeploySummary(
          deploymentView(
            deployment({
              state: 'approved',
              approvals: [
                { userId: 'U0APPROVE', atMs: T0 },
                { userId: 'U0OPS', atMs: T0 + 90_000 },
              ],
            }),
          ),
          2,
        ),
      ),
    );
    const text = visibleText(html);
    expect(text).toContain('✅ Approved by @alex.approver (Nov 20, 2026 at 9:30 AM), @omar.ops (Nov 20, 2026 at 9:31 AM)');
    expect(html).toContain('datetime="2026-11-20T09:30:00.000Z"');
    expect(
      visibleText(
        renderMessage(
          {
            blocks: buildDeploySummary(deploymentView(deployment({ state: 'approved', approvals: [{ userId: 'U0APPROVE', atMs: T0 }] })), 1)
              .blocks,
          },
          { ...ctx, timeZone: 'America/New_York' },
        ),
      ),
    ).toContain('Nov 20, 2026 at 4:30 AM');
  });

  it('when rejected with a reason holding <!channel> and <script>, then it shows as text and cannot mention or inject', () => {
    const html = render(
      msg(
        buildDeploySummary(
          deploymentView(
            deployment({
              state: 'rejected',
              rejection: { userId: 'U0APPROVE', atMs: T0, reason: 'No <!channel> <script>alert(1)</script> & <@U0OPS>' },
            }),
          ),
          1,
        ),
      ),
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('data-broadcast');
    expect(visibleText(html)).toContain('Reason: No <!channel> <script>alert(1)</script> & <@U0OPS>');
    expect(visibleText(html)).toContain('❌ Rejected by @alex.approver');
  });

  it('when the reject modal is shown with an error for the reason, then the textarea and the error sit on that field', () => {
    const view = buildRejectModal(deploymentView(deployment()));
    const html = renderView(view, ctx, { errors: { [ApprovalIds.reasonBlock]: 'Reason: at most 2000 characters <please>' } });
    expect(html).toContain('<div class="sk-modal-title">Reject deployment</div>');
    const area = openTag(html, ApprovalIds.reasonInput);
    expect(area.startsWith('<textarea')).toBe(true);
    expect(attr(area, 'maxlength')).toBe('2000');
    expect(attr(area, 'name')).toBe(fieldName(ApprovalIds.reasonBlock, ApprovalIds.reasonInput));
    const block = blockHtml(html, ApprovalIds.reasonBlock);
    expect(block).toContain('sk-input-block sk-has-error');
    expect(block).toContain('(optional)');
    expect(block).toContain(
      `data-error-for="${ApprovalIds.reasonBlock}" role="alert">Reason: at most 2000 characters &lt;please&gt;</div>`,
    );
    expect(visibleText(footer(html))).toBe('CancelReject');
    expect(stateFromFormValues(view, [[fieldName(ApprovalIds.reasonBlock, ApprovalIds.reasonInput), 'too big']])).toEqual({
      [ApprovalIds.reasonBlock]: { [ApprovalIds.reasonInput]: { type: 'plain_text_input', value: 'too big' } },
    });
  });
});

// --- Deploy wizard ---

describe('deploy wizard steps (buildWizardView)', () => {
  it('when on the model step, then four external selects dispatch block_suggestion / block_actions and keep the chosen options', () => {
    const view = buildWizardView({
      draft: draft({ step: 'model', model: { database: 'ML_DB' }, notice: 'Snowflake said <no>' }),
      loading: false,
      request: null,
    });
    const html = renderView(view, ctx);
    expect(html).toContain('<div class="sk-modal-title">Deploy 1/7 · Model</div>');
    expect(html).toContain('<span class="sk-emoji" title=":warning:">⚠️</span> Snowflake said &lt;no&gt;');
    const db = openTag(html, WizardIds.modelDatabase);
    expect(attr(db, 'data-type')).toBe('external_select');
    expect(attr(db, 'data-external')).toBe('true');
    expect(attr(db, 'data-min-query-length')).toBe('0');
    expect(attr(db, 'data-dispatch')).toBe('true');
    const dbBlock = blockHtml(html, WizardIds.modelDatabase);
    expect(dbBlock).toContain('<label class="sk-label">Registry database</label>');
    expect(dbBlock).toMatch(/<option value="[^"]*ML_DB[^"]*" selected>ML_DB<\/option>/);
    expect(blockHtml(html, WizardIds.modelSchema)).toContain('placeholder="Pick a schema"');
    expect(html).toContain(
      '<code class="sk-code">PREDICT(SEPAL_LENGTH FLOAT, SEPAL_WIDTH FLOAT, PETAL_LENGTH FLOAT, PETAL_WIDTH FLOAT)</code> → CLASS',
    );
    expect(visibleText(footer(html))).toBe('CancelNext');

    // The database's <option> value is the option itself; the schema comes from a suggestion.
    const dbValue = /<option value="([^"]*)" selected>ML_DB/.exec(dbBlock)?.[1] ?? '';
    const schema = { text: { type: 'plain_text', text: 'REGISTRY' }, value: 'REGISTRY' };
    const state = stateFromFormValues(view, [
      [fieldName(WizardIds.modelDatabase, WizardIds.modelDatabase), unescapeHtml(dbValue)],
      [fieldName(WizardIds.modelSchema, WizardIds.modelSchema), JSON.stringify(schema)],
    ]);
    expect(state[WizardIds.modelDatabase]?.[WizardIds.modelDatabase]).toEqual({
      type: 'external_select',
      selected_option: { text: { type: 'plain_text', text: 'ML_DB' }, value: 'ML_DB' },
    });
    expect(state[WizardIds.modelSchema]?.[WizardIds.modelSchema]).toEqual({ type: 'external_select', selected_option: schema });
    expect(state[WizardIds.modelName]?.[WizardIds.modelName]).toEqual({ type: 'external_select', selected_option: null });
    expect(
      blockAction(view, WizardIds.modelSchema, WizardIds.modelSchema, {
        actionTs: '1.2',
        entries: [[fieldName(WizardIds.modelSchema, WizardIds.modelSchema), JSON.stringify(schema)]],
      }),
    ).toEqual({
      type: 'external_select',
      block_id: WizardIds.modelSchema,
      action_id: WizardIds.modelSchema,
      action_ts: '1.2',
      selected_option: schema,
      placeholder: { type: 'plain_text', text: 'Pick a schema' },
    });
  });

  it('when on the location step, then text inputs carry initial values, limits and hints, and Back is a button', () => {
    const html = renderView(buildWizardView({ draft: draft({ step: 'location' }), loading: false, request: null }), ctx);
    const name = openTag(html, WizardIds.serviceName);
    expect(name.startsWith('<input')).toBe(true);
    expect(attr(name, 'value')).toBe('IRIS_SVC');
    expect(attr(name, 'maxlength')).toBe('255');
    expect(blockHtml(html, WizardIds.serviceName)).toContain(
      '<div class="sk-hint">Letters, digits, _ or $, starting with a letter or _.</div>',
    );
    expect(attr(openTag(html, WizardIds.back), 'data-value')).toBe('back');
    expect(html).toContain('◀ Back</button>');
  });

  it('when on the pool step with pools, then the table, the pool picker and the create button render; loading has no submit', () => {
    const pools = [
      poolRow('CPU_XS_POOL'),
      poolRow('GPU_POOL', { gpu: { type: 'A10G', perNode: 4, memoryGib: 24 }, state: 'SUSPENDED', autoResume: false, usable: false }),
    ];
    const html = renderView(buildWizardView({ draft: draft({ step: 'pool', lists: { pools } }), loading: false, request: null }), ctx);
    const text = visibleText(html);
    expect(text).toContain('GPU_POOL (GPU) · family CPU_X64_XS · GPUs/node 4 x A10G');
    expect(text).toContain('⏸️ SUSPENDED (suspended, and AUTO_RESUME is off');
    expect(text).toContain('⛔ no USAGE for the bot');
    expect(attr(openTag(html, WizardIds.pool), 'data-type')).toBe('external_select');
    expect(attr(openTag(html, WizardIds.createPool), 'data-value')).toBe('create');
    const loading = renderView(buildWizardView({ draft: draft({ step: 'pool' }), loading: true, request: null }), ctx);
    expect(visibleText(loading)).toContain('⏳ Checking Snowflake for compute pools…');
    expect(footer(loading)).not.toContain('data-view-action="submit"');
  });

  it('when creating a pool, then the family select, node numbers and auto-resume checkbox carry their initial values and read back as Slack state', () => {
    const families = [
      { name: 'CPU_X64_XS', gpu: null, vcpu: 1 },
      { name: 'GPU_NV_S', gpu: { type: 'A10G', perNode: 1, memoryGib: 24 }, vcpu: 6 },
    ];
    const view = buildWizardView({
      draft: draft({
        step: 'pool',
        poolMode: 'create',
        lists: { families },
        pool: {
          kind: 'create',
          name: 'NEW_POOL',
          instanceFamily: 'GPU_NV_S',
          gpu: families[1]?.gpu ?? null,
          minNodes: 1,
          maxNodes: 3,
          autoResume: true,
        },
      }),
      loading: false,
      request: null,
    });
    const html = renderView(view, ctx);
    const fam = blockHtml(html, WizardIds.newPoolFamily);
    expect(attr(openTag(html, WizardIds.newPoolFamily), 'data-type')).toBe('static_select');
    expect(fam).toContain('<option value="CPU_X64_XS">CPU_X64_XS · CPU · 1 vCPU</option>');
    expect(fam).toContain('<option value="GPU_NV_S" selected>GPU_NV_S · 1 x A10G · 6 vCPU</option>');
    expect(attr(openTag(html, WizardIds.newPoolMaxNodes), 'value')).toBe('3');
    expect(blockHtml(html, WizardIds.newPoolAutoResume)).toMatch(/<input type="checkbox" name="[^"]+" value="auto_resume" checked>/);
    expect(attr(openTag(html, WizardIds.newPoolName), 'value')).toBe('NEW_POOL');

    const f = (id: string) => fieldName(id, id);
    const state = stateFromFormValues(view, [
      [f(WizardIds.newPoolName), 'BIG_POOL'],
      [f(WizardIds.newPoolFamily), 'CPU_X64_XS'],
      [f(WizardIds.newPoolMinNodes), '1'],
      [f(WizardIds.newPoolMaxNodes), '2'],
    ]);
    expect(state[WizardIds.newPoolName]?.[WizardIds.newPoolName]).toEqual({ type: 'plain_text_input', value: 'BIG_POOL' });
    expect(state[WizardIds.newPoolFamily]?.[WizardIds.newPoolFamily]).toEqual({
      type: 'static_select',
      selected_option: { text: { type: 'plain_text', text: 'CPU_X64_XS · CPU · 1 vCPU' }, value: 'CPU_X64_XS' },
    });
    expect(state[WizardIds.newPoolMaxNodes]?.[WizardIds.newPoolMaxNodes]).toEqual({ type: 'number_input', value: '2' });
    // Unticked: Slack reports an empty list, not a missing field.
    expect(state[WizardIds.newPoolAutoResume]?.[WizardIds.newPoolAutoResume]).toEqual({ type: 'checkboxes', selected_options: [] });
    // The bot's own readers of view_submission state (src/flows/deploy/values.ts), on the state as it crosses the wire.
    const wire: BotStateValues = JSON.parse(
      JSON.stringify(
        stateFromFormValues(view, [
          [f(WizardIds.newPoolName), 'BIG_POOL'],
          [f(WizardIds.newPoolFamily), 'GPU_NV_S'],
          [f(WizardIds.newPoolAutoResume), 'auto_resume'],
        ]),
      ),
    );
    expect([
      textOf(wire, WizardIds.newPoolName),
      selectedOf(wire, WizardIds.newPoolFamily),
      checkedOf(wire, WizardIds.newPoolAutoResume),
      textOf(wire, WizardIds.newPoolMinNodes),
    ]).toEqual(['BIG_POOL', 'GPU_NV_S', ['auto_resume'], undefined]);
    expect(
      clientErrors(view, [
        [f(WizardIds.newPoolFamily), 'CPU_X64_XS'],
        [f(WizardIds.newPoolMinNodes), '0'],
        [f(WizardIds.newPoolMaxNodes), '2'],
      ]),
    ).toEqual({
      [WizardIds.newPoolName]: 'Please complete this required field.',
      [WizardIds.newPoolMinNodes]: 'Please enter a number of at least 1.',
    });
  });

  it('when choosing max instances, then the number input has its bounds and whole-number step, and the client refuses values out of range', () => {
    const view = buildWizardView({ draft: draft({ step: 'instances', maxInstances: 3 }), loading: false, request: null });
    const html = renderView(view, ctx);
    const input = openTag(html, WizardIds.maxInstances);
    expect([
      attr(input, 'type'),
      attr(input, 'min'),
      attr(input, 'max'),
      attr(input, 'step'),
      attr(input, 'value'),
      attr(input, 'data-decimal'),
    ]).toEqual(['number', '1', '100', '1', '3', 'false']);
    expect(html).toContain('• <b>1 instance</b>: suitable for development/testing or low traffic');
    const f = fieldName(WizardIds.maxInstances, WizardIds.maxInstances);
    expect(clientErrors(view, [[f, '101']])).toEqual({ [WizardIds.maxInstances]: 'Please enter a number of at most 100.' });
    expect(clientErrors(view, [[f, '2.5']])).toEqual({ [WizardIds.maxInstances]: 'Please enter a whole number.' });
    expect(clientErrors(view, [[f, '']])).toEqual({ [WizardIds.maxInstances]: 'Please complete this required field.' });
    expect(clientErrors(view, [[f, '4']])).toEqual({});
  });

  it('when choosing workers on a CPU pool, then radio buttons start on auto and the optional number is marked optional', () => {
    const view = buildWizardView({
      draft: draft({
        step: 'workers',
        pool: { kind: 'existing', name: 'CPU_XS_POOL', instanceFamily: 'CPU_X64_XS', gpu: null, state: 'ACTIVE' },
      }),
      loading: false,
      request: null,
    });
    const html = renderView(view, ctx);
    const radios = blockHtml(html, WizardIds.workersMode);
    expect(attr(openTag(html, WizardIds.workersMode), 'data-type')).toBe('radio_buttons');
    expect(radios).toMatch(/type="radio" name="[^"]+" value="auto" checked>/);
    expect(radios).toMatch(/type="radio" name="[^"]+" value="manual">/);
    expect(visibleText(radios)).toContain('Specify num_workers manually');
    expect(blockHtml(html, WizardIds.numWorkers)).toContain('(optional)');
    const state = stateFromFormValues(view, [
      [fieldName(WizardIds.workersMode, WizardIds.workersMode), 'manual'],
      [fieldName(WizardIds.numWorkers, WizardIds.numWorkers), '3'],
    ]);
    expect(state[WizardIds.workersMode]?.[WizardIds.workersMode]).toEqual({
      type: 'radio_buttons',
      selected_option: { text: { type: 'plain_text', text: 'Specify num_workers manually' }, value: 'manual' },
    });
    expect(state[WizardIds.numWorkers]?.[WizardIds.numWorkers]).toEqual({ type: 'number_input', value: '3' });
  });

  it('when choosing workers on a GPU pool, then the bound is the GPUs per node', () => {
    const html = renderView(
      buildWizardView({
        draft: draft({
          step: 'workers',
          pool: {
            kind: 'existing',
            name: 'GPU_POOL',
            instanceFamily: 'GPU_NV_M',
            gpu: { type: 'A10G', perNode: 4, memoryGib: 24 },
            state: 'ACTIVE',
          },
          numWorkers: 2,
        }),
        loading: false,
        request: null,
      }),
      ctx,
    );
    const input = openTag(html, WizardIds.numWorkers);
    expect([attr(input, 'max'), attr(input, 'value')]).toEqual(['4', '2']);
    expect(visibleText(html)).toContain('Based on your compute pool (GPU_POOL with 4 GPUs)');
  });

  it('when a service of that name exists, then its status and the three choices show, drop-and-recreate chosen', () => {
    const html = renderView(
      buildWizardView({
        draft: draft({
          step: 'existing',
          existing: { status: 'RUNNING', computePool: 'CPU_XS_POOL', currentInstances: 1, minInstances: 1, maxInstances: 1 },
          existingService: 'drop_and_recreate',
        }),
        loading: false,
        request: null,
      }),
      ctx,
    );
    const radios = blockHtml(html, WizardIds.existingChoice);
    expect(radios.match(/type="radio"/g)).toHaveLength(3);
    expect(radios).toMatch(/value="drop_and_recreate" checked>/);
    expect(visibleText(html)).toContain('A service named ML_DB.SERVING.IRIS_SVC already exists:• Status: RUNNING');
  });

  it('when reviewing, then the summary lines and the Request approval submit show; kept and expired views have no submit', () => {
    const html = renderView(buildWizardView({ draft: draft({ step: 'review' }), loading: false, request: irisRequest('IRIS_SVC') }), ctx);
    expect(visibleText(html)).toContain('• Model: ML_DB.REGISTRY.IRIS_CLASSIFIER (version V1)• Service: ML_DB.SERVING.IRIS_SVC');
    expect(visibleText(footer(html))).toBe('CancelRequest approval');
    const kept = renderView(
      buildKeptServiceView(draft({ step: 'existing' }), {
        status: 'RUNNING',
        computePool: 'P',
        currentInstances: 1,
        minInstances: 1,
        maxInstances: 1,
      }),
      ctx,
    );
    expect(visibleText(footer(kept))).toBe('Done');
    const expired = renderView(buildExpiredView(), ctx);
    expect(expired).toContain('<code class="sk-code">/spcs deploy</code>');
    expect(visibleText(footer(expired))).toBe('Close');
  });
});

// --- Thread replies ---

describe('deployment thread (buildMilestoneMessage)', () => {
  it('when running, then the endpoint is a link and SQL, Python and REST are code blocks with their text intact', () => {
    const html = render(msg(buildMilestoneMessage(deploymentView(running), 'running')));
    expect(html).toContain(
      '🚀</span> <code class="sk-code">ML_DB.SERVING.IRIS_SVC</code> is <b>running</b>. Inference endpoint: <a class="sk-link" href="https://abc-org-acct.snowflakecomputing.app"',
    );
    const pres = [...html.matchAll(/<pre class="sk-pre">([\s\S]*?)<\/pre>/g)].map((m) => unescapeHtml(m[1] ?? ''));
    expect(pres[0]).toBe('SELECT ML_DB.SERVING.IRIS_SVC!PREDICT(SEPAL_LENGTH, SEPAL_WIDTH, PETAL_LENGTH, PETAL_WIDTH) FROM <input_table>;');
    expect(pres[1]).toBe('mv.run(df, function_name="predict", service_name="IRIS_SVC")');
    expect(pres[2]).toContain(
      `curl -X POST "https://abc-org-acct.snowflakecomputing.app/predict" \\\n  -H 'Authorization: Snowflake Token="<PAT>"'`,
    );
    expect(html).toContain('<b>Python</b> (<code class="sk-code">mv</code> is the model version from the registry)');
  });

  it('when the deployment failed with OOM, then the log tail is a code block that shows <, > and & as text, and the diagnosis follows', () => {
    const html = render(msg(buildMilestoneMessage(deploymentView(failed('oom')), 'failed')));
    expect(html).toContain('<pre class="sk-pre">Loading model…\nKilled &lt;pid 7&gt; &amp; gone</pre>');
    expect(visibleText(html)).toContain('🔴 Failed: Container model-inference exited with 137 <OOMKilled>');
    expect(visibleText(html)).toContain('Diagnosis: The model-inference container ran out of memory');
  });
});

// --- Observe ---

describe('observe views', () => {
  it('when listing services, then the endpoint is a link labelled with its host and statuses carry their emoji', () => {
    const html = render(allOutputs()['list'] ?? msg({ blocks: [] }));
    expect(html).toContain(
      '<a class="sk-link" href="https://abc-org-acct.snowflakecomputing.app" target="_blank" rel="noopener noreferrer">abc-org-acct.snowflakecomputing.app</a>',
    );
    expect(visibleText(html)).toContain('✅ ML_DB.SERVING.IRIS_SVC — RUNNING');
    expect(visibleText(html)).toContain('⏸️ ML_DB.SERVING.OTHER — SUSPENDED');
    expect(visibleText(html)).toContain('Not listed (no access): SECRET_DB.');
  });

  it('when showing a status, then the fields are a grid and every button carries the service name; Drop is red', () => {
    const html = render(allOutputs()['status'] ?? msg({ blocks: [] }));
    expect(html.match(/<div class="sk-field sk-mrkdwn">/g)).toHaveLength(4);
    expect(html).toContain('<div class="sk-field sk-mrkdwn"><b>Compute pool</b><br><code class="sk-code">CPU_XS_POOL</code></div>');
    for (const id of [
      StatusActions.logs,
      StatusActions.metrics,
      StatusActions.diagnose,
      StatusActions.suspend,
      StatusActions.scale,
      StatusActions.autoSuspend,
      StatusActions.drop,
    ]) {
      expect(attr(openTag(html, id), 'data-value')).toBe('ML_DB.SERVING.IRIS_SVC');
    }
    expect(attr(openTag(html, StatusActions.drop), 'class')).toContain('sk-btn-danger');
    expect(attr(openTag(html, StatusActions.logs), 'data-block-id')).toBe('observe.status.actions');
    expect(visibleText(html)).toContain('last exit code 137 (OOM-killed)');
  });

  it('when listing pools, then the table is preformatted and the suspend / resume select sends its chosen option', () => {
    const blocks = buildPoolTable({ pools: [computePool('CPU_XS_POOL'), computePool('GPU_POOL', 'SUSPENDED')], families: [family] }).blocks;
    const html = renderBlocks(blocks, ctx);
    expect(html).toMatch(/<pre class="sk-pre">Pool +Instance family/);
    const select = openTag(html, PoolActions.change);
    expect(attr(select, 'data-type')).toBe('static_select');
    expect(attr(select, 'data-dispatch')).toBe('true');
    const gpuValue = JSON.stringify({ p: 'GPU_POOL', k: 'resume' });
    expect(html).toContain(`<option value="${gpuValue.replace(/"/g, '&quot;')}">Resume GPU_POOL</option>`);
    expect(html).toContain('<option value="" selected class="sk-placeholder">Suspend or resume a pool…</option>');
    expect(
      blockAction(blocks, PoolActions.block, PoolActions.change, {
        actionTs: '9.9',
        entries: [[fieldName(PoolActions.block, PoolActions.change), gpuValue]],
      }),
    ).toEqual({
      type: 'static_select',
      block_id: PoolActions.block,
      action_id: PoolActions.change,
      action_ts: '9.9',
      selected_option: { text: { type: 'plain_text', text: 'Resume GPU_POOL' }, value: gpuValue },
      placeholder: { type: 'plain_text', text: 'Suspend or resume a pool…' },
    });
    expect(attr(openTag(html, PoolActions.create), 'data-value')).toBe('create');
  });

  it('when showing logs with mentions and fences in them, then they stay text inside the code block', () => {
    const html = render(allOutputs()['logs'] ?? msg({ blocks: [] }));
    const pre = /<pre class="sk-pre">([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? '';
    expect(pre).toBe('INFO start\nWARN &lt;!here&gt; &#39;&#39;&#39;x&#39;&#39;&#39; &amp; more');
    expect(html).not.toContain('data-broadcast');
    expect(visibleText(html)).toContain('2 of 2 lines from the live log (SYSTEM$GET_SERVICE_LOGS).');
  });

  it('when showing a diagnosis, then the finding is bold, the fixes numbered and the evidence italic', () => {
    const html = render(allOutputs()['diagnosis'] ?? msg({ blocks: [] }));
    expect(html).toContain('❌</span> <b>Container model-inference was OOM-killed</b>');
    expect(html).toContain('1. Use a pool of a larger instance family.<br>2. Lower num_workers.');
    expect(html).toContain('<i>Seen:</i> last exit code 137; memory peak 5.9 GiB of 6 GiB');
  });
});

// --- Manage ---

describe('service changes (manage)', () => {
  it('when confirming a drop, then Confirm is red, Cancel plain, both carry the operation; a scale is green', () => {
    const drop = renderBlocks(buildChangeConfirmation(operationView(operation({ kind: 'drop' }))).blocks, ctx);
    const value = JSON.stringify({ o: 'o0000demo1', h: HASH });
    expect(attr(openTag(drop, ManageIds.confirm), 'class')).toContain('sk-btn-danger');
    expect(attr(openTag(drop, ManageIds.confirm), 'data-value')).toBe(value);
    expect(attr(openTag(drop, ManageIds.cancel), 'class')).toBe('sk-el sk-btn');
    expect(visibleText(drop)).toContain('Status: RUNNING → dropped: the service, its endpoint and its instances are deleted.');
    const scale = renderBlocks(buildChangeConfirmation(operationView(operation({ kind: 'scale', min: 1, max: 4 }))).blocks, ctx);
    expect(attr(openTag(scale, ManageIds.confirm), 'class')).toContain('sk-btn-primary');
    expect(visibleText(scale)).toContain('Instances: min 1, max 2 → min 1, max 4');
    expect(visibleText(scale)).toContain('Requested by: @omar.ops');
  });

  it('when the scale and create-pool modals open, then their inputs, family options and ticked auto-resume render', () => {
    const scale = renderView(buildScaleModal('ML_DB.SERVING.IRIS_SVC', '{}'), ctx);
    expect(attr(openTag(scale, ManageIds.minInput), 'data-type')).toBe('plain_text_input');
    expect(blockHtml(scale, ManageIds.minBlock)).toContain('(optional)');
    expect(blockHtml(scale, ManageIds.maxBlock)).not.toContain('(optional)');
    const create = renderView(buildCreatePoolModal([family], '{}'), ctx);
    expect(create).toContain('<option value="GPU_NV_S">GPU_NV_S: 1 x A10G, 6 vCPU, 27 GiB</option>');
    expect(blockHtml(create, ManageIds.poolAutoResumeBlock)).toMatch(/value="auto_resume" checked>/);
    expect(visibleText(create)).toContain('Resume automatically when a service or job needs it');
  });
});

// --- Access ---

describe('REST access modal', () => {
  it('when the overview shows, then the steps are separated by dividers, the primary buttons are green and code is preformatted', () => {
    const html = renderView(buildAccessOverview(overview()), ctx);
    expect(html.match(/<hr class="sk-divider">/g)?.length).toBeGreaterThanOrEqual(4);
    expect(attr(openTag(html, AccessIds.openNetwork), 'class')).toContain('sk-btn-primary');
    expect(attr(openTag(html, AccessIds.openTest), 'class')).toContain('sk-btn-primary');
    expect(attr(openTag(html, AccessIds.openGrant), 'class')).toBe('sk-el sk-btn');
    expect(html).toContain(
      '<pre class="sk-pre">GRANT SERVICE ROLE ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE TO ROLE &lt;ROLE_NAME&gt;;</pre>',
    );
    expect(visibleText(html)).toContain('🔗 https://abc-org-acct.snowflakecomputing.app');
    expect(footer(html)).not.toContain('data-view-action="submit"');
  });

  it('when the test form shows, then the method select starts on the chosen method and the PAT field keeps its _secret id', () => {
    const view = buildTestForm({ sessionId: 'a1', url: 'https://x.snowflakecomputing.app/predict', methods, selected: 'PREDICT_PROBA' });
    const html = renderView(view, ctx);
    expect(blockHtml(html, AccessIds.method)).toContain(
      '<option value="PREDICT_PROBA" selected>PREDICT_PROBA(SEPAL_LENGTH FLOAT)</option>',
    );
    expect(attr(openTag(html, AccessIds.pat), 'name')).toBe(fieldName(AccessIds.pat, AccessIds.pat));
    expect(attr(openTag(html, AccessIds.sample), 'placeholder')).toBe('1.0');
    expect(visibleText(footer(html))).toBe('CloseSend request');
    const state = stateFromFormValues(view, [
      [fieldName(AccessIds.method, AccessIds.method), 'PREDICT'],
      [fieldName(AccessIds.sample, AccessIds.sample), '5.1, 3.5, 1.4, 0.2'],
      [fieldName(AccessIds.pat, AccessIds.pat), 'pat-value'],
    ]);
    expect(state).toEqual({
      [AccessIds.method]: {
        [AccessIds.method]: {
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: `${methods[0]?.signature.slice(0, 74)}…` }, value: 'PREDICT' },
        },
      },
      [AccessIds.sample]: { [AccessIds.sample]: { type: 'plain_text_input', value: '5.1, 3.5, 1.4, 0.2' } },
      [AccessIds.pat]: { [AccessIds.pat]: { type: 'plain_text_input', value: 'pat-value' } },
    });
  });

  it('when the test result is a 403, then the hint shows and the response body is escaped in its code block', () => {
    const html = render(allOutputs()['test result'] ?? msg({ blocks: [] }));
    expect(visibleText(html)).toContain('❌ HTTP 403 Forbidden: The token is valid but not allowed');
    const bodies = [...html.matchAll(/<pre class="sk-pre">([\s\S]*?)<\/pre>/g)].map((m) => m[1] ?? '');
    expect(bodies).toContain('{&quot;message&quot;:&quot;&lt;denied&gt;&quot;}');
    expect(html).not.toContain('<denied');
  });
});

describe('help', () => {
  it('when help is shown as an ephemeral, then the header, usage code spans and the "only visible to you" note render', () => {
    const help = buildHelpMessage(
      [{ name: 'deploy', usage: '/spcs deploy <model> <version>', summary: 'Deploy a model version.' }],
      "I don't know `/spcs foo`.",
    );
    const html = renderMessage({ ...help, ts: '1764763200.000100', bot_id: 'B0SPCS', username: 'spcs' }, ctx);
    expect(html).toContain('sk-message sk-ephemeral');
    expect(visibleText(html)).toContain('Only visible to you');
    expect(html).toContain('<code class="sk-code">/spcs deploy &lt;model&gt; &lt;version&gt;</code> – Deploy a model version.');
    expect(html).toContain('<div class="sk-header">spcs-chatops commands</div>');
  });
});
