// The replay store (web/page/replay.js) stays within its bound over a long run and keeps the
// run's shape on both a linear and a log step axis; the replay cursor shows each run's stored
// entry nearest the cursor and holds it while training goes on. Plain JS: no wasm, no DOM.
// (tests/browser/replay.test.mjs checks the same store in the real page.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayStore, createReplay, entryBytes, MAX_ENTRIES, MIN_ENTRIES } from '../../web/page/replay.js';

// A snapshot as the worker sends it, small: one layer pack buffer shared by its views.
function snapshot(step, { width = 4, layers = 2 } = {}) {
  return {
    step,
    events: [],
    layers: Array.from({ length: layers }, () => {
      const buf = new ArrayBuffer(8 * width + 4 * 20);
      return {
        width,
        activeFraction: new Float32Array(buf, 0, width),
        states: new Uint8Array(buf, 4 * width, width),
        histograms: {
          pre: { lo: -1, hi: 1, counts: new Float32Array(buf, 8 * width, 10), percentiles: new Float32Array(buf, 8 * width + 40, 9).fill(step) },
          act: { lo: 0, hi: 1, counts: new Float32Array(10), percentiles: new Float32Array(9) },
          grad: { lo: 0, hi: 1, counts: new Float32Array(10), percentiles: new Float32Array(9) },
        },
      };
    }),
  };
}
const frame = (step, opts) => ({ snap: snapshot(step, opts), grid: { res: 8, values: new Float32Array(64) }, weights: { params: new Float32Array(100), layers: [] } });

// Holes the store made by eviction (neighbours that did not arrive one after the other), as a
// share of the run on the linear and on the log axis.
function evictionHoles(store) {
  const e = store.entries;
  const s0 = e[0].step, span = e[e.length - 1].step - s0;
  const holes = [];
  for (let i = 1; i < e.length; i++) {
    if (e[i].seq === e[i - 1].seq + 1) continue;
    const lo = e[i - 1].step - s0, hi = e[i].step - s0;
    holes.push({ at: e[i - 1].step, lin: (hi - lo) / span, log: (Math.log1p(hi) - Math.log1p(lo)) / Math.log1p(span) });
  }
  return holes;
}

test('an entry counts its typed arrays once each, plus the objects around them', () => {
  const f = frame(0);
  const typed = 2 * (8 * 4 + 4 * 20) + 2 * 2 * (40 + 36) + 64 * 4 + 100 * 4;
  const bytes = entryBytes(f);
  // The objects of a 2-layer entry: 3.8 KB in Chromium (bench/replay-bytes.mjs).
  assert.ok(bytes >= typed + 3000 && bytes <= typed + 6000, `entryBytes ${bytes} for ${typed} bytes of typed arrays`);
  // One more view of a buffer already counted costs nothing; a new buffer its bytes.
  f.snap.layers[0].extra = new Float32Array(f.snap.layers[0].activeFraction.buffer);
  assert.equal(entryBytes(f), bytes);
  f.snap.layers[0].more = new Float32Array(250);
  assert.equal(entryBytes(f), bytes + 1000);
  // A convnet's feature maps travel with its snapshot, as bytes.
  f.snap.maps = { set: 'test', index: 0, layers: [{ bytes: new Uint8Array(784 * 8) }, null] };
  assert.equal(entryBytes(f), bytes + 1000 + 784 * 8);
});

test('the store fills to its capacity, then stays there: first and newest kept, holes bounded on both axes', () => {
  const store = new ReplayStore();
  const cap = store.maxEntries;
  let step = 0;
  for (let k = 0; k < 20000; k++) {
    step += 50 + (k % 7) * 10; // uneven, as a worker's slices are
    store.push(frame(step));
    assert.ok(store.length <= cap, `${store.length} entries above the capacity ${cap}`);
  }
  assert.equal(store.capacity, cap);
  assert.equal(store.length, cap);
  assert.equal(store.evicted, 20000 - cap);
  assert.equal(store.entries[0].seq, 0, 'the first snapshot is kept');
  assert.equal(store.entries[cap - 1].step, step, 'the newest snapshot is kept');
  for (let i = 1; i < cap; i++) assert.ok(store.entries[i].step > store.entries[i - 1].step, 'steps increase');
  assert.equal(store.bytes, cap * store.bytesPerEntry);
  const bound = 4 / (cap - 1);
  const holes = evictionHoles(store);
  assert.ok(holes.length > 0);
  for (const h of holes) {
    assert.ok(h.lin <= bound, `a hole after step ${h.at} is ${h.lin.toFixed(4)} of the run (linear), above ${bound.toFixed(4)}`);
    assert.ok(h.log <= bound, `a hole after step ${h.at} is ${h.log.toFixed(4)} of the run (log), above ${bound.toFixed(4)}`);
  }
  // The early steps keep their detail (a stride-doubling store would keep ~1% of its entries
  // in the first 1% of the run), and the late ones stay spread on the linear axis.
  const early = store.entries.filter((e) => e.step <= step / 100).length;
  assert.ok(early >= cap / 8, `only ${early} of ${cap} entries in the first 1% of the run`);
  const late = store.entries.filter((e) => e.step >= step / 2).length;
  assert.ok(late >= cap / 8, `only ${late} of ${cap} entries in the second half of the run`);
});

test('the capacity follows the entry size within the budget, never below the minimum', () => {
  const big = new ReplayStore({ budget: 1_000_000 });
  big.push(frame(0, { width: 32, layers: 10 }));
  assert.equal(big.capacity, Math.max(MIN_ENTRIES, Math.min(MAX_ENTRIES, Math.floor(1_000_000 / big.bytesPerEntry))));
  assert.ok(big.capacity < MAX_ENTRIES && big.capacity * big.bytesPerEntry <= 1_000_000);
  const tiny = new ReplayStore({ budget: 1000 });
  tiny.push(frame(0));
  assert.equal(tiny.capacity, MIN_ENTRIES);
});

test('the same step again replaces the newest entry; an earlier step (a rollback) drops what came after', () => {
  const store = new ReplayStore();
  for (const s of [0, 10, 20, 30]) store.push(frame(s));
  const again = frame(30);
  store.push(again);
  assert.deepEqual(store.entries.map((e) => e.step), [0, 10, 20, 30]);
  assert.equal(store.entries[3].snap, again.snap);
  assert.deepEqual(store.entries.map((e) => e.seq), [0, 1, 2, 3], 'a replaced entry keeps its place: seqs still say where eviction happened');
  assert.equal(store.offered, 5);
  store.push(frame(15));
  assert.deepEqual(store.entries.map((e) => e.step), [0, 10, 15]);
  store.dropAfter(5);
  assert.deepEqual(store.entries.map((e) => e.step), [0]);
});

test('nearest: the closest stored step, the earlier one on a tie', () => {
  const store = new ReplayStore();
  for (const s of [0, 10, 20, 40]) store.push(frame(s));
  assert.deepEqual([-5, 4, 5, 6, 29, 30, 31, 99].map((s) => store.nearest(s).step), [0, 0, 0, 10, 20, 20, 40, 40]);
});

test('histogram rings of an entry: up to 40 slices, ending at that entry', () => {
  const store = new ReplayStore();
  for (let s = 0; s < 60; s++) store.push(frame(s));
  const rings = store.histogramRings(50);
  assert.equal(rings.length, 2);
  assert.equal(rings[0].pre.length, 40);
  assert.equal(rings[0].pre.newest().step, 50);
  assert.equal(rings[0].pre.newest().percentiles[0], 50);
  assert.equal(rings[1].grad.items[rings[1].grad.start].step, 11);
});

test('the cursor: frames switch between live and stored, compare runs show their nearest, ← from live goes one entry back', () => {
  const mk = (index, steps) => {
    const run = { index, replay: new ReplayStore(), hist: ['live rings'] };
    for (const s of steps) {
      const f = frame(s);
      run.replay.push(f);
      Object.assign(run, { snap: f.snap, grid: f.grid, weights: f.weights });
    }
    return run;
  };
  const runs = [mk(0, [0, 10, 20, 30]), mk(1, [0, 12, 24, 36])];
  let changes = 0;
  const replay = createReplay({ runs: () => runs, onChange: () => changes++ });
  assert.equal(replay.frame(runs[0]).replay, false);
  assert.equal(replay.frame(runs[0]).snap, runs[0].snap);
  replay.seek(14);
  assert.equal(replay.step(), 10);
  assert.deepEqual(runs.map((r) => replay.frame(r).snap.step), [10, 12]);
  assert.ok(replay.frame(runs[1]).replay);
  assert.equal(replay.rings(runs[0])[0].pre.newest().step, 10);
  // Training goes on: the shown entries stay until the cursor moves.
  const f = frame(40);
  runs[0].replay.push(f);
  Object.assign(runs[0], { snap: f.snap });
  assert.equal(replay.frame(runs[0]).snap.step, 10);
  replay.move(1);
  assert.equal(replay.step(), 20);
  replay.move(-1);
  replay.move(-1);
  replay.move(-1);
  assert.equal(replay.step(), 0, 'stops at the first entry');
  replay.live();
  assert.equal(replay.active(), false);
  assert.equal(replay.frame(runs[0]).snap.step, 40);
  assert.equal(replay.rings(runs[0])[0], 'live rings');
  replay.move(-1);
  assert.equal(replay.step(), 30, '← from live shows the entry before the newest');
  replay.move(1);
  replay.move(1);
  assert.equal(replay.active(), false, '→ past the newest entry is live');
  replay.seek(30);
  replay.forgetAfter(20);
  assert.equal(replay.active(), false, 'a rollback before the cursor returns to live');
  assert.ok(changes >= 8);
});
