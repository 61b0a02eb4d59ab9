/**
 * Canned model behaviours behind the emulated model-inference container. Deterministic, so
 * tests can assert on outputs. Inputs arrive keyed by signature input name.
 */
import type { ModelBehavior, ModelMethod } from './state.js';

export type InputRow = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function iris(row: InputRow): Record<string, unknown> {
  const petalLength = num(row['PETAL_LENGTH']);
  const petalWidth = num(row['PETAL_WIDTH']);
  if (petalLength < 2.5) return { CLASS: 'setosa' };
  if (petalWidth < 1.75) return { CLASS: 'versicolor' };
  return { CLASS: 'virginica' };
}

const POSITIVE = ['good', 'great', 'love', 'excellent', 'happy', 'awesome', 'nice', 'fantastic', 'best', 'like'];
const NEGATIVE = ['bad', 'terrible', 'hate', 'awful', 'sad', 'worst', 'poor', 'broken', 'angry', 'slow'];

function positiveProbability(text: string): number {
  const words = text.toLowerCase().split(/[^a-z]+/);
  let score = 0;
  for (const w of words) {
    if (POSITIVE.includes(w)) score++;
    if (NEGATIVE.includes(w)) score--;
  }
  const p = 1 / (1 + Math.exp(-1.5 * score));
  return Math.round(p * 10000) / 10000;
}

function sentiment(method: ModelMethod, row: InputRow): Record<string, unknown> {
  const p = positiveProbability(String(row['TEXT'] ?? ''));
  if (method.name === 'PREDICT_PROBA') return { NEGATIVE: Math.round((1 - p) * 10000) / 10000, POSITIVE: p };
  return { LABEL: p >= 0.5 ? 'POSITIVE' : 'NEGATIVE', SCORE: p >= 0.5 ? p : Math.round((1 - p) * 10000) / 10000 };
}

export function runInference(behavior: ModelBehavior, method: ModelMethod, row: InputRow): Record<string, unknown> {
  switch (behavior) {
    case 'iris':
      return iris(row);
    case 'sentiment':
      return sentiment(method, row);
    case 'echo':
      return Object.fromEntries(method.outputs.map((o, i) => [o.name, Object.values(row)[i] ?? null]));
  }
}
