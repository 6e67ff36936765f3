// The stories' verdicts against the real wasm engine, step by step: the figures presets.js
// states (high-lr's settled dead share), the checks that must hold over the whole window a
// page may observe (dead vs sparse, leaky-prelu), and the outcome line's wording (pure).
import test from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';
import { PRESET_BY_ID, HIGH_LR_SETTLED, deadShare, presetState, storyVariant } from '../../web/presets.js';
import { defaults, toEngineConfig } from '../../web/state.js';
import { outcomeLine, contradictionNote } from '../../web/page/stories.js';

const code = Object.fromEntries(engine.info().states.map((n, k) => [n, k]));
const runOf = (id, over = {}) => {
  const { compare, ...settings } = PRESET_BY_ID[id].settings;
  return engine.createRun(toEngineConfig({ ...defaults(), ...settings, ...over }));
};

test('high-lr: the settled dead share that "Same run, rate 0.01" is judged against', () => {
  const run = runOf('high-lr');
  try {
    run.step(HIGH_LR_SETTLED.fromStep);
    for (const until of [HIGH_LR_SETTLED.fromStep, 2000, 5000]) {
      run.step(until - run.snapshot().step);
      const s = run.snapshot();
      assert.equal(s.layers.reduce((a, l) => a + l.counts.dead, 0), HIGH_LR_SETTLED.dead, `step ${until}`);
      assert.equal(s.layers.reduce((a, l) => a + l.width, 0), HIGH_LR_SETTLED.units);
    }
  } finally {
    run.dispose();
  }
});

// The page compares each snapshot with one >= 200 steps older (page/ingest.js REF_GAP) and
// sees the monitor's state every 10 steps: replay exactly that.
test('dead vs sparse: the check holds at every monitored step from minSteps to 6,000', () => {
  const p = PRESET_BY_ID['dead-vs-sparse'];
  const run = runOf('dead-vs-sparse');
  try {
    const refs = [];
    let fails = [];
    for (let step = 0; step <= 6000; step += 10) {
      if (step) run.step(10);
      const s = run.snapshot();
      refs.push(s);
      while (refs.length > 2 && refs[1].step <= s.step - 200) refs.shift();
      if (step < p.minSteps) continue;
      const r = p.check(s, refs.find((x) => x.step <= s.step - 200) ?? refs[0], [], code);
      if (!r.ok) fails.push(`${step}: ${r.text}`);
    }
    assert.deepEqual(fails, []);
  } finally {
    run.dispose();
  }
});

test('leaky-prelu: ReLU stays clear of the 20% line from minSteps on', () => {
  const run = runOf('leaky-prelu');
  try {
    run.step(PRESET_BY_ID['leaky-prelu'].minSteps);
    const low = [];
    for (let k = 0; k < 100; k++) {
      run.step(50);
      const d = deadShare(run.snapshot());
      if (d <= 0.24) low.push(`${run.snapshot().step}: ${d}`);
    }
    assert.deepEqual(low, [], 'at least 4 points of margin');
  } finally {
    run.dispose();
  }
});

test('the variant comes from the state, whichever way it was reached', () => {
  const base = defaults();
  const hl = presetState('high-lr', base);
  assert.equal(storyVariant('high-lr', hl, base).label, null);
  assert.equal(storyVariant('high-lr', { ...hl, lr: 0.01 }, base).label, 'Same run, rate 0.01');
  const leaky = storyVariant('high-lr', { ...hl, activation: 'leaky_relu', speed: 'max' }, base);
  assert.deepEqual([leaky.label, leaky.live, leaky.differs], ['Switch to Leaky ReLU (keeps weights)', true, []]);
  assert.deepEqual(storyVariant('high-lr', { ...hl, lr: 0.3 }, base).differs, [{ key: 'lr', want: 1, have: 0.3 }]);
  assert.equal(storyVariant('revival', { ...presetState('revival', base), reviveEvery: 200 }, base).label, 'Auto-revive every 200 steps');
});

test('the outcome line: watching, then ✓, a held ✓, and a neutral account when it is not shown', () => {
  const base = defaults();
  const v = storyVariant('high-lr', presetState('high-lr', base), base);
  const res = { ok: false, text: '12% of hidden units dead', expect: 'more than 30% dead' };
  assert.deepEqual(outcomeLine(v, 150, res), { ok: 'pending', text: 'Watching the story… (step 150 of 1,000): 12% of hidden units dead so far' });
  assert.deepEqual(outcomeLine(v, 1000, { ...res, ok: true }), { ok: 'yes', text: '✓ As promised: 12% of hidden units dead' });
  assert.deepEqual(outcomeLine(v, 1000, res, '✓ As promised: 31% of hidden units dead'), { ok: 'yes', text: '✓ As promised: 31% of hidden units dead' });
  assert.deepEqual(outcomeLine(v, 1000, res), { ok: 'no', text: 'This run: 12% of hidden units dead; the story expects more than 30% dead.' });
  const off = storyVariant('high-lr', { ...presetState('high-lr', base), lr: 0.3 }, base);
  assert.equal(outcomeLine(off, 1000, res).text, 'This run has lr 0.3 where the story has lr 1: 12% of hidden units dead; the story expects more than 30% dead.');
  const live = storyVariant('negative-bias', { ...presetState('negative-bias', base), activation: 'leaky_relu' }, base);
  assert.match(outcomeLine(live, 100, { ok: false, text: '30% fire on no input' }).text, /^Watching "Switch to Leaky ReLU \(keeps weights\)"… \(step 100 of 800 since the switch\)/);
});

test('the note names each contradicting key and who set it', () => {
  const state = { ...presetState('high-lr', defaults()), lr: 0.01, seed: 3 };
  assert.equal(contradictionNote({ ...state, seed: 2 }, { lr: { value: 0.01, source: 'message' } }), 'A message from the embedding page sets lr 0.01; the story below describes lr 1. That is the story\'s "Same run, rate 0.01".');
  assert.equal(
    contradictionNote(state, { lr: { value: 0.01, source: 'link' }, seed: { value: 3, source: 'set' } }),
    'This link sets lr 0.01; a set() call sets seed 3; the story below describes lr 1 and seed 2.',
  );
  assert.equal(contradictionNote(state, { lr: { value: 1, source: 'set' } }), '', 'a key that agrees with the story is no contradiction');
});
