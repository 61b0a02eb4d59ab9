/** The pure parts of /spcs access: sample input against a signature, the ingress URL override, the PAT scrub. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { checkPatShape, ingressBaseUrl } from '../../src/flows/access/rest-call.js';
import { kindOf, parseSampleInput, restPath } from '../../src/flows/access/sample-input.js';
import { scrubSecrets } from '../../src/logger.js';

const IRIS = {
  name: 'PREDICT',
  inputs: ['SEPAL_LENGTH', 'SEPAL_WIDTH', 'PETAL_LENGTH', 'PETAL_WIDTH'].map((name) => ({ name, type: 'FLOAT' })),
};
const MIXED = {
  name: 'PREDICT_PROBA',
  inputs: [
    { name: 'TEXT', type: 'STRING' },
    { name: 'N', type: 'INT64' },
    { name: 'FLAG', type: 'BOOL' },
  ],
};

describe('sample input', () => {
  it('when the values fit the signature, then they come back typed, from commas or a JSON array', () => {
    expect(parseSampleInput('5.1, 3.5, 1.4, 0.2', IRIS)).toEqual({ ok: true, values: [5.1, 3.5, 1.4, 0.2] });
    expect(parseSampleInput('["a, b", 3, true]', MIXED)).toEqual({ ok: true, values: ['a, b', 3, true] });
    expect(parseSampleInput('"a, b", 3, false', MIXED)).toEqual({ ok: true, values: ['a, b', 3, false] });
  });

  it('when the count or a type is wrong, then the message names what was expected', () => {
    const short = parseSampleInput('1, 2, 3', IRIS);
    expect(short).toEqual({ ok: false, message: expect.stringContaining('PREDICT takes 4 values for PREDICT(SEPAL_LENGTH FLOAT') });
    expect(parseSampleInput('x, 1.5, true', MIXED)).toEqual({
      ok: false,
      message: expect.stringContaining('Value 2 (N INT64) must be a whole number'),
    });
    expect(parseSampleInput('', IRIS)).toEqual({ ok: false, message: expect.stringContaining('required, 4 values') });
  });

  it('when types come from SQL or model signatures, then they are read alike', () => {
    expect([kindOf('NUMBER(38,0)'), kindOf('NUMBER(10,2)'), kindOf('DOUBLE'), kindOf('BOOLEAN'), kindOf('VARCHAR')]).toEqual([
      'integer',
      'number',
      'number',
      'boolean',
      'text',
    ]);
    expect(restPath('PREDICT_PROBA')).toBe('predict-proba');
  });
});

describe('ingress URL and PAT', () => {
  const base = {
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 's',
    SNOWFLAKE_ACCOUNT: 'a',
    SNOWFLAKE_USER: 'u',
    SNOWFLAKE_PASSWORD: 'p',
  };

  it('when no override is set, then requests go to https://<host>; with one, to the template', () => {
    expect(ingressBaseUrl('abc-org-acct.snowflakecomputing.app', undefined)).toBe('https://abc-org-acct.snowflakecomputing.app');
    expect(ingressBaseUrl('h.snowflakecomputing.app', 'http://127.0.0.1:8085/ingress/{host}')).toBe(
      'http://127.0.0.1:8085/ingress/h.snowflakecomputing.app',
    );
  });

  it('when SPCS_INGRESS_URL_OVERRIDE is plain http to another machine or lacks {host}, then the config is refused', () => {
    const ok = loadConfig({ ...base, SPCS_INGRESS_URL_OVERRIDE: 'http://127.0.0.1:8085/ingress/{host}/' });
    expect(ok.ok && ok.config.ingressUrlOverride).toBe('http://127.0.0.1:8085/ingress/{host}');
    for (const bad of ['http://proxy.example.com/{host}', 'https://proxy.example.com/', 'not a url {host}']) {
      const result = loadConfig({ ...base, SPCS_INGRESS_URL_OVERRIDE: bad });
      expect(result.ok ? [] : result.problems).toEqual([
        expect.stringContaining('SPCS_INGRESS_URL_OVERRIDE: expected an https URL template containing {host}'),
      ]);
    }
  });

  it('when a PAT has spaces or quotes, then it is refused without repeating it', () => {
    const problem = checkPatShape('pat with "quotes"');
    expect(problem).toContain('does not look like');
    expect(problem).not.toContain('quotes"');
    expect(checkPatShape('pat-abc.DEF_123')).toBeNull();
  });

  it('when a payload with a *_secret input is logged as text, then its value is scrubbed', () => {
    const payload = JSON.stringify({
      state: { values: { 'access.pat_secret': { 'access.pat_secret': { type: 'plain_text_input', value: 'pat-xyz' } } } },
    });
    expect(scrubSecrets(payload)).not.toContain('pat-xyz');
    expect(scrubSecrets(JSON.stringify(payload))).not.toContain('pat-xyz');
  });
});
