/** Moved to sandbox/slack-api/rate-limits.ts: one Slack Web API double for the tests and the local sandbox. */
export * from '../../sandbox/slack-api/rate-limits.js';
