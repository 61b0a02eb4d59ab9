import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierFromSnowflake, parseIdentifier, parseQualifiedName, qualify, quoteIdentifier } from '../../src/snowflake/identifiers.js';
import { identifierValue, tokenize } from './support/tokenizer.js';

// Any name Snowflake can hold: 1..255 characters, no control characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const storedName = fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }).filter((s) => !CONTROL.test(s) && s.length <= 255);

describe('parseIdentifier (strict, what the deploy wizard uses)', () => {
  it('when given a plain name, then folds it to upper case and renders it bare', () => {
    const r = parseIdentifier('my_service$1', 'Service name');
    expect(r).toMatchObject({ ok: true });
    if (r.ok) {
      expect(r.value.name).toBe('MY_SERVICE$1');
      expect(r.value.sql).toBe('MY_SERVICE$1');
    }
  });

  it('when the name has surrounding whitespace, then it is trimmed', () => {
    const r = parseIdentifier('  svc \n', 'Service name');
    expect(r.ok && r.value.name).toBe('SVC');
  });

  it.each([
    ['my svc', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a space)'],
    ['svc;drop', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a semicolon)'],
    ['"svc"', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a quote)'],
    ["svc'x", 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a quote)'],
    ['my-svc', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a dash)'],
    ['db.svc', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a dot)'],
    ['1svc', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got "1" at the start)'],
    ['svc\u0007', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a control character)'],
    ['sérvice', 'Service name: use letters, digits, _ or $, starting with a letter or _ (got "é")'],
    ['', 'Service name: required'],
    ['   ', 'Service name: required'],
    ['a'.repeat(256), 'Service name: at most 255 characters (got 256)'],
  ])('when given %j, then it is refused with a message a person understands', (input, message) => {
    expect(parseIdentifier(input, 'Service name')).toEqual({ ok: false, message });
  });

  it('accepts exactly 255 characters', () => {
    expect(parseIdentifier('A'.repeat(255), 'X').ok).toBe(true);
  });

  it('when allowQuoted, then "..." keeps case, spaces and doubled quotes', () => {
    const r = parseIdentifier('"My ""Svc""; x"', 'Service name', { allowQuoted: true });
    expect(r.ok && r.value.name).toBe('My "Svc"; x');
    expect(r.ok && r.value.sql).toBe('"My ""Svc""; x"');
  });

  it.each([
    ['""', 'X: required'],
    ['"a"b"', 'X: inside quotes, write "" for each quote character'],
    ['"a\u0000"', 'X: must not contain a control character'],
    [`"${'a'.repeat(256)}"`, 'X: at most 255 characters (got 256)'],
  ])('when allowQuoted and given %j, then it is refused', (input, message) => {
    expect(parseIdentifier(input, 'X', { allowQuoted: true })).toEqual({ ok: false, message });
  });

  it('renders reserved words quoted so they stay names', () => {
    const r = parseIdentifier('table', 'X');
    expect(r.ok && r.value.sql).toBe('"TABLE"');
  });

  it('property: whatever a person types, an accepted identifier renders as exactly one identifier token equal to its name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (input, allowQuoted) => {
        const r = parseIdentifier(input, 'X', { allowQuoted });
        if (!r.ok) return;
        const tokens = tokenize(r.value.sql);
        expect(tokens).toHaveLength(1);
        expect(identifierValue(tokens[0])).toBe(r.value.name);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: without allowQuoted, anything containing ; space or a quote is refused', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.constantFrom(';', ' ', '"', "'", '\t'),
        fc.string({ maxLength: 20 }),
        (before, bad, after) => {
          const input = `a${before}${bad}${after}b`;
          expect(parseIdentifier(input, 'X').ok).toBe(false);
        },
      ),
    );
  });

  it('property: any stored name, written the quoted way, parses back to itself', () => {
    fc.assert(
      fc.property(storedName, (name) => {
        const r = parseIdentifier(quoteIdentifier(name), 'X', { allowQuoted: true });
        expect(r.ok && r.value.name).toBe(name);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('quoteIdentifier and identifierFromSnowflake', () => {
  it('property: any stored name quotes to exactly one quoted-identifier token equal to it', () => {
    fc.assert(
      fc.property(storedName, (name) => {
        expect(tokenize(quoteIdentifier(name))).toEqual([{ type: 'qident', value: name }]);
        const tokens = tokenize(identifierFromSnowflake(name).sql);
        expect(tokens).toHaveLength(1);
        expect(identifierValue(tokens[0])).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a lower-case name from Snowflake case-sensitive', () => {
    expect(identifierFromSnowflake('my svc').sql).toBe('"my svc"');
    expect(identifierFromSnowflake('MY_SVC').sql).toBe('MY_SVC');
  });

  it('refuses names Snowflake cannot have produced', () => {
    expect(() => identifierFromSnowflake('')).toThrow(RangeError);
    expect(() => identifierFromSnowflake('a\nb')).toThrow(RangeError);
  });
});

describe('parseQualifiedName', () => {
  it('parses DB.SCHEMA.NAME with the same rules per part', () => {
    const r = parseQualifiedName('ml.public.iris_svc', 'Service', { parts: 3 });
    expect(r.ok && r.value.sql).toBe('ML.PUBLIC.IRIS_SVC');
    expect(r.ok && r.value.parts.map((p) => p.name)).toEqual(['ML', 'PUBLIC', 'IRIS_SVC']);
    expect(r.ok && r.value.container.sql).toBe('ML.PUBLIC');
    expect(r.ok && r.value.name.name).toBe('IRIS_SVC');
  });

  it('keeps dots inside quotes', () => {
    const r = parseQualifiedName('"my.db"."s"."a""b"', 'X', { parts: 3, allowQuoted: true });
    expect(r.ok && r.value.parts.map((p) => p.name)).toEqual(['my.db', 's', 'a"b']);
  });

  it.each([
    ['db.schema', 'Service: expected DATABASE.SCHEMA.NAME (3 parts separated by dots, got 2)'],
    ['db..svc', 'Service: required'],
    ['db.sch ema.svc', 'Service: use letters, digits, _ or $, starting with a letter or _ (got a space)'],
    ['db.s.svc;', 'Service: use letters, digits, _ or $, starting with a letter or _ (got a semicolon)'],
    ['"db.s.svc', 'Service: use letters, digits, _ or $, starting with a letter or _ (got a quote)'],
  ])('when given %j, then it is refused', (input, message) => {
    expect(parseQualifiedName(input, 'Service', { parts: 3 })).toEqual({ ok: false, message });
  });

  it('property: any three stored names render as ident . ident . ident', () => {
    fc.assert(
      fc.property(storedName, storedName, storedName, (a, b, c) => {
        const name = qualify(identifierFromSnowflake(a), identifierFromSnowflake(b), identifierFromSnowflake(c));
        const tokens = tokenize(name.sql);
        expect(tokens).toHaveLength(5);
        expect(tokens.map(identifierValue)).toEqual([a, undefined, b, undefined, c]);
        expect(tokens[1]).toEqual({ type: 'punct', value: '.' });
        const back = parseQualifiedName(name.sql, 'X', { parts: 3, allowQuoted: true });
        expect(back.ok && back.value.parts.map((p) => p.name)).toEqual([a, b, c]);
      }),
      { numRuns: 500 },
    );
  });
});
