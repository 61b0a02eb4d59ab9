import { type Token, tokenize } from './lexer.js';

/**
 * Parses a dotted object name given as text (a deployment-spec field, a GET_SERVICE_LOGS
 * argument) with SQL identifier rules: unquoted parts fold to upper case, `"quoted"` parts
 * keep their case. Returns null when the text is not a 1–3 part name.
 */
export function parseObjectName(text: string): string[] | null {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return null;
  }
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) return null;
    parts.push(t.value);
    i++;
    const sep = tokens[i];
    if (sep?.kind === 'eof') break;
    if (sep?.kind !== 'punct' || sep.value !== '.') return null;
    i++;
  }
  return parts.length >= 1 && parts.length <= 3 ? parts : null;
}
