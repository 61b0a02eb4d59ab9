import { isSnowflakeError } from '../../snowflake/index.js';

/** A Snowflake failure as one sentence a person can act on; `doing` says what the wizard tried. */
export function describeSnowflakeFailure(err: unknown, doing: string): string {
  if (!isSnowflakeError(err)) return `Could not ${doing}: something went wrong on our side. Try again, or tell the bot's owners.`;
  const f = err.failure;
  switch (f.kind) {
    case 'insufficient_privileges': {
      const object = f.objectName === undefined ? '' : ` on ${f.objectKind ?? 'object'} ${f.objectName}`;
      const grant = f.privilege === undefined ? '' : ` Ask an admin to grant ${f.privilege} to the bot's role.`;
      return `Could not ${doing}: the bot's Snowflake role lacks a privilege${object}.${grant}`;
    }
    case 'not_found': {
      const object = f.objectName === undefined ? 'It' : `${f.objectKind ?? 'Object'} ${f.objectName}`;
      return `Could not ${doing}: ${object} does not exist, or the bot's role cannot see it.`;
    }
    case 'transient':
    case 'session_expired':
      return `Could not ${doing}: Snowflake did not answer in time. Try again in a moment.`;
    default:
      return `Could not ${doing}: Snowflake answered "${err.message.slice(0, 300)}".`;
  }
}
