/** Moved to sandbox/slack-api/response-urls.ts: one Slack Web API double for the tests and the local sandbox. */
export * from '../../sandbox/slack-api/response-urls.js';
