// Your own data (issue 12 §5): CSV files uploaded through the page's file input are read as
// classification or regression (engine/dataset.h csv_targets), hold out a test split, and the
// page shows it: the dataset list names the file, the output view colours points by class and
// names its axes after the header (data attributes of #output, see web/views/output.js), a
// confusion matrix for more than two inputs, the story panel is about your data, and inputs far
// from unit scale get a one-click standardise. Synchronisation is by waiting on conditions only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

// Exact data (no randomness): a ring of points with labels from a rule.
function table(header, n, row) {
  const lines = [header];
  for (let i = 0; i < n; i++) lines.push(row(i).join(','));
  return Buffer.from(lines.join('\n') + '\n');
}
const r2 = (v) => Math.round(v * 100) / 100;
// 2 features in [-1, 1], labels 0/1 by the sign of x1·x2 plus a margin.
const BINARY = table('alpha,beta,label', 120, (i) => {
  const a = r2(Math.cos(i * 0.7)), b = r2(Math.sin(i * 1.3));
  return [a, b, a + b > 0 ? 1 : 0];
});
// 2 features on a 0..7 scale (off unit scale), 3 text classes (iris-like petals).
const SPECIES = ['setosa', 'versicolor', 'virginica'];
const THREE = table('petal_length,petal_width,species', 150, (i) => {
  const k = i % 3;
  return [r2(1.5 + 2.2 * k + Math.sin(i) * 0.6), r2(0.3 + 0.8 * k + Math.cos(i * 1.7) * 0.25), SPECIES[k]];
});
// 4 features, 3 whole-number classes: the confusion matrix.
const FOUR = table('f1,f2,f3,f4,grade', 160, (i) => {
  const x = [Math.sin(i), Math.cos(i * 0.9), Math.sin(i * 2.1), Math.cos(i * 0.3)].map(r2);
  return [...x, x[0] + x[1] > 0.5 ? 3 : x[2] > 0 ? 2 : 1];
});

async function upload(page, name, buffer) {
  await page.setInputFiles('#c-csv', { name, mimeType: 'text/csv', buffer });
  // The new run is the file's: its info names the csv and it has trained a while.
  await page.waitForFunction(
    (name) => window.__relu.state.dataset === 'csv' && document.querySelector('#story-title')?.textContent === `Your data: ${name}` && window.__relu.snapshots[0]?.step >= 40,
    name,
    { timeout: 60000, polling: 100 },
  );
}

const output = (page) => page.evaluate(() => ({ ...document.querySelector('#output').dataset }));

test('CSV uploads: task, classes, colours, axes, test split, story, confusion matrix, standardise', { timeout: 240000 }, async (t) => {
  const { page, context, problems } = await openPage(env, 'speed=max&layers=8,8');

  await t.test('a 2-class CSV: binary, finite test loss and accuracy, no empty chart', async () => {
    await upload(page, 'two.csv', BINARY);
    const dataset = await page.evaluate(() => {
      const sel = document.querySelector('#c-dataset');
      return { value: sel.value, text: sel.selectedOptions[0]?.textContent, taskHidden: document.querySelector('.row-task').hidden };
    });
    assert.deepEqual(dataset, { value: 'csv', text: 'CSV: two.csv', taskHidden: false });
    await page.waitForFunction(() => document.querySelector('#output').dataset.task === 'binary', null, { timeout: 20000 });
    const out = await output(page);
    assert.equal(out.view, 'plane');
    assert.deepEqual(JSON.parse(out.classes), ['0', '1']);
    assert.equal(new Set(JSON.parse(out.colours)).size, 2, 'two classes, two colours');
    assert.equal(out.axisX, 'alpha');
    assert.equal(out.axisY, 'beta');
    const snap = await page.evaluate(() => window.__relu.snapshots[0]);
    assert.ok(Number.isFinite(snap.testLoss), `test loss ${snap.testLoss}`);
    assert.ok(snap.testAccuracy >= 0 && snap.testAccuracy <= 1, `test accuracy ${snap.testAccuracy}`);
    // Every chart series has finite values: train and test loss, train and test accuracy.
    const h = await page.evaluate(() => window.__relu.history);
    for (const col of ['train_loss', 'test_loss', 'train_accuracy', 'test_accuracy']) {
      const k = h.names.indexOf(col);
      assert.ok(k >= 0, `history has ${col}`);
      assert.ok(h.rows.some((r) => Number.isFinite(r[k])), `${col} has finite values`);
    }
    const story = await page.evaluate(() => ({
      hidden: document.querySelector('#story').hidden,
      text: document.querySelector('#story-text').textContent,
      fix: !!document.querySelector('#csv-standardize'),
    }));
    assert.equal(story.hidden, false);
    assert.doesNotMatch(story.text, /spiral/i);
    assert.match(story.text, /your own data: 120 rows \(90 to train on, 30 held out to test\)/);
    assert.match(story.text, /What to try/);
    assert.equal(story.fix, false, 'inputs in [-1, 1] need no standardising');
  });

  await t.test('a 3-class CSV with text labels: classes in order, three colours, header axes, standardise in one click', async () => {
    await upload(page, 'iris.csv', THREE);
    await page.waitForFunction(() => document.querySelector('#output').dataset.task === 'multiclass', null, { timeout: 20000 });
    const out = await output(page);
    assert.equal(out.view, 'plane');
    assert.deepEqual(JSON.parse(out.classes), SPECIES);
    assert.equal(new Set(JSON.parse(out.colours)).size, 3);
    assert.equal(out.axisX, 'petal_length');
    assert.equal(out.axisY, 'petal_width');
    // The network view draws the three softmax outputs.
    assert.equal(await page.evaluate(() => document.querySelector('#networks canvas').dataset.outputs), '3');
    const snap = await page.evaluate(() => window.__relu.snapshots[0]);
    assert.ok(Number.isFinite(snap.testLoss) && snap.testAccuracy >= 0, 'finite test loss and accuracy');
    // Petal lengths up to 6.6: far from unit scale, so the story offers the fix.
    await page.waitForSelector('#csv-standardize', { timeout: 20000 });
    assert.match(await page.textContent('#story-text'), /“petal_length” runs from/);
    await page.click('#csv-standardize');
    await page.waitForFunction(() => window.__relu.state.standardize === true && !document.querySelector('#csv-standardize') && /Inputs are standardised/.test(document.querySelector('#story-text').textContent), null, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.__relu.state.dataset), 'csv', 'still the uploaded data');
  });

  await t.test('the task setting: regression of text labels is refused with the engine message; the run stays', async () => {
    const before = await page.evaluate(() => window.__relu.snapshots[0].step);
    await page.selectOption('#c-task', 'regression');
    await page.waitForFunction(() => /Task regression does not fit "iris\.csv": CSV line 2, column 3: "setosa" is not a number/.test(document.querySelector('#notice-text')?.textContent ?? ''), null, { timeout: 20000 });
    const now = await page.evaluate(() => ({ task: window.__relu.state.task, sel: document.querySelector('#c-task').value, step: window.__relu.snapshots[0].step }));
    assert.equal(now.task, 'auto');
    assert.equal(now.sel, 'auto');
    assert.ok(now.step >= before, 'the run was not replaced');
  });

  await t.test('more than two inputs, classification: a confusion matrix over the classes', async () => {
    await upload(page, 'four.csv', FOUR);
    await page.waitForFunction(() => document.querySelector('#output').dataset.view === 'confusion', null, { timeout: 20000 });
    const out = await output(page);
    assert.equal(out.task, 'multiclass');
    assert.deepEqual(JSON.parse(out.classes), ['1', '2', '3']);
    const m = JSON.parse(out.confusion);
    assert.equal(m.length, 3);
    assert.ok(m.every((r) => r.length === 3));
    assert.equal(m.flat().reduce((a, b) => a + b, 0), 40, 'every test row counted once (160 rows, a quarter held out)');
    assert.equal(out.rows, 'test');
    // Per-class accuracy: each class's diagonal share of its row.
    const perClass = JSON.parse(out.perClass);
    assert.deepEqual(perClass, m.map((r, k) => (r.reduce((a, b) => a + b, 0) ? r[k] / r.reduce((a, b) => a + b, 0) : null)));
    // The same file read as regression (task setting): predictions against targets.
    await page.selectOption('#c-task', 'regression');
    await page.waitForFunction(() => document.querySelector('#output').dataset.view === 'scatter', null, { timeout: 30000 });
    const reg = await output(page);
    assert.equal(reg.task, 'regression');
    assert.equal(reg.axisX, 'grade (target)');
  });

  await t.test('one input, three classes: dots by class along the input, the predicted class as the line', async () => {
    const ONE = table('dose,response', 90, (i) => [r2((i % 30) / 10), ['low', 'mid', 'high'][Math.floor((i % 30) / 10)]]);
    await upload(page, 'dose.csv', ONE);
    await page.waitForFunction(() => document.querySelector('#output').dataset.view === 'curve' && document.querySelector('#output').dataset.task === 'multiclass', null, { timeout: 30000 });
    const out = await output(page);
    assert.deepEqual(JSON.parse(out.classes), ['low', 'mid', 'high']);
    assert.equal(out.axisX, 'dose');
    assert.equal(out.axisY, 'response');
  });

  assert.deepEqual(problems, []);
  await context.close();
});
