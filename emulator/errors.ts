/**
 * Snowflake-shaped errors. Every failure the emulator reports for a statement is a SqlError,
 * rendered on the wire as HTTP 200 + `success:false` with `code`, `message` and
 * `data.{errorCode, sqlState, queryId}`.
 *
 * Codes marked "verified" are documented or captured from real Snowflake; the others are the
 * emulator's best guess and are listed in emulator/README.md.
 */

export type ErrorType = 'COMPILATION' | 'EXECUTION';

export class SqlError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
    readonly type: ErrorType = 'COMPILATION',
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

/** Object kinds as Snowflake spells them in messages ("Compute pool 'X' does not exist or not authorized."). */
export type ObjectKindLabel =
  | 'Database'
  | 'Schema'
  | 'Model'
  | 'Compute pool'
  | 'Service'
  | 'Network rule'
  | 'Network policy'
  | 'User'
  | 'Role'
  | 'Object'
  | 'Service role'
  | 'Version';

/** 002003 / 02000 (verified). */
export function doesNotExist(kind: ObjectKindLabel, name: string): SqlError {
  return new SqlError('002003', '02000', `SQL compilation error:\n${kind} '${name}' does not exist or not authorized.`);
}

/** 003001 / 42501 (verified shape). `kind` is lower case: "compute pool", "schema", "account" … */
export function insufficientPrivileges(kind: string, name: string): SqlError {
  return new SqlError('003001', '42501', `SQL access control error:\nInsufficient privileges to operate on ${kind} '${name}'`);
}

/** 001003 / 42000 (verified). */
export function syntaxError(line: number, col: number, near: string): SqlError {
  return new SqlError('001003', '42000', `SQL compilation error:\nsyntax error line ${line} at position ${col} unexpected '${near}'.`);
}

/** 002002 / 42710 (verified). */
export function alreadyExists(name: string): SqlError {
  return new SqlError('002002', '42710', `SQL compilation error:\nObject '${name}' already exists.`);
}

/** 000904 / 42000 (verified). */
export function invalidIdentifier(line: number, col: number, name: string): SqlError {
  return new SqlError('000904', '42000', `SQL compilation error: error line ${line} at position ${col}\ninvalid identifier '${name}'`);
}

/** 002049 / 42601: a bind marker without a value. */
export function bindNotSet(index: number): SqlError {
  return new SqlError(
    '002049',
    '42601',
    `SQL compilation error: error line 1 at position 0\nBind variable ${index === 0 ? '?' : `:${index}`} not set.`,
  );
}

/** 090105 / 22000 (verified): unqualified name and no current database/schema. */
export function noCurrentContainer(command: string, what: 'database' | 'schema'): SqlError {
  return new SqlError(
    '090105',
    '22000',
    `Cannot perform ${command}. This session does not have a current ${what}. Call 'USE ${what.toUpperCase()}', or use a qualified name.`,
    'EXECUTION',
  );
}

/** 001008 / 22023: bad property value (emulator choice of code). */
export function invalidValue(property: string, value: string, detail?: string): SqlError {
  return new SqlError(
    '001008',
    '22023',
    `SQL compilation error:\ninvalid value [${value}] for parameter '${property}'${detail ? `: ${detail}` : ''}`,
  );
}

/** 100357 / P0000: SYSTEM$DEPLOY_MODEL execution failure (emulator choice; Snowflake documents no code). */
export function deployError(message: string): SqlError {
  return new SqlError('100357', 'P0000', message, 'EXECUTION');
}

/** 000709 / 02000 (verified): unknown statement id on /queries/<id>/result. */
export function statementNotFound(queryId: string): SqlError {
  return new SqlError('000709', '02000', `Statement ${queryId} not found`, 'EXECUTION');
}

/** 000604 / 57014 (verified): statement cancelled. */
export function statementCanceled(): SqlError {
  return new SqlError('000604', '57014', 'SQL execution canceled', 'EXECUTION');
}

/** 000008 / 0A000 (verified): more than one statement without MULTI_STATEMENT_COUNT. */
export function statementCountMismatch(actual: number): SqlError {
  return new SqlError('000008', '0A000', `Actual statement count ${actual} did not match the desired statement count 1.`);
}
