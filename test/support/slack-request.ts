/** Moved to sandbox/slack-api/client.ts: the sandbox plays the Slack client with the same signed requests. */
export * from '../../sandbox/slack-api/client.js';
