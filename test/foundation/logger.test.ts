import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, toBoltLogger, withLogScope } from '../../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('debug', stream), text: () => JSON.stringify(lines) };
}

describe('logger', () => {
  it('when a log line carries token fields, then their values are redacted', () => {
    const { logger, text } = capture();
    logger.info(
      { token: 'xoxb-111-222-secret', slack: { botToken: 'abc', signingSecret: 'def' }, headers: { authorization: 'Bearer zzz' } },
      'hello',
    );
    expect(text()).not.toMatch(/xoxb-111|"abc"|"def"|zzz/);
    expect(text()).toContain('[redacted]');
  });

  it('when free text or an error message contains a token, then it is scrubbed', () => {
    const { logger, text } = capture();
    logger.warn('calling with xoxb-123-456-abcdef and xapp-1-A2-3-xyz');
    logger.error({ err: new Error('Authorization: Snowflake Token="pat-secret-value" was refused') }, 'failed');
    expect(text()).not.toMatch(/xoxb-123|xapp-1-A2|pat-secret-value/);
    expect(text()).toContain('Snowflake Token=\\"[redacted]\\"');
  });

  it('when code runs inside a log scope, then every line names the team, user and command', async () => {
    const { logger, lines } = capture();
    await withLogScope({ team: 'T1', user: 'U1', command: '/spcs' }, async () => {
      await Promise.resolve();
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ team: 'T1', user: 'U1', command: '/spcs', msg: 'inside' });
    expect(lines[1]).not.toHaveProperty('team');
  });

  it('when Bolt logs through the adapter, then lines are JSON, tagged and scrubbed', () => {
    const { logger, lines } = capture();
    const bolt = toBoltLogger(logger);
    bolt.error('An API error occurred: token xoxb-9-9-leak', new Error('invalid_auth'));
    expect(lines[0]).toMatchObject({ component: 'bolt', level: 50, err: { message: 'invalid_auth' } });
    expect(JSON.stringify(lines)).not.toContain('xoxb-9-9-leak');
  });
});

describe('log format', () => {
  function collect() {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    return { stream, text: () => chunks.join('') };
  }

  it('when no format is asked for, then every line is JSON', () => {
    const { stream, text } = collect();
    createLogger('info', stream).info({ deploymentId: 'd123' }, 'deployment approved');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'deployment approved', deploymentId: 'd123' });
  });

  it('when the format is pretty, then lines are for people, with the fields, and still scrubbed', () => {
    const { stream, text } = collect();
    createLogger('info', stream, 'pretty').warn({ deploymentId: 'd123' }, 'posting with xoxb-1-2-secret failed');
    const out = text();
    expect(out).not.toMatch(/^\{/);
    expect(out).toMatch(/WARN.*posting with \[redacted\] failed/);
    expect(out).toContain('deploymentId: "d123"');
    expect(out).not.toContain('xoxb-1-2-secret');
  });
});
