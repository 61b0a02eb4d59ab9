/** Moved to sandbox/slack-api/blocks.ts: one Slack Web API double for the tests and the local sandbox. */
export * from '../../sandbox/slack-api/blocks.js';
