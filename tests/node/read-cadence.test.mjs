// When the worker reads its run (web/read-cadence.js), driven by a simulated clock: the
// worker's loop asks "is a snapshot due?" after every training slice and, when one is,
// "is the output map due too?". Flat out, snapshots come at most every flatOutMs and maps at
// most every gridMs (or slower when reads are costly); paused or paced, every frame, each
// with its map. Counts are upper bounds of the clock's time, so nothing here depends on speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadCadence, READ_CADENCE } from '../../web/read-cadence.js';

const { frameMs, flatOutMs, gridMs, budget } = READ_CADENCE;

/**
 * The worker's loop over `ms` of simulated time: a slice every sliceMs, then maybe a read.
 * Each read costs snapshotMs (and gridMs more for a map). Returns the times of the reads.
 */
function simulate({ ms, flatOut, sliceMs = 2, snapshotCost = 0.5, gridCost = 1, cadence = createReadCadence() }) {
  const snapshots = [], grids = [];
  let now = 0;
  while (now < ms) {
    now += sliceMs; // a training slice
    if (!cadence.snapshotDue(now, flatOut)) continue;
    cadence.snapshotRead(now, snapshotCost);
    snapshots.push(now);
    now += snapshotCost;
    if (cadence.gridDue(now, flatOut)) {
      cadence.gridRead(now, gridCost);
      grids.push(now);
      now += gridCost;
    }
  }
  return { snapshots, grids };
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

test('costly reads are stretched to stay within the budget of the worker time', () => {
  // A big network: a snapshot costs 20 ms and a map 30 ms, far above 10% of 50 ms and 100 ms.
  const snapshotCost = 20, gridCost = 30;
  const { snapshots, grids } = simulate({ ms: 20_000, flatOut: true, snapshotCost, gridCost });
  assert.ok(Math.min(...gaps(snapshots)) >= snapshotCost / budget, `snapshot gaps ${Math.min(...gaps(snapshots))} ms`);
  assert.ok(Math.min(...gaps(grids)) >= gridCost / budget, `map gaps ${Math.min(...gaps(grids))} ms`);
  const spent = snapshots.length * snapshotCost + grids.length * gridCost;
  assert.ok(spent <= 2 * budget * 20_000 + snapshotCost + gridCost, `reads took ${spent} ms of 20 s`);
});

test('one slow read (compiling, or preempted) does not slow the cadence', () => {
  const cadence = createReadCadence();
  cadence.snapshotRead(0, 400); // the first read compiles the engine's code
  cadence.gridRead(0, 600);
  assert.equal(cadence.intervals(true).snapshot, 400 / budget, 'one sample: taken as is');
  cadence.snapshotRead(4000, 0.5);
  cadence.gridRead(4000, 1);
  assert.deepEqual(cadence.intervals(true), { snapshot: flatOutMs, grid: gridMs }, 'the least of the recent reads');
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
  assert.deepEqual(cadence.intervals(true), { snapshot: flatOutMs, grid: gridMs });
});

test('pausing reads at once: a paused run is not held to the flat-out cadence', () => {
  const cadence = createReadCadence();
  cadence.snapshotRead(1000, 0.5);
  cadence.gridRead(1000, 1);
  assert.equal(cadence.snapshotDue(1000 + frameMs, true), false, 'flat out: not yet');
  assert.equal(cadence.snapshotDue(1000 + frameMs, false), true, 'paused: the next frame');
  assert.equal(cadence.gridDue(1000 + frameMs, false), true, 'with its map');
});
