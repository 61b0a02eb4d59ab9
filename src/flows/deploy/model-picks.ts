import { WizardIds, type ListSelect } from '../../blocks/deploy-wizard.js';
import { poolOptionText } from '../../blocks/deploy-wizard-pool.js';
import type { Draft } from '../../domain/deploy-draft.js';

/** Step 1's dependent picks, and the cached lists the external_selects offer. */

export const MODEL_PICKS = [WizardIds.modelDatabase, WizardIds.modelSchema, WizardIds.modelName, WizardIds.modelVersion] as const;
export type ModelPick = (typeof MODEL_PICKS)[number];
export const isModelPick = (id: string): id is ModelPick => MODEL_PICKS.some((p) => p === id);

/**
 * Records one pick; everything that depended on the old value (the picks below it and the lists
 * fetched for it) is cleared, so the next look-up fetches the right lists.
 */
export function applyModelPick(draft: Draft, pick: ModelPick, value: string | undefined): Draft {
  const m = draft.model;
  const { databases, pools, families } = draft.lists;
  const keep = { ...(databases && { databases }), ...(pools && { pools }), ...(families && { families }) };
  const { versionInfo: _v, notice: _n, ...rest } = draft;
  switch (pick) {
    case WizardIds.modelDatabase:
      return { ...rest, model: picks(value), lists: keep };
    case WizardIds.modelSchema:
      return { ...rest, model: picks(m.database, value), lists: { ...keep, ...(draft.lists.schemas && { schemas: draft.lists.schemas }) } };
    case WizardIds.modelName:
      return { ...rest, model: picks(m.database, m.schema, value), lists: draft.lists };
    case WizardIds.modelVersion:
      return { ...rest, model: picks(m.database, m.schema, m.name, value), lists: draft.lists };
  }
}

/** The model picks so far; a later pick without an earlier one is dropped. */
export function picks(database?: string, schema?: string, name?: string, version?: string): Draft['model'] {
  if (database === undefined) return {};
  if (schema === undefined) return { database };
  if (name === undefined) return { database, schema };
  return version === undefined ? { database, schema, name } : { database, schema, name, version };
}

export interface ListItem {
  readonly text: string;
  readonly value: string;
}

/** What an external_select offers, from the lists cached in the draft (never a Snowflake call: 3 s). */
export function listItems(draft: Draft, select: ListSelect): readonly ListItem[] {
  const named = (names: readonly string[] | undefined) => (names ?? []).map((n) => ({ text: n, value: n }));
  switch (select) {
    case WizardIds.modelDatabase:
      return named(draft.lists.databases);
    case WizardIds.modelSchema:
      return named(draft.lists.schemas);
    case WizardIds.modelName:
      return named(draft.lists.models?.map((m) => m.name));
    case WizardIds.modelVersion: {
      const model = draft.lists.models?.find((m) => m.name === draft.model.name);
      return (model?.versions ?? []).map((v) => ({ text: v === model?.defaultVersion ? `${v} (default)` : v, value: v }));
    }
    case WizardIds.pool:
      return (draft.lists.pools ?? []).map((p) => ({ text: poolOptionText(p), value: p.name }));
  }
}

/** Type-ahead: case-insensitive substring match; Slack shows at most 100 options. */
export function filterItems(items: readonly ListItem[], typed: string): ListItem[] {
  const needle = typed.trim().toLowerCase();
  return items.filter((i) => needle === '' || i.text.toLowerCase().includes(needle)).slice(0, 100);
}
