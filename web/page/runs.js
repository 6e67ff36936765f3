// The run lifecycle: one RunRecord per compared value (one without compare), each with its
// own worker. Makes and replaces runs, sends play/pause/step/rollback to all of them, and
// restarts a worker that died. Whether a run plays is the worker's to say (the snapshot's
// `run.playing`); the page keeps only what it asked for last, for the runs it makes next.
import { RunClient } from '../worker-client.js';
import { toEngineConfig, formatValue, stepsPerSecond } from '../state.js';
import { RunRecord } from './run-record.js';

// A compared run is named by its setting and value ("lr 1", "activation leaky relu"): a bare
// "1" next to "48% dead" reads as a run number.
const COMPARE_NAMES = { biasInit: 'bias init', optimizer: 'optimiser', reviveEvery: 'revive every', alphaDropout: 'alpha dropout', standardize: 'standardise', slope: 'leaky slope', weightDecay: 'weight decay' };
export function compareLabel(key, v) {
  const value = typeof v === 'boolean' ? (v ? 'on' : 'off') : formatValue(key, v).replace(/_/g, ' ');
  return `${COMPARE_NAMES[key] ?? key} ${value}`;
}

const FAILURE_WINDOW_MS = 60000;
const MAX_FAILURES = 3; // in FAILURE_WINDOW_MS: a worker that cannot even start would fail forever

/**
 * state()        the current page state
 * csvText()      the uploaded CSV (dataset csv)
 * notice(lines, append)
 * onRestarted()  a new set of runs was made (views rebuild)
 * onFailure(message)  pending API calls fail with this message
 * onEngineInfo(info)  the engine's names arrived (first worker ready)
 * onDataProgress(progress)  a packed dataset is downloading: {name, loaded, total}, or null when done
 */
export function createRuns({ state, csvText, notice, onRestarted, onFailure, onEngineInfo, onDataProgress = () => {} }) {
  let runs = [];
  let wantPlaying = false;   // the last play/pause asked for: new runs start that way
  let pendingRestore = null; // an imported run for the next restart: {step, weights, history}
  let restarts = 0;
  let failures = [];         // times of the recent worker failures
  let destroyed = false;

  function variants() {
    const s = state();
    if (!s.compare) return [{ label: '', overrides: {} }];
    const { key, values } = s.compare;
    return values.map((v) => ({ label: compareLabel(key, v), overrides: { [key]: v } }));
  }

  function makeClient() {
    return new RunClient({
      onError: (c, message) => {
        const run = runs.find((r) => r.client === c);
        notice([`${run?.label ? run.label + ': ' : ''}${message}`], true);
        onFailure(message);
      },
      onReady: (c, info) => onEngineInfo(info),
      onFailed: (c, message) => workerFailed(c, message),
      onDataProgress: (c, progress) => onDataProgress(progress),
    });
  }

  // The worker died (an uncaught error, a crash): say so, start a new one and restore the
  // current settings (the state every snapshot was made from) in it.
  function workerFailed(c, message) {
    const run = runs.find((r) => r.client === c);
    if (destroyed || !run) return;
    const now = performance.now();
    failures = failures.filter((t) => now - t < FAILURE_WINDOW_MS);
    failures.push(now);
    if (failures.length > MAX_FAILURES) {
      notice([`The training worker keeps failing (${message}); it was not restarted again. Reload the page.`], true);
      onFailure(`the training worker stopped: ${message}`);
      play(false);
      return;
    }
    restarts++;
    const step = run.snap?.step;
    run.client = makeClient();
    onFailure(`the training worker stopped: ${message}`);
    notice([`${run.label ? run.label + ': ' : ''}The training worker stopped (${message})${step != null ? ` at step ${step}` : ''}. It was restarted with the current settings; training starts again from step 0.`], true);
    restart();
  }

  /** New runs from the current state (same workers where the count allows). */
  function restart() {
    const vs = variants();
    while (runs.length > vs.length) runs.pop().client.dispose();
    while (runs.length < vs.length) runs.push(new RunRecord(runs.length, makeClient()));
    const s = state();
    runs.forEach((run, k) => {
      run.reset({ ...vs[k], runs: vs.length });
      let cfg;
      try {
        cfg = toEngineConfig(s, run.overrides, csvText());
      } catch (e) {
        notice([String(e.message)], true);
        return;
      }
      if (pendingRestore && k === 0) {
        run.restore = pendingRestore;
        run.client.create(cfg, { steps: pendingRestore.step, weights: pendingRestore.weights });
      } else run.client.create(cfg);
      run.client.speed(stepsPerSecond(s.speed));
      if (wantPlaying) run.client.play();
    });
    pendingRestore = null;
    onRestarted();
  }

  function play(on) {
    wantPlaying = on;
    for (const r of runs) on ? r.client.play() : r.client.pause();
  }

  return {
    list: () => runs,
    main: () => runs[0],
    restart,
    play,
    /** What the workers last said: some run is training. */
    playing: () => runs.some((r) => r.status?.playing),
    /** Every run has stopped by itself (diverged): new runs should not start playing. */
    settle: () => {
      if (runs.every((r) => r.snap?.diverged)) wantPlaying = false;
    },
    step: (n) => {
      wantPlaying = false;
      for (const r of runs) r.client.step(n);
    },
    rollback: () => {
      for (const r of runs) if (r.snap?.diverged) r.client.rollback();
    },
    /** A live setting for every run (the compared setting belongs to each run). */
    set: (engineKey, value, comparedEngineKey) => {
      for (const r of runs) if (engineKey !== comparedEngineKey) r.client.set(engineKey, value);
    },
    speed: () => runs.forEach((r) => r.client.speed(stepsPerSecond(state().speed))),
    revive: () => runs.forEach((r) => r.client.revive()),
    restoreNext: (restore) => (pendingRestore = restore),
    restarts: () => restarts,
    destroy() {
      destroyed = true;
      for (const r of runs) r.client.dispose();
      runs = [];
    },
  };
}
