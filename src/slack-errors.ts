/** The `error` of a Web API platform error (`{ ok: false, error }`), or ''. */
export function slackErrorCode(err: unknown): string {
  const data: unknown = typeof err === 'object' && err !== null ? Reflect.get(err, 'data') : undefined;
  const code: unknown = typeof data === 'object' && data !== null ? Reflect.get(data, 'error') : undefined;
  return typeof code === 'string' ? code : '';
}

/**
 * Answers to a post that the same post cannot change, however often it is retried: the bot is not
 * in the channel, the channel is gone or archived, the token or its scopes are wrong, the content is refused.
 */
const UNRECOVERABLE_POST_ERRORS = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'invalid_blocks',
  'msg_too_long',
  'no_text',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'missing_scope',
]);

export const cannotSucceed = (code: string): boolean => UNRECOVERABLE_POST_ERRORS.has(code);

/** The bot cannot post in the channel until someone invites it. */
export const notInChannel = (code: string): boolean => code === 'not_in_channel' || code === 'channel_not_found';
