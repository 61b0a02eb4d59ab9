import type { RenderContext } from './context.js';

/**
 * Slack's `<!date^…>` tokens (https://docs.slack.dev/messaging/formatting-message-text#date-formatting):
 * {date_num} 2014-02-18 · {date} February 18th, 2014 · {date_short} Feb 18, 2014 ·
 * {date_long} Tuesday, February 18th, 2014 · the *_pretty forms say today/yesterday/tomorrow ·
 * {time} 6:39 AM · {time_secs} 6:39:42 AM; and from the rich-text date element's list
 * (@slack/types RichTextDate.format): {date_slash} 18/02/2014 · {date_long_full} February 18, 2014 ·
 * {day_divider_pretty} · {ago} 3 minutes ago. Shown in ctx.timeZone (UTC by default), 12-hour clock.
 */

interface Parts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: string;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'long',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function dateParts(ms: number, timeZone: string): Parts {
  const out: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    year: Number(out['year']),
    month: Number(out['month']),
    day: Number(out['day']),
    weekday: out['weekday'] ?? '',
    hour: Number(out['hour']) % 24,
    minute: Number(out['minute']),
    second: Number(out['second']),
  };
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthName = (p: Parts) => MONTHS[p.month - 1] ?? '';

function time(p: Parts, secs: boolean): string {
  const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  return `${h12}:${pad(p.minute)}${secs ? `:${pad(p.second)}` : ''} ${p.hour < 12 ? 'AM' : 'PM'}`;
}

/** today / yesterday / tomorrow relative to now in the same zone, or null. */
function relativeDay(p: Parts, now: Parts): string | null {
  const day = Date.UTC(p.year, p.month - 1, p.day);
  const today = Date.UTC(now.year, now.month - 1, now.day);
  const diff = Math.round((day - today) / 86_400_000);
  return diff === 0 ? 'today' : diff === -1 ? 'yesterday' : diff === 1 ? 'tomorrow' : null;
}

function ago(ms: number, nowMs: number): string {
  const s = Math.round((nowMs - ms) / 1000);
  const future = s < 0;
  const abs = Math.abs(s);
  const [n, unit] =
    abs < 60
      ? [abs, 'second']
      : abs < 3600
        ? [Math.floor(abs / 60), 'minute']
        : abs < 86_400
          ? [Math.floor(abs / 3600), 'hour']
          : [Math.floor(abs / 86_400), 'day'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return future ? `in ${text}` : `${text} ago`;
}

/** The format string with each known token replaced; unknown tokens stay as they are. */
export function formatSlackDate(epochSeconds: number, format: string, ctx: RenderContext): string {
  const ms = epochSeconds * 1000;
  const zone = ctx.timeZone ?? 'UTC';
  const p = dateParts(ms, zone);
  const nowMs = ctx.nowMs ?? Date.now();
  const now = dateParts(nowMs, zone);
  const date = `${monthName(p)} ${ordinal(p.day)}, ${p.year}`;
  const dateShort = `${monthName(p).slice(0, 3)} ${p.day}, ${p.year}`;
  const dateLong = `${p.weekday}, ${date}`;
  const rel = relativeDay(p, now);
  const longNoYear = `${p.weekday}, ${monthName(p)} ${ordinal(p.day)}`;
  const tokens: Readonly<Record<string, string>> = {
    date_num: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
    date,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: rel ?? date,
    date_short_pretty: rel ?? dateShort,
    date_long_pretty: rel ?? dateLong,
    date_slash: `${pad(p.day)}/${pad(p.month)}/${p.year}`,
    date_long_full: `${monthName(p)} ${p.day}, ${p.year}`,
    day_divider_pretty: rel ?? (p.year === now.year ? longNoYear : dateLong),
    time: time(p, false),
    time_secs: time(p, true),
    ago: ago(ms, nowMs),
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, token: string) => tokens[token] ?? whole);
}
