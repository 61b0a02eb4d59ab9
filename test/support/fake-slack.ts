/** Moved to sandbox/slack-api/server.ts: one Slack Web API double for the tests and the local sandbox (npm run demo). */
export * from '../../sandbox/slack-api/server.js';
