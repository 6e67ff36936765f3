// The draw loop: takes each run's newest snapshot (at most one per frame), then draws in
// requestAnimationFrame. Views are drawn on their own cadence, and at most one of the heavy
// ones per frame (the most overdue), so a frame never pays for every panel at once, and a
// view is redrawn only when what it shows changed (its stamp: by default, any new snapshot).
// The API's calls wait here for a snapshot that passes their test (whenSnapshot).
// The first frame that draws a snapshot leaves a performance mark, FIRST_DRAW_MARK (its
// startTime is the time since navigation; bench/ui-frames.mjs reads it).
const TEXT_EVERY_MS = 100;
const POLL_MS = 50;
const DRAW_SAMPLES = 256;
export const FIRST_DRAW_MARK = 'relu:first-snapshot-drawn';

/**
 * views     [{id, every (ms), draw(), stamp()?}]: the heavy panels; stamp() returns what the
 *           view shows (compared by identity: the view is redrawn when it changes)
 * drawText  the cheap text (every TEXT_EVERY_MS)
 * take()    ingests every run's fresh snapshot; true if any arrived
 * ready()   there is something to draw (the main run has a snapshot)
 * main()    the main run's newest snapshot (what waiters test)
 */
export function createDrawLoop({ views, drawText, take, ready, main }) {
  const timings = Object.fromEntries([...views.map((v) => v.id), 'text'].map((id) => [id, 0]));
  // The last DRAW_SAMPLES draw times of each view, oldest first (benchmarks read them: bench/wide-frames.mjs).
  const samples = Object.fromEntries(Object.keys(timings).map((id) => [id, []]));
  const cadence = views.map((v) => ({ ...v, last: -Infinity, drawn: undefined }));
  let version = 0;      // bumped by every ingested snapshot
  let firstDrawn = false;
  let lastText = -Infinity;
  let force = false;    // draw everything on the next frame (resize, a view setting)
  let stopped = false;
  let waiters = [];     // { test(snap) -> bool, resolve, reject }
  let pollTimer = null;

  function timed(id, fn) {
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    timings[id] = 0.9 * timings[id] + 0.1 * ms;
    const ring = samples[id];
    ring.push(ms);
    if (ring.length > 2 * DRAW_SAMPLES) ring.splice(0, ring.length - DRAW_SAMPLES);
  }

  const stampOf = (v) => (v.stamp ? v.stamp() : version);

  function draw(now) {
    if (!ready()) return;
    let pick = null, lateness = 0;
    for (const v of cadence) {
      if (!force && v.drawn === stampOf(v)) continue;
      const late = (now - v.last) / v.every;
      if (late >= 1 && late > lateness) (pick = v), (lateness = late);
    }
    // The first frame with a snapshot draws the first view (the network) alone, even when a
    // redraw of everything is pending (a resize at load): the first picture comes a frame
    // sooner, and the rest (the charts build their plots then) follow on the next frames.
    const first = !firstDrawn && cadence.length > 0;
    for (const v of first ? [cadence[0]] : force ? cadence : pick ? [pick] : []) {
      v.drawn = stampOf(v);
      timed(v.id, v.draw);
      v.last = now;
    }
    if (first) {
      firstDrawn = true;
      performance.mark?.(FIRST_DRAW_MARK);
      return; // text and any pending redraw: next frame
    }
    if (force || now - lastText >= TEXT_EVERY_MS) {
      lastText = now;
      timed('text', drawText);
    }
    force = false;
  }

  function pump() {
    if (take()) version++;
    const s = main();
    if (s && waiters.length) waiters = waiters.filter((w) => (w.test(s) ? (w.resolve(), false) : true));
    if (!waiters.length && pollTimer !== null) {
      clearInterval(pollTimer);
      pollTimer = null;
    }
  }

  function frame(now) {
    if (stopped) return;
    requestAnimationFrame(frame);
    pump();
    draw(now);
  }

  return {
    start: () => requestAnimationFrame(frame),
    redraw: () => (force = true),
    timings,
    /** The newest draw times of each view (ms), up to DRAW_SAMPLES. */
    drawSamples: () => Object.fromEntries(Object.entries(samples).map(([id, r]) => [id, r.slice(-DRAW_SAMPLES)])),
    /** Resolves once the main run's snapshot passes test (rejected by failWaiters). */
    whenSnapshot(test) {
      pump();
      const s = main();
      if (s && test(s)) return Promise.resolve();
      // requestAnimationFrame does not run in a hidden tab or an off-screen cross-origin
      // iframe; an API call must still see its snapshots, so poll while anyone waits.
      pollTimer ??= setInterval(pump, POLL_MS);
      return new Promise((resolve, reject) => waiters.push({ test, resolve, reject }));
    },
    /** A worker error fails every pending API call (step, import…) instead of leaving it hanging. */
    failWaiters(message) {
      const failed = waiters;
      waiters = [];
      for (const w of failed) w.reject(new Error(message));
    },
    stop() {
      stopped = true;
      if (pollTimer !== null) clearInterval(pollTimer);
    },
  };
}
