import type { KnownBlock, ModalView } from '@slack/types';
import {
  actions,
  button,
  codeBlock,
  context,
  describeFailure,
  divider,
  escapeMrkdwn,
  inlineCode,
  option,
  section,
  textInput,
  type FailureModel,
} from './kit.js';

/**
 * Views of `/spcs access <service>`: one modal that pages (views.update / response_action update)
 * between an overview of the seed's REST-access steps (network policy, service role grant,
 * endpoint URL, authentication, test) and a form or confirmation per step. Pure: built from the
 * view models below, never from a client or the clock.
 */

export const AccessIds = {
  overview: 'access.overview',
  busy: 'access.busy',
  networkForm: 'access.network',
  networkConfirm: 'access.network_confirm',
  grantForm: 'access.grant',
  grantConfirm: 'access.grant_confirm',
  testForm: 'access.test',
  testResult: 'access.result',
  /** Buttons inside the modal. */
  openNetwork: 'access.open_network',
  openGrant: 'access.open_grant',
  openTest: 'access.open_test',
  refresh: 'access.refresh',
  back: 'access.back',
  /** Inputs: block_id equals action_id, so `errors` keyed by block_id land on the field. */
  user: 'access.user',
  clientIp: 'access.client_ip',
  role: 'access.role',
  /** The checkbox a person must tick to set a policy on the bot's own user. */
  ackLockout: 'access.ack_lockout',
  method: 'access.method',
  sample: 'access.sample',
  /**
   * The PAT field. Its id ends in `_secret`: the logger scrubs the value of any such field from
   * payload text (Socket Mode debug logs print whole payloads).
   */
  pat: 'access.pat_secret',
} as const;

/** The access flow's short sentences: notices, "working" lines and field errors. */
export const AccessText = {
  expired: ':hourglass: This access session expired (after an hour). Run `/spcs access <service>` again.',
  endpointNotReady: 'The endpoint is not ready to test yet.',
  staleConfirmation: 'That confirmation is out of date; start the step again.',
  tickLockout:
    "Tick this to go on: the policy would refuse the bot's own logins from every other address (390422). Or go back and name the caller's own Snowflake user.",
  pickMethod: "Method: pick one of the service's methods.",
  badUser: (problem: string) => `${problem}. Type the Snowflake user the PAT belongs to (yours), e.g. JANE_DOE.`,
  running: 'Running the statements…',
  reading: (service: string) => `Reading ${inlineCode(service)}…`,
  rereading: (service: string) => `Reading ${inlineCode(service)} again…`,
  checkingPolicies: (user: string) => `Checking the network policies of Snowflake user ${inlineCode(user)} and of the account…`,
  calling: (url: string) => `Calling ${inlineCode(`POST ${url}`)}…`,
  serviceMissing: (service: string) =>
    `:mag: Service ${inlineCode(service)} was not found or not authorized for the bot's role. See the services it can see with \`/spcs list\`.`,
  serviceAmbiguous: (service: string, candidates: readonly string[]) =>
    `Several services are called ${inlineCode(service)}; run it again with the full name, e.g. ${candidates
      .slice(0, 5)
      .map((c) => inlineCode(`/spcs access ${c}`))
      .join(', ')}.`,
} as const;

/** Every view_submission of this modal starts with this prefix. */
export const ACCESS_CALLBACK_PREFIX = 'access.';

const TITLE = 'REST access';
/** Room for a code block inside one section, with its heading. */
const CODE_BUDGET = 2890;

/**
 * What a view's private_metadata carries: the session id and, on a confirmation, the hash of the
 * plan it shows, so the submit runs only that plan (the flow parses it back with zod).
 */
export interface AccessTarget {
  readonly sessionId: string;
  readonly planHash?: string;
}

export function encodeAccessTarget(target: AccessTarget): string {
  return JSON.stringify({ s: target.sessionId, ...(target.planHash !== undefined && { h: target.planHash }) });
}

function modal(callbackId: string, target: string | AccessTarget, blocks: KnownBlock[], submit?: string): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: encodeAccessTarget(typeof target === 'string' ? { sessionId: target } : target),
    title: { type: 'plain_text', text: TITLE },
    close: { type: 'plain_text', text: 'Close' },
    ...(submit !== undefined && { submit: { type: 'plain_text', text: submit } }),
    blocks,
  };
}

/** "Working on it" while Snowflake or the endpoint answers; replaces any view holding typed secrets. */
export function buildAccessBusyView(sessionId: string, text: string): ModalView {
  return modal(AccessIds.busy, sessionId, [section(`:hourglass_flowing_sand: ${text}`)]);
}

/** A dead end (service not found, session expired): what happened and what to run. */
export function buildAccessNoticeView(text: string): ModalView {
  return modal(AccessIds.busy, '', [section(text)]);
}

export type EndpointModel =
  | { readonly state: 'ready'; readonly url: string }
  | { readonly state: 'provisioning'; readonly message: string | null }
  | { readonly state: 'absent' }
  | { readonly state: 'unknown' };

export interface MethodModel {
  readonly name: string;
  /** e.g. PREDICT(SEPAL_LENGTH FLOAT, …) */
  readonly signature: string;
  /** The REST path, e.g. predict-proba. */
  readonly path: string;
  /** A sample input that fits the signature, e.g. `1.0, 1.0, 1.0, 1.0`. */
  readonly example: string;
}

export interface AccessOverviewModel {
  readonly sessionId: string;
  readonly service: string;
  readonly serviceStatus: string | null;
  /** The person's Snowflake user, '' until they name it in the network step. */
  readonly snowflakeUser: string;
  readonly botUser: string;
  /** The user's own policy. null: none; undefined: could not be read (or no user yet). */
  readonly networkPolicy: string | null | undefined;
  /** The account-level policy. null: none; undefined: could not be read. */
  readonly accountPolicy: string | null | undefined;
  readonly endpoint: EndpointModel;
  readonly model: string | null | undefined;
  readonly methods: readonly MethodModel[];
  readonly notice?: string;
}

function networkState(m: AccessOverviewModel): string {
  const user = inlineCode(m.snowflakeUser);
  const account =
    m.accountPolicy === undefined
      ? ':grey_question: Could not read the account-level network policy.'
      : m.accountPolicy === null
        ? 'The account has no network policy.'
        : `:white_check_mark: The account-level network policy ${inlineCode(m.accountPolicy)} governs every user without a policy of their own, which satisfies the PAT rule for them; nothing to set up unless a user needs another address.`;
  if (m.snowflakeUser === '')
    return `${account}
A PAT works only for a user subject to a network policy that allows the caller's IP. Name the Snowflake user the PAT belongs to (yours) to check it.`;
  if (m.networkPolicy === undefined)
    return `${account}
:grey_question: Could not read the network policy of Snowflake user ${user}.`;
  if (m.networkPolicy !== null)
    return `${account}
:white_check_mark: Snowflake user ${user} has network policy ${inlineCode(m.networkPolicy)} of its own (it takes precedence over the account's). Make sure it allows the caller's IP.`;
  if (m.accountPolicy !== null && m.accountPolicy !== undefined)
    return `${account}
Snowflake user ${user} has none of its own, so ${inlineCode(m.accountPolicy)} applies to it.`;
  return `${account}
:warning: Snowflake user ${user} is subject to *no network policy*. A PAT only works for a user subject to a network policy that allows the caller's IP.`;
}

function networkSection(m: AccessOverviewModel): KnownBlock[] {
  const needed = m.accountPolicy === null && m.networkPolicy !== undefined && m.networkPolicy === null;
  const label = m.snowflakeUser === '' ? 'Check a Snowflake user' : needed ? 'Set up a network policy' : 'Check another user or address';
  return [
    section(`*1. Network policy*\n${networkState(m)}`),
    actions([button(label, AccessIds.openNetwork, needed || m.snowflakeUser === '' ? { style: 'primary' } : {})]),
  ];
}

function endpointText(endpoint: EndpointModel): string {
  switch (endpoint.state) {
    case 'ready':
      return `:link: ${endpoint.url}`;
    case 'provisioning':
      return ':hourglass_flowing_sand: The ingress URL is still provisioning; check back in a few minutes (Refresh).';
    case 'absent':
      return ':no_entry: This service has no public `inference` endpoint (it was deployed without ingress), so it cannot be called over REST.';
    case 'unknown':
      return ':grey_question: Could not read the endpoints (SHOW ENDPOINTS).';
  }
}

export function buildAccessOverview(m: AccessOverviewModel): ModalView {
  const service = inlineCode(m.service);
  const status = m.serviceStatus === null ? '' : ` (${escapeMrkdwn(m.serviceStatus)})`;
  const methods = m.methods.map((x) => `• ${inlineCode(x.signature)} → ${inlineCode(`/${x.path}`)}`).join('\n');
  const url = m.endpoint.state === 'ready' ? m.endpoint.url : '<endpoint-url>';
  const blocks: KnownBlock[] = [];
  if (m.notice !== undefined) blocks.push(section(m.notice), divider);
  blocks.push(
    section(
      `*Call ${service}${status} from outside Snowflake.* Three things are needed: a network policy for the calling user, the service role for the caller's role, and a token.`,
    ),
    ...networkSection(m),
    divider,
    section(
      `*2. Service role*\nThe caller's default role needs ${inlineCode(`${m.service}!ALL_ENDPOINTS_USAGE`)}:\n` +
        codeBlock(`GRANT SERVICE ROLE ${m.service}!ALL_ENDPOINTS_USAGE TO ROLE <ROLE_NAME>;`, { budget: CODE_BUDGET }),
    ),
    actions([button('Grant to a role', AccessIds.openGrant)]),
    divider,
    section(`*3. Endpoint URL*\n${endpointText(m.endpoint)}`),
  );
  if (m.endpoint.state === 'provisioning' || m.endpoint.state === 'unknown') blocks.push(actions([button('Refresh', AccessIds.refresh)]));
  blocks.push(
    divider,
    section(
      '*4. Authentication*\n' +
        '• *Development:* a Programmatic Access Token (PAT): Snowsight → User Menu → Preferences → Programmatic Access Tokens. Send it as `Authorization: Snowflake Token="<PAT>"`.\n' +
        '• *Production:* key-pair JWT for the service user. Exchange the JWT (or a PAT) at `https://<account>.snowflakecomputing.com/oauth/token` with `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` and `scope="session:role:<ROLE> <ingress host>"` for an ingress token. Do not use a connector session token: the ingress can answer it with HTTP 500.',
    ),
    divider,
  );
  if (m.methods.length > 0) {
    const first = m.methods[0];
    const example =
      first === undefined
        ? ''
        : `\n${codeBlock(`curl -X POST '${url}/${first.path}' \\\n  -H 'Authorization: Snowflake Token="<PAT>"' -H 'Content-Type: application/json' \\\n  -d '{"data": [[0, ${first.example}]]}'`, { budget: 1200 })}`;
    blocks.push(section(`*5. Test the endpoint*\nMethods${m.model ? ` of ${inlineCode(m.model)}` : ''}:\n${methods}${example}`));
    if (m.endpoint.state === 'ready') blocks.push(actions([button('Test the endpoint', AccessIds.openTest, { style: 'primary' })]));
  } else {
    const why = m.model === null ? 'I could not find which model version this service serves' : "I could not read the model's signatures";
    blocks.push(
      section(
        `*5. Test the endpoint*\n:grey_question: ${why}, so I cannot check a sample input. Call it with the request above and \`{"data": [[0, <features…>]]}\`.`,
      ),
    );
  }
  return modal(AccessIds.overview, m.sessionId, blocks);
}

const backButton = () => actions([button('Back', AccessIds.back)]);

export function buildNetworkForm(m: {
  readonly sessionId: string;
  readonly service: string;
  readonly snowflakeUser: string;
  readonly botUser: string;
  readonly notice?: string;
}): ModalView {
  const bot = m.botUser === '' ? '' : ` Not the bot's own user ${m.botUser}: a policy on it governs the bot's own logins too.`;
  return modal(
    AccessIds.networkForm,
    m.sessionId,
    [
      ...(m.notice !== undefined ? [section(m.notice)] : []),
      section(
        "*Network policy.* PATs work only for a user subject to a network policy (its own, or the account's). I read both: " +
          'if the user has a policy, I offer to add the client IP to its rule, keeping what it allows; if only the account has one, nothing is needed; ' +
          'if neither, I create a network rule for the IP and a policy with it and set it on the user. Nothing runs before you confirm the exact statements.',
      ),
      textInput(AccessIds.user, "Your Snowflake user (the PAT's owner)", {
        ...(m.snowflakeUser !== '' && { initial: m.snowflakeUser }),
        placeholder: 'JANE_DOE',
        hint: `The Snowflake user the PAT belongs to, usually your own.${bot}`,
      }),
      textInput(AccessIds.clientIp, 'Client IP address', {
        placeholder: '203.0.113.7',
        hint: 'The public IPv4 address the calls come from (one address, no /mask).',
      }),
      backButton(),
    ],
    'Check',
  );
}

/** Why the network step proposes nothing for a user and an address. */
export type NetworkNothingModel =
  | { readonly kind: 'user_policy_unreadable'; readonly user: string; readonly failure: FailureModel | null }
  | {
      readonly kind: 'policy_unreadable';
      readonly user: string;
      readonly policy: string;
      readonly ip: string;
      readonly failure: FailureModel | null;
    }
  /** `rule`: the rule of the policy that allows it, when that is where it was found. */
  | { readonly kind: 'already_allowed'; readonly user: string; readonly policy: string; readonly ip: string; readonly rule?: string }
  | { readonly kind: 'no_owned_rule'; readonly user: string; readonly policy: string; readonly ip: string }
  /** The account's policy could not be read (`failure` undefined: no reason known). */
  | { readonly kind: 'account_unknown'; readonly user: string; readonly failure: FailureModel | null | undefined }
  | { readonly kind: 'account_governs'; readonly user: string; readonly accountPolicy: string; readonly ip: string };

/** The overview's notice when the network step has nothing to propose. */
export function describeNetworkNothing(m: NetworkNothingModel): string {
  const user = inlineCode(m.user);
  switch (m.kind) {
    case 'user_policy_unreadable':
      return describeFailure(m.failure, `read the network policy of user ${m.user}`);
    case 'policy_unreadable':
      return `${describeFailure(m.failure, `read network policy ${m.policy}`)}\nUser ${user} already has network policy ${inlineCode(m.policy)}; ask its owner to allow ${inlineCode(m.ip)} in one of its network rules.`;
    case 'already_allowed':
      return `:white_check_mark: Network policy ${inlineCode(m.policy)} of user ${user} already allows ${inlineCode(m.ip)}${m.rule === undefined ? '' : ` (rule ${inlineCode(m.rule)})`}; nothing to change.`;
    case 'no_owned_rule':
      return `:information_source: User ${user} has network policy ${inlineCode(m.policy)}, but it has no IPv4 ingress network rule the bot's role owns. Ask the policy's owner to allow ${inlineCode(m.ip)}; replacing the policy would drop what it allows today.`;
    case 'account_unknown':
      return `${m.failure === undefined ? '' : describeFailure(m.failure, 'read the account-level network policy')}\nUser ${user} has no network policy of its own; an account administrator can tell whether the account's policy covers it.`;
    case 'account_governs':
      return `:white_check_mark: User ${user} has no network policy of its own, so the account-level policy ${inlineCode(m.accountPolicy)} governs its logins. That satisfies the PAT rule; nothing to create. If calls from ${inlineCode(m.ip)} are refused, an account administrator adds it to that policy's rules.`;
  }
}

/** A change as the confirm view and the result describe it; names as Snowflake renders them. */
export type AccessChangeModel =
  | { readonly kind: 'grant'; readonly service: string; readonly role: string }
  | {
      readonly kind: 'rule';
      readonly user: string;
      readonly policy: string;
      readonly rule: string;
      readonly ip: string;
      /** The rule's entries as shown, kept in front of the new one. */
      readonly existing: readonly string[];
    }
  | { readonly kind: 'network'; readonly user: string; readonly policy: string; readonly rule: string; readonly ip: string };

/** The bot's own user is about to get a policy: who, from where, and whose user to use instead. */
export interface LockoutModel {
  readonly user: string;
  readonly ip: string;
  /** The person's own Snowflake user, when known and not the bot's. */
  readonly instead?: string;
}

export interface ConfirmModel {
  readonly sessionId: string;
  readonly change: AccessChangeModel;
  /** The statements exactly as they will run, from the plan. */
  readonly statements: readonly string[];
  /** The plan's sha256: shown, and carried to the submit, which runs nothing if the plan differs. */
  readonly planHash: string;
  /** A blocking warning: shown first, and the submit needs its checkbox ticked. */
  readonly lockout?: LockoutModel;
}

/** What running the change does, in one or two sentences. */
export function describeChange(c: AccessChangeModel): string {
  switch (c.kind) {
    case 'grant':
      return `Let role ${inlineCode(c.role)} call ${inlineCode(c.service)}'s endpoints.`;
    case 'rule': {
      const n = c.existing.length;
      return (
        `Snowflake user ${inlineCode(c.user)} has network policy ${inlineCode(c.policy)}. Add ${inlineCode(c.ip)} to its rule ${inlineCode(c.rule)}, ` +
        `keeping its ${n} existing entr${n === 1 ? 'y' : 'ies'}${n === 0 ? '' : ` (${c.existing.map(inlineCode).join(', ')})`}. The policy itself is not replaced.`
      );
    }
    case 'network':
      return `Snowflake user ${inlineCode(c.user)} is subject to no network policy (none of its own, none on the account). Allow calls from ${inlineCode(c.ip)} only: a network rule ${inlineCode(c.rule)}, a network policy ${inlineCode(c.policy)} with it, set on the user.`;
  }
}

/** The blocking warning for a policy on the bot's own user. */
function lockoutWarning(m: LockoutModel): string {
  return (
    `:no_entry: *${inlineCode(m.user)} is the bot's own Snowflake user.* A user-level network policy governs every login of that user: ` +
    `once it is set, the bot's own logins from any address other than ${inlineCode(m.ip)} are refused (Snowflake error 390422), ` +
    `and the bot stops working wherever it runs from another address. Use the Snowflake user of the person who calls the endpoint instead` +
    `${m.instead === undefined ? '' : ` (e.g. ${inlineCode(m.instead)})`}.`
  );
}

/** The checkbox that must be ticked before a policy goes on the bot's own user. */
export const LOCKOUT_ACK_VALUE = 'ack';

function lockoutBlocks(m: LockoutModel): KnownBlock[] {
  return [
    section(lockoutWarning(m)),
    {
      type: 'input',
      block_id: AccessIds.ackLockout,
      label: { type: 'plain_text', text: "Set it on the bot's own user anyway" },
      element: {
        type: 'checkboxes',
        action_id: AccessIds.ackLockout,
        options: [
          {
            text: { type: 'plain_text', text: "I understand the bot's own logins from other addresses will be refused" },
            value: LOCKOUT_ACK_VALUE,
          },
        ],
      },
    },
  ];
}

const sqlList = (statements: readonly string[]) => statements.map((s) => `${s};`).join('\n');

function buildConfirm(callbackId: string, m: ConfirmModel, submit: string): ModalView {
  return modal(
    callbackId,
    { sessionId: m.sessionId, planHash: m.planHash },
    [
      ...(m.lockout === undefined ? [] : lockoutBlocks(m.lockout)),
      section(describeChange(m.change)),
      section(`These statements will run, in this order, as the bot's role:\n${codeBlock(sqlList(m.statements), { budget: CODE_BUDGET })}`),
      context(
        `Nothing has run yet. Only SPCS_MANAGERS may run them; the change is audited. Plan ${inlineCode(`sha256:${m.planHash.slice(0, 12)}`)}: if the statements differ when you submit, nothing runs.`,
      ),
      backButton(),
    ],
    submit,
  );
}

export const buildNetworkConfirm = (m: ConfirmModel): ModalView => buildConfirm(AccessIds.networkConfirm, m, 'Run these statements');
export const buildGrantConfirm = (m: ConfirmModel): ModalView => buildConfirm(AccessIds.grantConfirm, m, 'Grant');

/** What one statement leaves behind once it ran (src/snowflake's AccessEffect fits it). */
export type AccessEffectModel =
  | { readonly kind: 'rule_created'; readonly rule: string }
  | { readonly kind: 'policy_created'; readonly policy: string }
  | { readonly kind: 'user_policy_set'; readonly user: string; readonly policy: string }
  | { readonly kind: 'rule_values_set'; readonly rule: string }
  | { readonly kind: 'endpoint_usage_granted'; readonly role: string; readonly service: string };

/** One statement of a run, for the result: what it is, whether it ran, what it left, how to undo it. */
export interface RunStepModel {
  readonly statement: string;
  readonly state: 'ran' | 'failed' | 'not_run';
  readonly effect: AccessEffectModel;
  readonly undo: string | null;
}

export type AccessRunModel =
  | { readonly status: 'applied'; readonly change: AccessChangeModel }
  | { readonly status: 'plan_changed'; readonly planHash: string }
  | { readonly status: 'rule_changed'; readonly rule: string }
  | { readonly status: 'precondition_unreadable'; readonly rule: string; readonly failure: FailureModel | null }
  | { readonly status: 'failed'; readonly failure: FailureModel | null; readonly steps: readonly RunStepModel[] };

function doneText(c: AccessChangeModel): string {
  switch (c.kind) {
    case 'grant':
      return `Role ${inlineCode(c.role)} may now call the endpoint.`;
    case 'network':
      return `User ${inlineCode(c.user)} now has network policy ${inlineCode(c.policy)}, allowing ${inlineCode(c.ip)}.`;
    case 'rule':
      return `Network rule ${inlineCode(c.rule)} of policy ${inlineCode(c.policy)} now also allows ${inlineCode(c.ip)}.`;
  }
}

/** The failure sentence's "Could not …". */
function doingOf(e: AccessEffectModel): string {
  switch (e.kind) {
    case 'rule_created':
      return `create network rule ${e.rule}`;
    case 'policy_created':
      return `create network policy ${e.policy}`;
    case 'user_policy_set':
      return `set network policy ${e.policy} on user ${e.user}`;
    case 'rule_values_set':
      return `add the address to network rule ${e.rule}`;
    case 'endpoint_usage_granted':
      return `grant ALL_ENDPOINTS_USAGE to role ${e.role}`;
  }
}

function existsText(e: AccessEffectModel): string {
  switch (e.kind) {
    case 'rule_created':
      return `network rule ${inlineCode(e.rule)} exists`;
    case 'policy_created':
      return `network policy ${inlineCode(e.policy)} exists`;
    case 'user_policy_set':
      return `user ${inlineCode(e.user)} has network policy ${inlineCode(e.policy)}`;
    case 'rule_values_set':
      return `network rule ${inlineCode(e.rule)} holds the new list`;
    case 'endpoint_usage_granted':
      return `role ${inlineCode(e.role)} may call ${inlineCode(e.service)}`;
  }
}

const STEP_MARK: Readonly<Record<RunStepModel['state'], string>> = {
  ran: ':white_check_mark: ran',
  failed: ':x: failed',
  not_run: ':white_circle: not run',
};

/** A failed run: the failure, then each statement's outcome, what exists now, and the two ways on. */
function describeFailedRun(failure: FailureModel | null, steps: readonly RunStepModel[]): string {
  const failed = steps.find((s) => s.state === 'failed');
  const head = `${describeFailure(failure, failed === undefined ? 'run the statements' : doingOf(failed.effect))}${
    failure?.kind === 'already_exists'
      ? ' An object of that name already exists; drop it, or add the address to the rule of the policy the user already has.'
      : ''
  }`;
  if (steps.length === 1) return head;
  const lines = steps.map((s, i) => `${STEP_MARK[s.state]} ${i + 1}. ${inlineCode(s.statement)}`);
  const lost =
    failure?.kind === 'transient' || failure?.kind === 'session_expired'
      ? '\nThe failed statement may have run before its answer was lost: check before running it again.'
      : '';
  const ran = steps.filter((s) => s.state === 'ran');
  if (ran.length === 0) return `${head}\n${lines.join('\n')}\nNothing was changed: the first statement failed.${lost}`;
  const undo = ran
    .map((s) => s.undo)
    .filter((u): u is string => u !== null)
    .reverse();
  return [
    head,
    lines.join('\n'),
    `*Exists now:* ${ran.map((s) => existsText(s.effect)).join('; ')}.${lost}`,
    ...(undo.length === 0 ? [] : [`*To undo it*, run as a role that may (in this order):\n${codeBlock(sqlList(undo), { budget: 800 })}`]),
    '*Or finish it:* once the cause above is fixed, run the statements that failed or did not run, in order, as a role that may. ' +
      'Running this step again from the bot stops at the first statement while what it created exists.',
  ].join('\n');
}

/**
 * A run the bot was interrupted in (its worker stopped after sending a statement, before the
 * answer): the statements are not sent again (CREATE … is not idempotent), so the person is told
 * what may exist now and how to take it back.
 */
export function describeAccessInterrupted(steps: readonly Omit<RunStepModel, 'state'>[]): string {
  const lines = steps.map((s, i) => `:grey_question: ${i + 1}. ${inlineCode(s.statement)}`);
  const undo = steps
    .map((s) => s.undo)
    .filter((u): u is string => u !== null)
    .reverse();
  return [
    ':warning: The bot stopped while running these statements, so it cannot tell which of them Snowflake took; it did not run them again.',
    lines.join('\n'),
    `*May exist now:* ${steps.map((s) => existsText(s.effect)).join('; ')}.`,
    ...(undo.length === 0
      ? []
      : [
          `*To undo what exists*, run as a role that may (in this order, skipping what is not there):\n${codeBlock(sqlList(undo), { budget: 800 })}`,
        ]),
    'Check in Snowflake before running this step again.',
  ].join('\n');
}

/** The overview's notice after a confirmed change ran, or was refused before anything ran. */
export function describeAccessRun(m: AccessRunModel): string {
  switch (m.status) {
    case 'applied':
      return `:white_check_mark: ${doneText(m.change)}`;
    case 'plan_changed':
      return `:warning: The statements are no longer the ones you confirmed (plan ${inlineCode(`sha256:${m.planHash.slice(0, 12)}`)}); nothing was run. Start the step again to see them as they are now.`;
    case 'rule_changed':
      return `:warning: Network rule ${inlineCode(m.rule)} changed after you confirmed; nothing was run. Start the step again to see its current entries.`;
    case 'precondition_unreadable':
      return `${describeFailure(m.failure, `re-read network rule ${m.rule} before changing it`)} Nothing was run.`;
    case 'failed':
      return describeFailedRun(m.failure, m.steps);
  }
}

export function buildGrantForm(m: { readonly sessionId: string; readonly service: string }): ModalView {
  return modal(
    AccessIds.grantForm,
    m.sessionId,
    [
      section(`*Service role.* Callers need ${inlineCode(`${m.service}!ALL_ENDPOINTS_USAGE`)} on their default role.`),
      textInput(AccessIds.role, 'Role to grant it to', {
        placeholder: 'ANALYST',
        hint: 'The default role of the user the PAT belongs to.',
      }),
      backButton(),
    ],
    'Review',
  );
}

export interface TestFormModel {
  readonly sessionId: string;
  readonly url: string;
  readonly methods: readonly MethodModel[];
  readonly selected: string;
}

export function buildTestForm(m: TestFormModel): ModalView {
  const options = m.methods.map((x) => option(x.signature, x.name));
  const selected = options.find((o) => o.value === m.selected) ?? options[0];
  const method = m.methods.find((x) => x.name === m.selected) ?? m.methods[0];
  return modal(
    AccessIds.testForm,
    m.sessionId,
    [
      section(`*Test the endpoint.* I send one request to ${inlineCode(m.url)} and show the answer.`),
      {
        type: 'input',
        block_id: AccessIds.method,
        label: { type: 'plain_text', text: 'Method' },
        element: {
          type: 'static_select',
          action_id: AccessIds.method,
          options,
          ...(selected !== undefined && { initial_option: selected }),
        },
      },
      textInput(AccessIds.sample, 'Sample input (one row)', {
        placeholder: method?.example ?? '1.0, 2.0',
        hint: 'The feature values in signature order, separated by commas, or a JSON array.',
      }),
      textInput(AccessIds.pat, 'Programmatic access token (PAT)', {
        hint: 'Used for this one request only: never stored, logged or posted. Slack shows what you type here, so make sure nobody reads over your shoulder.',
      }),
      backButton(),
    ],
    'Send request',
  );
}

export interface TestResultModel {
  readonly sessionId: string;
  /** The public URL the request is meant for (https://<host>/<path>). */
  readonly url: string;
  /** Set when SPCS_INGRESS_URL_OVERRIDE sent it elsewhere. */
  readonly sentTo?: string;
  readonly requestBody: string;
  readonly outcome:
    | { readonly kind: 'response'; readonly status: number; readonly statusText: string; readonly body: string; readonly isJson: boolean }
    | { readonly kind: 'timeout'; readonly timeoutMs: number }
    | { readonly kind: 'unreachable'; readonly reason: string };
}

const STATUS_HINTS: Readonly<Record<number, string>> = {
  400: "The service refused the input: it does not match the method's signature.",
  401: 'The token was not accepted: it is wrong, expired or revoked, or its user is subject to no network policy (a PAT needs one, step 1). Create a new PAT or set up step 1, and try again.',
  403: "The token is valid but not allowed: the user's network policy does not allow this client IP, or the user's default role lacks the service role (step 2).",
  404: 'No such method on this service.',
  405: 'The endpoint only takes POST.',
  500: 'The service failed while answering; check `/spcs logs` and `/spcs diagnose`.',
  503: 'The service is not running yet (or is resuming, or the endpoint is still provisioning). Try again in a minute.',
};

function outcomeHeadline(outcome: TestResultModel['outcome']): string {
  switch (outcome.kind) {
    case 'timeout':
      return `:hourglass: No answer within ${Math.round(outcome.timeoutMs / 1000)} s. The ingress gives up after 60 s; a suspended service may be resuming.`;
    case 'unreachable':
      return `:no_entry: The request did not reach the endpoint: ${escapeMrkdwn(outcome.reason)}.`;
    case 'response': {
      const ok = outcome.status >= 200 && outcome.status < 300;
      const label = `*HTTP ${outcome.status}${outcome.statusText === '' ? '' : ` ${escapeMrkdwn(outcome.statusText)}`}*`;
      const hint = STATUS_HINTS[outcome.status];
      return ok ? `:white_check_mark: ${label}: the endpoint answered.` : `:x: ${label}${hint === undefined ? '' : `: ${hint}`}`;
    }
  }
}

export function buildTestResult(m: TestResultModel): ModalView {
  const blocks: KnownBlock[] = [
    section(outcomeHeadline(m.outcome)),
    section(`*Request*\n${inlineCode(`POST ${m.url}`)}\n${codeBlock(m.requestBody, { budget: 800 })}`),
  ];
  if (m.sentTo !== undefined) blocks.push(context(`Sent to ${inlineCode(m.sentTo)} (SPCS_INGRESS_URL_OVERRIDE).`));
  if (m.outcome.kind === 'response')
    blocks.push(section(`*Response*${m.outcome.body === '' ? ' (empty)' : `\n${codeBlock(m.outcome.body, { budget: 2400 })}`}`));
  blocks.push(
    section(
      '*From your own code*\n' +
        codeBlock(
          `import requests\n\nurl = "${m.url}"\nheaders = {"Authorization": 'Snowflake Token="<PAT>"'}\nresponse = requests.post(url, json=${m.requestBody}, headers=headers)\nprint(response.status_code, response.json())`,
          { budget: 1200 },
        ),
    ),
    context('The token you typed was used for this request only and is gone from this view.'),
    actions([button('Test again', AccessIds.openTest), button('Back', AccessIds.back)]),
  );
  return modal(AccessIds.testResult, m.sessionId, blocks);
}
