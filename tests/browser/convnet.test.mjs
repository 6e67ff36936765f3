// A convnet on MNIST in the page (issue 14 §4): conv layers drawn as tiles of feature maps, the
// dead channels crossed out exactly where the engine says they are (a second engine, run here
// in node on the same link's config, reaches the same states bit for bit); the filters panel for
// each conv layer; a dead channel's card (filter, its map on the chosen input: silent, its top
// inputs: none wakes it); choosing a gallery input changes the maps; a link whose net the data
// cannot take is refused with its reason. Synchronisation is by waiting on conditions only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, openPage } from './helpers.mjs';
import { ROOT, engine } from '../node/wasm-engine.mjs';
import { parse, toEngineConfig } from '../../web/state.js';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

// Bias −1 at the start leaves part of each conv layer dead on every digit (measured: channels
// 2, 4, 6 of the first conv layer and 1, 3, 7 of the second at step 20, seed 1).
const LINK = 'dataset=mnist14&net=conv2d(6,3,same),maxpool(2),conv2d(8,3,same),maxpool(2),dense(16)&biasInit=-1&lr=0.05&batch=16&seed=1&monitorEvery=1&autoplay=0&speed=max';
const STEPS = 20;
const deadOf = (layer, deadCode) => Array.from(layer.states).flatMap((s, i) => (s === deadCode ? [i] : []));

function engineStates() {
  engine.provideData('mnist14', new Uint8Array(fs.readFileSync(path.join(ROOT, 'build', 'data', 'mnist14.bin'))));
  const run = engine.createRun(toEngineConfig(parse(LINK).state));
  run.step(STEPS);
  const s = run.snapshot();
  run.dispose();
  return s;
}

test('mnist14 convnet: tiles with feature maps, dead channels as the engine counts them, filters, a dead channel\'s card', { timeout: 90000 }, async () => {
  const { page, context, problems } = await openPage(env, LINK, { width: 1440, height: 900 });
  try {
    await page.evaluate((n) => window.__reluApp.step(n), STEPS);
    await page.waitForFunction((n) => window.__relu.snapshots[0]?.step === n && document.querySelector('#fields').dataset.step === String(n), STEPS, { timeout: 60000, polling: 50 });
    const deadCode = await page.evaluate(() => window.__relu.stateNames.indexOf('dead'));
    assert.ok(deadCode >= 0);
    const snap = await page.evaluate(() => window.__relu.snapshots[0].layers.map((l) => ({ states: Array.from(l.states), dead: l.counts.dead })));
    const ref = engineStates();
    // The page's monitor and an engine of its own agree on every unit's state.
    snap.forEach((l, k) => assert.deepEqual(l.states, Array.from(ref.layers[k].states), `layer ${k + 1} states`));
    const dead = snap.map((l) => deadOf(l, deadCode));
    assert.ok(dead[0].length > 0 && dead[0].length < 6, `some, not all, of conv layer 1 dead: ${dead[0]}`);
    assert.ok(dead[1].length > 0 && dead[1].length < 8, `some, not all, of conv layer 2 dead: ${dead[1]}`);

    // The network: conv layers as tiles, their crossed-out channels the dead ones.
    const net = await page.$eval('#networks canvas', (c) => ({ ...c.dataset }));
    assert.equal(net.units, '196,6,8,16,10');
    assert.equal(net.grids, 'image,grid,grid,nodes,nodes');
    assert.deepEqual(net.tiles.split(';').map((t) => JSON.parse(t)), [dead[0], dead[1]]);
    assert.equal(net.mapInput, 'test:0');
    // The tile of a dead channel is greyed: its map is all 0 (white) under a grey veil (a
    // point beside the centre, off the red cross's diagonals).
    const px = await page.evaluate((d) => {
      const c = document.querySelector('#networks canvas');
      const p = window.__relu.unitPoint(0, d);
      const r = c.getBoundingClientRect();
      return Array.from(c.getContext('2d').getImageData(Math.round((p.x - r.left + 10) * devicePixelRatio), Math.round((p.y - r.top) * devicePixelRatio), 1, 1).data);
    }, dead[0][0]);
    assert.ok(px[0] === px[1] && px[1] === px[2] && px[0] > 180 && px[0] < 215, `a dead tile is grey: ${px}`);

    // The filters panel: one filter per channel of the chosen conv layer, the dead ones marked.
    let f = await page.$eval('#fields', (c) => ({ ...c.dataset }));
    assert.equal(await page.textContent('#h-fields'), 'Filters');
    assert.deepEqual([f.layer, f.units, JSON.parse(f.dead)], ['0', '6', dead[0]]);
    assert.match(await page.textContent('#fields-note'), new RegExp(`^6 filters 3×3, ${dead[0].length} dead`));
    await page.selectOption('#fields-layer', '1');
    await page.waitForFunction(() => document.querySelector('#fields').dataset.layer === '1', null, { timeout: 10000, polling: 50 });
    f = await page.$eval('#fields', (c) => ({ ...c.dataset }));
    assert.deepEqual([f.units, JSON.parse(f.dead)], ['8', dead[1]]);
    assert.match(await page.textContent('#fields-note'), new RegExp(`^8 filters 3×3×6, ${dead[1].length} dead`));

    // A dead channel's card: its filter, its map on the chosen input (silent), no input wakes it.
    const d = dead[1][0];
    const p = await page.evaluate((i) => window.__relu.unitPoint(1, i), d);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction((i) => {
      const z = document.querySelector('#card .card-top')?.dataset.z;
      return document.querySelector('#card h3').textContent.startsWith(`Layer 2, channel ${i + 1} `) && z && JSON.parse(z).length === 8;
    }, d, { timeout: 30000, polling: 50 });
    const card = await page.evaluate(() => ({
      z: JSON.parse(document.querySelector('#card .card-top').dataset.z),
      note: document.querySelector('#card .card-top-note').textContent,
      field: !document.querySelector('#card .card-field').hidden,
      map: document.querySelector('#card .card-map').dataset.on,
      maps: [...document.querySelectorAll('#card .card-thumb-map')].filter((m) => !m.hidden).length,
      active: document.querySelector('#card dd')?.parentElement.textContent,
    }));
    assert.ok(card.z.every((z) => z <= 0), `a dead channel's best z: ${card.z}`);
    assert.match(card.note, /no training input wakes it at any position/);
    assert.equal(card.field, true);
    assert.equal(card.map, '0');
    assert.equal(card.maps, 8);
    assert.match(card.active, /0\.0% of positions; 0\.0% of inputs/);
    await page.keyboard.press('Escape');

    // Choosing a gallery input: the tiles show its maps.
    await page.locator('#gallery').scrollIntoViewIfNeeded();
    const box = await page.locator('#gallery').boundingBox();
    const cell = Number(await page.$eval('#gallery', (g) => g.dataset.cell));
    await page.mouse.click(box.x + cell * 1.5, box.y + cell / 2);
    const chosen = await page.evaluate(() => window.__relu.selectedInput.index);
    assert.ok(chosen > 0);
    await page.waitForFunction((j) => document.querySelector('#networks canvas').dataset.mapInput === `test:${j}`, chosen, { timeout: 10000, polling: 50 });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a link whose net the data cannot take: refused with the reason, the dense layers kept', { timeout: 30000 }, async () => {
  const { page, context, problems } = await openPage(env, 'net=conv2d(4,3),maxpool(2)&layers=5,5&autoplay=0', { width: 1440, height: 900 });
  try {
    const text = await page.textContent('#notice-text');
    assert.match(text, /net: convolutions and pooling need image data \(mnist, mnist14\), not spiral; using the dense layers/);
    const net = await page.$eval('#networks canvas', (c) => c.dataset.units);
    assert.equal(net, '2,5,5,1');
    assert.equal(await page.inputValue('#c-net'), '');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
