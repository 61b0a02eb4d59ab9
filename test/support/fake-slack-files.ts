/** Moved to sandbox/slack-api/files.ts: one Slack Web API double for the tests and the local sandbox. */
export * from '../../sandbox/slack-api/files.js';
