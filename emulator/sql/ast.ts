import type { Token } from './lexer.js';
import type { Ident, QName, Scalar } from './cursor.js';

/** A property value in `NAME = value` option lists. */
export type PropValue =
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'ident'; v: string }
  | { k: 'string'; v: string }
  | { k: 'list'; v: string[] };

export type Expr =
  | { k: 'col'; name: string; tok: Token }
  | { k: 'lit'; value: Scalar }
  | { k: 'fn'; name: string; args: Expr[]; named: Record<string, Expr>; tok: Token }
  | { k: 'path'; base: Expr; path: string[] }
  | { k: 'cast'; expr: Expr; type: string }
  | { k: 'neg'; expr: Expr };

export interface SelectItem {
  expr: Expr | 'star';
  /** Output column name: the alias, or Snowflake's default for the expression. */
  name: string;
}

export type SelectSource =
  | { k: 'tableFn'; service: QName; fn: string; args: Record<string, Expr>; tok: Token }
  /** TABLE(<db>.INFORMATION_SCHEMA.<function>(NAME => value, …)) */
  | { k: 'infoFn'; name: QName; args: Record<string, Expr>; tok: Token }
  | { k: 'table'; name: QName };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'NOT LIKE';

export type Condition = { k: 'cmp'; left: Expr; op: CompareOp; right: Expr } | { k: 'in'; left: Expr; not: boolean; list: Expr[] };

export interface OrderKey {
  expr: Expr | { k: 'ordinal'; n: number };
  desc: boolean;
}

export interface SelectStatement {
  kind: 'select';
  items: SelectItem[];
  from?: SelectSource;
  where: Condition[];
  orderBy: OrderKey[];
  limit?: number;
}

export type ServicesScope = { k: 'schema'; name: QName } | { k: 'database'; name: QName } | { k: 'account' } | { k: 'current' };

export type ParamScope = { k: 'account' } | { k: 'user'; name: Ident } | { k: 'session' };

export type AlterServiceAction = { k: 'suspend' } | { k: 'resume' } | { k: 'set'; props: Map<string, PropValue> };

export type Statement =
  | { kind: 'showDatabases'; like?: string }
  | { kind: 'showSchemas'; like?: string; database?: QName }
  | { kind: 'showModels'; like?: string; schema?: QName }
  | { kind: 'showVersions'; like?: string; model: QName }
  | { kind: 'showFunctions'; like?: string; model: QName; version: Ident }
  | { kind: 'showComputePools'; like?: string; startsWith?: string }
  | { kind: 'showInstanceFamilies'; like?: string }
  | { kind: 'createComputePool'; ifNotExists: boolean; name: Ident; props: Map<string, PropValue>; tok: Token }
  | { kind: 'alterComputePool'; ifExists: boolean; name: Ident; action: 'SUSPEND' | 'RESUME' }
  | { kind: 'describeComputePool'; name: Ident }
  | { kind: 'showServices'; job: boolean; like?: string; startsWith?: string; scope: ServicesScope; limit?: number }
  | { kind: 'showServiceContainers'; service: QName }
  | { kind: 'showServiceInstances'; service: QName }
  | { kind: 'showEndpoints'; service: QName }
  | { kind: 'describeService'; service: QName }
  | { kind: 'deployModel'; spec: string }
  | { kind: 'createStage'; orReplace: boolean; temporary: boolean; ifNotExists: boolean; name: QName }
  | { kind: 'put'; file: string; stage: QName; props: Map<string, PropValue> }
  | { kind: 'alterService'; ifExists: boolean; service: QName; action: AlterServiceAction }
  | { kind: 'dropService'; ifExists: boolean; service: QName; force: boolean }
  | { kind: 'getServiceLogs'; args: Scalar[] }
  | SelectStatement
  | { kind: 'showParameters'; like?: string; scope: ParamScope }
  | { kind: 'grantServiceRole'; service: QName; serviceRole: Ident; role: Ident }
  | {
      kind: 'createNetworkRule';
      orReplace: boolean;
      ifNotExists: boolean;
      name: QName;
      props: Map<string, PropValue>;
    }
  | { kind: 'createNetworkPolicy'; orReplace: boolean; ifNotExists: boolean; name: Ident; props: Map<string, PropValue> }
  | { kind: 'alterUserNetworkPolicy'; ifExists: boolean; user: Ident; policy: Ident | null }
  | { kind: 'alterAccountNetworkPolicy'; policy: Ident | null }
  | { kind: 'alterNetworkRule'; ifExists: boolean; name: QName; props: Map<string, PropValue> | null; unset: string | null }
  | { kind: 'describeNetworkPolicy'; name: Ident }
  | { kind: 'describeNetworkRule'; name: QName }
  | { kind: 'showGrantsToRole'; role: Ident }
  | { kind: 'use'; what: 'ROLE' | 'DATABASE' | 'SCHEMA' | 'WAREHOUSE'; name: QName };

export type StatementKind = Statement['kind'];
