/**
 * An independent, deliberately small Snowflake tokenizer for tests. It shares no code with
 * src/snowflake: if rendering and this reading disagree, a quoting bug exists.
 */
export type Token =
  | { type: 'word'; value: string } // unquoted identifier or keyword, folded to upper case
  | { type: 'qident'; value: string } // "quoted identifier", "" unescaped
  | { type: 'string'; value: string } // 'string literal', '' and backslash escapes decoded
  | { type: 'number'; value: string }
  | { type: 'punct'; value: string }
  | { type: 'error'; value: string };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return [...tokens, { type: 'error', value: 'unterminated identifier' }];
        const c = text.charAt(i);
        if (c === '"') {
          if (text.charAt(i + 1) === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push({ type: 'qident', value });
    } else if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return [...tokens, { type: 'error', value: 'unterminated string' }];
        const c = text.charAt(i);
        if (c === '\\') {
          const next = text.charAt(i + 1);
          value += ESCAPES[next] ?? next;
          i += 2;
          continue;
        }
        if (c === "'") {
          if (text.charAt(i + 1) === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push({ type: 'string', value });
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
      const word = m?.[0] ?? ch;
      tokens.push({ type: 'word', value: word.toUpperCase() });
      i += word.length;
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+/.exec(text.slice(i));
      const num = m?.[0] ?? ch;
      tokens.push({ type: 'number', value: num });
      i += num.length;
    } else {
      tokens.push({ type: 'punct', value: ch });
      i++;
    }
  }
  return tokens;
}

/** The resolved name of an identifier token, or undefined if the token is not an identifier. */
export function identifierValue(token: Token | undefined): string | undefined {
  if (token?.type === 'word' || token?.type === 'qident') return token.value;
  return undefined;
}
