// Bad input at every web entry point, in the real page (headless Chromium): CSV upload, the
// import of run and weights files (file input and the importRun / importWeights API), URL
// state, <relu-playground> attributes and the postMessage API. Each row is one (entry point,
// bad input, expected message) and checks that
//   (a) the user sees a specific message naming the problem (the exact text, not "error"),
//   (b) the previous state survives: same settings, the run keeps training from where it was
//       (step and charts' history not reset), or stays paused with the same weights,
//   (c) nothing from the input is inserted as HTML (no <img> appears, window.__pwned stays
//       unset, the hostile text is shown literally),
//   (d) no page error or console error, and the worker did not die (no restart).
// Synchronisation is by waiting on conditions only (waitForFunction), never on time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, openPage, waitForStep } from './helpers.mjs';
import { SETTINGS } from '../../web/state.js';

const PWN = '<img src=x onerror=window.__pwned=1>';
const lit = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DEEP = (n, open = '[', close = ']') => open.repeat(n) + close.repeat(n);

let env;
let tmp;
before(async () => {
  env = await setup();
  tmp = mkdtempSync(join(tmpdir(), 'relu-entry-'));
});
after(async () => {
  await env?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// A file of `bytes` bytes on disk (setInputFiles then hands Chromium the path, not the bytes).
function bigFile(name, bytes) {
  const path = join(tmp, name);
  writeFileSync(path, Buffer.alloc(bytes, '0,1\n'));
  return path;
}

// ---------- what every row checks ----------

// `root` is a selector for the element holding the notice: the page, or a <relu-playground>'s shadow root.
const noticeText = (root) =>
  root === 'page' ? document.getElementById('notice-text').textContent : document.querySelector(root).shadowRoot.getElementById('notice-text').textContent;

/** (a): waits until the notice matches re; on a mismatch, fails showing what the notice says. */
async function expectNotice(page, re, root = 'page') {
  await page
    .waitForFunction(
      ([root, src, flags, fn]) => new RegExp(src, flags).test(new Function('root', `return (${fn})(root)`)(root)),
      [root, re.source, re.flags, noticeText.toString()],
      { timeout: 20000, polling: 50 },
    )
    .catch(() => {});
  const text = await page.evaluate(([root, fn]) => new Function('root', `return (${fn})(root)`)(root), [root, noticeText.toString()]);
  assert.match(text, re);
  return text;
}

/** (c) and (d): no HTML from the input, no page error, the worker alive. */
async function assertClean(page, problems, { shadow = null } = {}) {
  const r = await page.evaluate((shadow) => {
    const roots = [document, ...(shadow ? [document.querySelector(shadow).shadowRoot] : [])];
    const frames = [...document.querySelectorAll('iframe')].map((f) => f.contentDocument).filter(Boolean);
    return {
      pwned: [window, ...[...document.querySelectorAll('iframe')].map((f) => f.contentWindow)].map((w) => w.__pwned ?? null),
      imgs: [...roots, ...frames].reduce((a, r) => a + r.querySelectorAll('img, script:not([src]), [onerror], [onload], [onmouseover]').length, 0),
      restarts: window.__relu?.workerRestarts ?? (shadow ? document.querySelector(shadow).debug.workerRestarts : 0),
    };
  }, shadow);
  assert.ok(r.pwned.every((x) => x === null), `window.__pwned was set: ${r.pwned}`);
  assert.equal(r.imgs, 0, 'an element from the input was inserted into the page');
  assert.equal(r.restarts, 0, 'the training worker died');
  assert.deepEqual(problems, []);
}

// The page's run as the checks see it: settings, step, the charts' history counter, playing.
const look = () => ({
  state: window.__relu.state,
  step: window.__relu.snapshots[0]?.step ?? -1,
  offered: window.__relu.history.offered,
  playing: window.__relu.playing,
});

/** (b) for a playing run: same settings, and the same run trains on (step and history not reset). */
async function assertTrainsOn(page, before) {
  const now = await page.evaluate(look);
  assert.deepEqual(now.state, before.state, 'the settings changed');
  assert.equal(now.playing, true, 'training stopped');
  assert.ok(now.step >= before.step && now.offered >= before.offered, `the run was replaced (step ${before.step} -> ${now.step})`);
  await page.waitForFunction((s) => window.__relu.snapshots[0]?.step > s, now.step, { timeout: 20000, polling: 50 });
}

/** (b) for a paused run: same settings, same step, same weights, still paused. */
async function assertPausedKept(page, before) {
  const now = { weights: await page.evaluate(() => window.__reluApp.exportWeights()) };
  const l = await page.evaluate(look);
  assert.deepEqual(l.state, before.state, 'the settings changed');
  assert.equal(l.playing, false, 'the paused run started');
  assert.equal(l.step, before.step, 'the step moved');
  assert.equal(l.offered, before.offered, 'the charts were reset');
  assert.equal(now.weights, before.weights, 'the weights changed');
}

async function clearNotice(page) {
  await page.evaluate(() => window.__reluApp.notice([]));
}

// ---------- CSV upload (the file input in the settings) ----------

const wide = (n) => Array(n).fill('1').join(',') + '\n';
const CSV_ROWS = [
  { why: 'ragged rows', name: 'ragged.csv', text: 'x,y\n1,2\n3\n4,5\n', re: /^CSV "ragged\.csv" was not loaded: CSV line 3 has 1 field but the first line has 2 \(every row needs the same columns\)\. The current data and run are unchanged\.$/ },
  { why: 'a non-numeric cell', name: 'words.csv', text: 'x,y\n1,2\n3,abc\n', re: /^CSV "words\.csv" was not loaded: CSV line 3, column 2: "abc" is not a number\./ },
  { why: 'a NaN cell', name: 'nan.csv', text: 'x,y\n1,2\nNaN,3\n', re: /CSV line 3, column 1: "NaN" is not a finite float\./ },
  { why: 'an Infinity cell', name: 'inf.csv', text: 'x,y\n1,2\n4,-Infinity\n', re: /CSV line 3, column 2: "-Infinity" is not a finite float\./ },
  { why: 'an empty cell', name: 'hole.csv', text: 'x,y\n1,2\n3,\n', re: /CSV line 3, column 2 is empty\./ },
  { why: 'an empty file', name: 'empty.csv', text: '', re: /^CSV "empty\.csv" is empty: there is nothing to train on\. The current data and run are unchanged\.$/ },
  { why: 'blank lines only', name: 'blank.csv', text: '\n  \n\t\n', re: /^CSV "blank\.csv" is empty/ },
  { why: 'a header only', name: 'header.csv', text: 'x1,x2,y\n', re: /^CSV "header\.csv" was not loaded: CSV has no data rows\./ },
  { why: 'one column', name: 'one.csv', text: '1\n2\n', re: /CSV line 1 has 1 field; need at least 2 \(one or more features, then the target\)/ },
  { why: '10^6 columns in one row', name: 'wide.csv', text: wide(1e6), re: /^CSV "wide\.csv" was not loaded: CSV has 1000000 columns; the limit is 4096 features plus the target\./ },
  { why: '4098 columns (one over the limit)', name: 'wide2.csv', text: wide(4098), re: /CSV has 4098 columns; the limit is 4096 features plus the target\./ },
  { why: '1,000,001 data rows', name: 'rows.csv', text: '0,1\n'.repeat(1e6 + 1), re: /CSV has more than 1000000 data rows; the limit is 1000000 samples\./ },
  { why: 'binary bytes (a PNG header)', name: 'photo.csv', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x2c, 0x01]), re: /^CSV "photo\.csv" was not loaded: CSV line 1 has 1 field; need at least 2/ },
  {
    why: 'HTML and script in the file name, the header and a cell',
    name: `${PWN}.csv`,
    text: `${PWN},<script>window.__pwned=2</script>\n1,<b onmouseover=window.__pwned=3>2</b>\n`,
    re: new RegExp(`^CSV "${lit(PWN)}\\.csv" was not loaded: CSV line 2, column 2: "<b onmouseover=window\\.__pwned=3>2</b>" is not a number\\.`),
  },
  { why: 'a file above 20 MB', name: 'big.csv', path: () => bigFile('big.csv', 21e6), re: /^CSV "big\.csv" is 21\.0 MB; files above 20 MB are refused\. The current data and run are unchanged\.$/ },
];

test('CSV upload: each bad file gets its message; the running network trains on unchanged', { timeout: 120000 }, async (t) => {
  const { page, context, problems } = await openPage(env, 'dataset=xor&lr=0.1&layers=6,5');
  await waitForStep(page, 20);
  for (const row of CSV_ROWS) {
    await t.test(row.why, async () => {
      await clearNotice(page);
      const before = await page.evaluate(look);
      const file = row.path ? row.path() : { name: row.name, mimeType: 'text/csv', buffer: row.bytes ?? Buffer.from(row.text) };
      await page.setInputFiles('#c-csv', file);
      const text = await expectNotice(page, row.re);
      if (row.name.includes('<')) assert.ok(text.includes(PWN), 'the file name is shown as text');
      await assertTrainsOn(page, before);
      await assertClean(page, problems);
    });
  }
  // The checks refuse only bad files: a good one (HTML in its header is just a name) loads.
  await t.test('a good file still loads (its HTML header stays text)', async () => {
    await page.setInputFiles('#c-csv', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(`${PWN},y\n0,1\n1,0\n2,1\n3,0\n`) });
    await expectNotice(page, /^Loaded "good\.csv": last column is the target\.$/);
    await page.waitForFunction(() => window.__relu.state.dataset === 'csv' && window.__relu.snapshots[0]?.layers.length === 2, null, { timeout: 20000 });
    await assertClean(page, problems);
  });
  await context.close();
});

// ---------- import: run and weights files (the file input of the export menu) ----------

test('import file: bad run and weights files get their message; the paused run keeps its step and weights', { timeout: 120000 }, async (t) => {
  const { page, context, problems } = await openPage(env, 'dataset=xor&lr=0.1&layers=6,5&autoplay=0');
  await page.evaluate(() => window.__reluApp.step(30));
  const good = await page.evaluate(async () => ({ run: await window.__reluApp.exportRun(), weights: JSON.parse(await window.__reluApp.exportWeights()) }));
  const w = good.weights;
  const run = (extra) => JSON.stringify({ ...good.run, ...extra });
  const ROWS = [
    { why: 'not JSON', name: 'notes.json', text: 'hello', re: /^Import of "notes\.json" failed: the file is not valid JSON \(.*\)\. The current run is unchanged\.$/ },
    { why: 'truncated JSON', name: 'cut.json', text: JSON.stringify(w).slice(0, 50), re: /^Import of "cut\.json" failed: the file is not valid JSON \(.+\)\./ },
    { why: 'an empty file', name: 'empty.json', text: '', re: /^Import of "empty\.json" failed: the file is empty\. The current run is unchanged\.$/ },
    { why: '100k nested arrays', name: 'deep.json', text: DEEP(1e5), re: /^Import of "deep\.json" failed: the file is nested deeper than 64 levels \(no run or weights file is\)\./ },
    { why: '100k nested objects', name: 'deepo.json', text: '{"a":'.repeat(1e5) + '1' + '}'.repeat(1e5), re: /failed: the file is nested deeper than 64 levels/ },
    { why: '65 levels (one over the limit)', name: 'd65.json', text: DEEP(65), re: /failed: the file is nested deeper than 64 levels/ },
    { why: 'weights of another shape', name: 'shape.json', text: JSON.stringify({ layers: w.layers.slice(1) }), re: /^Import of "shape\.json" failed: weights: the file has 2 layers, the network expects 3 \(2 hidden \+ output\)\./ },
    { why: 'weights with HTML in a number', name: 'html.json', text: JSON.stringify({ layers: [{ ...w.layers[0], weight: [[PWN, ...w.layers[0].weight[0].slice(1)], ...w.layers[0].weight.slice(1)] }, ...w.layers.slice(1)] }), re: new RegExp(`weights: layer 1, row 1, value 1 is not a number \\(got "${lit(PWN)}"\\)`) },
    { why: 'weights with HTML as the activation', name: 'act.json', text: JSON.stringify({ layers: [{ ...w.layers[0], activation: PWN }, ...w.layers.slice(1)] }), re: new RegExp(`weights: layer 1: unknown activation "${lit(PWN)}" \\(expected one of relu,`) },
    { why: 'weights with 1e999', name: 'inf.json', text: JSON.stringify(w).replace(/(-?\d+\.\d+)/, '1e999'), re: /weights: invalid JSON: number overflow parsing '1e999'/ },
    { why: 'JSON with no layers', name: 'obj.json', text: '{"hello": 1}', re: /^Import of "obj\.json" failed: weights: expected an object with a "layers" list, as written by --save-weights\./ },
    { why: 'a run file with a negative step', name: 'step.json', text: run({ step: -1 }), re: /^Import of "step\.json" failed: "step" must be a whole number from 0 to 10000000 \(got -1\)\./ },
    { why: 'a run file with a text step', name: 'step2.json', text: run({ step: 'NaN' }), re: /"step" must be a whole number from 0 to 10000000 \(got "NaN"\)/ },
    { why: 'a run file of another version', name: 'v2.json', text: run({ version: 2 }), re: /failed: version 2 is not supported \(this page reads version 1\)/ },
    { why: 'a run file with weights of another shape', name: 'run.json', text: run({ weights: { layers: w.layers.slice(1) } }), re: /^Import of "run\.json" failed: weights: the file has 2 layers, the network expects 3/ },
    { why: 'a run file with a malformed history', name: 'hist.json', text: run({ history: { names: ['step'], rows: [1, 2] } }), re: /failed: "history\.rows" row 1 is not a list of 1 numbers/ },
    { why: 'a run file whose CSV is ragged', name: 'csvrun.json', text: run({ state: { ...good.run.state, dataset: 'csv' }, csv: 'x,y\n1,2\n3\n' }), re: /^Import of "csvrun\.json" failed: CSV line 3 has 1 field but the first line has 2 \(every row needs the same columns\)\./ },
    { why: 'a run file with HTML in its query and name', name: `${PWN}.json`, text: run({ query: `lr=${PWN}`, weights: { layers: [] } }), re: new RegExp(`^Import of "${lit(PWN)}\\.json" failed: weights: `) },
    { why: 'a file above 50 MB', name: 'huge.json', path: () => bigFile('huge.json', 50.5e6), re: /^Import of "huge\.json" failed: the file is 50\.5 MB; files above 50 MB are refused\. The current run is unchanged\.$/ },
  ];
  for (const row of ROWS) {
    await t.test(row.why, async () => {
      await clearNotice(page);
      const before = { ...(await page.evaluate(look)), weights: await page.evaluate(() => window.__reluApp.exportWeights()) };
      await page.setInputFiles('#import-file', row.path ? row.path() : { name: row.name, mimeType: 'application/json', buffer: Buffer.from(row.text) });
      await expectNotice(page, row.re);
      await assertPausedKept(page, before);
      await assertClean(page, problems);
    });
  }
  await t.test('a good run file with HTML in its query restores, the HTML reported as text', async () => {
    await clearNotice(page);
    await page.setInputFiles('#import-file', { name: 'ok.json', mimeType: 'application/json', buffer: Buffer.from(run({ query: good.run.query.replace(/lr=[^&]*/, `lr=${encodeURIComponent(PWN)}`) })) });
    const text = await expectNotice(page, /Restored the run from "ok\.json" \(step 30\)\./);
    assert.ok(text.includes(`Import: lr: "${PWN}" is not a number; using 0.03`), text);
    await assertClean(page, problems);
  });
  await context.close();
});

// ---------- the import API (importRun / importWeights) ----------

test('importRun / importWeights API: rejects with the problem named; the paused run is untouched', { timeout: 60000 }, async (t) => {
  const { page, context, problems } = await openPage(env, 'dataset=xor&lr=0.1&layers=6,5&autoplay=0');
  await page.evaluate(() => window.__reluApp.step(25));
  // Each case runs in the page: [label, () => promise]; the rejection message is compared.
  const CASES = [
    ['importWeights(undefined)', 'importWeights', 'undefined', /^importWeights: expected the weights as JSON text or an object \(got undefined\)$/],
    ['importWeights(42)', 'importWeights', '42', /^importWeights: expected the weights as JSON text or an object \(got 42\)$/],
    ['importWeights(100k nested arrays, as an object)', 'importWeights', 'deepValue(1e5)', /^weights: nested deeper than 64 levels$/],
    ['importWeights(a cyclic object)', 'importWeights', '(() => { const o = { layers: [] }; o.layers.push(o); return o; })()', /^weights: nested deeper than 64 levels$/],
    ['importWeights(100k nested arrays, as text)', 'importWeights', `'['.repeat(1e5) + ']'.repeat(1e5)`, /^weights: invalid JSON: nested deeper than 64 levels$/],
    ['importWeights(HTML text)', 'importWeights', JSON.stringify(PWN), /^weights: invalid JSON: parse error at line 1, column 1: syntax error while parsing value - invalid literal; last read: '<'$/],
    ['importRun(null)', 'importRun', 'null', /^Import failed: not a ReLU Playground run file \(format "relu-playground-run"\)$/],
    ['importRun(malformed text)', 'importRun', `'{"format": "relu-playground-run",'`, /^Import failed: the run is not valid JSON \(.+\)$/],
    ['importRun(step 1e8)', 'importRun', '({ ...good, step: 1e8 })', /^Import failed: "step" must be a whole number from 0 to 10000000 \(got 100000000\)$/],
    ['importRun(step NaN)', 'importRun', '({ ...good, step: NaN })', /^Import failed: "step" must be a whole number from 0 to 10000000 \(got NaN\)$/],
    ['importRun(query as an object)', 'importRun', '({ ...good, query: { lr: 1 } })', /^Import failed: "query" must be text like "lr=0\.3&layers=8,8" \(got an object\)$/],
    ['importRun(deeply nested weights)', 'importRun', '({ ...good, weights: deepValue(1e5) })', /^Import failed: "weights" must be an object \{"layers": \[\.\.\.\]\} \(got a list\)$/],
    ['importRun(deeply nested weights object)', 'importRun', '({ ...good, weights: { layers: deepValue(1e4) } })', /^Import failed: "weights" is nested deeper than 64 levels$/],
    ['importRun(CSV run without its CSV)', 'importRun', `({ ...good, state: { ...good.state, dataset: 'csv' } })`, /^Import failed: the run trained on an uploaded CSV, but the file has no "csv" text$/],
  ];
  await page.evaluate(async () => {
    window.__good = await window.__reluApp.exportRun();
  });
  for (const [label, method, expr, re] of CASES) {
    await t.test(label, async () => {
      const before = { ...(await page.evaluate(look)), weights: await page.evaluate(() => window.__reluApp.exportWeights()) };
      const error = await page.evaluate(async ([method, expr]) => {
        const deepValue = (n) => {
          const root = [];
          let cur = root;
          for (let i = 0; i < n; i++) cur = cur[0] = [];
          return root;
        };
        const arg = new Function('deepValue', 'good', `return (${expr});`)(deepValue, window.__good);
        try {
          await window.__reluApp[method](arg);
          return 'resolved';
        } catch (e) {
          return e instanceof Error ? e.message : `not an Error: ${e}`;
        }
      }, [method, expr]);
      assert.match(error, re);
      await assertPausedKept(page, before);
      await assertClean(page, problems);
    });
  }
  await context.close();
});

// ---------- URL state ----------

const URL_ROWS = [
  {
    why: 'HTML and script in values and in a key',
    query: { dataset: 'xor', lr: PWN, activation: '<svg onload=window.__pwned=1>', layers: 'abc,<script>x</script>', [PWN]: '1' },
    lines: [
      `lr: "${PWN}" is not a number; using 0.03`,
      'activation: unknown value "<svg onload=window.__pwned=1>"; using relu',
      'layers width: "abc" is not a number; using 8',
      'layers width: "<script>x</script>" is not a number; using 8',
      `unknown setting "${PWN}" ignored`,
    ],
    expect: { dataset: 'xor', lr: 0.03, activation: 'relu', layers: [8, 8] },
  },
  {
    why: 'out of range, NaN and Infinity',
    query: { dataset: 'xor', seed: '1e400', noise: 'NaN', batch: '-Infinity', lr: '1e-300', probe: '0', layers: '1000000,0,-5' },
    lines: [
      'seed: "1e400" is not a number; using 1',
      'noise: "NaN" is not a number; using 0',
      'batch: "-Infinity" is not a number; using 10',
      'lr: 1e-300 is below 0.00001; clamped to 0.00001',
      'probe: 0 is below 1; clamped to 1',
      'layers width: 1000000 is above 512; clamped to 512',
      'layers width: 0 is below 1; clamped to 1',
      'layers width: -5 is below 1; clamped to 1',
    ],
    expect: { seed: 1, noise: 0, batch: 10, lr: 0.00001, probe: 1, layers: [512, 1, 1] },
  },
  {
    why: 'huge and deeply nested values, csv, hostile flags',
    // (about 8 kB of query: servers refuse much longer request lines, before the page sees them)
    query: { lr: 'x'.repeat(5000), layers: '['.repeat(1000), dataset: 'csv', hide: `${PWN},legend`, origins: 'javascript:alert(1)', embed: '<b>' },
    lines: [
      `lr: "${'x'.repeat(37)}…" is not a number; using 0.03`,
      `layers width: "${'['.repeat(37)}…" is not a number; using 8`,
      'dataset: csv data cannot travel in a link; upload the file again (using spiral)',
    ],
    // The page flags' mistakes are the author's: console and getWarnings(), not the notice.
    author: [
      'origins: "javascript:alert(1)" is not an origin (like https://example.org); ignored',
      'embed: "<b>" is not 0 or 1; ignored',
      `hide: "${PWN}" is not a name of a part or a setting`,
    ],
    expect: { lr: 0.03, layers: [8], dataset: 'spiral' },
  },
];

test('URL state: bad values are named in the notice; the page trains on what is valid', { timeout: 60000 }, async (t) => {
  for (const row of URL_ROWS) {
    await t.test(row.why, async () => {
      const { page, context, problems } = await openPage(env, new URLSearchParams(row.query).toString());
      const lines = await page.evaluate(() => [...document.querySelectorAll('#notice-text p')].map((p) => p.textContent));
      for (const line of row.lines) assert.ok(lines.includes(line), `missing notice line ${JSON.stringify(line)} in ${JSON.stringify(lines)}`);
      const author = await page.evaluate(() => window.__reluApp.getWarnings().warnings);
      assert.deepEqual(author, row.author ?? []);
      for (const line of author) assert.ok(!lines.includes(line), `author warning ${JSON.stringify(line)} must not be in the notice`);
      const state = await page.evaluate(() => window.__relu.state);
      for (const [k, v] of Object.entries(row.expect)) assert.deepEqual(state[k], v, k);
      await waitForStep(page, 5);
      await assertClean(page, problems);
      await context.close();
    });
  }
});

// ---------- <relu-playground> attributes ----------

// A page of our own making (routed HTML), recording console errors and page errors.
async function blankPage() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { page, context, problems };
}

async function openComponentPage() {
  const { page, context, problems } = await blankPage();
  await page.route(`${env.base}entry-component.html`, (r) =>
    r.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>entry</title><script type="module" src="web/relu-playground.js"></script><body></body>' }),
  );
  await page.goto(`${env.base}entry-component.html`);
  await page.waitForFunction(() => customElements.get('relu-playground'));
  return { page, context, problems };
}

const lookEl = () => {
  const d = document.getElementById('pg').debug;
  return { state: d.state, step: d.snapshots[0]?.step ?? -1, offered: d.history.offered, playing: d.playing };
};

test('<relu-playground> attributes: bad values at start and later are named in its notice; the run trains on', { timeout: 60000 }, async (t) => {
  const { page, context, problems } = await openComponentPage();
  const ATTRS = {
    dataset: 'xor', layers: '6,5', lr: PWN, activation: '<script>window.__pwned=2</script>', batch: '1e9', seed: '-5', biasinit: 'NaN',
    hide: `${PWN},legend`, [`data-x`]: PWN,
  };
  await t.test('at start', async () => {
    await page.evaluate(async (attrs) => {
      const el = document.createElement('relu-playground');
      el.id = 'pg';
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      document.body.append(el);
      await el.ready();
    }, ATTRS);
    const lines = await page.evaluate(() => [...document.getElementById('pg').shadowRoot.querySelectorAll('#notice-text p')].map((p) => p.textContent));
    assert.deepEqual(lines, [
      "Some settings in the element's attributes were changed:",
      `lr: "${PWN}" is not a number; using 0.03`,
      'activation: unknown value "<script>window.__pwned=2</script>"; using relu',
      'batch: 1e9 is above 1000; clamped to 1000',
      'seed: -5 is below 0; clamped to 0',
      'biasInit: "NaN" is not a number; using 0',
    ]);
    assert.deepEqual(await page.evaluate(() => document.getElementById('pg').getWarnings().warnings), [`hide: "${PWN}" is not a name of a part or a setting`]);
    const s = await page.evaluate(lookEl);
    assert.deepEqual([s.state.dataset, s.state.layers, s.state.lr, s.state.batch, s.state.seed], ['xor', [6, 5], 0.03, 1000, 0]);
    await page.waitForFunction(() => document.getElementById('pg').debug.snapshots[0]?.step >= 20, null, { timeout: 20000 });
    await assertClean(page, problems, { shadow: '#pg' });
  });
  const LATER = [
    ['lr', 'abc', /^The attribute lr was not taken as given:lr: "abc" is not a number; lr kept at 0\.03$/, {}],
    ['layers', PWN, /^The attribute layers was not taken as given:layers width: "<img" is not a number; layers kept at 6,5/, {}],
    ['activation', 'swish<b>', /^The attribute activation was not taken as given:activation: unknown value "swish<b>"; activation kept at relu$/, {}],
    ['seed', 'x'.repeat(1e6), new RegExp(`^The attribute seed was not taken as given:seed: "${'x'.repeat(37)}…" is not a number; seed kept at 0$`), {}],
    ['dataset', 'csv', /^The attribute dataset was not taken as given:dataset: "csv" is chosen by uploading a CSV file in the settings, not by name; dataset kept at xor$/, {}],
    ['standardize', 'maybe', /standardize: "maybe" is not true\/false; standardize kept at 0$/, {}],
    // Out of range: clamped (a live setting: the same run trains on with it), and said so.
    ['batch', '-3', /^The attribute batch was not taken as given:batch: -3 is below 0; clamped to 0$/, { batch: 0 }],
  ];
  for (const [name, value, re, changed] of LATER) {
    await t.test(`later: ${name}="${value.slice(0, 20)}"`, async () => {
      await page.evaluate(() => document.getElementById('pg').shadowRoot.getElementById('notice-close').click());
      const before = await page.evaluate(lookEl);
      await page.evaluate(([n, v]) => document.getElementById('pg').setAttribute(n, v), [name, value]);
      await expectNotice(page, re, '#pg');
      const now = await page.evaluate(lookEl);
      assert.deepEqual(now.state, { ...before.state, ...changed }, 'the settings changed');
      assert.ok(now.step >= before.step && now.offered >= before.offered, `the run was replaced (step ${before.step} -> ${now.step})`);
      await page.waitForFunction((s) => document.getElementById('pg').debug.snapshots[0]?.step > s, now.step, { timeout: 20000 });
      await assertClean(page, problems, { shadow: '#pg' });
    });
  }
  await context.close();
});

// ---------- postMessage (an iframe of index.html?embed=1) ----------

test('postMessage: bad messages get an error reply naming the problem; the embedded run trains on unchanged', { timeout: 60000 }, async (t) => {
  const { page, context, problems } = await blankPage();
  await page.route(`${env.base}entry-parent.html`, (r) =>
    r.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><title>parent</title><body>' +
        '<iframe id="open" src="index.html?embed=1&dataset=xor&lr=0.1&layers=6,5" width="900" height="700"></iframe>' +
        '<iframe id="locked" src="index.html?embed=1&dataset=xor&autoplay=0&origins=https://course.example" width="600" height="400"></iframe></body>',
    }),
  );
  await page.goto(`${env.base}entry-parent.html`);
  await page.waitForFunction(() => ['open', 'locked'].every((id) => document.getElementById(id).contentWindow.__relu?.snapshots[0]), null, { timeout: 30000 });
  const lookFrame = () => {
    const d = document.getElementById('open').contentWindow.__relu;
    return { state: d.state, step: d.snapshots[0]?.step ?? -1, offered: d.history.offered, playing: d.playing };
  };
  // Sends one message to a frame and resolves with the first reply from it.
  const call = ([id, msg]) =>
    new Promise((resolve) => {
      const w = document.getElementById(id).contentWindow;
      if (msg?.state?.layers === 'deep') {
        // ~1000 levels, built here (as deep as a structured clone carries)
        let v = [];
        for (let i = 0; i < 1000; i++) v = [v];
        msg = { ...msg, state: { layers: v } };
      }
      const on = (e) => {
        if (e.source !== w || e.data?.type !== 'relu-playground') return;
        removeEventListener('message', on);
        resolve(e.data);
      };
      addEventListener('message', on);
      w.postMessage(msg, '*');
    });
  const T = 'relu-playground';
  const manyKeys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
  const ROWS = [
    ['set: HTML as a value', { type: T, action: 'set', state: { lr: PWN }, requestId: 1 }, { warning: `lr: "${PWN}" is not a number; lr kept at 0.1` }],
    ['set: a nested list as a value', { type: T, action: 'set', state: { layers: 'deep' }, requestId: 2 }, { warning: 'layers: a list is not a value of this setting; layers kept at 6,5' }],
    ['set: a 1 MB string', { type: T, action: 'set', state: { seed: 'x'.repeat(1e6) }, requestId: 3 }, { warning: `seed: "${'x'.repeat(37)}…" is not a number; seed kept at 1` }],
    ['set: dataset csv', { type: T, action: 'set', state: { dataset: 'csv' }, requestId: 4 }, { warning: 'dataset: "csv" is chosen by uploading a CSV file in the settings, not by name; dataset kept at xor' }],
    ['set: HTML as a key', { type: T, action: 'set', state: { [PWN]: 1 }, requestId: 5 }, { warning: `unknown setting "${PWN}" ignored` }],
    ['set: 100 keys', { type: T, action: 'set', state: manyKeys, requestId: 6 }, { error: `set: state has 100 keys; at most 64 are accepted (there are ${SETTINGS.length} settings)` }],
    ['set: state as text', { type: T, action: 'set', state: 'lr=1', requestId: 7 }, { error: 'set: state must be an object of URL-state keys, e.g. {lr: 0.5}' }],
    ['step: n = 1e9', { type: T, action: 'step', n: 1e9, requestId: 8 }, { error: 'step: n must be an integer from 1 to 1000000' }],
    ['step: n = HTML', { type: T, action: 'step', n: PWN, requestId: 9 }, { error: 'step: n must be an integer from 1 to 1000000' }],
    ['unknown action (HTML)', { type: T, action: PWN, requestId: 10 }, { error: `unknown action "${PWN}"; one of play, pause, step, reset, set, getState, getStats, getWarnings` }],
    ['action not a string', { type: T, action: 42, requestId: 11 }, { error: 'malformed message: action must be a string' }],
    ['wrong type', { type: 'other', action: 'play', requestId: 12 }, { error: "malformed message: type must be 'relu-playground'" }],
    ['a string message (HTML)', PWN, { error: "malformed message: expected {type: 'relu-playground', action, requestId}" }],
  ];
  for (const [why, msg, want] of ROWS) {
    await t.test(why, async () => {
      const before = await page.evaluate(lookFrame);
      const reply = await page.evaluate(call, ['open', msg]);
      if (want.error) assert.deepEqual(reply, { type: T, requestId: msg?.requestId ?? null, ok: false, error: want.error });
      else {
        assert.equal(reply.ok, true, JSON.stringify(reply));
        assert.deepEqual(reply.result.warnings, [want.warning]);
      }
      const now = await page.evaluate(lookFrame);
      assert.deepEqual(now.state, before.state, 'the settings changed');
      assert.equal(now.playing, true);
      assert.ok(now.step >= before.step && now.offered >= before.offered, `the run was replaced (step ${before.step} -> ${now.step})`);
      await page.waitForFunction((s) => document.getElementById('open').contentWindow.__relu.snapshots[0]?.step > s, now.step, { timeout: 20000 });
      await assertClean(page, problems);
    });
  }
  await t.test('an origin not in origins=', async () => {
    const reply = await page.evaluate(call, ['locked', { type: T, action: 'step', n: 50, requestId: 'x' }]);
    assert.deepEqual(reply, { type: T, requestId: 'x', ok: false, error: 'origin not allowed' });
    const s = await page.evaluate(() => ({ step: document.getElementById('locked').contentWindow.__relu.snapshots[0].step, playing: document.getElementById('locked').contentWindow.__relu.playing }));
    assert.deepEqual(s, { step: 0, playing: false });
    await assertClean(page, problems);
  });
  await context.close();
});
