import { LONE_SURROGATES } from '../safe-text';

/**
 * What of a request's input the audit log keeps: plain JSON that any database accepts, whatever arrived
 * (NUL bytes, lone surrogates, cycles, deep nesting, BigInt, invalid dates, megabytes), with secrets
 * redacted and the whole of it a few KiB at most.
 */

const SECRET_KEYS = /pass(word)?|secret|token|^value$/i;
const MAX_DEPTH = 8;
const MAX_ITEMS = 50;
const MAX_STRING = 1024;
const MAX_KEY = 100;
/** Characters of string content kept over the whole input. */
const BUDGET = 4096;
/** Past this, the input is kept as the start of its JSON text. */
const MAX_JSON = 8192;

/**
 * Text that PostgreSQL takes: NUL shown as \u0000, unpaired surrogates as U+FFFD, cut at `max` characters
 * (never inside a surrogate pair) with the original length noted.
 */
export function storableText(s: string, max: number): string {
  let kept = s;
  if (s.length > max) {
    const end = max > 0 && /[\ud800-\udbff]/.test(s.charAt(max - 1)) ? max - 1 : max;
    kept = `${s.slice(0, end)}… (${s.length} characters)`;
  }
  return kept.replace(LONE_SURROGATES, '\ufffd').replaceAll('\u0000', '\\u0000');
}

type Walk = { budget: number; ancestors: Set<object> };

function text(s: string, w: Walk): string {
  const out = storableText(s, Math.max(0, Math.min(MAX_STRING, w.budget)));
  w.budget -= Math.min(s.length, MAX_STRING);
  return out;
}

function clean(value: unknown, depth: number, w: Walk): unknown {
  switch (typeof value) {
    case 'string':
      return text(value, w);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return text(`${value}n`, w);
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'symbol':
    case 'function':
      return `[${typeof value}]`;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  const obj = value as object;
  if (w.ancestors.has(obj)) return '[cyclic]';
  w.ancestors.add(obj);
  try {
    if (obj instanceof Map || obj instanceof Set || Array.isArray(obj)) {
      const items = obj instanceof Map ? [...obj.entries()] : [...(obj as Iterable<unknown>)];
      const out = items.slice(0, MAX_ITEMS).map((v) => clean(v, depth + 1, w));
      if (items.length > MAX_ITEMS) out.push(`[${items.length - MAX_ITEMS} more]`);
      return out;
    }
    const entries = Object.entries(obj);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries.slice(0, MAX_ITEMS)) {
      const key = storableText(k, MAX_KEY);
      if (SECRET_KEYS.test(k) && v !== null && v !== undefined && typeof v !== 'boolean')
        out[key] = '[redacted]';
      else if (v !== undefined) out[key] = clean(v, depth + 1, w);
    }
    if (entries.length > MAX_ITEMS) out['[more keys]'] = entries.length - MAX_ITEMS;
    return out;
  } finally {
    w.ancestors.delete(obj);
  }
}

export function auditable(input: unknown): unknown {
  let out: unknown;
  try {
    out = clean(input, 0, { budget: BUDGET, ancestors: new Set() });
  } catch {
    // A getter or proxy that throws: nothing of it can be read safely.
    return '[unreadable input]';
  }
  const json = JSON.stringify(out) ?? 'null';
  return json.length > MAX_JSON ? { truncated: storableText(json, MAX_JSON / 2) } : out;
}
