// When the worker reads its run (web/read-cadence.js), driven by a simulated clock: the
// worker's loop asks "is a snapshot due?" after every training slice and, when one is,
// "is the output map due too?". Flat out, snapshots come at most every flatOutMs and maps at
// most every gridMs, and reads take at most `budget` of the training time (costly reads, a
// busy machine); paused or paced, every frame, each with its map. Counts are upper bounds of
// the simulated clock, so nothing here depends on the machine's speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadCadence, READ_CADENCE } from '../../web/read-cadence.js';

const { frameMs, flatOutMs, gridMs, budget, pacedBudget } = READ_CADENCE;

/**
 * The worker's loop over `ms` of simulated time: a training slice of sliceMs, then maybe a
 * read. share: the part of the wall time the worker gets (a busy machine: 0.2), which
 * stretches slices and reads alike. A snapshot costs snapshotCost ms of the worker's time,
 * a map gridCost more. Returns the times of the reads and the time spent training and reading.
 */
function simulate({ ms, flatOut, sliceMs = 2, snapshotCost = 0.5, gridCost = 1, share = 1, cadence = createReadCadence() }) {
  const snapshots = [], grids = [];
  let now = 0, training = 0, reading = 0;
  while (now < ms) {
    now += sliceMs / share; // a training slice, preempted by the neighbours
    training += sliceMs;
    cadence.trained(sliceMs / share); // the worker times it on the wall clock
    if (!cadence.snapshotDue(now, flatOut)) continue;
    const at = now;
    cadence.snapshotRead(at, snapshotCost / share);
    snapshots.push(at);
    now += snapshotCost / share;
    reading += snapshotCost;
    if (cadence.gridDue(at, flatOut)) {
      cadence.gridRead(at, gridCost / share);
      grids.push(at);
      now += gridCost / share;
      reading += gridCost;
    }
  }
  return { snapshots, grids, training, reading };
}

const gaps = (times) => times.slice(1).map((t, k) => t - times[k]);

test('flat out: a snapshot at most every flatOutMs and an output map at most every gridMs', () => {
  const { snapshots, grids } = simulate({ ms: 10_000, flatOut: true });
  assert.ok(Math.min(...gaps(snapshots)) >= flatOutMs, `snapshot gaps ${Math.min(...gaps(snapshots))} ms`);
  assert.ok(Math.min(...gaps(grids)) >= gridMs, `map gaps ${Math.min(...gaps(grids))} ms`);
  // At most one per interval of the clock, and not much fewer: the page still sees 20 and 10 a second.
  assert.ok(snapshots.length <= 10_000 / flatOutMs + 1 && snapshots.length >= 10_000 / flatOutMs / 1.2, `${snapshots.length} snapshots in 10 s`);
  assert.ok(grids.length <= 10_000 / gridMs + 1 && grids.length >= 10_000 / gridMs / 1.2, `${grids.length} maps in 10 s`);
  // Every map goes with a snapshot (it is sent in the snapshot's message).
  for (const g of grids) assert.ok(snapshots.some((s) => g - s >= 0 && g - s < 1), `map at ${g} has its snapshot`);
});

test('paused or paced: a snapshot every frame, each with its output map', () => {
  const { snapshots, grids } = simulate({ ms: 2_000, flatOut: false });
  assert.ok(Math.min(...gaps(snapshots)) >= frameMs);
  assert.ok(snapshots.length >= 2_000 / (frameMs + 2) - 1, `${snapshots.length} snapshots in 2 s`);
  assert.equal(grids.length, snapshots.length, 'a map with every snapshot');
});

test('paused or paced, costly reads (MNIST: the losses over 10,000 images) take at most pacedBudget of the wall time', () => {
  const snapshotCost = 120, gridCost = 8;
  const { snapshots, grids } = simulate({ ms: 20_000, flatOut: false, snapshotCost, gridCost });
  assert.ok(Math.min(...gaps(snapshots)) >= snapshotCost / pacedBudget, `snapshot gaps ${Math.min(...gaps(snapshots))} ms`);
  assert.ok(Math.min(...gaps(grids)) >= gridCost / pacedBudget, `map gaps ${Math.min(...gaps(grids))} ms`);
  // Still a snapshot every cost / pacedBudget ms (+ a slice), not fewer.
  assert.ok(snapshots.length >= 20_000 / (snapshotCost / pacedBudget + snapshotCost + gridCost + 2) - 1, `${snapshots.length} snapshots in 20 s`);
  // Cheap reads (a small net) keep the frame cadence: the test above, with 0.5 and 1 ms reads.
  const cadence = createReadCadence();
  cadence.snapshotRead(0, 0.5);
  assert.equal(cadence.intervals(false).snapshot, frameMs);
});

test('costly reads are stretched to stay within the budget of the training time', () => {
  // A big network: a snapshot costs 20 ms and a map 30 ms, far above 10% of 50 ms and 100 ms.
  const snapshotCost = 20, gridCost = 30;
  const { snapshots, grids, training, reading } = simulate({ ms: 20_000, flatOut: true, snapshotCost, gridCost });
  assert.ok(Math.min(...gaps(snapshots)) >= snapshotCost / budget, `snapshot gaps ${Math.min(...gaps(snapshots))} ms`);
  assert.ok(Math.min(...gaps(grids)) >= gridCost / budget, `map gaps ${Math.min(...gaps(grids))} ms`);
  // Each kind of read within the budget of the training (the first of each comes at once).
  assert.ok(reading <= 2 * budget * training + snapshotCost + gridCost, `reads took ${reading} ms for ${training} ms of training`);
});

test('on a busy machine reads still take at most the budget of the training time', () => {
  // The worker gets a fifth of the wall time: at a fixed 20 and 10 Hz the reads would take
  // (20 x 0.5 + 10 x 1) ms of each 200 ms the worker trains per second, 10% instead of 2%;
  // with a 3 ms snapshot and a 5 ms map, 55%.
  const snapshotCost = 3, gridCost = 5;
  const { snapshots, grids, training, reading } = simulate({ ms: 20_000, flatOut: true, snapshotCost, gridCost, share: 0.2 });
  assert.ok(reading <= 2 * budget * training + snapshotCost + gridCost, `reads took ${reading} ms for ${training} ms of training`);
  assert.ok(snapshots.length >= 20 && grids.length >= 10, `still reading: ${snapshots.length} snapshots, ${grids.length} maps in 20 s`);
  // Not starved of maps either: the map is due every gridTraining ms of training at the most.
  assert.ok(grids.length >= training / (gridCost / budget) / 2, `${grids.length} maps for ${training} ms of training`);
});

test('one slow read (compiling, or preempted) does not slow the cadence', () => {
  const cadence = createReadCadence();
  cadence.snapshotRead(0, 400); // the first read compiles the engine's code
  cadence.gridRead(0, 600);
  assert.equal(cadence.intervals(true).snapshotTraining, 400 / budget, 'one sample: taken as is');
  cadence.snapshotRead(4000, 0.5);
  cadence.gridRead(4000, 1);
  const i = cadence.intervals(true);
  assert.deepEqual([i.snapshotTraining, i.gridTraining], [0.5 / budget, 1 / budget], 'the least of the recent reads');
});

test('a new run reads at once and forgets the costs of the last one', () => {
  const cadence = createReadCadence();
  cadence.snapshotRead(100, 30);
  cadence.gridRead(100, 40);
  assert.equal(cadence.snapshotDue(101, true), false);
  assert.equal(cadence.gridDue(101, true), false);
  cadence.newRun();
  assert.equal(cadence.snapshotDue(101, true), true);
  assert.equal(cadence.gridDue(101, true), true);
  cadence.trained(1); // training time counts from the new run's first read
  assert.equal(cadence.snapshotDue(101, true), true);
});

test('flat out, a read waits for enough training, whatever the wall clock says', () => {
  const cadence = createReadCadence();
  cadence.snapshotRead(0, 2);
  cadence.gridRead(0, 4);
  cadence.trained(10);
  assert.equal(cadence.snapshotDue(1000, true), false, '10 ms of training < 2 ms / budget');
  cadence.trained(10);
  assert.equal(cadence.snapshotDue(1000, true), true, '20 ms of training');
  assert.equal(cadence.gridDue(1000, true), false, '20 ms of training < 4 ms / budget');
  assert.equal(cadence.snapshotDue(1000, false), true, 'paused or paced: the frame cadence only');
});

test('pausing reads at once: a paused run is not held to the flat-out cadence', () => {
  const cadence = createReadCadence();
  cadence.snapshotRead(1000, 0.5);
  cadence.gridRead(1000, 1);
  assert.equal(cadence.snapshotDue(1000 + frameMs, true), false, 'flat out: not yet');
  assert.equal(cadence.snapshotDue(1000 + frameMs, false), true, 'paused: the next frame');
  assert.equal(cadence.gridDue(1000 + frameMs, false), true, 'with its map');
});
