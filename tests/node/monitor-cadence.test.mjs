// The page's monitor cadence (web/monitor-cadence.js): small nets keep the lesson's rule (every
// step when paced at <= 30 steps/s, every 10 faster); on an MNIST-sized evaluation set the
// cadence keeps the monitor within its budget: a tenth of the training work flat out, and at a
// pace no more than 30% of each second of an assumed machine's worker thread. Cadences, not timings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cadenceFor, monitorWork, MONITOR_BUDGET, PACED_MONITOR_BUDGET, ASSUMED_MACS_PER_S, DATA_SIZES } from '../../web/monitor-cadence.js';
import { cadenceFollowsSpeed, defaults } from '../../web/state.js';

const MNIST = { ...defaults(), dataset: 'mnist', layers: [256, 256], batch: 128, dead: 'full' };

test('small nets keep every step when watched slowly and every 10 steps faster', () => {
  const spiral = { ...defaults(), dataset: 'spiral', layers: [16, 16, 16, 16, 16, 16], batch: 10 };
  for (const speed of ['2', '15', '30']) assert.equal(cadenceFor(speed, spiral), 1, speed);
  for (const speed of ['60', '1000', 'max']) assert.equal(cadenceFor(speed, spiral), 10, speed);
  // iris is known in size but tiny: the same rule.
  const iris = { ...defaults(), dataset: 'iris', layers: [8, 8], batch: 16 };
  assert.equal(cadenceFor('2', iris), 1);
  assert.equal(cadenceFor('max', iris), 10);
});

test('MNIST 784-256-256-10 at batch 128, flat out: a tenth of the training work, every 278 steps', () => {
  // One evaluation: 8,000 forwards. One step: 128 x (forward + weight gradients + input
  // gradients of the two upper layers) = 2.25 forwards of 128: an evaluation is ~27.7 steps.
  const forward = 784 * 256 + 256 * 256 + 256 * 10;
  const w = monitorWork(MNIST);
  assert.equal(w.evalMacs, 8000 * forward);
  assert.equal(w.stepMacs, 128 * (3 * forward - 784 * 256));
  assert.equal(cadenceFor('max', MNIST), 278);
  const share = w.evalMacs / cadenceFor('max', MNIST) / w.stepMacs;
  assert.ok(share <= MONITOR_BUDGET, `monitor work ${share} of training work`);
  assert.ok(share > MONITOR_BUDGET * 0.95, 'and not far below it (events dated as closely as the budget allows)');
});

test('MNIST paced: at most 30% of each second of the assumed machine, and closer when slower', () => {
  const w = monitorWork(MNIST);
  let previous = Infinity;
  for (const speed of ['30', '15', '6', '2']) {
    const every = cadenceFor(speed, MNIST);
    const secondsPerSecond = (Number(speed) / every) * (w.evalMacs / ASSUMED_MACS_PER_S);
    assert.ok(secondsPerSecond <= PACED_MONITOR_BUDGET + 1e-12, `${speed} steps/s: every ${every} takes ${secondsPerSecond} s a second`);
    assert.ok(every < previous, `${speed} steps/s: every ${every} (slower pace, closer dates)`);
    previous = every;
  }
  assert.deepEqual(['30', '6', '2'].map((s) => cadenceFor(s, MNIST)), [22, 5, 2]);
  // Fast paces the machine cannot keep are bounded by the flat-out cadence.
  assert.equal(cadenceFor('3000', MNIST), 278);
});

test('the evaluation set counts: a probe of 256 images or the batch is cheap enough for the old rule at a pace', () => {
  assert.equal(monitorWork({ ...MNIST, dead: 'probe', probe: 256 }).evalMacs, 256 * monitorWork(MNIST).evalMacs / 8000);
  assert.equal(cadenceFor('2', { ...MNIST, dead: 'batch' }), 1);
  assert.equal(cadenceFor('max', { ...MNIST, dead: 'probe', probe: 256 }), 10, 'a probe of 256: 0.9 steps of work, the old rule');
  assert.equal(monitorWork({ ...MNIST, batch: 0 }).stepMacs, DATA_SIZES.mnist.train * (3 * (784 * 256 + 256 * 256 + 2560) - 784 * 256), 'full batch');
});

test('the cadence follows a change of speed or data unless it was chosen by hand', () => {
  const spiral = { ...defaults(), dataset: 'spiral', speed: 'max', monitorEvery: 10 };
  // Switching to MNIST at max: every 278; pacing it at 6 steps/s: 5; back to the spiral at 6: every step.
  const mnist = cadenceFollowsSpeed(spiral, { ...spiral, dataset: 'mnist', layers: [256, 256], batch: 128 });
  assert.equal(mnist.monitorEvery, 278);
  const paced = cadenceFollowsSpeed(mnist, { ...mnist, speed: '6' });
  assert.equal(paced.monitorEvery, 5);
  assert.equal(cadenceFollowsSpeed(paced, { ...paced, dataset: 'spiral' }).monitorEvery, 1);
  // By hand: kept through later changes.
  const byHand = cadenceFollowsSpeed(mnist, { ...mnist, monitorEvery: 20 });
  assert.equal(byHand.monitorEvery, 20);
  assert.equal(cadenceFollowsSpeed(byHand, { ...byHand, speed: '2' }).monitorEvery, 20);
});
