import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierFromSnowflake, parseQualifiedName, qualify } from '../../src/snowflake/identifiers.js';
import { bind, bool, empty, escapeStringLiteral, int, list, literal, sql } from '../../src/snowflake/sql.js';
import { identifierValue, tokenize } from './support/tokenizer.js';

const anyText = fc.string({ unit: 'binary', maxLength: 200 });
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const storedName = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => !CONTROL.test(s));

describe('escapeStringLiteral', () => {
  it.each([
    ['', "''"],
    ["it's", "'it''s'"],
    ['back\\slash', "'back\\\\slash'"],
    ["\\'", "'\\\\'''"],
    ['line\nbreak', "'line\nbreak'"],
  ])('renders %j as %s', (input, expected) => {
    expect(escapeStringLiteral(input)).toBe(expected);
  });

  it('property: any string renders as exactly one string token equal to it', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(tokenize(escapeStringLiteral(s))).toEqual([{ type: 'string', value: s }]);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: a literal cannot end early and leave text behind, whatever follows it', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const tokens = tokenize(`SHOW SERVICES LIKE ${escapeStringLiteral(s)} IN ACCOUNT`);
        expect(tokens.map((t) => t.type)).toEqual(['word', 'word', 'word', 'string', 'word', 'word']);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sql tagged template', () => {
  it('splices identifiers, literals and integers, and turns binds into ? with values in order', () => {
    const schema = parseQualifiedName('ml.prod', 'Schema', { parts: 2 });
    if (!schema.ok) throw new Error(schema.message);
    const stmt = sql`SHOW SERVICES IN SCHEMA ${schema.value} STARTS WITH ${literal("o'brien")} LIMIT ${int(5)} ${bind('x')} ${bind(3)}`;
    expect(stmt.text).toBe("SHOW SERVICES IN SCHEMA ML.PROD STARTS WITH 'o''brien' LIMIT 5 ? ?");
    expect(stmt.binds).toEqual(['x', 3]);
    expect(stmt.safeToRepeat).toBe(false);
  });

  it('keeps nested statements and their binds in order', () => {
    const inner = sql` AND b = ${bind(2)}`;
    const stmt = sql`SELECT 1 WHERE a = ${bind(1)}${inner}${empty} AND c = ${bind(3)} AND d = ${bool(true)}`;
    expect(stmt.text).toBe('SELECT 1 WHERE a = ? AND b = ? AND c = ? AND d = TRUE');
    expect(stmt.binds).toEqual([1, 2, 3]);
  });

  it('joins a list with commas', () => {
    expect(list([literal('a'), literal('b')]).text).toBe("'a', 'b'");
  });

  it('marks statements repeatable, with parameters and a privilege hint, without mutating the original', () => {
    const base = sql`SHOW DATABASES`;
    const derived = base.repeatable().withParameters({ A: true }).requires('USAGE ON DATABASE X');
    expect(base.safeToRepeat).toBe(false);
    expect(derived).toMatchObject({ safeToRepeat: true, parameters: { A: true }, privilegeHint: 'USAGE ON DATABASE X' });
    expect(derived.text).toBe('SHOW DATABASES');
  });

  it('refuses non-integers where an integer goes', () => {
    expect(() => int(1.5)).toThrow(RangeError);
    expect(() => int(Number.NaN)).toThrow(RangeError);
  });

  it('refuses a plain string smuggled past the types', () => {
    const smuggled: unknown = '1; DROP DATABASE X';
    // @ts-expect-error: a string is not a fragment; this is the point of the test
    expect(() => sql`SELECT ${smuggled}`).toThrow(TypeError);
  });

  it('property: a statement with any names and any literal keeps its token structure', () => {
    fc.assert(
      fc.property(storedName, storedName, storedName, anyText, (db, schema, svc, text) => {
        const service = qualify(identifierFromSnowflake(db), identifierFromSnowflake(schema), identifierFromSnowflake(svc));
        const stmt = sql`SHOW SERVICES IN SCHEMA ${service.container} STARTS WITH ${literal(text)}`;
        const tokens = tokenize(stmt.text);
        expect(tokens).toHaveLength(10);
        expect(identifierValue(tokens[4])).toBe(db);
        expect(identifierValue(tokens[6])).toBe(schema);
        expect(tokens[9]).toEqual({ type: 'string', value: text });
      }),
      { numRuns: 1000 },
    );
  });
});
