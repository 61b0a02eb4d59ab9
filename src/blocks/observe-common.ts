import { inlineCode, notice, type EphemeralMessage } from './kit.js';

/** What several observe views (and the manage views) say the same way: auto-suspend, status marks, service look-ups. */

/** "1 hour 30 min" for AUTO_SUSPEND_SECS; 0 or null means it never suspends by itself. */
export function formatAutoSuspend(seconds: number | null): string {
  if (seconds === null || seconds <= 0) return 'off';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Service status with a marker a person can scan: RUNNING ✅, FAILED ❌, PENDING ⏳, SUSPENDED ⏸. */
export function statusMarker(status: string): string {
  switch (status.toUpperCase()) {
    case 'RUNNING':
    case 'READY':
    case 'ACTIVE':
    case 'IDLE':
      return ':white_check_mark:';
    case 'FAILED':
    case 'INTERNAL_ERROR':
      return ':x:';
    case 'SUSPENDED':
    case 'SUSPENDING':
    case 'STOPPING':
      return ':double_vertical_bar:';
    default:
      return ':hourglass_flowing_sand:';
  }
}

/** `/spcs status NAME` found nothing: 002003 wording, and where to look. */
export function serviceNotFound(display: string): EphemeralMessage {
  return notice(
    `:mag: Service ${inlineCode(display)} was not found or not authorized for the bot's role. ` +
      `See the services it can see with ${inlineCode('/spcs list')}.`,
  );
}

/** A bare NAME matched services in several schemas. */
export function serviceAmbiguous(display: string, candidates: readonly string[]): EphemeralMessage {
  const shown = candidates.slice(0, 20).map((c) => `• ${inlineCode(c)}`);
  const more = candidates.length > shown.length ? `\n…and ${candidates.length - shown.length} more` : '';
  return notice(`Several services are called ${inlineCode(display)}. Give the full name:\n${shown.join('\n')}${more}`);
}
