// When the worker reads its run for the page: the snapshot (losses, the monitor's report,
// histograms, weights) and the output map (the network evaluated over a 64 x 64 grid of the
// input plane). Reads are pure (a run trains the same however often it is read:
// tests/node/events.test.mjs) but not free. On the 6 x 16 ReLU net of bench/ui-frames.mjs a
// snapshot costs about as much as 60-90 training steps and the output map 100-150; read at
// 60 Hz while training flat out, they and the page's drawing kept the page at 58% of the bare
// engine's step rate. The page draws at 60 Hz, but numbers that change 20 times a second
// look just as live, so:
//
//   paused or paced      a snapshot per display frame (FRAME_MS) when something changed, and
//                        the output map with each: each step is seen, and reads are cheap
//                        next to a slow pace.
//   training flat out    (speed max) a snapshot every FLAT_OUT_MS (20 Hz), the output map
//                        every GRID_MS (10 Hz, it is the costlier read and changes slowly),
//                        and each stretched if needed so that reads take at most BUDGET of
//                        the worker's time (a big network's reads are slower).
//
// Pure bookkeeping over a clock the caller passes in (ms), so tests can drive it
// (tests/node/read-cadence.test.mjs).
export const READ_CADENCE = Object.freeze({
  frameMs: 16,
  flatOutMs: 50,
  gridMs: 100,
  budget: 0.1,
  // A read's typical cost is the least of the last few: the first read includes compiling
  // the engine's code, and a read the OS preempted says nothing about the next one.
  costWindow: 8,
});

function costTracker(window) {
  const samples = [];
  return {
    add(ms) {
      samples.push(ms);
      if (samples.length > window) samples.shift();
    },
    get typical() {
      return samples.length ? Math.min(...samples) : 0;
    },
    clear() {
      samples.length = 0;
    },
  };
}

/**
 * options: overrides of READ_CADENCE.
 * Returns {snapshotDue(now, flatOut), gridDue(now, flatOut), snapshotRead(at, ms), gridRead(at, ms),
 *          intervals(flatOut) -> {snapshot, grid} (ms), newRun()}.
 */
export function createReadCadence(options = {}) {
  const o = { ...READ_CADENCE, ...options };
  const snapshotCost = costTracker(o.costWindow);
  const gridCost = costTracker(o.costWindow);
  let lastSnapshotAt = -Infinity;
  let lastGridAt = -Infinity;

  function intervals(flatOut) {
    if (!flatOut) return { snapshot: o.frameMs, grid: 0 };
    return {
      snapshot: Math.max(o.flatOutMs, snapshotCost.typical / o.budget),
      grid: Math.max(o.gridMs, gridCost.typical / o.budget),
    };
  }

  return {
    intervals,
    /** A snapshot may be read at `now` (ms); flatOut: training at maximum speed. */
    snapshotDue: (now, flatOut) => now - lastSnapshotAt >= intervals(flatOut).snapshot,
    /** The output map should be recomputed with the snapshot read at `now`. */
    gridDue: (now, flatOut) => now - lastGridAt >= intervals(flatOut).grid,
    /** A snapshot was read at `at`, taking ms. */
    snapshotRead(at, ms) {
      lastSnapshotAt = at;
      snapshotCost.add(ms);
    },
    /** The output map was computed at `at`, taking ms. */
    gridRead(at, ms) {
      lastGridAt = at;
      gridCost.add(ms);
    },
    /** A new run: its first snapshot and output map are due at once; costs are measured afresh. */
    newRun() {
      lastSnapshotAt = lastGridAt = -Infinity;
      snapshotCost.clear();
      gridCost.clear();
    },
  };
}
