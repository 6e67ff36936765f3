// The page takes its names from the engine (engine.info()): the controls, the legend, the
// neuron card and the presets' checks read them from the worker's ready reply, and the lists
// web/state.js validates links with before the engine has loaded come from web/engine-names.js,
// which tools/engine-names.mjs generates from engine.info() at build time. This test checks
// that the generated module is the engine's, that state.js adds only its documented page-only
// values, that no copy of an engine list is left in web/, and that the page can draw every state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { engine, ROOT } from './wasm-engine.mjs';
import { LISTS, HEADER, OUTPUT, moduleText } from '../../tools/engine-names.mjs';

const info = engine.info();

// state.js imports the generated file: without it, say how to make it (not just "module not found").
if (!existsSync(OUTPUT))
  throw new Error(`${relative(ROOT, OUTPUT)} is missing: it is generated from the wasm engine by ` +
    `tools/engine-names.mjs (node tools/engine-names.mjs, or bash playground.sh wasm / dist)`);
const generated = await import(pathToFileURL(OUTPUT).href);
const { SETTINGS, CSV_DATASET, PAGE_UNIFORM } = await import('../../web/state.js');
const { STATE_LOOK, LEGEND_ORDER, stateTable } = await import('../../web/palette.js');

test('web/engine-names.js is generated from this engine: every list equal, frozen, in the engine order', () => {
  const source = readFileSync(OUTPUT, 'utf8');
  assert.ok(source.startsWith(HEADER + '\n'), 'the header says it is generated and not to be edited');
  assert.equal(source, moduleText(info), 'the file is what the generator writes for this engine (rerun tools/engine-names.mjs)');
  assert.deepEqual(Object.keys(generated).sort(), Object.keys(LISTS).sort());
  for (const key of Object.keys(LISTS)) {
    assert.deepEqual(generated[key], info[key], `engine-names.js ${key} vs engine.info().${key}`);
    assert.ok(Object.isFrozen(generated[key]), `${key} is frozen`);
  }
});

test('the generator refuses an engine.info() whose list is missing or not names', () => {
  const { datasets, ...rest } = info;
  assert.throws(() => moduleText(rest), /engine\.info\(\)\.datasets is not a non-empty list of names/);
  assert.throws(() => moduleText({ ...info, inits: [] }), /engine\.info\(\)\.inits is not/);
  assert.throws(() => moduleText({ ...info, optimizers: ['sgd', 3] }), /engine\.info\(\)\.optimizers is not/);
});

test("state.js's enum settings are the engine's lists, in its order, plus the documented page-only values", () => {
  const named = Object.fromEntries(SETTINGS.filter((s) => s.names).map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(named).sort(), ['activation', 'dataset', 'init', 'optimizer']);
  // 'csv' is the page's upload (the engine takes it as csv_text, not as a named dataset);
  // 'uniform(-1,0)' is the page's instance of the engine's parametrised 'uniform'.
  assert.equal(CSV_DATASET, 'csv');
  assert.equal(PAGE_UNIFORM, 'uniform(-1,0)');
  assert.ok(info.inits.includes('uniform'), "the engine still has the parametrised 'uniform' init");
  const expected = {
    dataset: [...info.datasets, 'csv'],
    activation: info.activations,
    init: info.inits.map((n) => (n === 'uniform' ? 'uniform(-1,0)' : n)),
    optimizer: info.optimizers,
  };
  for (const [name, values] of Object.entries(expected)) {
    assert.deepEqual([...named[name].values], [...values], `${name} vs engine.info().${named[name].names}`);
    assert.deepEqual(named[name].names, { dataset: 'datasets', activation: 'activations', init: 'inits', optimizer: 'optimizers' }[name]);
    assert.ok(values.includes(named[name].default), `${name}'s default ${named[name].default} is one of its values`);
  }
});

// Every .js/.mjs file under web/ except the generated one.
function webSources(dir = join(ROOT, 'web')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return webSources(p);
    return /\.m?js$/.test(e.name) && p !== OUTPUT ? [p] : [];
  });
}

test('no copy of an engine name list is left in web/', () => {
  const state = readFileSync(join(ROOT, 'web', 'state.js'), 'utf8');
  for (const name of ['leaky_relu', 'rmsprop', 'he_uniform', 'reg-plane', 'negative-uniform'])
    assert.ok(!state.includes(`'${name}'`) && !state.includes(`"${name}"`), `web/state.js has the literal '${name}'`);
  // An array literal holding every name of an engine list is a hand-kept copy of it.
  const files = webSources();
  assert.ok(files.length > 20, `found ${files.length} web sources`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const [, body] of text.matchAll(/\[([^[\]]*)\]/g)) {
      const strings = new Set([...body.matchAll(/(['"`])([^'"`\n]*)\1/g)].map((m) => m[2]));
      for (const key of Object.keys(LISTS))
        assert.ok(!info[key].every((n) => strings.has(n)), `${relative(ROOT, file)} holds a copy of engine.info().${key}: [${body.trim().slice(0, 80)}...]`);
    }
  }
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
