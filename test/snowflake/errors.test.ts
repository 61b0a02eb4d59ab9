import { describe, expect, it } from 'vitest';
import {
  isRetryable,
  parseObjectFromMessage,
  redact,
  SnowflakeError,
  toSnowflakeError,
  withPrivilegeHint,
} from '../../src/snowflake/errors.js';

/** What the driver throws for a `success:false` answer (lib/errors.js createOperationFailedError). */
function operationFailed(code: string, message: string, sqlState?: string) {
  return Object.assign(new Error(message), {
    name: 'OperationFailedError',
    code,
    sqlState,
    data: { errorCode: code, sqlState, queryId: '01b6fc10-0002-c121-0000-6ed10736311e' },
  });
}

describe('toSnowflakeError', () => {
  it('maps 002003 to not_found with the object parsed from the message', () => {
    const err = toSnowflakeError(
      operationFailed('002003', "SQL compilation error:\nService 'NOPE' does not exist or not authorized.", '02000'),
    );
    expect(err).toBeInstanceOf(SnowflakeError);
    expect(err.failure).toEqual({ kind: 'not_found', objectKind: 'service', objectName: 'NOPE' });
    expect(err.code).toBe('002003');
    expect(err.sqlState).toBe('02000');
    expect(err.queryId).toBe('01b6fc10-0002-c121-0000-6ed10736311e');
  });

  it('maps 003001 to insufficient_privileges naming the object, and the statement hint as the privilege', () => {
    const err = toSnowflakeError(
      operationFailed('003001', "SQL access control error:\nInsufficient privileges to operate on compute pool 'GPU_POOL'", '42501'),
      { privilegeHint: 'OPERATE ON COMPUTE POOL GPU_POOL' },
    );
    expect(err.failure).toEqual({
      kind: 'insufficient_privileges',
      objectKind: 'compute pool',
      objectName: 'GPU_POOL',
      privilege: 'OPERATE ON COMPUTE POOL GPU_POOL',
    });
  });

  it('picks the hint for the object kind Snowflake named, filling in its name', () => {
    const hint = { 'compute pool': 'USAGE ON COMPUTE POOL {name}', account: 'BIND SERVICE ENDPOINT ON ACCOUNT' };
    const onPool = toSnowflakeError(operationFailed('003001', "Insufficient privileges to operate on compute pool 'P1'"), {
      privilegeHint: hint,
    });
    expect(onPool.failure).toMatchObject({ privilege: 'USAGE ON COMPUTE POOL P1' });
    const onSchema = toSnowflakeError(operationFailed('003001', "Insufficient privileges to operate on schema 'DB.S'"), {
      privilegeHint: hint,
    });
    expect(onSchema.failure).not.toHaveProperty('privilege');
    const later = withPrivilegeHint(toSnowflakeError(operationFailed('003001', "Insufficient privileges to operate on account 'X'")), hint);
    expect(later.failure).toMatchObject({ privilege: 'BIND SERVICE ENDPOINT ON ACCOUNT' });
  });

  it('prefers a privilege Snowflake names itself', () => {
    expect(parseObjectFromMessage('This operation requires OPERATE privilege on the service.').privilege).toBe('OPERATE');
  });

  it.each([
    ['390100', 'bad_credentials'],
    ['394400', 'bad_credentials'],
    ['390318', 'bad_credentials'],
    ['390144', 'bad_credentials'],
    ['401004', 'bad_credentials'],
    ['390112', 'session_expired'],
    ['390114', 'session_expired'],
    ['001003', 'syntax'],
    ['401001', 'transient'],
    ['401002', 'transient'],
    ['002002', 'already_exists'],
    ['404007', 'configuration'],
    ['999999', 'unknown'],
  ])('maps code %s to %s', (code, kind) => {
    expect(toSnowflakeError(operationFailed(code, 'x')).kind).toBe(kind);
  });

  it('maps the numeric codes the driver uses for its own errors', () => {
    expect(toSnowflakeError(Object.assign(new Error('Network error'), { code: 401001 })).kind).toBe('transient');
  });

  it('maps Node network errors and 5xx answers to transient', () => {
    expect(toSnowflakeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).kind).toBe('transient');
    expect(toSnowflakeError(Object.assign(new Error('x'), { response: { status: 503 } })).kind).toBe('transient');
    expect(toSnowflakeError(Object.assign(new Error('ResourceRequest timed out'), { name: 'TimeoutError' })).kind).toBe('transient');
  });

  it('classifies pool-wrapped login failures (message only) by their text', () => {
    expect(toSnowflakeError(new Error('Incorrect username or password was specified.')).kind).toBe('bad_credentials');
    expect(toSnowflakeError(new Error('Programmatic access token is invalid.')).kind).toBe('bad_credentials');
    expect(toSnowflakeError(new Error('Something else entirely')).kind).toBe('unknown');
  });

  it('classifies a wrong key passphrase as bad credentials, whichever way OpenSSL fails to decrypt it', () => {
    // Both are what crypto.createPrivateKey throws for a wrong passphrase: the second about 1 time in 250.
    expect(toSnowflakeError(new Error('error:1C800064:Provider routines::bad decrypt')).kind).toBe('bad_credentials');
    expect(toSnowflakeError(new Error('error:1E08010C:DECODER routines::unsupported')).kind).toBe('bad_credentials');
  });

  it('never carries a secret in its message', () => {
    const err = toSnowflakeError(new Error('login failed for token hunter2-secret-value'), { secrets: ['hunter2-secret-value'] });
    expect(err.message).not.toContain('hunter2-secret-value');
    expect(redact('Authorization: Snowflake Token="ST-abc"')).toBe('Authorization: Snowflake Token="[redacted]"');
    expect(redact('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----')).toBe('[redacted]');
    expect(redact('{"PASSWORD":"pw123"}')).toBe('{"PASSWORD":"[redacted]"}');
  });

  it('is idempotent', () => {
    const once = toSnowflakeError(operationFailed('002003', 'x'));
    expect(toSnowflakeError(once)).toBe(once);
  });

  it('treats only transient and session failures as retryable', () => {
    expect(isRetryable(toSnowflakeError(operationFailed('401002', 'x')))).toBe(true);
    expect(isRetryable(toSnowflakeError(operationFailed('390112', 'x')))).toBe(true);
    expect(isRetryable(toSnowflakeError(operationFailed('003001', 'x')))).toBe(false);
  });
});
