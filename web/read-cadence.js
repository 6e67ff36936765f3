// When the worker reads its run for the page: the snapshot (losses, the monitor's report,
// histograms, weights) and the output map (the network evaluated over a 64 x 64 grid of the
// input plane). Reads are pure (a run trains the same however often it is read:
// tests/node/events.test.mjs) but not free: on the 6 x 16 ReLU net of bench/ui-frames.mjs a
// snapshot costs about as much as 20 training steps (with the monitor on the engine's own
// cadence) and the output map 35, and the page used to read both 60 times a second. The
// page draws at 60 Hz, but numbers that change 20 times a second look just as live, so:
//
//   paused or paced      a snapshot per display frame (frameMs) when something changed, and
//                        the output map with each: each step is seen, and reads are cheap
//                        next to a slow pace. Unless a read is costly: then each kind of read
//                        at most every cost / pacedBudget ms, so reads take at most that share
//                        of the wall time. A snapshot of MNIST's 784-256-256-10 net evaluates
//                        the losses over 10,000 images, ~100-270 ms (24 training steps): one
//                        per frame would peg the worker and cut a 30 steps/s pace to ~20,
//                        while the states it shows change only at the monitor's cadence
//                        (monitor-cadence.js: every 22 steps there).
//   training flat out    (speed max) a snapshot at most every flatOutMs (20 Hz) and the
//                        output map at most every gridMs (10 Hz: it is the costlier read and
//                        changes slowly); and each read only once the worker has trained for
//                        cost / budget ms since the last one, so that reads take at most
//                        `budget` of the time the worker trains. A big network's reads are
//                        slower; and on a busy machine the worker gets fewer ms a second to
//                        train, while reads at a fixed rate would keep their cost.
//
// Pure bookkeeping over a clock the caller passes in (ms), so tests can drive it
// (tests/node/read-cadence.test.mjs).
export const READ_CADENCE = Object.freeze({
  frameMs: 16,
  flatOutMs: 50,
  gridMs: 100,
  budget: 0.1,
  pacedBudget: 0.25,
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
 * Returns {trained(ms), snapshotDue(now, flatOut), gridDue(now, flatOut), snapshotRead(at, ms),
 *          gridRead(at, ms), intervals(flatOut), newRun()}.
 */
export function createReadCadence(options = {}) {
  const o = { ...READ_CADENCE, ...options };
  const snapshotCost = costTracker(o.costWindow);
  const gridCost = costTracker(o.costWindow);
  let lastSnapshotAt = -Infinity;
  let lastGridAt = -Infinity;
  let trainedSinceSnapshot = 0; // ms the worker spent training since the read
  let trainedSinceGrid = 0;

  /** Least wall time between reads (ms), and least training time before the next one (ms). */
  function intervals(flatOut) {
    if (!flatOut) {
      return { snapshot: Math.max(o.frameMs, snapshotCost.typical / o.pacedBudget), grid: gridCost.typical / o.pacedBudget, snapshotTraining: 0, gridTraining: 0 };
    }
    return {
      snapshot: o.flatOutMs,
      grid: o.gridMs,
      snapshotTraining: snapshotCost.typical / o.budget,
      gridTraining: gridCost.typical / o.budget,
    };
  }

  return {
    intervals,
    /** The worker trained for ms (one slice). */
    trained(ms) {
      trainedSinceSnapshot += ms;
      trainedSinceGrid += ms;
    },
    /** A snapshot may be read at `now` (ms); flatOut: training at maximum speed. */
    snapshotDue(now, flatOut) {
      const i = intervals(flatOut);
      return now - lastSnapshotAt >= i.snapshot && trainedSinceSnapshot >= i.snapshotTraining;
    },
    /** The output map should be recomputed with the snapshot read at `now`. */
    gridDue(now, flatOut) {
      const i = intervals(flatOut);
      return now - lastGridAt >= i.grid && trainedSinceGrid >= i.gridTraining;
    },
    /** A snapshot was read at `at`, taking ms. */
    snapshotRead(at, ms) {
      lastSnapshotAt = at;
      trainedSinceSnapshot = 0;
      snapshotCost.add(ms);
    },
    /** The output map was computed at `at`, taking ms. */
    gridRead(at, ms) {
      lastGridAt = at;
      trainedSinceGrid = 0;
      gridCost.add(ms);
    },
    /** A new run: its first snapshot and output map are due at once; costs are measured afresh. */
    newRun() {
      lastSnapshotAt = lastGridAt = -Infinity;
      trainedSinceSnapshot = trainedSinceGrid = 0;
      snapshotCost.clear();
      gridCost.clear();
    },
  };
}
