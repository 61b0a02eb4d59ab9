import type { KnownBlock } from '@slack/types';
import type { Finding, Severity } from '../domain/diagnosis.js';
import {
  clip,
  context,
  escapeMrkdwn,
  header,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
  message,
  section,
  type EphemeralMessage,
} from './kit.js';

export interface DiagnosisView {
  readonly service: string;
  readonly status: string;
  readonly findings: readonly Finding[];
  /** What was looked at, e.g. "status, 2 containers, pool, 100 log lines, 120 metric samples". */
  readonly looked: string;
}

const MARK: Record<Severity, string> = { problem: ':x:', warning: ':warning:', info: ':information_source:' };

function findingText(f: Finding): string {
  const lines = [`${MARK[f.severity]} *${escapeMrkdwn(f.title)}*`, `*Cause:* ${escapeMrkdwn(f.cause)}`];
  if (f.fixes.length === 1) lines.push(`*Try:* ${escapeMrkdwn(f.fixes[0] ?? '')}`);
  else if (f.fixes.length > 1) lines.push('*Try:*', ...f.fixes.map((x, i) => `${i + 1}. ${escapeMrkdwn(x)}`));
  if (f.evidence.length > 0)
    lines.push(
      `_Seen:_ ${f.evidence
        .slice(0, 5)
        .map((e) => escapeMrkdwn(e))
        .join('; ')}`,
    );
  return clip(lines.join('\n'), MAX_SECTION_TEXT);
}

export function buildDiagnosis(view: DiagnosisView): EphemeralMessage {
  const blocks: KnownBlock[] = [
    header(`Diagnosis: ${view.service}`),
    context(`Status ${view.status}. Looked at ${escapeMrkdwn(view.looked)}.`),
  ];
  const room = MAX_MESSAGE_BLOCKS - blocks.length - 1;
  blocks.push(...view.findings.slice(0, room).map((f) => section(findingText(f))));
  if (view.findings.length > room) blocks.push(context(`…and ${view.findings.length - room} more findings.`));
  const top = view.findings[0];
  return message(`${view.service}: ${top?.title ?? 'no findings'}`, blocks);
}
