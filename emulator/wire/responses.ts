/** JSON bodies exactly as the Node driver expects them (see shared/reference/snowflake-wire-protocol.md). */
import type { SqlError } from '../errors.js';
import { type ResultSet, wireRowset, wireRowtype } from '../exec/result.js';
import type { SessionContext } from '../session-context.js';

export interface WireBody {
  success: boolean;
  code: string | null;
  message: string | null;
  data: unknown;
  headers?: null;
}

export const SESSION_PARAMETERS = [
  { name: 'TIMEZONE', value: 'UTC' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM' },
  { name: 'CLIENT_RESULT_CHUNK_SIZE', value: 160 },
];

export function ok(data: unknown = null): WireBody {
  return { success: true, code: null, message: null, data };
}

export function failure(code: string, message: string, data: unknown = null): WireBody {
  return { success: false, code, message, data, headers: null };
}

export function sqlErrorBody(err: SqlError, queryId: string): WireBody {
  return failure(err.code, err.message, {
    internalError: false,
    errorCode: err.code,
    age: 0,
    sqlState: err.sqlState,
    queryId,
    line: -1,
    pos: -1,
    type: err.type,
  });
}

export function resultBody(rs: ResultSet, queryId: string, ctx: SessionContext, sendTime: number): WireBody {
  const rowset = wireRowset(rs);
  return ok({
    queryId,
    queryResultFormat: 'json',
    rowtype: wireRowtype(rs.columns),
    rowset,
    total: rowset.length,
    returned: rowset.length,
    parameters: SESSION_PARAMETERS,
    finalDatabaseName: ctx.database,
    finalSchemaName: ctx.schema,
    finalWarehouseName: ctx.warehouse,
    finalRoleName: ctx.role,
    numberOfBinds: 0,
    arrayBindSupported: false,
    version: 1,
    sendResultTime: sendTime,
  });
}

export function inProgressBody(queryId: string, async: boolean): WireBody {
  return {
    success: true,
    code: async ? '333334' : '333333',
    message: async
      ? 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.'
      : 'Query execution in progress',
    data: { queryId, getResultUrl: `/queries/${queryId}/result`, queryAbortsAfterSecs: 300, progressDesc: null },
  };
}

/**
 * The answer to a PUT: the driver's file-transfer agent reads `command`, `src_locations` and
 * `stageInfo` and uploads the file itself (snowflake-sdk file_transfer_agent.js parseCommand).
 * LOCAL_FS is the driver's own test stage type: it copies into `stageInfo.location`, unencrypted.
 */
export function uploadBody(
  queryId: string,
  upload: { source: string; location: string; autoCompress: boolean; overwrite: boolean },
): WireBody {
  return ok({
    queryId,
    command: 'UPLOAD',
    src_locations: [upload.source],
    autoCompress: upload.autoCompress,
    sourceCompression: 'auto_detect',
    parallel: 4,
    overwrite: upload.overwrite,
    encryptionMaterial: null,
    presignedUrls: [],
    stageInfo: {
      locationType: 'LOCAL_FS',
      location: upload.location,
      path: '',
      region: null,
      storageAccount: null,
      isClientSideEncrypted: false,
      creds: {},
    },
  });
}
