// The stories' verdicts against the real wasm engine, step by step: the figures presets.js
// states (high-lr's settled dead share), the checks that must hold over the whole window a
// page may observe (dead vs sparse, leaky-prelu), and the outcome line's wording (pure).
import test from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';
import { PRESET_BY_ID, HIGH_LR_SETTLED, deadShare, presetState, storyVariant, LENET_NET } from '../../web/presets.js';
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

// The real-data presets' verdicts on made-up snapshots (the runs themselves are measured with
// relu-lab; tests/browser/presets.test.mjs loads them): each check passes on what its text
// promises and fails just outside it, and the variant comes from the state.
const snap = (dead, widths, { acc = NaN, collapsed = false, activation = 'relu' } = {}) => ({
  step: 5000,
  testAccuracy: acc,
  layerCollapsed: collapsed,
  layers: widths.map((w, i) => ({ width: w, activation, counts: { dead: dead[i] } })),
});

test('mnist: the story wants at least 30% dead; the tuned rate under 5% dead and at least 95% accuracy', () => {
  const p = PRESET_BY_ID.mnist;
  const tuned = p.actions.find((a) => a.set?.lr !== undefined);
  const v = (s) => p.check(snap(...s));
  assert.equal(v([[77, 77], [256, 256], { acc: 0.9 }]).ok, true, '154 of 512 = 30.1%');
  assert.equal(v([[76, 77], [256, 256], { acc: 0.9 }]).ok, false, '153 of 512 = 29.9%');
  assert.match(v([[76, 77], [256, 256], { acc: 0.9 }]).text, /^30% of hidden units dead; test accuracy 90%$/);
  assert.equal(tuned.check(snap([12, 13], [256, 256], { acc: 0.95 })).ok, true, '25 of 512 = 4.9%');
  assert.equal(tuned.check(snap([13, 13], [256, 256], { acc: 0.99 })).ok, false, '26 of 512 = 5.1%');
  assert.equal(tuned.check(snap([0, 0], [256, 256], { acc: 0.9495 })).ok, false, 'accuracy below 95%');
  assert.equal(tuned.check(snap([0, 0], [256, 256])).ok, false, 'no accuracy yet');
  const base = defaults();
  const story = presetState('mnist', base);
  assert.equal(story.dataset, 'mnist');
  assert.deepEqual(story.layers, [256, 256]);
  assert.equal(storyVariant('mnist', story, base).label, null);
  assert.equal(storyVariant('mnist', { ...story, lr: tuned.set.lr }, base).label, tuned.label);
});

test('dead-filters: the story wants 30% of a conv layer dead; Leaky none; the tuned run at most 1 in 8 and 98% accuracy', () => {
  const p = PRESET_BY_ID['dead-filters'];
  const [leaky, tuned] = p.actions;
  const W = [8, 16, 128];
  assert.equal(p.check(snap([3, 0, 0], W, { acc: 0.9 })).ok, true, '3 of 8 first-layer filters = 37.5%');
  assert.equal(p.check(snap([2, 5, 0], W, { acc: 0.9 })).ok, true, '5 of 16 second-layer filters = 31%');
  assert.equal(p.check(snap([2, 4, 100], W, { acc: 0.9 })).ok, false, 'dense units do not count: 25% and 25%');
  assert.match(p.check(snap([4, 1, 7], W, { acc: 0.946 })).text, /^conv layers 4 of 8 and 1 of 16 channels dead; test accuracy 95%$/);
  assert.equal(leaky.check(snap([0, 0, 3], W, { acc: 0.953 })).ok, true, 'dense units may die');
  assert.equal(leaky.check(snap([0, 1, 0], W, { acc: 0.953 })).ok, false);
  assert.equal(tuned.check(snap([1, 2, 0], W, { acc: 0.98 })).ok, true, '1 of 8, 2 of 16');
  assert.equal(tuned.check(snap([0, 3, 0], W, { acc: 0.99 })).ok, false, '3 of 16 is more than 1 in 8');
  assert.equal(tuned.check(snap([0, 0, 0], W, { acc: 0.9795 })).ok, false, 'accuracy below 98%');
  const base = defaults();
  const story = presetState('dead-filters', base);
  assert.equal(story.net, LENET_NET);
  assert.deepEqual(story.layers, [8, 16, 128]);
  assert.equal(storyVariant('dead-filters', story, base).label, null);
  assert.equal(storyVariant('dead-filters', { ...story, activation: 'leaky_relu' }, base).label, leaky.label);
  assert.equal(storyVariant('dead-filters', { ...story, lr: 0.2, batch: 64 }, base).label, tuned.label);
});

test('iris: the story wants more than half dead and a whole layer gone; Leaky ReLU none dead and 90% accuracy', () => {
  const p = PRESET_BY_ID.iris;
  const leaky = p.actions[0];
  assert.equal(p.check(snap([3, 8], [8, 8], { acc: 1 / 3, collapsed: true })).ok, true);
  assert.equal(p.check(snap([3, 8], [8, 8], { acc: 1 / 3 })).ok, false, 'no layer wholly dead');
  assert.equal(p.check(snap([0, 8], [8, 8], { collapsed: true })).ok, false, '8 of 16 is not more than half');
  assert.match(p.check(snap([3, 8], [8, 8], { acc: 1 / 3, collapsed: true })).text, /^69% of hidden units dead, a whole layer dead; test accuracy 33%$/);
  assert.equal(leaky.check(snap([0, 0], [8, 8], { acc: 0.9, activation: 'leaky_relu' })).ok, true);
  assert.equal(leaky.check(snap([0, 0], [8, 8], { acc: 0.8667, activation: 'leaky_relu' })).ok, false);
  assert.equal(leaky.check(snap([1, 0], [8, 8], { acc: 1, activation: 'leaky_relu' })).ok, false);
  const base = defaults();
  const story = presetState('iris', base);
  assert.equal(storyVariant('iris', { ...story, activation: 'leaky_relu' }, base).label, 'Same net with Leaky ReLU');
  // The key moment the page paces: the second layer's collapse.
  assert.equal(p.key.reached([snap([3, 8], [8, 8], { collapsed: true })]), true);
  assert.equal(p.key.reached([snap([3, 7], [8, 8])]), false);
});
