/**
 * Modal view stacks and trigger ids for the fake, with Slack's rules: a trigger lives 3 s and
 * is exchanged once; a stack holds at most 3 views; views.update honours `hash`.
 */
import { z } from 'zod';
import { asBlocks, validateView } from './blocks.js';
import { withSlackIds, type FakeIdentity, type IdSource } from './ids.js';
import type { StoreResult } from './messages.js';
import {
  isRecord,
  type FakeView,
  type JsonObject,
  type PlainText,
  type SlackBlock,
  type SlackView,
  type ViewStateValues,
} from './types.js';

export const TRIGGER_TTL_MS = 3000;
export const MAX_STACK = 3;

export interface TriggerContext {
  /** The view the interaction happened in; views.push with this trigger pushes onto its stack. */
  viewId?: string | undefined;
  /** Issued for a slash command or a message click: it can open a modal but not push. */
  outsideModal?: boolean | undefined;
}

interface TriggerRecord extends TriggerContext {
  issuedAt: number;
  used: boolean;
}

interface ViewRecord {
  view: SlackView;
  open: boolean;
  submissionErrors: Record<string, string> | undefined;
}

/** A failure with Slack's error code and, for validation, its `response_metadata.messages`. */
export type ViewResult = StoreResult<SlackView> | { ok: false; error: string; messages: string[] };

const PlainTextSchema = z.object({ type: z.literal('plain_text'), text: z.string(), emoji: z.boolean().optional() });
const ViewInputSchema = z.object({
  type: z.string(),
  title: PlainTextSchema.optional(),
  submit: PlainTextSchema.optional(),
  close: PlainTextSchema.optional(),
  blocks: z.array(z.looseObject({ type: z.string() })),
  private_metadata: z.string().default(''),
  callback_id: z.string().default(''),
  external_id: z.string().default(''),
  clear_on_close: z.boolean().default(false),
  notify_on_close: z.boolean().default(false),
});
type ViewInput = z.infer<typeof ViewInputSchema>;

export class ViewStore {
  private readonly records = new Map<string, ViewRecord>();
  /** root view id → view ids, root first. */
  private readonly stacks = new Map<string, string[]>();
  private readonly triggers = new Map<string, TriggerRecord>();
  private lastStackId: string | undefined;

  constructor(
    private readonly identity: FakeIdentity,
    private readonly ids: IdSource,
    private readonly now: () => number,
  ) {}

  issueTrigger(context: TriggerContext = {}): string {
    const id = this.ids.triggerId();
    this.triggers.set(id, { ...context, issuedAt: this.now(), used: false });
    return id;
  }

  open(triggerId: unknown, rawView: unknown): ViewResult {
    const trigger = this.checkTrigger(triggerId);
    if (!trigger.ok) return trigger;
    const parsed = this.parseView(rawView, undefined);
    if (!parsed.ok) return parsed;
    trigger.value.used = true;
    const id = this.ids.prefixed('V');
    const view = this.buildView(id, parsed.value, { rootId: id, previousId: null, values: {} });
    this.records.set(id, { view, open: true, submissionErrors: undefined });
    this.stacks.set(id, [id]);
    this.lastStackId = id;
    return { ok: true, value: view };
  }

  push(triggerId: unknown, rawView: unknown): ViewResult {
    const trigger = this.checkTrigger(triggerId);
    if (!trigger.ok) return trigger;
    const stackId = this.stackForTrigger(trigger.value);
    if (stackId === undefined) {
      return {
        ok: false,
        error: 'invalid_trigger_id',
        messages: ['[ERROR] views.push needs a trigger_id from an interaction inside an open modal'],
      };
    }
    const pushed = this.pushOnto(stackId, rawView);
    if (pushed.ok) trigger.value.used = true;
    return pushed;
  }

  update(target: { viewId?: unknown; externalId?: unknown }, rawView: unknown, hash: unknown): ViewResult {
    const record = this.findOpen(target);
    if (!record.ok) return record;
    if (typeof hash === 'string' && hash !== '' && hash !== record.value.view.hash) return { ok: false, error: 'hash_conflict' };
    return this.replace(record.value, rawView);
  }

  /** Closes a view and every view above it; `all` closes its whole stack (X button / clear). */
  close(viewId: string, all = false): void {
    const record = this.records.get(viewId);
    if (!record) return;
    const stackId = record.view.root_view_id;
    const stack = this.stacks.get(stackId) ?? [];
    const from = all ? 0 : Math.max(0, stack.indexOf(viewId));
    for (const id of stack.splice(from)) {
      const r = this.records.get(id);
      if (r) r.open = false;
    }
    if (stack.length === 0) this.stacks.delete(stackId);
  }

  /** Applies the app's ack body for a view_submission the way Slack's client would. */
  applySubmissionResponse(viewId: string, body: unknown): ViewResult | { ok: true; value: undefined } {
    const record = this.records.get(viewId);
    if (!record?.open) return { ok: false, error: 'not_found' };
    const action = isRecord(body) ? body['response_action'] : undefined;
    if (!isRecord(body) || action === undefined) {
      this.close(viewId);
      return { ok: true, value: undefined };
    }
    switch (action) {
      case 'errors':
        record.submissionErrors = isRecord(body['errors']) ? stringMap(body['errors']) : {};
        return { ok: true, value: record.view };
      case 'update':
        return this.replace(record, body['view']);
      case 'push':
        return this.pushOnto(record.view.root_view_id, body['view']);
      case 'clear':
        this.close(viewId, true);
        return { ok: true, value: undefined };
      default:
        return { ok: false, error: 'invalid_response_action', messages: [`[ERROR] unknown response_action '${String(action)}'`] };
    }
  }

  /** Merges input values into a view's state, as Slack does while the user types. */
  setStateValues(viewId: string, values: ViewStateValues): void {
    const record = this.records.get(viewId);
    if (!record) return;
    for (const [blockId, byAction] of Object.entries(values)) {
      record.view.state.values[blockId] = { ...record.view.state.values[blockId], ...byAction };
    }
  }

  get(idOrExternalId: string): FakeView | undefined {
    const record =
      this.records.get(idOrExternalId) ?? [...this.records.values()].find((r) => r.open && r.view.external_id === idOrExternalId);
    return record ? toFakeView(record) : undefined;
  }

  /** The open stack holding `viewId` (root first); without an id, the most recently touched stack. */
  stack(viewId?: string): FakeView[] {
    const stackId = viewId === undefined ? this.lastStackId : this.records.get(viewId)?.view.root_view_id;
    const ids = stackId === undefined ? [] : (this.stacks.get(stackId) ?? []);
    return ids.flatMap((id) => {
      const record = this.records.get(id);
      return record ? [toFakeView(record)] : [];
    });
  }

  openStacks(): FakeView[][] {
    return [...this.stacks.keys()].map((id) => this.stack(id));
  }

  reset(): void {
    this.records.clear();
    this.stacks.clear();
    this.triggers.clear();
    this.lastStackId = undefined;
  }

  private checkTrigger(triggerId: unknown): StoreResult<TriggerRecord> {
    const trigger = typeof triggerId === 'string' ? this.triggers.get(triggerId) : undefined;
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (this.now() - trigger.issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    return { ok: true, value: trigger };
  }

  private stackForTrigger(trigger: TriggerRecord): string | undefined {
    if (trigger.outsideModal) return undefined;
    const stackId = trigger.viewId === undefined ? this.lastStackId : this.records.get(trigger.viewId)?.view.root_view_id;
    return stackId !== undefined && this.stacks.has(stackId) ? stackId : undefined;
  }

  private pushOnto(stackId: string, rawView: unknown): ViewResult {
    const stack = this.stacks.get(stackId);
    if (!stack) return { ok: false, error: 'not_found' };
    if (stack.length >= MAX_STACK) return { ok: false, error: 'push_limit_reached' };
    const parsed = this.parseView(rawView, undefined);
    if (!parsed.ok) return parsed;
    const id = this.ids.prefixed('V');
    const view = this.buildView(id, parsed.value, { rootId: stackId, previousId: stack.at(-1) ?? null, values: {} });
    this.records.set(id, { view, open: true, submissionErrors: undefined });
    stack.push(id);
    this.lastStackId = stackId;
    return { ok: true, value: view };
  }

  private replace(record: ViewRecord, rawView: unknown): ViewResult {
    const parsed = this.parseView(rawView, record.view.id);
    if (!parsed.ok) return parsed;
    const old = record.view;
    const blocks = withSlackIds(asBlocks(parsed.value.blocks), this.ids);
    const keep = new Set(blocks.map((b) => b.block_id));
    const values = Object.fromEntries(Object.entries(old.state.values).filter(([blockId]) => keep.has(blockId)));
    record.view = this.buildView(old.id, parsed.value, { rootId: old.root_view_id, previousId: old.previous_view_id, values }, blocks);
    record.submissionErrors = undefined;
    this.lastStackId = old.root_view_id;
    return { ok: true, value: record.view };
  }

  private parseView(
    rawView: unknown,
    selfId: string | undefined,
  ): StoreResult<ViewInput> | { ok: false; error: string; messages: string[] } {
    const problems = validateView(rawView);
    if (isRecord(rawView) && rawView['type'] === 'home')
      problems.push('[ERROR] views.open/push/update take modals; Home tabs use views.publish [json-pointer:/view/type]');
    if (problems.length > 0) return { ok: false, error: 'invalid_arguments', messages: problems };
    const parsed = ViewInputSchema.safeParse(rawView);
    if (!parsed.success)
      return {
        ok: false,
        error: 'invalid_arguments',
        messages: parsed.error.issues.map((i) => `[ERROR] ${i.message} [json-pointer:/view/${i.path.join('/')}]`),
      };
    const externalId = parsed.data.external_id;
    const clash =
      externalId !== '' && [...this.records.values()].some((r) => r.open && r.view.external_id === externalId && r.view.id !== selfId);
    if (clash) return { ok: false, error: 'duplicate_external_id' };
    return { ok: true, value: parsed.data };
  }

  private findOpen(target: { viewId?: unknown; externalId?: unknown }): StoreResult<ViewRecord> {
    const { viewId, externalId } = target;
    if (typeof viewId !== 'string' && typeof externalId !== 'string') return { ok: false, error: 'invalid_arguments' };
    const record =
      typeof viewId === 'string'
        ? this.records.get(viewId)
        : [...this.records.values()].find((r) => r.open && r.view.external_id === externalId);
    if (!record?.open) return { ok: false, error: 'not_found' };
    return { ok: true, value: record };
  }

  private buildView(
    id: string,
    input: ViewInput,
    place: { rootId: string; previousId: string | null; values: ViewStateValues },
    blocks: SlackBlock[] = withSlackIds(asBlocks(input.blocks), this.ids),
  ): SlackView {
    return {
      id,
      team_id: this.identity.teamId,
      type: input.type,
      title: plain(input.title),
      submit: plain(input.submit),
      close: plain(input.close),
      blocks,
      private_metadata: input.private_metadata,
      callback_id: input.callback_id,
      external_id: input.external_id,
      state: { values: place.values },
      hash: this.ids.hash(),
      clear_on_close: input.clear_on_close,
      notify_on_close: input.notify_on_close,
      previous_view_id: place.previousId,
      root_view_id: place.rootId,
      app_id: this.identity.appId,
      app_installed_team_id: this.identity.teamId,
      bot_id: this.identity.botId,
    };
  }
}

function plain(text: z.infer<typeof PlainTextSchema> | undefined): PlainText | null {
  if (!text) return null;
  return text.emoji === undefined ? { type: 'plain_text', text: text.text } : { type: 'plain_text', text: text.text, emoji: text.emoji };
}

function stringMap(value: JsonObject): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function toFakeView(record: ViewRecord): FakeView {
  return { ...structuredClone(record.view), open: record.open, submissionErrors: record.submissionErrors };
}
