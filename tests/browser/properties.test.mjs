// Property-based tests (fast-check) of everything that turns outside input into page state,
// pure (no browser): parse(query) and parseFlags(query) of web/state.js, and checkMessage()
// of web/embed.js (the postMessage validation). Every property runs >= 10,000 cases; the
// totals are printed at the end.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SETTINGS, BY_NAME, COMPARABLE, MAX_COMPARE, FLAGS, parse, serialize, parseFlags, serializeFlags, formatValue,
  registerPresetIds, ACTIVATIONS,
} from '../../web/state.js';
import { checkMessage, MESSAGE_TYPE, ACTIONS } from '../../web/embed.js';
import { parseNet, netWidths } from '../../web/net-spec.js';

const RUNS = 10000;
const SEED = Number(process.env.FC_SEED ?? 20261122);
const counts = {};
function check(name, prop, runs = RUNS) {
  let n = 0;
  const counted = fc.property(prop.arb, (...args) => {
    n++;
    return prop.fn(...args);
  });
  fc.assert(counted, { numRuns: runs, seed: SEED });
  counts[name] = n;
}
after(() => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  for (const [k, v] of Object.entries(counts)) console.log(`# property ${k}: ${v} cases`);
  console.log(`# properties: ${Object.keys(counts).length}, cases checked: ${total}`);
});

// The page registers its presets' ids; do the same with a few, as it would.
const PRESET_IDS = ['', 'high-lr', 'bias-init', 'selu'];
registerPresetIds(PRESET_IDS.slice(1));

// ---------- validity, from the table itself ----------
function validValue(def, v) {
  switch (def.type) {
    case 'enum':
      return typeof v === 'string' && (def.values ?? PRESET_IDS).includes(v);
    case 'int':
      return Number.isInteger(v) && v >= def.min && v <= def.max;
    case 'num':
      return (def.nullable && v === null) || (typeof v === 'number' && Number.isFinite(v) && v >= def.min && v <= def.max);
    case 'bool':
      return typeof v === 'boolean';
    case 'net':
      // '' (the dense layers) or a spec in its canonical form (web/net-spec.js).
      return typeof v === 'string' && (v === '' || parseNet(v, ACTIVATIONS).text === v);
    case 'widths':
      return Array.isArray(v) && v.length >= 1 && v.length <= def.maxCount && v.every((w) => Number.isInteger(w) && w >= def.min && w <= def.max);
    case 'compare': {
      if (v === null) return true;
      if (!v || typeof v !== 'object' || !COMPARABLE.includes(v.key) || !Array.isArray(v.values)) return false;
      if (Object.keys(v).sort().join() !== 'key,values') return false;
      if (v.values.length < 2 || v.values.length > MAX_COMPARE) return false;
      if (!v.values.every((x) => validValue(BY_NAME[v.key], x))) return false;
      return new Set(v.values.map((x) => JSON.stringify(x))).size === v.values.length;
    }
    default:
      return false;
  }
}
// Strings in the table's allowed sets that contain '<' (none today).
const LT_ALLOWED = new Set(SETTINGS.flatMap((d) => d.values ?? []).filter((x) => String(x).includes('<')));
function strings(v, out = []) {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}
function assertValidState(state) {
  assert.deepEqual(Object.keys(state).sort(), SETTINGS.map((d) => d.name).sort(), 'every key of the table, nothing else');
  for (const def of SETTINGS) assert.ok(validValue(def, state[def.name]), `${def.name} = ${JSON.stringify(state[def.name])}`);
  assert.notEqual(state.dataset, 'csv', 'csv never comes from a link');
  assert.ok(!(state.dropout > 0 && state.alphaDropout > 0), 'dropout and alphaDropout both on');
  if (state.net) assert.deepEqual(state.layers, netWidths(parseNet(state.net, ACTIVATIONS).layers), 'a net sets the widths');
  for (const s of strings(state)) assert.ok(!s.includes('<') || LT_ALLOWED.has(s), `'<' in ${JSON.stringify(s)}`);
}
// Same value as the URL writes it (numbers keep 6 significant digits).
function written(state) {
  return Object.fromEntries(SETTINGS.map((d) => [d.name, state[d.name] === null || state[d.name] === '' ? state[d.name] : formatValue(d.name, state[d.name])]));
}

// ---------- arbitraries ----------
const hostile = fc.constantFrom(
  '', ' ', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '<', '&lt;', 'javascript:alert(1)', 'NaN', '-NaN',
  'Infinity', '-Infinity', '1e309', '-1e309', '1e-400', '9'.repeat(400), '0x10', '0b11', '1_000', '١٢', '１２', '-0', '+5', '.5',
  '5.', '1e2', ' 3 ', '\u0000', '\uFEFF1', 'e', 'true', 'null', 'undefined', '__proto__', 'constructor', 'toString',
  ',,,', '8,,8', '8, 8', '0,0', '33,1', '1|2|3', 'lr:', ':0.1|0.2', 'lr:0.1|0.1', 'lr:0.1234561|0.1234562',
  'activation:relu|<b>|selu', 'layers:8,8|4', 'compare:lr:1|2', '%', '%zz', '💀', 'ReLU', 'LEAKY-RELU', 'he-normal', 'uniform(-1,0)',
  'conv2d(8,5,same),maxpool(2),dense(16)', 'CONV2D( 4 , 3 )', 'conv2d(8,5,same,2)', 'conv2d(4,3,<b>)', 'dense(8,tanh),dense(4)',
  'conv2d(4,3,1,2,elu),avgpool(2)', 'maxpool(2),conv2d(99,3)', 'dense(8', 'off',
);
const knownKey = fc.constantFrom(...SETTINGS.map((d) => d.name), ...FLAGS);
const enumValue = fc.constantFrom(...SETTINGS.flatMap((d) => d.values ?? []), ...PRESET_IDS);
const number = fc.oneof(
  fc.double().map(String),
  fc.double({ noNaN: true, min: -20, max: 20 }).map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
);
const compareValue = fc.tuple(fc.oneof(fc.constantFrom(...COMPARABLE), fc.string()), fc.array(fc.oneof(number, enumValue, hostile, fc.string()), { maxLength: 6 }))
  .map(([k, vs]) => `${k}:${vs.join('|')}`);
const value = fc.oneof(hostile, enumValue, number, compareValue, fc.string(), fc.string({ unit: 'binary' }),
  fc.array(fc.integer({ min: -5, max: 40 }), { maxLength: 12 }).map((a) => a.join(',')));
const key = fc.oneof({ weight: 4, arbitrary: knownKey }, { weight: 1, arbitrary: fc.string() }, { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', ' lr', 'lr ', 'LR', 'valueOf') });
// Well-encoded queries (repeated keys allowed) and raw, arbitrary query text.
const encodedQuery = fc.array(fc.tuple(key, value), { maxLength: 12 }).map((pairs) => {
  const p = new URLSearchParams();
  for (const [k, v] of pairs) p.append(k, v);
  return p.toString();
});
const rawQuery = fc.oneof(fc.string(), fc.string({ unit: 'binary' }),
  fc.array(fc.tuple(key, value, fc.constantFrom('&', ';', '&&', '#', '?')), { maxLength: 10 }).map((ps) => ps.map(([k, v, sep]) => `${k}=${v}${sep}`).join('')));
const query = fc.oneof(encodedQuery, rawQuery, fc.constant(undefined), fc.constant(null), fc.anything());

// ---------- parse / serialize ----------
test('parse(query): never throws, always a valid state with no unexpected "<"', () => {
  check('parse-valid', {
    arb: query,
    fn: (q) => {
      const { state, warnings } = parse(q);
      assertValidState(state);
      assert.ok(Array.isArray(warnings) && warnings.every((w) => typeof w === 'string'));
    },
  });
});

test('serialize(parse(q)) round-trips to a fixed point', () => {
  check('parse-roundtrip', {
    arb: query,
    fn: (q) => {
      const { state } = parse(q);
      const q1 = serialize(state);
      const p1 = parse(q1);
      assert.deepEqual(p1.warnings, [], `serialized ${q1} parses with warnings`);
      assertValidState(p1.state);
      assert.deepEqual(written(p1.state), written(state), `state changed through ${q1}`);
      assert.equal(serialize(p1.state), q1, 'fixed point');
    },
  });
});

// ---------- page flags ----------
test('parseFlags(query): never throws, well-formed flags, rest passed on', () => {
  check('flags', {
    arb: query,
    fn: (q) => {
      const { flags, params, warnings } = parseFlags(q);
      assert.deepEqual(Object.keys(flags).sort(), ['autoplay', 'embed', 'hide', 'origins']);
      assert.equal(typeof flags.embed, 'boolean');
      assert.equal(typeof flags.autoplay, 'boolean');
      assert.ok(Array.isArray(flags.hide) && flags.hide.every((h) => typeof h === 'string' && h.length > 0 && h === h.trim() && !h.includes(',')));
      assert.equal(new Set(flags.hide).size, flags.hide.length);
      assert.ok(flags.origins === null || (Array.isArray(flags.origins) && flags.origins.every((o) => o === 'null' || new URL(o).origin === o)));
      for (const o of flags.origins ?? []) assert.ok(!o.includes('<'), o);
      assert.ok(params instanceof URLSearchParams);
      for (const k of params.keys()) assert.ok(!FLAGS.includes(k.trim()));
      assert.ok(Array.isArray(warnings) && warnings.every((w) => typeof w === 'string'));
      // The rest goes on to parse(), which must still give a valid state.
      assertValidState(parse(params).state);
      // The flags written back read the same (fixed point).
      const again = parseFlags(serializeFlags(flags));
      assert.deepEqual(again.flags, flags);
      assert.deepEqual(again.warnings, []);
    },
  });
});

// ---------- postMessage validation ----------
const origin = fc.oneof(fc.constantFrom('https://a.example', 'https://b.example', 'null', '', 'http://127.0.0.1:8080'), fc.string(), fc.constant(undefined));
const allowedSet = fc.oneof(fc.constant(null), fc.array(fc.constantFrom('https://a.example', 'null', 'http://127.0.0.1:8080'), { maxLength: 3 }).map((a) => new Set(a)));
const message = fc.oneof(
  fc.anything(),
  fc.record({
    type: fc.oneof(fc.constant(MESSAGE_TYPE), fc.anything()),
    action: fc.oneof(fc.constantFrom(...ACTIONS), fc.string(), fc.anything(), hostile),
    requestId: fc.oneof(fc.string(), fc.double(), fc.anything()),
    n: fc.anything(),
    state: fc.anything(),
  }, { requiredKeys: [] }),
  fc.record({ type: fc.constant(MESSAGE_TYPE), ok: fc.anything() }),
);
test('checkMessage(message): never throws; ignore, a well-formed error reply, or a known action', () => {
  check('message', {
    arb: fc.tuple(message, origin, allowedSet),
    fn: ([msg, o, allowed]) => {
      const r = checkMessage(msg, o, allowed);
      const isObj = msg !== null && typeof msg === 'object' && !Array.isArray(msg);
      const keys = Object.keys(r).sort().join();
      if (r.ignore) {
        assert.equal(keys, 'ignore');
        assert.ok(isObj && msg.type === MESSAGE_TYPE && 'ok' in msg, 'only replies are ignored');
        return;
      }
      const id = isObj && (typeof msg.requestId === 'string' || typeof msg.requestId === 'number') ? msg.requestId : null;
      if (r.reply) {
        assert.equal(keys, 'reply');
        assert.deepEqual(Object.keys(r.reply).sort(), ['error', 'ok', 'requestId', 'type']);
        assert.equal(r.reply.type, MESSAGE_TYPE);
        assert.equal(r.reply.ok, false);
        assert.ok(typeof r.reply.error === 'string' && r.reply.error.length > 0 && r.reply.error.length < 300);
        assert.ok(Object.is(r.reply.requestId, id));
        // The reply survives a structured clone / JSON as it is.
        assert.doesNotThrow(() => structuredClone(r.reply));
        if (allowed && !allowed.has(o)) assert.equal(r.reply.error, 'origin not allowed');
        return;
      }
      assert.equal(keys, 'action,msg,requestId');
      assert.ok(!allowed || allowed.has(o), 'an allowed origin');
      assert.ok(ACTIONS.includes(r.action));
      assert.equal(msg.type, MESSAGE_TYPE);
      assert.equal(r.msg, msg);
      assert.ok(Object.is(r.requestId, id));
    },
  });
});
