import { Identifier, QualifiedName } from './identifiers.js';

/**
 * Statement text is built only here, with the `sql` tagged template. The fixed parts come from source
 * code; every interpolated value must be a fragment made by this folder: a validated identifier, a
 * string literal from the one escaper, a checked integer or keyword, or a bind (`?` plus a value in
 * `binds`). A plain string does not type-check as a fragment, so people's text cannot reach SQL raw.
 *
 * Binds are used wherever Snowflake accepts them (CALL arguments, WHERE values). SHOW ... LIKE /
 * STARTS WITH and DDL values (IP lists) do not take binds, so those use `literal()`.
 */

export type BindValue = string | number | boolean | null;

// Module-private token: only this file can construct fragments and statements.
const internal: unique symbol = Symbol('sql.internal');

/** Escaped SQL text that is safe to splice (a literal, an integer, a keyword). */
export class SqlText {
  readonly text: string;
  private constructor(token: typeof internal, text: string) {
    if (token !== internal) throw new TypeError('SqlText is constructed by sql.ts only');
    this.text = text;
  }
  /** @internal */
  static make(token: typeof internal, text: string): SqlText {
    return new SqlText(token, text);
  }
}

/** A `?` placeholder and the value that goes with it. */
export class SqlBind {
  readonly value: BindValue;
  private constructor(token: typeof internal, value: BindValue) {
    if (token !== internal) throw new TypeError('SqlBind is constructed by sql.ts only');
    this.value = value;
  }
  /** @internal */
  static make(token: typeof internal, value: BindValue): SqlBind {
    return new SqlBind(token, value);
  }
}

export type SqlFragment = Identifier | QualifiedName | SqlText | SqlBind | Sql;

/**
 * The grant a statement needs: one text, or one per object kind Snowflake may name in its 003001
 * message (lower case, e.g. 'compute pool'), where `{name}` stands for the object's name.
 */
export type PrivilegeHint = string | Readonly<Record<string, string>>;

/** Statement parameters sent with one statement (the driver's `parameters`). */
export type StatementParameters = Readonly<Record<string, string | number | boolean>>;

/** A complete statement: text with `?` placeholders, its binds, and how it may be sent. */
export class Sql {
  readonly text: string;
  readonly binds: readonly BindValue[];
  /**
   * True for statements that can run twice with the same effect (SHOW, SELECT, idempotent ALTER).
   * Only these are retried after a transient failure; CALL SYSTEM$DEPLOY_MODEL, CREATE, DROP and
   * GRANT never are.
   */
  readonly safeToRepeat: boolean;
  readonly parameters: StatementParameters | undefined;
  /** The grant this statement needs, reported when Snowflake refuses it without naming one. */
  readonly privilegeHint: PrivilegeHint | undefined;

  private constructor(
    token: typeof internal,
    text: string,
    binds: readonly BindValue[],
    meta: { safeToRepeat: boolean; parameters: StatementParameters | undefined; privilegeHint: PrivilegeHint | undefined },
  ) {
    if (token !== internal) throw new TypeError('Sql is constructed by sql.ts only');
    this.text = text;
    this.binds = binds;
    this.safeToRepeat = meta.safeToRepeat;
    this.parameters = meta.parameters;
    this.privilegeHint = meta.privilegeHint;
  }

  /** @internal */
  static make(token: typeof internal, text: string, binds: readonly BindValue[]): Sql {
    return new Sql(token, text, binds, { safeToRepeat: false, parameters: undefined, privilegeHint: undefined });
  }

  private with(meta: Partial<{ safeToRepeat: boolean; parameters: StatementParameters; privilegeHint: PrivilegeHint }>): Sql {
    return new Sql(internal, this.text, this.binds, {
      safeToRepeat: meta.safeToRepeat ?? this.safeToRepeat,
      parameters: meta.parameters ?? this.parameters,
      privilegeHint: meta.privilegeHint ?? this.privilegeHint,
    });
  }

  /** Marks this statement as safe to send again after a transient failure. */
  repeatable(): Sql {
    return this.with({ safeToRepeat: true });
  }

  /** Adds statement parameters, e.g. SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL. */
  withParameters(parameters: StatementParameters): Sql {
    return this.with({ parameters: { ...this.parameters, ...parameters } });
  }

  /**
   * Records the grant this statement needs, e.g. "OPERATE ON SERVICE DB.S.SVC", or one per object
   * kind: `{ 'compute pool': 'USAGE ON COMPUTE POOL {name}' }`.
   */
  requires(privilege: PrivilegeHint): Sql {
    return this.with({ privilegeHint: privilege });
  }

  toString(): string {
    return this.text;
  }
}

/**
 * Builds a statement. `sql\`SHOW SERVICES IN SCHEMA ${schema}\`` with `schema` a QualifiedName.
 * Nested `Sql` values are spliced with their binds in order.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly SqlFragment[]): Sql {
  return build(strings, values);
}

function build(strings: readonly string[], values: readonly SqlFragment[]): Sql {
  let text = strings[0] ?? '';
  const binds: BindValue[] = [];
  values.forEach((value, i) => {
    if (value instanceof Identifier || value instanceof QualifiedName) {
      text += value.sql;
    } else if (value instanceof SqlText) {
      text += value.text;
    } else if (value instanceof SqlBind) {
      text += '?';
      binds.push(value.value);
    } else if (value instanceof Sql) {
      text += value.text;
      binds.push(...value.binds);
    } else {
      // Unreachable through the types; refuses anything smuggled in with a cast.
      throw new TypeError('sql: interpolated values must be fragments from src/snowflake');
    }
    text += strings[i + 1] ?? '';
  });
  return Sql.make(internal, text, binds);
}

/**
 * The one string-literal escaper: wraps in single quotes, doubling `'` and `\`. Doubling the
 * backslash keeps Snowflake's escape sequences (\n, \x41, \') from ever firing.
 */
export function escapeStringLiteral(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** A string literal fragment, for places that take no binds (SHOW ... LIKE / STARTS WITH, DDL). */
export function literal(value: string): SqlText {
  return SqlText.make(internal, escapeStringLiteral(value));
}

/** A bind placeholder fragment. */
export function bind(value: BindValue): SqlBind {
  return SqlBind.make(internal, value);
}

/** A whole number rendered as digits. Throws on anything else: callers validate people's input first. */
export function int(value: number): SqlText {
  if (!Number.isSafeInteger(value)) throw new RangeError('int: expected a safe integer');
  return SqlText.make(internal, String(value));
}

/** TRUE or FALSE. */
export function bool(value: boolean): SqlText {
  return SqlText.make(internal, value ? 'TRUE' : 'FALSE');
}

/** Joins fragments with `, ` (e.g. a VALUE_LIST). */
export function list(values: readonly SqlFragment[]): Sql {
  if (values.length === 0) throw new RangeError('list: at least one value');
  return build(['', ...values.slice(1).map(() => ', '), ''], values);
}

/** The empty statement piece, for optional clauses. */
export const empty: Sql = Sql.make(internal, '', []);
