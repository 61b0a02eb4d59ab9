import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const run = promisify(execFile);

const snowflake = {
  SNOWFLAKE_ACCOUNT: 'myorg-myaccount',
  SNOWFLAKE_USER: 'SPCS_BOT',
  SNOWFLAKE_PASSWORD: 'snowflake-password-shh',
};
const valid = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  ...snowflake,
};

function problemsFor(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  return result.ok ? [] : result.problems;
}

describe('config', () => {
  it('when the Slack settings are valid, then defaults fill the rest', () => {
    const result = loadConfig(valid);
    expect(result).toMatchObject({
      ok: true,
      config: {
        role: 'all',
        port: 3000,
        logLevel: 'info',
        logFormat: 'json',
        redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'spcs' },
        slack: { apiUrl: 'https://slack.com/api/', appToken: undefined },
      },
    });
  });

  it('when SLACK_API_URL lacks a trailing slash, then one is added for the WebClient', () => {
    const result = loadConfig({ ...valid, SLACK_API_URL: 'http://127.0.0.1:9999/api' });
    expect(result.ok && result.config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
  });

  it('when nothing is set, then each missing Slack and Snowflake variable is named', () => {
    expect(problemsFor({})).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: required/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET: required in HTTP mode/),
      expect.stringMatching(/^SNOWFLAKE_ACCOUNT: required/),
      expect.stringMatching(/^SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_TOKEN: one is required/),
    ]);
  });

  it('when the Snowflake settings are valid, then the config carries them without exposing the password', () => {
    const result = loadConfig(valid);
    expect(result.ok && result.config.snowflake).toMatchObject({ source: 'env', account: 'myorg-myaccount', user: 'SPCS_BOT' });
    expect(JSON.stringify(result)).not.toContain('snowflake-password-shh');
  });

  it('when SLACK_APP_TOKEN is set (Socket Mode), then no signing secret is needed', () => {
    const result = loadConfig({ SLACK_BOT_TOKEN: valid.SLACK_BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-A1-2-abc', ...snowflake });
    expect(result.ok && result.config.slack.appToken).toBe('xapp-1-A1-2-abc');
  });

  it('when ROLE=worker, then no signing secret is needed', () => {
    expect(problemsFor({ SLACK_BOT_TOKEN: valid.SLACK_BOT_TOKEN, ROLE: 'worker', ...snowflake })).toEqual([]);
  });

  it.each([
    ['SLACK_BOT_TOKEN', 'xoxp-user-token-shh', /^SLACK_BOT_TOKEN: expected a bot token starting with xoxb-$/],
    ['SLACK_APP_TOKEN', 'not-an-app-token', /^SLACK_APP_TOKEN: expected an app-level token starting with xapp-$/],
    ['SLACK_API_URL', 'chat.example/api', /^SLACK_API_URL: expected an http\(s\) URL/],
    ['PORT', '70000', /^PORT: expected a port number from 0 to 65535$/],
    ['PORT', 'http', /^PORT: expected a port number from 0 to 65535$/],
    ['REDIS_URL', 'http://localhost:6379', /^REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL$/],
    ['REDIS_KEY_PREFIX', 'has space', /^REDIS_KEY_PREFIX: expected letters, digits/],
    ['ROLE', 'admin', /^ROLE: expected one of all, web, worker$/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: expected one of fatal, error/],
    ['LOG_FORMAT', 'colour', /^LOG_FORMAT: expected one of json, pretty$/],
    ['SHUTDOWN_TIMEOUT_MS', '-5', /^SHUTDOWN_TIMEOUT_MS: expected a whole number/],
    ['SPCS_CATALOG_MAX_AGE', 'soon', /^SPCS_CATALOG_MAX_AGE: expected a duration such as 60s or 5m \(0s: always ask Snowflake\)$/],
  ])('when %s=%s, then one line names it and what it expects', (name, value, expected) => {
    const problems = problemsFor({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    expect(problems[0]).not.toContain(value);
  });

  it('when several settings are wrong, then all are reported at once', () => {
    const problems = problemsFor({ PORT: 'x', ROLE: 'y', ...snowflake });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['PORT', 'ROLE', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'].sort());
  });

  it('when npm start runs with no Slack settings, then it exits 2 naming each missing variable and no secret', async () => {
    const env = { PATH: process.env.PATH ?? '', SLACK_APP_TOKEN: 'app-token-shh', SLACK_SIGNING_SECRET: '' };
    const failure = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env }).then(
      () => undefined,
      (err: { code?: number; stderr?: string; stdout?: string }) => err,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('SLACK_BOT_TOKEN: required');
    expect(failure?.stderr).toContain('SLACK_APP_TOKEN: expected an app-level token');
    expect(failure?.stderr).not.toContain('app-token-shh');
    expect(failure?.stdout).toBe('');
  });
});
