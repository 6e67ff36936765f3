// What the page says after an intervention (web/page/interventions.js): the died-again count
// from the death events, the window, and when it blames the rate. Pure functions, no engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { follow, watch, describe, WATCH_STEPS } from '../../web/page/interventions.js';

const S = 1000;
const settings = (over = {}) => (name) => ({ lr: 1, optimizer: 'sgd', monitorEvery: 10, ...over })[name];
const revive = (units, extra = {}) => ({ seq: 1, op: 'revive', step: S, units, count: units.length, ...extra });
const ev = (step, layer, neuron, kind) => ({ step, layer, neuron, kind });
const UNITS = [[0, 1], [1, 2], [1, 3], [2, 0]];
// Three come alive at the revive, [2, 0] stays dead; two die inside the window, one after it,
// and a unit that was not revived dies too (not counted).
const EVENTS = [ev(S, 0, 1, 'revived'), ev(S, 1, 2, 'revived'), ev(S, 1, 3, 'revived'), ev(S + 10, 0, 1, 'died'),
  ev(S + 50, 1, 2, 'died'), ev(S + 60, 1, 3, 'died'), ev(S + 20, 0, 0, 'died')];

function followed(over, events = EVENTS, step = S + 60, units = UNITS) {
  const e = follow(revive(units), null, settings(over), true, 0);
  watch(e, events, step);
  return e;
}

test('died again: counted from the death events inside the window, then the verdict', () => {
  assert.equal(WATCH_STEPS, 50);
  const e = followed({});
  assert.equal(e.done, true);
  assert.deepEqual([...e.died.keys()], ['0:1', '1:2']);
  const [first, second] = describe(e, S + 60);
  assert.equal(first, 'Revived 4 dead units at step 1000; they glow yellow in the network (a dashed red ring: dead again). 1 stayed dead at once: their fresh weights give z ≤ 0 on every input.');
  assert.equal(second, '2 of the 3 that came alive died again within 50 steps: the learning rate (1) is still too high. Lower it first, then revive.');
});

test('the rate is blamed only where it is plausibly high; otherwise a suggestion, or nothing', () => {
  assert.match(describe(followed({ lr: 0.05 }), S + 60)[1], /: try a lower learning rate first \(or auto-revive every K steps\)\.$/);
  assert.match(describe(followed({ optimizer: 'adam', lr: 0.02 }), S + 60)[1], /the learning rate \(0\.02\) is still too high/);
  // One death among many revived: no advice.
  const many = Array.from({ length: 10 }, (_, i) => [1, i]);
  const e = followed({}, [...many.map(([l, i]) => ev(S, l, i, 'revived')), ev(S + 30, 1, 4, 'died')], S + 50, many);
  assert.equal(describe(e, S + 50)[1], '1 of 10 died again within 50 steps.');
  const none = followed({}, EVENTS.slice(0, 3), S + 50);
  assert.equal(describe(none, S + 50)[1], 'None of the 3 that came alive died again within 50 steps.');
});

test('while the window is open the note counts so far; a slow monitor stretches the window', () => {
  const e = followed({}, EVENTS.filter((x) => x.step <= S + 20), S + 20);
  assert.equal(e.done, false);
  assert.equal(describe(e, S + 20)[1], 'Watching them for 50 steps (20 so far): 1 died again.');
  const slow = followed({ monitorEvery: 100 }, EVENTS, S + 60);
  assert.equal(slow.window, 500);
  assert.equal(slow.done, false);
  assert.equal(slow.died.size, 3, 'the death at S+60 is inside a 500-step window');
});

test('nothing to revive, one unit, freeze and ablate', () => {
  assert.deepEqual(describe(follow(revive([]), null, settings(), true, 0), S), ['No dead units to revive at step 1000.']);
  // One healthy unit revived that is dead right after (the engine stamps its death at S).
  const one = follow({ seq: 2, op: 'reviveNeuron', step: S, units: [[1, 4]] }, null, settings(), false, 0);
  watch(one, [ev(S, 1, 4, 'died')], S);
  assert.deepEqual(describe(one, S), ['Revived layer 2, unit 5 at step 1000: fresh incoming weights, zero bias and outgoing weights, so the output is unchanged. It is dead right after: its fresh weights give z ≤ 0 on every input.']);
  const back = follow({ seq: 3, op: 'reviveNeuron', step: S, units: [[1, 4]] }, null, settings(), true, 0);
  watch(back, [ev(S, 1, 4, 'revived'), ev(S + 30, 1, 4, 'died')], S + 30);
  assert.equal(describe(back, S + 30)[1], 'It died again within 50 steps: the learning rate (1) is still too high. Lower it first, then revive.');
  const frozen = follow({ seq: 4, op: 'setFrozen', step: S, units: [[0, 0]], value: true }, null, settings(), false, 0);
  assert.equal(frozen.done, true);
  assert.match(describe(frozen, S)[0], /^Froze layer 1, unit 1 at step 1000: its incoming weights and bias get no more gradient/);
  const evaluation = (b, a) => ({ before: { testLoss: b, testAccuracy: 0.9, trainLoss: 1, trainAccuracy: 0.9 }, after: { testLoss: a, testAccuracy: 0.8, trainLoss: 1, trainAccuracy: 0.8 } });
  const ablate = (ev) => describe(follow({ seq: 5, op: 'setAblated', step: S, units: [[0, 2]], value: true, evaluation: ev }, null, settings(), false, 0), S)[0];
  assert.equal(ablate(evaluation(0.25, 0.5)), 'Ablated layer 1, unit 3 at step 1000 (its output is held at 0): test loss 0.2500 → 0.5000, test accuracy 90.0% → 80.0%.');
  assert.match(ablate(evaluation(0.123451, 0.123459)), /test loss 0\.12345 → 0\.12346,/, 'enough digits to show the change');
  assert.match(ablate(evaluation(0.3, 0.3)), /the test loss is unchanged at 0\.3000: the output did not depend on this unit/);
  // No test split: the training loss.
  const noTest = { before: { testLoss: NaN, testAccuracy: -1, trainLoss: 0.2, trainAccuracy: -1 }, after: { testLoss: NaN, testAccuracy: -1, trainLoss: 0.4, trainAccuracy: -1 } };
  assert.match(ablate(noTest), /training loss 0\.2000 → 0\.4000\.$/);
});
