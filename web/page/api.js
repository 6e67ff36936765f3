// The public API of one playground: the methods of the <relu-playground> element, the
// iframe's message API and window.__reluApp, plus read-only views for the tests
// (window.__relu). Every change goes through the same paths as the page's own controls.
import { parse, defaults, SETTINGS, BY_NAME, formatValue, show, MAX_SET_KEYS } from '../state.js';
import { PRESET_BY_ID, presetState, keyMoment } from '../presets.js';
import { describe, valueText } from '../input-checks.js';
import { MAX_PAGE_EVENTS } from './run-record.js';
import { stateQuery } from './link.js';

const MAX_API_STEPS = 1e6;

/** The numbers a caller gets back (getStats, step, reset, import). */
export function runStats(runs, playing) {
  const one = (run) => {
    const s = run.snap;
    if (!s) return null;
    return {
      label: run.label,
      step: s.step,
      trainLoss: s.trainLoss,
      testLoss: s.testLoss,
      testAccuracy: s.testAccuracy,
      diverged: !!s.diverged,
      layers: s.layers.map((l) => ({
        width: l.width,
        activation: l.activation,
        fractionDead: l.deadFraction,
        fractionMostlySilent: l.silentFraction,
        counts: { ...l.counts },
      })),
    };
  };
  const main = runs[0] ? one(runs[0]) : null;
  return main ? { ...main, playing, runs: runs.length > 1 ? runs.map(one) : undefined } : null;
}

/**
 * state(), apply(next, opts), runs (runs.js), loop (draw-loop.js), files (run-files.js),
 * pictures (pictures.js), stories (stories.js), notices, panels, interventions (interventions.js),
 * flags, applyPreset(id), replay (the replay cursor, replay.js), states() (the engine's state
 * table, once known), destroy()
 */
export function createApi({ state, apply, runs, loop, files, pictures, stories, notices, panels, interventions, flags, applyPreset, authorWarnings, replay, states, destroy }) {
  const stats = () => runStats(runs.list(), runs.playing());

  /**
   * Partial URL-state (keys as in the URL; values as numbers, strings, arrays) -> validated.
   * Out-of-range values are clamped (as in a link); a value that is no value of its setting
   * at all (not a number, an unknown name, an object) leaves that setting as it was.
   * A preset among the keys applies its settings first, then the other keys on top.
   * source: who asks ('set', 'attributes', 'message'), for the story's note.
   */
  function setState(partial, source = 'set') {
    if (!partial || typeof partial !== 'object' || Array.isArray(partial)) throw new Error('set: state must be an object of URL-state keys, e.g. {lr: 0.5}');
    const entries = Object.entries(partial);
    if (entries.length > MAX_SET_KEYS) throw new Error(`set: state has ${entries.length} keys; at most ${MAX_SET_KEYS} are accepted (there are ${SETTINGS.length} settings)`);
    const now = state();
    const warnings = [];
    const values = {}; // key -> validated value
    for (const [rawKey, v] of entries) {
      if (v === null || v === undefined) continue;
      const k = rawKey.trim();
      if (!Object.hasOwn(BY_NAME, k)) {
        warnings.push(`unknown setting "${show(k)}" ignored`);
        continue;
      }
      const kept = `${k} kept at ${now[k] === null ? 'auto' : formatValue(k, now[k])}`;
      const text = valueText(k, v);
      if (text === null) {
        warnings.push(`${k}: ${describe(v)} is not a value of this setting; ${kept}`);
        continue;
      }
      // Each key on its own, through the same reader as a link.
      const p = parse(new URLSearchParams([[k, text]]));
      if (p.invalid.includes(k)) {
        if (k === 'dataset' && p.state.dataset !== 'csv' && text.trim().toLowerCase() === 'csv') warnings.push(`dataset: "csv" is chosen by uploading a CSV file in the settings, not by name; ${kept}`);
        else for (const w of p.warnings) warnings.push(`${w.replace(/; using .*$/, '')}; ${kept}`);
        continue;
      }
      warnings.push(...p.warnings);
      values[k] = p.state[k];
    }
    const preset = PRESET_BY_ID[values.preset];
    const next = preset ? presetState(preset.id, { ...defaults(), speed: now.speed, hist: now.hist }, values) : { ...now, ...values };
    if (next.dropout > 0 && next.alphaDropout > 0) next['alphaDropout' in values ? 'dropout' : 'alphaDropout'] = 0;
    const { preset: _, ...explicit } = values;
    // The story names what this call changed, and who changed it (a preset in the call starts afresh).
    stories.setExplicit(explicit, source, { replace: !!preset });
    apply(next, { restart: !!preset });
    return { state: structuredClone(state()), warnings };
  }

  return {
    play: () => (runs.play(true), true),
    pause: () => (runs.play(false), false),
    async step(n = 1) {
      const k = Math.floor(Number(n));
      if (!(k >= 1 && k <= MAX_API_STEPS)) throw new Error('step: n must be an integer from 1 to 1000000');
      await loop.whenSnapshot(() => true);
      const target = runs.main().snap.step + k;
      runs.step(k);
      await loop.whenSnapshot((s) => s.step >= target || s.diverged);
      return stats();
    },
    async reset() {
      runs.restart();
      await loop.whenSnapshot((s) => s.step === 0);
      return stats();
    },
    /** set(state): see setState. The element and the message API pass their source for the story's note. */
    set: (partial, source) => setState(partial, ['attributes', 'message'].includes(source) ? source : 'set'),
    getState: () => ({ state: structuredClone(state()), query: stateQuery(state()) }),
    async getStats() {
      await loop.whenSnapshot(() => true);
      return stats();
    },
    ready: () => loop.whenSnapshot(() => true).then(() => true),
    statsCsv: files.statsCsv,
    exportRun: files.exportRun,
    importRun: files.importRun,
    exportWeights: files.exportWeights,
    importWeights: files.importWeights,
    /** Shows lines in the playground's notice (always as text). */
    notice: (lines) => notices.notice([].concat(lines).map((l) => String(l))),
    pngBlob: pictures.pngBlob,
    pictures: pictures.ids,
    flags,
    /** The embedding author's mistakes (hide=, origins=, embed=): also on the console, never in the notice. */
    getWarnings: () => ({ warnings: authorWarnings() }),
    destroy,
    // Read-only views of what the page shows (tests).
    debug: {
      get state() {
        return structuredClone(state());
      },
      get snapshots() {
        return runs.list().map((r) => r.snap);
      },
      // What the views draw for each run: the newest snapshot, or the replayed one.
      get shown() {
        return runs.list().map((r) => {
          const f = replay.frame(r);
          return { replay: f.replay, snapshot: f.snap };
        });
      },
      // The replay: the cursor (null: live), and each run's store (sizes, kept steps, arrival numbers).
      get replay() {
        return { active: replay.active(), step: replay.step(), stores: runs.list().map((r) => r.replay.stats()) };
      },
      // The steps the network pictures and the histograms last drew.
      get drawn() {
        return panels.drawn();
      },
      // Where step sits on the timeline, in viewport coordinates (tests press there).
      timelinePoint: (step) => panels.timelinePoint(step),
      // The engine's state names, by code (a snapshot's states index this list).
      get stateNames() {
        return states?.()?.byCode.map((s) => s.name) ?? null;
      },
      // Where unit i of hidden layer l sits in run k's network picture (a node or a grid cell), in viewport coordinates.
      unitPoint: (l, i, k = 0) => panels.unitPoint(k, l, i),
      // Image data: the gallery's selected input ({set, index, label, predicted} or null; also
      // the page event 'relu-input-selected'), and where unit i's receptive field is on screen.
      get selectedInput() {
        return panels.selectedInput();
      },
      fieldPoint: (i) => panels.fieldPoint(i),
      get cardUnit() {
        return panels.selection();
      },
      get events() {
        return runs.list().map((r) => r.events.slice());
      },
      // The current preset's key moment (web/presets.js `key`, and `rescue` where the moment is
      // at birth) on the snapshots on screen: {preset, step, key, rescue} with each
      // {what, reached}; null without a preset or before every run has a snapshot
      // (bench/pace.mjs and the pacing tests read it).
      get keyMoment() {
        return keyMoment(state().preset, runs.list(), states?.()?.code);
      },
      get outcome() {
        const el = stories.outcomeElement();
        return { ok: el.dataset.ok, text: el.textContent };
      },
      get playing() {
        return runs.playing();
      },
      // The interventions the page follows: per run [{op, step, units, window, cameAlive,
      // diedAgain, done, marked…}], the marks drawn now, and the notes by the controls.
      get interventions() {
        return interventions.debug();
      },
      // What each worker said about its run in its newest snapshot: {playing, rollbackStep, revived, action}.
      get runStatus() {
        return runs.list().map((r) => structuredClone(r.status));
      },
      get history() {
        return runs.main()?.historyTable() ?? { names: [], rows: [], stride: 1, offered: 0 };
      },
      // Sizes of every growing structure of the first run (bench/soak.mjs checks them).
      get buffers() {
        const r = runs.main();
        return {
          events: r?.events.length ?? 0,
          maxEvents: 2 * MAX_PAGE_EVENTS,
          timeline: panels.timelineBuffers(),
          histograms: (r?.hist ?? []).map((h) => ({ pre: h.pre.length, act: h.act.length, grad: h.grad.length, capacity: h.pre.capacity })),
          refs: r?.refs.length ?? 0,
          replay: runs.list().map((run) => {
            const { entries, capacity, bytes, budget, bytesPerEntry } = run.replay.stats();
            return { entries, capacity, bytes, budget, bytesPerEntry };
          }),
          notices: notices.count(),
        };
      },
      serialize: () => stateQuery(state()),
      get workerRestarts() {
        return runs.restarts();
      },
      // Test hooks: make run k's worker crash (an uncaught error at its top level), roll back.
      crashWorker: (k = 0) => runs.list()[k]?.client.crash(),
      rollback: () => runs.rollback(),
      timings: loop.timings,
      drawSamples: () => loop.drawSamples(),
      applyPreset,
    },
  };
}
