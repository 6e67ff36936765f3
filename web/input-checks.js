// Input from outside the page's own controls (files, API calls, messages): pure checks
// that run before anything changes, and the words the messages use for what was given.
import { show, megabytes, MAX_IMPORT_BYTES, MAX_JSON_DEPTH } from './state.js';

// True when JSON text nests arrays/objects deeper than limit (strings are skipped). Linear,
// no recursion: a file of 10^7 "[" is answered without parsing it.
export function jsonTooDeep(text, limit = MAX_JSON_DEPTH) {
  let depth = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: skip to its closing quote
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

// The same for a JS value (an API argument); cycles count as too deep. No recursion.
export function valueTooDeep(value, limit = MAX_JSON_DEPTH) {
  const stack = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop();
    if (d > limit) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
  }
  return false;
}

/** Parses JSON text from outside; what names it in messages ('"run.json"'). */
export function readJson(text, what) {
  if (text.length > MAX_IMPORT_BYTES) throw new Error(`${what} is ${megabytes(text.length)} MB; at most ${MAX_IMPORT_BYTES / 1e6} MB are accepted`);
  if (text.trim() === '') throw new Error(`${what} is empty`);
  if (jsonTooDeep(text)) throw new Error(`${what} is nested deeper than ${MAX_JSON_DEPTH} levels (no run or weights file is)`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${String(e?.message ?? e).slice(0, 120)})`);
  }
}

/** What a value is, for a message (never its whole text). */
export function describe(v) {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `"${show(v)}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The history of a run file, checked: {names, rows, stride, offered}, or an Error's text. */
export function historyProblem(h) {
  if (h === null || h === undefined) return null;
  if (typeof h !== 'object' || Array.isArray(h)) return `"history" must be an object (got ${describe(h)})`;
  if (!Array.isArray(h.names) || !h.names.every((n) => typeof n === 'string')) return '"history.names" must be a list of column names';
  if (!Array.isArray(h.rows)) return '"history.rows" must be a list of rows';
  const k = h.rows.findIndex((r) => !Array.isArray(r) || r.length !== h.names.length || !r.every((v) => v === null || typeof v === 'number'));
  if (k >= 0) return `"history.rows" row ${k + 1} is not a list of ${h.names.length} numbers`;
  return null;
}

// A setting's value from an API call (set(), postMessage, an attribute) as query text, or
// null when it is no kind of setting value (an object, a function, a nested list).
export function valueText(key, v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  const flat = (a) => Array.isArray(a) && a.length <= 64 && a.every((x) => typeof x === 'number' || typeof x === 'string');
  if (flat(v)) return v.join(',');
  if (key === 'compare' && v && typeof v === 'object' && typeof v.key === 'string' && (flat(v.values) || typeof v.values === 'string'))
    return `${v.key}:${[].concat(v.values).join('|')}`;
  return null;
}
