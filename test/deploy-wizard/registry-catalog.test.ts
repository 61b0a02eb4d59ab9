/**
 * The deploy wizard remembers Model Registry listings briefly (SPCS_CATALOG_MAX_AGE): a burst of
 * /spcs deploy asks Snowflake once, a pick missing from a remembered listing is looked up fresh,
 * and failures are never remembered.
 */
import { describe, expect, it } from 'vitest';
import { key3 } from '../../emulator/spcs/state.js';
import { isRecord } from '../support/fake-slack-types.js';
import { openWizard, useWizardBot, viewText, waitForStep, type WizardHarness } from './wizard-harness.js';

let h: WizardHarness;
// The catalog's clock stands still unless a test moves it: remembering is judged by it, never by
// real time, so a slow machine cannot make a listing expire between two opens.
let catalogMs = 1_700_000_000_000;
const catalogNow = () => catalogMs;
/** Moves the catalog's clock past SPCS_CATALOG_MAX_AGE, so everything remembered is too old. */
const forgetListings = () => void (catalogMs += 2_001);
useWizardBot((ready) => (h = ready), { SPCS_CATALOG_MAX_AGE: '2s' }, { catalogNow });

const sqlSince = (from: number) => h.t.emulator.sqlLog.slice(from).map((e) => e.sqlText);
const showStatements = (texts: readonly string[]) => texts.filter((t) => /^SHOW (DATABASES|SCHEMAS|MODELS|VERSIONS|FUNCTIONS)/.test(t));

/** Waits until every view in `viewIds` shows step 1 filled, and returns their texts. */
async function filledViews(viewIds: readonly string[]): Promise<string[]> {
  const texts: string[] = [];
  for (const id of viewIds) {
    h.viewId = id;
    texts.push(viewText(await waitForStep(h, 'model', (v) => viewText(v).includes('PREDICT'))));
  }
  return texts;
}

describe('remembered registry listings', () => {
  it('when ten people open the wizard at once, then each listing is asked of Snowflake once and every modal is filled', async () => {
    forgetListings(); // nothing remembered from before
    const from = h.t.emulator.sqlLog.length;
    const opens = h.t.fake.calls('views.open').length;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.t.slack.slashCommand({ command: '/spcs', text: 'deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1', user: { id: `U0PERSON${i}` } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const calls = (await h.t.fake.waitForCalls('views.open', opens + 10)).slice(opens);
    const viewIds = calls
      .map((c) => c.response['view'])
      .filter(isRecord)
      .map((v) => String(v['id']));
    expect(viewIds).toHaveLength(10);
    const texts = await filledViews(viewIds);
    for (const text of texts) expect(text).toContain('GPU runtime: no');

    const shows = showStatements(sqlSince(from));
    expect(shows.length).toBeGreaterThan(0);
    // One of each: no statement repeated across the ten people.
    expect(new Set(shows).size).toBe(shows.length);
  });

  it('when a version is registered after the listing was remembered, then typing it finds it at once', async () => {
    await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    const model = h.t.emulator.state.models.get(key3('ML_DB', 'REGISTRY', 'IRIS_CLASSIFIER'));
    const v1 = model?.versions.get('V1');
    if (model === undefined || v1 === undefined) throw new Error('seed changed: IRIS_CLASSIFIER V1 missing');
    model.versions.set('V9', { ...v1, name: 'V9', createdOn: h.t.emulator.clock.now() });
    try {
      const from = h.t.emulator.sqlLog.length;
      const view = await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V9');
      await waitForStep(h, 'model', (v) => viewText(v).includes('PREDICT'));
      expect(viewText(view)).not.toContain('not in the list Snowflake returned');
      expect(sqlSince(from).some((t) => t.startsWith('SHOW MODELS'))).toBe(true);
    } finally {
      model.versions.delete('V9');
    }
  });

  it('when a listing is remembered, then an open inside SPCS_CATALOG_MAX_AGE asks nothing and one after it asks again', async () => {
    await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    let from = h.t.emulator.sqlLog.length;
    const updates = h.t.fake.calls('views.update').length;
    const opened = await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    expect(showStatements(sqlSince(from))).toEqual([]);
    // Filled as it opened: the views.open itself carried the listing, and no update followed.
    expect(JSON.stringify(h.t.fake.calls('views.open').at(-1)?.args['view'])).toContain('PREDICT');
    expect(
      h.t.fake
        .calls('views.update')
        .slice(updates)
        .filter((c) => c.args['view_id'] === opened.id),
    ).toEqual([]);

    forgetListings();
    from = h.t.emulator.sqlLog.length;
    await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    await waitForStep(h, 'model', (v) => viewText(v).includes('PREDICT'));
    expect(showStatements(sqlSince(from))).toContain('SHOW DATABASES');
  });

  it('when a listing fails, then the failure is shown and not remembered: the next open lists again', async () => {
    forgetListings();
    h.t.emulator.faults.missingPrivilege({ privilege: 'USAGE', on: 'DATABASE', name: 'ML_DB' });
    const failed = await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    expect(viewText(failed)).toMatch(/ML_DB/);
    expect(viewText(failed)).not.toContain('PREDICT');
    h.t.emulator.faults.restorePrivileges();

    await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    const view = await waitForStep(h, 'model', (v) => viewText(v).includes('PREDICT'));
    expect(viewText(view)).toContain('IRIS_CLASSIFIER');
  });
});
