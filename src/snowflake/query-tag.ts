import type { AsyncRunner, QueryRunner } from './client.js';
import type { Sql } from './sql.js';

/**
 * A runner whose every statement carries QUERY_TAG = `tag` (a statement parameter, shown in
 * Snowflake's QUERY_HISTORY), so an operator can tell which of the bot's jobs sent a statement.
 */
export function withQueryTag<R extends AsyncRunner & Pick<QueryRunner, 'privateLink'>>(
  db: R,
  tag: string,
): AsyncRunner & Pick<QueryRunner, 'privateLink'> {
  const tagged = (statement: Sql): Sql => statement.withParameters({ QUERY_TAG: tag });
  return {
    // How endpoints are named (PrivateLink or not) belongs to the connection, not the tag.
    ...(db.privateLink !== undefined && { privateLink: db.privateLink }),
    query: (statement, row) => db.query(tagged(statement), row),
    executeAsync: (statement) => db.executeAsync(tagged(statement)),
    queryStatus: (queryId) => db.queryStatus(queryId),
    queryResult: (queryId, row, options) => db.queryResult(queryId, row, options),
    inSession: (work) =>
      db.inSession((session) =>
        work({
          query: (statement, row) => session.query(tagged(statement), row),
          executeAsync: (statement) => session.executeAsync(tagged(statement)),
        }),
      ),
  };
}

/** The QUERY_TAG of a status round's statements: the bot's name and the round's number. */
export function statusRoundTag(round: number): string {
  return `spcs-chatops:status:${round}`;
}
