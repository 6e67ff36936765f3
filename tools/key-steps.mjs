// The step of each preset's key moment (web/presets.js `key`, and `rescue` where the moment is
// at birth), found with the real engine in node: the runs a preset starts (its settings,
// monitored at its own cadence), stepped one step at a time, read as the page reads them.
// Prints preset, pace, key step and the seconds that step takes at the pace. The wall time on
// the page is bench/pace.mjs's; this is the engine's side of the same definition.
//
//   node tools/key-steps.mjs [--max-steps 5000] [preset-id ...]
import { loadEngine } from '../web/engine.js';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { defaults, toEngineConfig, stepsPerSecond, BY_NAME } from '../web/state.js';
import { PRESETS, PRESET_BY_ID, presetState } from '../web/presets.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const maxAt = args.indexOf('--max-steps');
const MAX_STEPS = maxAt >= 0 ? Number(args.splice(maxAt, 2)[1]) : 5000;
const ids = args.length ? args : PRESETS.map((p) => p.id);
const dir = [process.env.RELU_WASM_DIR, path.join(ROOT, 'build-wasm'), path.join(ROOT, 'dist', 'web')].find((d) => d && fs.existsSync(path.join(d, 'relu_engine.wasm')));
if (!dir) throw new Error('relu_engine.wasm not found: build it first (bash playground.sh build)');
const engine = await loadEngine({ moduleUrl: pathToFileURL(path.join(dir, 'relu_engine.js')) });
// The real datasets (mnist, mnist14, iris) the page fetches: here from the build's packed files.
for (const name of ['mnist', 'mnist14', 'iris']) {
  const file = path.join(ROOT, 'build', 'data', `${name}.bin`);
  if (fs.existsSync(file)) engine.provideData(name, new Uint8Array(fs.readFileSync(file)));
}
const code = Object.fromEntries(engine.info().states.map((s, i) => [s.name ?? s, s.code ?? i]));

/** The step at which reached() first holds for the preset's runs (after `before` is applied to each), or null. */
export function keyStep(id, reached, before = null) {
  const state = presetState(id, defaults());
  const variants = state.compare ? state.compare.values.map((v) => ({ [state.compare.key]: v })) : [{}];
  const runs = variants.map((o) => engine.createRun(toEngineConfig(state, o)));
  try {
    if (before) for (const r of runs) before(r);
    const events = [];
    const first = runs.map((r) => r.snapshot());
    events.push(...first[0].events);
    let snaps = first;
    for (let step = 0; step <= MAX_STEPS; step++) {
      if (step > 0) {
        for (const r of runs) r.step(1);
        snaps = runs.map((r) => r.snapshot());
        events.push(...snaps[0].events);
      }
      if (reached(snaps, { first, events, code })) return snaps[0].step;
    }
    return null;
  } finally {
    for (const r of runs) r.dispose();
  }
}

const rows = [];
for (const id of ids) {
  const p = PRESET_BY_ID[id];
  if (!p) throw new Error(`unknown preset ${id}`);
  const step = keyStep(id, p.key.reached);
  const rate = stepsPerSecond(p.pace);
  rows.push([id, p.pace, p.key.what, step, step === null ? '-' : (step / rate).toFixed(1)]);
  if (p.rescue) {
    // The action's settings, live, from step 0 (the page applies them to the running run).
    const action = p.actions.find((a) => a.label === p.rescue.action);
    const pace = action.speed ?? p.pace;
    const s2 = keyStep(id, p.rescue.reached, (r) => {
      for (const [k, v] of Object.entries(action.set)) if (BY_NAME[k].engine) r.set(BY_NAME[k].engine, v);
    });
    rows.push([`${id}: ${action.label}`, pace, p.rescue.what, s2, s2 === null ? '-' : (s2 / stepsPerSecond(pace)).toFixed(1)]);
  }
}
console.log('| preset | pace (steps/s) | key moment | key step | seconds at pace |\n|---|---:|---|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
