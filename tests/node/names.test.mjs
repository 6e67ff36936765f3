// The page takes its names from the engine (engine.info()): the controls, the legend, the
// neuron card and the presets' checks read them from the worker's ready reply. The lists in
// web/state.js exist only so a link can be validated before the engine has loaded; this
// test keeps them equal to the engine's, and checks that the page can draw every state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';
import { SETTINGS } from '../../web/state.js';
import { STATE_LOOK, LEGEND_ORDER, stateTable } from '../../web/palette.js';

const info = engine.info();

test('every enum setting that names an engine list has exactly the engine values', () => {
  const named = SETTINGS.filter((s) => s.names);
  assert.deepEqual(named.map((s) => s.name).sort(), ['activation', 'dataset', 'init', 'optimizer']);
  // 'csv' is the page's upload (the engine takes it as csv_text, not as a named dataset);
  // 'uniform(-1,0)' is the page's choice of the engine's parametrised 'uniform'.
  const engineName = (v) => v.replace(/\(.*\)$/, '');
  for (const def of named) assert.deepEqual(def.values.filter((v) => v !== 'csv').map(engineName).sort(), [...info[def.names]].sort(), `${def.name} vs engine.info().${def.names}`);
});

test('the page has a look for every engine state, and the state table follows the engine codes', () => {
  assert.deepEqual(Object.keys(STATE_LOOK).sort(), [...info.states].sort());
  assert.deepEqual([...LEGEND_ORDER].sort(), [...info.states].sort());
  const table = stateTable(info.states);
  info.states.forEach((name, code) => {
    assert.equal(table.code[name], code);
    assert.equal(table.byCode[code].name, name);
    assert.equal(table.byCode[code].color, STATE_LOOK[name].color);
  });
  // A snapshot's codes are indices into that list: a dead run's units all carry code.dead.
  const run = engine.createRun({ dataset: 'spiral', layers: [4], bias_init: -50, seed: 1 });
  const s = run.snapshot();
  run.dispose();
  assert.ok(s.layers[0].states.every((c) => c === table.code.dead), `states ${Array.from(s.layers[0].states)}`);
});
