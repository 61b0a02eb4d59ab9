import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { describeRedisTarget, parseRedisUrl } from '../../src/redis.js';

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
        redis: { url: 'redis://127.0.0.1:6379', target: { kind: 'server', url: 'redis://127.0.0.1:6379' }, keyPrefix: 'spcs' },
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
    [
      'REDIS_URL',
      'http://localhost:6379',
      /^REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL, redis\+sentinel:\/\/\[user:password@\]host:26379/,
    ],
    [
      'REDIS_URL',
      'redis+sentinel://:pw-shh@s1:26379',
      /^REDIS_URL: expected .*\(a Sentinel URL ends with \/master_name or \/master_name\/db\)$/,
    ],
    ['REDIS_URL', 'redis+sentinel://s1:26379/mymaster/zero', /^REDIS_URL: expected .*\(the database is a number, e\.g\. \/mymaster\/0\)$/],
    ['REDIS_URL', 'redis+sentinel://s1:99999/mymaster', /^REDIS_URL: expected .*\(each host is host\[:port\], comma separated\)$/],
    ['REDIS_URL', 'redis+sentinel://s1:26379,,s2/mymaster', /^REDIS_URL: expected .*\(each host is host\[:port\], comma separated\)$/],
    [
      'REDIS_URL',
      'redis+cluster://:pw-shh@n1:7000,n2:7001/0',
      /^REDIS_URL: expected .*\(a cluster URL has no path: a cluster has only database 0\)$/,
    ],
    [
      'REDIS_URL',
      'redis+cluster://n1:7000?password=pw-shh',
      /^REDIS_URL: expected .*\(a cluster URL takes no \?query: the password goes before the hosts\)$/,
    ],
    [
      'REDIS_URL',
      'redis+sentinel://s1/mymaster?sentinel_pass=pw-shh',
      /^REDIS_URL: expected .*\(a Sentinel URL's query takes only sentinelUsername and sentinelPassword, each once\)$/,
    ],
    [
      'REDIS_URL',
      'redis+sentinel://s1/mymaster?sentinelPassword=a-shh&sentinelPassword=b-shh',
      /^REDIS_URL: expected .*\(a Sentinel URL's query takes only sentinelUsername and sentinelPassword, each once\)$/,
    ],
    ['REDIS_URL', 'redis+sentinel://u:%E0%A4%A@s1/mymaster', /^REDIS_URL: expected .*\(the user or password is not URL-encoded\)$/],
    ['REDIS_URL', 'redis+cluster://n1:7000,n2:abc', /^REDIS_URL: expected .*\(each host is host\[:port\], comma separated\)$/],
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

  it('when REDIS_URL names Sentinels, then the config carries them, the master name, the database and the credentials', () => {
    const result = loadConfig({ ...valid, REDIS_URL: 'redis+sentinel://bot:p%40ss@s1.example:26380,s2.example,[::1]:26381/mymaster/2' });
    expect(result.ok && result.config.redis.target).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1.example', port: 26380 },
        { host: 's2.example', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'mymaster',
      db: 2,
      tls: false,
      username: 'bot',
      password: 'p@ss',
      sentinelUsername: undefined,
      sentinelPassword: undefined,
    });
  });

  it("when a Sentinel URL carries sentinelUsername and sentinelPassword, then they are the Sentinels' credentials, apart from the data nodes'", () => {
    expect(parseRedisUrl('redis+sentinel://:data%2Fpw@s1:26379,s2/mymaster/1?sentinelUsername=watch&sentinelPassword=s%26pw')).toEqual({
      ok: true,
      target: {
        kind: 'sentinel',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
        masterName: 'mymaster',
        db: 1,
        tls: false,
        username: undefined,
        password: 'data/pw',
        sentinelUsername: 'watch',
        sentinelPassword: 's&pw',
      },
    });
    expect(parseRedisUrl('redis+sentinel://s1/mymaster?sentinelPassword=only')).toMatchObject({
      ok: true,
      target: { password: undefined, sentinelPassword: 'only', sentinelUsername: undefined },
    });
  });

  it("when REDIS_URL names cluster nodes, then the config accepts them with the nodes' credentials", () => {
    const result = loadConfig({ ...valid, REDIS_URL: 'redis+cluster://bot:p%40ss@10.0.0.1:7000,10.0.0.2:7001,[::1]' });
    expect(result.ok && result.config.redis.target).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 6379 },
      ],
      tls: false,
      username: 'bot',
      password: 'p@ss',
    });
  });

  it('when REDIS_URL is rediss+sentinel:// without a database, then TLS is on and the database is 0', () => {
    const parsed = parseRedisUrl('rediss+sentinel://s1/cache');
    expect(parsed).toMatchObject({ ok: true, target: { kind: 'sentinel', tls: true, db: 0, masterName: 'cache', username: undefined } });
  });

  it('when REDIS_URL is rediss+cluster://, then TLS is on and a missing port is 6379', () => {
    expect(parseRedisUrl('rediss+cluster://:pw@n1:7000,n2')).toEqual({
      ok: true,
      target: {
        kind: 'cluster',
        nodes: [
          { host: 'n1', port: 7000 },
          { host: 'n2', port: 6379 },
        ],
        tls: true,
        username: undefined,
        password: 'pw',
      },
    });
    expect(parseRedisUrl('redis+cluster://n1:7000/0')).toMatchObject({ ok: false, problem: expect.stringContaining('has no path') });
  });

  it('when a Redis URL is printed, then it carries no credentials', () => {
    expect(describeRedisTarget('redis://:secret-shh@cache:6380/1')).toBe('redis://cache:6380/1');
    expect(describeRedisTarget('redis+sentinel://u:secret-shh@s1,s2:26380/mymaster')).toBe('redis+sentinel://s1:26379,s2:26380/mymaster/0');
    expect(describeRedisTarget('redis+cluster://u:secret-shh@n1:7000')).toBe('redis+cluster://n1:7000');
    expect(describeRedisTarget('rediss+sentinel://:secret-shh@s1/mymaster/2?sentinelPassword=other-shh')).toBe(
      'rediss+sentinel://s1:26379/mymaster/2',
    );
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
