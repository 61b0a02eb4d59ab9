/**
 * Shim: mrkdwn escaping moved to ./kit.js; these re-exports serve modules not yet moved
 * (src/blocks/manage.ts, src/blocks/deploy-summary.ts, flows, the notifier). Remove once nothing imports this file.
 */
export { escapeMrkdwn, inlineCode } from './kit.js';
