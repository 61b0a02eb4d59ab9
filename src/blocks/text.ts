/**
 * Slack's mrkdwn control characters. Text that came from a person is escaped so it cannot
 * become a mention (`<!channel>`), a link or broken markup.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Puts person-supplied text in an inline code span that it cannot close. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
}
