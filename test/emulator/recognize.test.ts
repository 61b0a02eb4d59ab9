import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../emulator/errors.js';
import { buildJobName } from '../../emulator/index.js';
import { recognize } from '../../emulator/sql/recognize.js';

const noBinds = {};

function syntaxErrorOf(sql: string): SqlError {
  try {
    recognize(sql, noBinds);
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${sql}`);
}

describe('statement recognizer', () => {
  it('when keywords vary in case and whitespace, then the same statement is recognised', () => {
    for (const sql of [
      'SHOW COMPUTE POOLS',
      'show   compute\n\tpools;',
      '  Show Compute Pools  ;  ',
      '/* c */ SHOW COMPUTE POOLS -- trailing',
    ]) {
      expect(recognize(sql, noBinds)).toEqual({ kind: 'showComputePools' });
    }
  });

  it('when identifiers are unquoted they fold to upper case; quoted ones keep case and "" escapes', () => {
    const s = recognize('drop service if exists ml_db."My ""Svc"".x".iris_svc', noBinds);
    expect(s).toMatchObject({
      kind: 'dropService',
      ifExists: true,
      service: {
        parts: [
          { value: 'ML_DB', quoted: false },
          { value: 'My "Svc".x', quoted: true },
          { value: 'IRIS_SVC', quoted: false },
        ],
      },
    });
  });

  it('when any identifier is quoted, then it round-trips through SHOW SERVICE CONTAINERS', () => {
    const ident = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('\u0000'));
    fc.assert(
      fc.property(ident, ident, ident, (a, b, c) => {
        const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
        const st = recognize(`SHOW SERVICE CONTAINERS IN SERVICE ${q(a)}.${q(b)}.${q(c)}`, noBinds);
        expect(st).toMatchObject({ kind: 'showServiceContainers', service: { parts: [{ value: a }, { value: b }, { value: c }] } });
      }),
      { numRuns: 200 },
    );
  });

  it("when a string literal contains '' and backslashes, then the value is unescaped", () => {
    expect(recognize("SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'it''s\\\\x'", noBinds)).toMatchObject({ startsWith: "it's\\x" });
  });

  it('when a bind carries SQL, then it is used as a value and never parsed', () => {
    const evil = "x'); DROP SERVICE ML_DB.SERVING.IRIS_SVC; --";
    const s = recognize('CALL SYSTEM$DEPLOY_MODEL(?)', { '1': { type: 'TEXT', value: evil } });
    expect(s).toEqual({ kind: 'deployModel', spec: evil });
  });

  it('when a bind is missing, then 002049 is raised', () => {
    expect(() => recognize('CALL SYSTEM$DEPLOY_MODEL(?)', noBinds)).toThrowError(/Bind variable \? not set/);
  });

  it('when the statement is unknown, then 001003 points at the first unexpected token', () => {
    const e = syntaxErrorOf('FROBNICATE THE POOL');
    expect(e.code).toBe('001003');
    expect(e.sqlState).toBe('42000');
    expect(e.message).toBe("SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'FROBNICATE'.");
    expect(syntaxErrorOf('SHOW WAREHOUSES').message).toContain("line 1 at position 5 unexpected 'WAREHOUSES'");
    expect(syntaxErrorOf('DROP SERVICE X Y').message).toContain("unexpected 'Y'");
  });

  it('when two statements are sent at once, then 000008 is raised', () => {
    const e = syntaxErrorOf('SHOW DATABASES; SHOW SCHEMAS IN DATABASE ML_DB');
    expect(e.code).toBe('000008');
  });

  it('recognises the contract SELECT shapes', () => {
    expect(
      recognize(
        'SELECT timestamp, instance_id, container_name, log FROM TABLE(ML_DB.SERVING.IRIS_SVC!SPCS_GET_LOGS()) WHERE container_name = ? ORDER BY timestamp DESC LIMIT 50',
        { '1': { type: 'TEXT', value: 'proxy' } },
      ),
    ).toMatchObject({
      kind: 'select',
      from: { k: 'tableFn', fn: 'SPCS_GET_LOGS' },
      limit: 50,
    });
    expect(
      recognize(
        `SELECT timestamp, resource_attributes:"snow.service.container.name"::string AS container_name, value::string AS log FROM SNOWFLAKE.TELEMETRY.EVENTS WHERE resource_attributes:"snow.service.name" = ? AND record_type = 'LOG' ORDER BY timestamp DESC LIMIT 100`,
        { '1': { type: 'TEXT', value: 'IRIS_SVC' } },
      ),
    ).toMatchObject({ kind: 'select', items: [{ name: 'TIMESTAMP' }, { name: 'CONTAINER_NAME' }, { name: 'LOG' }] });
    expect(recognize('SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE"', noBinds)).toMatchObject({
      items: [{ name: 'USER' }, { name: 'ROLE' }],
    });
  });
});

describe('MODEL_BUILD job naming', () => {
  it('matches the snowflake-ml-python test vector', () => {
    expect(buildJobName('01b6fc10-0002-c121-0000-6ed10736311e')).toBe('MODEL_BUILD_81EDD120');
  });
});
