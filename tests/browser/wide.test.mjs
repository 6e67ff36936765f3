// Wide layers (issue 13 §3): hidden widths up to 512 in the page. A layer of more than 32
// units is drawn as a grid of state-coloured cells, one per unit (the canvas's data-units,
// data-grids and data-cells), a 784-input layer too; links with a grid at either end are one
// band per layer pair (data-links); a cell opens its unit's card on hover and on click, dead
// cells are drawn in the dead colour, and replay keeps drawing the wide net within the
// replay budget. Synchronisation is by waiting on conditions only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './helpers.mjs';
import { STATE_LOOK } from '../../web/palette.js';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const net = (page) => page.$eval('.net canvas', (c) => ({ ...c.dataset }));
const cardTitle = (page) => page.$eval('#card', (c) => (c.hidden ? null : c.querySelector('h3').textContent));
// The canvas pixel at viewport point p, as #rrggbb.
const pixel = (page, p) =>
  page.$eval('.net canvas', (c, p) => {
    const r = c.getBoundingClientRect();
    const dpr = c.width / r.width;
    const d = c.getContext('2d').getImageData(Math.round((p.x - r.left) * dpr), Math.round((p.y - r.top) * dpr), 1, 1).data;
    return '#' + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, '0')).join('');
  }, p);
const drawnAt = (page, step) => page.waitForFunction((s) => window.__relu.drawn.networks[0] === s, step, { timeout: 20000, polling: 50 });

// 120 rows of 784 pixel-like features and a digit label (exact, no randomness).
function wideCsv(rows = 120, features = 784) {
  const lines = [Array.from({ length: features }, (_, j) => `p${j}`).concat('digit').join(',')];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: features }, (_, j) => (((r * 31 + j * 7) % 101) / 100).toFixed(2));
    lines.push([...x, r % 10].join(','));
  }
  return Buffer.from(lines.join('\n') + '\n');
}

test('512-wide layers: one cell per unit, bands, cards on hover and click, dead colour, replay', { timeout: 60000 }, async (t) => {
  // biasInit -4 with the 2-input spiral: most units are dead at birth.
  const { page, context, problems } = await openPage(env, 'dataset=spiral&layers=512,512&biasInit=-4&autoplay=0&speed=max', { width: 1440, height: 900 });
  try {
    await page.evaluate(() => window.__reluApp.step(5));
    await page.waitForFunction(() => window.__relu.snapshots[0].step === 5 && window.__relu.drawn.networks[0] === 5);
    const step5 = await page.evaluate(() => window.__relu.snapshots[0].layers.map((l) => Array.from(l.states)));

    await t.test('grids of 512 cells each, nodes for the 2 inputs and the output, bands for every pair', async () => {
      const d = await net(page);
      assert.equal(d.units, '2,512,512,1');
      assert.equal(d.grids, 'nodes,grid,grid,nodes');
      assert.equal(d.cells, '512,512');
      assert.equal(d.links, 'band,band,band', 'every pair touches a grid');
    });

    await t.test('dead cells are drawn in the dead colour, live ones not', async () => {
      const dead = (await page.evaluate(() => window.__relu.stateNames)).indexOf('dead');
      assert.ok(dead >= 0);
      for (const l of [0, 1]) {
        const states = step5[l];
        const i = states.indexOf(dead), live = states.findIndex((s) => s !== dead);
        assert.ok(i >= 0 && live >= 0, `layer ${l + 1} has dead and live units at step 5: ${states.filter((s) => s === dead).length} dead`);
        const p = await page.evaluate(([l, i]) => window.__relu.unitPoint(l, i), [l, i]);
        const q = await page.evaluate(([l, i]) => window.__relu.unitPoint(l, i), [l, live]);
        assert.equal(await pixel(page, p), STATE_LOOK.dead.color.toLowerCase(), `layer ${l + 1}, unit ${i + 1}: the dead colour`);
        assert.notEqual(await pixel(page, q), STATE_LOOK.dead.color.toLowerCase(), `layer ${l + 1}, unit ${live + 1} (live) is not in the dead colour`);
      }
    });

    await t.test('hovering a cell opens its unit card; a click pins it', async () => {
      for (const [l, i] of [[0, 0], [1, 300], [1, 511]]) {
        const p = await page.evaluate(([l, i]) => window.__relu.unitPoint(l, i), [l, i]);
        await page.mouse.move(p.x, p.y);
        await page.waitForFunction(([l, i]) => document.querySelector('#card h3')?.textContent.startsWith(`Layer ${l + 1}, unit ${i + 1} `), [l, i]);
      }
      const p = await page.evaluate(() => window.__relu.unitPoint(1, 37));
      await page.mouse.click(p.x, p.y);
      await page.waitForFunction(() => document.querySelector('#card h3')?.textContent.startsWith('Layer 2, unit 38 '));
      assert.ok((await cardTitle(page)).startsWith('Layer 2, unit 38 '));
    });

    await t.test('Page Down moves the keyboard cursor one grid row down', async () => {
      const from = await page.evaluate(() => window.__relu.unitPoint(1, 37));
      await page.focus('.net canvas');
      await page.keyboard.press('PageDown');
      await page.waitForFunction(() => !/unit 38 /.test(document.querySelector('#card h3')?.textContent ?? ''));
      const n = Number((await cardTitle(page)).match(/^Layer 2, unit (\d+) /)[1]);
      const to = await page.evaluate((i) => window.__relu.unitPoint(1, i), n - 1);
      assert.ok(n > 39, `unit ${n}`);
      assert.ok(Math.abs(to.x - from.x) < 0.01 && to.y > from.y, `unit ${n} sits below unit 38`);
    });

    await t.test("a revive's mark is drawn on a grid cell", async () => {
      // Far from step 5, which the replay below seeks on the timeline.
      await page.evaluate(() => window.__reluApp.step(30));
      await page.waitForFunction(() => window.__relu.drawn.networks[0] === 35);
      const dead = (await page.evaluate(() => window.__relu.stateNames)).indexOf('dead');
      const i = (await page.evaluate(() => Array.from(window.__relu.snapshots[0].layers[1].states))).indexOf(dead);
      assert.ok(i >= 0);
      const p = await page.evaluate((i) => window.__relu.unitPoint(1, i), i);
      await page.mouse.click(p.x, p.y);
      await page.waitForFunction((i) => document.querySelector('#card h3')?.textContent.startsWith(`Layer 2, unit ${i + 1} `), i);
      assert.equal((await net(page)).marks, '0');
      await page.click('#card button[data-action="revive"]');
      await page.waitForFunction(() => Number(document.querySelector('.net canvas').dataset.marks) >= 1, null, { timeout: 20000 });
    });

    await t.test('replay draws the wide net from its stored entry, within the budget', async () => {
      for (let k = 0; k < 3; k++) await page.evaluate(() => window.__reluApp.step(20));
      await page.waitForFunction(() => window.__relu.snapshots[0].step === 95);
      const store = (await page.evaluate(() => window.__relu.replay)).stores[0];
      assert.ok(store.steps.includes(5), `steps kept: ${store.steps}`);
      assert.ok(store.capacity * store.bytesPerEntry <= store.budget, `${store.capacity} x ${store.bytesPerEntry} B > ${store.budget}`);
      // The pinned card would cover the timeline: Escape closes it first.
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelector('#card').hidden);
      await page.locator('#timeline').scrollIntoViewIfNeeded();
      const tp = await page.evaluate(() => window.__relu.timelinePoint(5));
      await page.mouse.click(tp.x, tp.y);
      await page.waitForFunction(() => window.__relu.replay.step === 5);
      await drawnAt(page, 5);
      const shown = await page.evaluate(() => window.__relu.shown[0].snapshot.layers.map((l) => Array.from(l.states)));
      assert.deepEqual(shown, step5);
      const d = await net(page);
      assert.equal(d.cells, '512,512');
      assert.equal(d.links, 'band,band,band');
    });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a 784-column CSV: the input layer is a 784-cell grid, 256-wide layers are grids, 10 outputs, entries within the replay budget', { timeout: 60000 }, async () => {
  const { page, context, problems } = await openPage(env, 'speed=max&layers=256,256', { width: 1440, height: 900 });
  try {
    await page.setInputFiles('#c-csv', { name: 'pixels.csv', mimeType: 'text/csv', buffer: wideCsv() });
    await page.waitForFunction(() => window.__relu.state.dataset === 'csv' && window.__relu.snapshots[0]?.layers[0].width === 256 && window.__relu.snapshots[0].step >= 20, null, { timeout: 45000, polling: 100 });
    await page.waitForFunction(() => document.querySelector('.net canvas').dataset.units === '784,256,256,10');
    const d = await net(page);
    assert.equal(d.grids, 'grid,grid,grid,nodes', 'no image shape from a CSV: a square-ish input grid');
    assert.equal(d.cells, '256,256');
    assert.equal(d.outputs, '10');
    assert.equal(d.links, 'band,band,band');
    const buffers = await page.evaluate(() => window.__relu.buffers.replay[0]);
    assert.ok(buffers.bytesPerEntry < 1024 * 1024, `a replay entry is ${buffers.bytesPerEntry} bytes`);
    assert.ok(buffers.capacity * buffers.bytesPerEntry <= buffers.budget);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
