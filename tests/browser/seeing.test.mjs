// What a unit sees (issue 13 §4, §2), on mnist14: the confusion matrix over the test set with
// per-class accuracy and the digits' names; the receptive-field panel (one field per first-layer
// unit, the dead ones marked); a dead unit's card with its closest training inputs, their z
// (all <= 0) and the sentence saying how far from waking it is; a live unit's card; the gallery
// of test inputs with misclassified ones marked, and selecting one (window.__relu.selectedInput
// and the 'relu-input-selected' event). Synchronisation is by waiting on conditions only.
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

const data = (page, sel) => page.$eval(sel, (e) => ({ ...e.dataset }));
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

// Hovers unit i's receptive field; the card opens on it and gets its closest inputs.
async function cardOfField(page, i) {
  await page.locator('#fields').scrollIntoViewIfNeeded();
  const p = await page.evaluate((i) => window.__relu.fieldPoint(i), i);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction((i) => {
    const u = window.__relu.cardUnit;
    const z = document.querySelector('#card .card-top')?.dataset.z;
    return u && u.l === 0 && u.i === i && z && JSON.parse(z).length === 8 && document.querySelector('#card h3').textContent.startsWith(`Layer 1, unit ${i + 1} `);
  }, i, { timeout: 20000, polling: 50 });
  return page.evaluate(() => ({
    z: JSON.parse(document.querySelector('#card .card-top').dataset.z),
    note: document.querySelector('#card .card-top-note').textContent,
    thumbs: [...document.querySelectorAll('#card .card-thumb')].filter((f) => !f.hidden).length,
    field: !document.querySelector('#card .card-field').hidden,
  }));
}

test('mnist14: confusion matrix with per-class accuracy, receptive fields, top-k inputs in the card, gallery', { timeout: 60000 }, async () => {
  // A negative bias start leaves part of the 24 units dead on every digit.
  const { page, context, problems } = await openPage(env, 'dataset=mnist14&layers=24&biasInit=-1.5&lr=0.05&autoplay=0&speed=max', { width: 1440, height: 900 });
  try {
    const events = page.evaluate(() => new Promise((ok) => document.body.addEventListener('relu-input-selected', (e) => ok(e.detail), { once: true })));
    // Awaited at the end; if an assertion fails first, closing the page rejects it, and that
    // rejection must not hide the assertion's message.
    events.catch(() => {});
    await page.evaluate(() => window.__reluApp.step(20));
    await page.waitForFunction(() => window.__relu.snapshots[0]?.step === 20 && document.querySelector('#output').dataset.view === 'confusion' && document.querySelector('#output').dataset.step === '20' && document.querySelector('#fields').dataset.step === '20' && document.querySelector('#gallery').dataset.predicted === '1', null, { timeout: 30000, polling: 50 });
    const snap = await page.evaluate(() => {
      const s = window.__relu.snapshots[0];
      return { states: Array.from(s.layers[0].states), testAccuracy: s.testAccuracy, dead: s.layers[0].counts.dead };
    });

    // The confusion matrix counts every test digit once, by true and predicted class.
    const out = await data(page, '#output');
    assert.deepEqual(JSON.parse(out.classes), DIGITS);
    assert.equal(out.rows, 'test');
    const m = JSON.parse(out.confusion);
    assert.equal(m.length, 10);
    const total = m.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, 2000, 'the 2,000 test digits');
    const right = m.reduce((a, r, k) => a + r[k], 0);
    assert.ok(Math.abs(right / total - snap.testAccuracy) < 1e-6, `matrix accuracy ${right / total} vs the engine's ${snap.testAccuracy}`);
    const perClass = JSON.parse(out.perClass);
    assert.equal(perClass.length, 10);
    perClass.forEach((a, k) => assert.equal(a, m[k][k] / m[k].reduce((x, y) => x + y, 0), `class ${k}`));

    // One field per first-layer unit; the dead ones (and only those) marked.
    assert.equal((await page.$eval('#fields-panel', (e) => e.hidden)), false);
    const fields = await data(page, '#fields');
    assert.equal(fields.units, '24');
    const dead = snap.states.flatMap((s, i) => (s === 0 ? [i] : []));
    assert.ok(dead.length > 0 && dead.length < 24, `want some dead units, got ${dead.length} of 24`);
    assert.deepEqual(JSON.parse(fields.dead), dead);

    // A dead unit's card: its field, 8 closest inputs, every z <= 0, descending, and the sentence.
    const d = await cardOfField(page, dead[0]);
    assert.equal(d.field, true);
    assert.equal(d.thumbs, 8);
    assert.ok(d.z.every((z) => z <= 0), `dead unit z ${d.z}`);
    d.z.forEach((z, k) => k && assert.ok(z <= d.z[k - 1], `descending: ${d.z}`));
    assert.match(d.note, /^closest input: z = -\d+\.\d\d; no training input wakes it$/);
    assert.equal(Number(d.note.match(/z = (-[\d.]+)/)[1]), Number(d.z[0].toFixed(2)));

    // A live unit's best input is above zero.
    const live = snap.states.findIndex((s) => s !== 0);
    const a = await cardOfField(page, live);
    assert.ok(a.z[0] > 0, `live unit ${live}: best z ${a.z[0]}`);
    assert.match(a.note, /active on some training inputs/);

    // The gallery: 48 test digits with predictions, the misclassified ones marked.
    await page.keyboard.press('Escape');
    const g = await data(page, '#gallery');
    assert.equal(g.shown, '48');
    const wrong = JSON.parse(g.wrong);
    assert.ok(wrong.length > 0, 'after 20 steps some of the 48 are wrong');
    // Clicking one selects it: the debug view and the page event say which.
    await page.locator('#gallery').scrollIntoViewIfNeeded();
    const box = await page.locator('#gallery').boundingBox();
    await page.mouse.click(box.x + 10, box.y + 10);
    const sel = await page.evaluate(() => window.__relu.selectedInput);
    assert.equal(sel.index, 0);
    assert.equal(sel.set, 'test');
    assert.deepEqual(await events, sel);
    assert.equal(sel.predicted !== sel.label, wrong.includes(0));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
