// The page's histories stay bounded over a long run and keep its whole shape (bench/soak.mjs
// checks the same in the real page): the charts' SeriesBuffer, the timeline's EventBuffer,
// the histogram rings. Plain JS: no wasm, no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesBuffer, EventBuffer, HistogramRing } from '../../web/history.js';
import { TimelineView } from '../../web/views/timeline.js';

// A long run's events: every 10 steps, two units of some layer die or come back.
function* events(steps, layers = 6) {
  for (let step = 10; step <= steps; step += 10) {
    for (let k = 0; k < 2; k++) {
      const layer = (step / 10 + k) % layers;
      yield { step, layer, neuron: (step / 10) % 16, kind: (step / 10 + k) % 3 ? 'died' : 'revived' };
    }
  }
}

test('the timeline keeps a bounded picture of the whole run, from step 0 to the latest step', () => {
  const summary = { textContent: '' };
  const view = new TimelineView(null, summary, 1024);
  const steps = 2_000_000;
  let died = 0, revived = 0, last = null;
  for (const e of events(steps)) {
    view.add([e]);
    e.kind === 'died' ? died++ : revived++;
    last = e;
  }
  const ev = view.events;
  assert.ok(ev.length <= 1024, `the timeline keeps ${ev.length} marks, above its capacity 1024`);
  assert.ok(ev.length >= 256, `only ${ev.length} marks left`);
  // The start of the run is still drawn (not dropped as the oldest), and so is the end.
  assert.ok(ev.steps[0] <= steps / 100, `the first mark is at step ${ev.steps[0]}`);
  assert.ok(ev.steps[ev.length - 1] >= steps - ev.binWidth, `the last mark is at step ${ev.steps[ev.length - 1]}`);
  // The totals and the latest event are exact.
  assert.equal(view.died, died);
  assert.equal(view.revived, revived);
  assert.match(summary.textContent, new RegExp(`^${died} deaths, ${revived} revivals\\. Latest: layer ${last.layer + 1}, unit ${last.neuron + 1} ${last.kind} at step ${last.step}\\.$`));
});

test('EventBuffer: a merged mark stands for every event of its (layer, kind) in its bin', () => {
  const buf = new EventBuffer(64);
  const all = [...events(100_000, 3)];
  for (const e of all) buf.push(e);
  assert.ok(buf.length <= 64 && buf.binWidth > 1);
  const key = (step, layer, kind) => `${Math.floor(step / buf.binWidth)}:${layer}:${kind}`;
  const kept = new Set();
  for (let i = 0; i < buf.length; i++) {
    const k = key(buf.steps[i], buf.layers[i], buf.kinds[i]);
    assert.ok(!kept.has(k), `two marks for ${k}`);
    kept.add(k);
    if (i) assert.ok(buf.steps[i] >= buf.steps[i - 1], 'marks stay in step order');
  }
  // Every event is drawn by the mark of its bin: the picture is the same, only coarser.
  for (const e of all) assert.ok(kept.has(key(e.step, e.layer, e.kind === 'died' ? 0 : 1)), `no mark for ${JSON.stringify(e)}`);
  buf.clear();
  assert.equal(buf.length, 0);
  assert.equal(buf.died + buf.revived, 0);
  buf.push({ step: 5, layer: 0, neuron: 0, kind: 'died' });
  assert.equal(buf.length, 1);
});

test('SeriesBuffer: a long run stays within its capacity and keeps its first and last points', () => {
  const buf = new SeriesBuffer(['step', 'loss'], 1024);
  const n = 1_000_000;
  for (let s = 0; s < n; s++) {
    buf.push([s, 1 / (1 + s)]);
    assert.ok(buf.length <= 1024);
  }
  const [xs] = buf.view();
  assert.equal(xs[0], 0);
  assert.equal(xs[buf.length - 1], n - 1, 'the line ends at the latest value');
  assert.ok(buf.length > 512, `only ${buf.length} points kept`);
  for (let i = 1; i < buf.length; i++) assert.ok(xs[i] > xs[i - 1]);
});

test('HistogramRing keeps the last slices only', () => {
  const ring = new HistogramRing(40);
  for (let s = 0; s < 10_000; s++) ring.push(s, { lo: 0, hi: 1, counts: [1, 2], percentiles: [0, 0, 0, 0, 0, 0, 0, 0, 0] });
  assert.equal(ring.length, 40);
  assert.equal(ring.newest().step, 9999);
  const steps = [];
  ring.forEach((h) => steps.push(h.step));
  assert.deepEqual(steps, Array.from({ length: 40 }, (_, i) => 9960 + i));
});
