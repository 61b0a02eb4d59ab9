import type { RenderContext } from './context.js';

/** The shortcodes the bot uses (and a few common ones). Others stay as `:name:`, as Slack shows an unknown emoji. */
const EMOJI: Readonly<Record<string, string>> = {
  warning: '⚠️',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  x: '❌',
  no_entry: '⛔',
  mag: '🔍',
  information_source: 'ℹ️',
  grey_question: '❔',
  question: '❓',
  double_vertical_bar: '⏸️',
  bulb: '💡',
  wastebasket: '🗑️',
  red_circle: '🔴',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  large_blue_circle: '🔵',
  link: '🔗',
  hammer_and_wrench: '🛠️',
  rocket: '🚀',
  raised_hand: '✋',
  package: '📦',
  outbox_tray: '📤',
  inbox_tray: '📥',
  heavy_minus_sign: '➖',
  building_construction: '🏗️',
  tada: '🎉',
  eyes: '👀',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  heart: '❤️',
  fire: '🔥',
  lock: '🔒',
  key: '🔑',
  gear: '⚙️',
  chart_with_upwards_trend: '📈',
  bar_chart: '📊',
  memo: '📝',
  clock1: '🕐',
  stopwatch: '⏱️',
  arrows_counterclockwise: '🔄',
  robot_face: '🤖',
  snowflake: '❄️',
};

/** The character for a shortcode (skin-tone suffixes ignored), or undefined when it is not known. */
export function emojiChar(name: string, ctx: RenderContext): string | undefined {
  const base = name.replace(/::skin-tone-\d$/, '');
  return ctx.emoji?.[base] ?? EMOJI[base];
}
