// Every preset, on the real page, produces the outcome its text promises. The page
// evaluates each preset's check on the live snapshots (web/presets.js) and shows the
// result in #outcome; these tests wait on that, then poke the follow-up actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './helpers.mjs';
import { PRESETS, PRESET_BY_ID } from '../../web/presets.js';

let env, page, context, problems;
before(async () => {
  env = await setup();
  ({ page, context, problems } = await openPage(env, 'layers=2&seed=1'));
});
after(async () => {
  await context?.close();
  await env?.close();
});

const deadShare = () =>
  page.evaluate(() => {
    const s = window.__relu.snapshots[0];
    const n = s.layers.reduce((a, l) => a + l.width, 0);
    return s.layers.reduce((a, l) => a + l.counts.dead, 0) / n;
  });

async function runPreset(id) {
  await page.click(`button.preset[data-preset="${id}"]`);
  await page.waitForFunction((id) => window.__relu.state.preset === id, id);
  // The button starts the preset at its pace (a few steps a second, tests/browser/pace.test.mjs);
  // the outcomes are checked at full speed.
  await page.evaluate(() => window.__reluApp.set({ speed: 'max' }));
  await page.waitForFunction(() => window.__relu.outcome.ok === 'yes', null, { timeout: 90000, polling: 200 });
  return page.evaluate(() => window.__relu.outcome.text);
}

async function action(label) {
  await page.click(`#story-actions button:text-is("${label}")`);
}

// The MNIST preset needs thousands of 784-256-256-10 steps for its verdict (minutes here):
// its checks are tested on made-up snapshots (tests/node/stories.test.mjs) and its link below.
const SLOW = new Set(['mnist', 'dead-filters']);
for (const p of PRESETS.filter((p) => !SLOW.has(p.id))) {
  test(`preset ${p.id}: ${p.title}`, async () => {
    const text = await runPreset(p.id);
    assert.match(text, /As promised/);
    assert.ok(p.text.every((t) => t.length > 40), 'each preset explains itself');
    if (p.id === 'high-lr') {
      assert.ok((await deadShare()) > 0.3);
      await action('Switch to Leaky ReLU (keeps weights)');
      await page.waitForFunction(() => window.__relu.snapshots[0].layers.every((l) => l.activation === 'leaky_relu'));
      // The first Leaky snapshot may still carry the states the monitor last stamped under ReLU
      // (it evaluates on its own cadence): read the variant's verdict, 200 steps after the switch.
      const leaky = await page.waitForFunction(() => (window.__relu.outcome.ok === 'yes' && /Leaky/.test(window.__relu.outcome.text) ? window.__relu.outcome.text : null), null, { timeout: 60000, polling: 200 });
      const dead = /with Leaky ReLU (\d+)% of hidden units are dead/.exec(await leaky.jsonValue());
      assert.ok(dead && Number(dead[1]) < 2, 'near 0 dead after switching to Leaky');
      // The same run at a low rate keeps the units alive.
      await runPreset('high-lr');
      await action('Same run, rate 0.01');
      await page.waitForFunction(() => window.__relu.state.lr === 0.01 && window.__relu.snapshots[0]?.step >= 1000, null, { timeout: 60000 });
      assert.ok((await deadShare()) < 0.15, `low rate: ${await deadShare()}`);
    }
    if (p.id === 'negative-bias') {
      await action('Switch to Leaky ReLU (keeps weights)');
      await page.waitForFunction(() => window.__relu.snapshots[0].layers[0].activation === 'leaky_relu');
      await page.waitForFunction(() => window.__relu.outcome.ok === 'yes' && /fire on no input/.test(window.__relu.outcome.text), null, { timeout: 60000, polling: 200 });
    }
    if (p.id === 'negative-inputs') {
      await action('Three ReLU layers');
      await page.waitForFunction(() => window.__relu.snapshots[0]?.layers.length === 3 && window.__relu.snapshots[0].step >= 300, null, { timeout: 60000 });
      await page.waitForFunction(() => window.__relu.outcome.ok === 'yes', null, { timeout: 60000 });
      assert.ok(await page.evaluate(() => window.__relu.snapshots[0].layerCollapsed));
    }
    if (p.id === 'selu') {
      await action('Same net with ReLU');
      await page.waitForFunction(() => window.__relu.snapshots[0]?.layers[0].activation === 'relu' && window.__relu.snapshots[0].step >= 400, null, { timeout: 60000 });
      await page.waitForFunction(() => window.__relu.outcome.ok === 'yes', null, { timeout: 60000 });
    }
    if (p.id === 'leaky-prelu') {
      // PReLU learned its slopes (they start at 0.25).
      const slopes = await page.evaluate(() => window.__relu.snapshots[2].layers.flatMap((l) => Array.from(l.slope)));
      assert.ok(slopes.some((s) => Math.abs(s - 0.25) > 0.01), `slopes ${slopes.slice(0, 6)}`);
      assert.equal(await page.evaluate(() => document.querySelectorAll('.net canvas').length), 3);
    }
    if (p.id === 'revival') {
      // Paused, so the snapshot right after the revive is what we read.
      await page.click('#play');
      await page.waitForFunction(() => !window.__relu.playing);
      await action('Revive dead units now');
      await page.waitForFunction(() => window.__relu.snapshots[0].layers[0].counts.dead === 0, null, { timeout: 30000 });
    }
    if (p.id === 'iris') {
      assert.match(text, /of hidden units dead, a whole layer dead; test accuracy 33%/);
      await action('Same net with Leaky ReLU');
      const leaky = await page.waitForFunction(() => (window.__relu.outcome.ok === 'yes' && /Leaky/.test(window.__relu.outcome.text) ? window.__relu.outcome.text : null), null, { timeout: 60000, polling: 200 });
      assert.match(await leaky.jsonValue(), /with Leaky ReLU 0% of hidden units are dead; test accuracy (9\d|100)%/);
    }
    if (p.id === 'born-dead') {
      const out = await page.evaluate(() => window.__relu.snapshots.map((s) => s.bornDead));
      assert.deepEqual(out, [true, false]);
    }
    assert.deepEqual(problems, []);
  });
}

test('preset dead-filters: a LeNet on the digits, its first filters dead on screen, the verdict, then Leaky ReLU keeps them', { timeout: 240000 }, async () => {
  const { page: p2, context: c2, problems: pr2 } = await openPage(env, 'preset=dead-filters');
  try {
    // At its pace (3 steps a second), the second update kills first-layer filters: the tiles say so.
    await p2.waitForFunction(() => window.__relu.keyMoment?.key.reached, null, { timeout: 90000, polling: 100 });
    const r = await p2.evaluate(() => ({ state: window.__relu.state, step: window.__relu.snapshots[0].step, tiles: document.querySelector('#networks canvas').dataset.tiles, dead: window.__relu.snapshots[0].layers.map((l) => l.counts.dead) }));
    assert.equal(r.state.net, PRESET_BY_ID['dead-filters'].settings.net);
    assert.ok(r.step < 40, `key moment at step ${r.step}`);
    const crossed = r.tiles.split(';').map((t) => JSON.parse(t).length);
    assert.deepEqual(crossed, r.dead.slice(0, 2), 'the crossed-out tiles are the dead channels');
    assert.ok(crossed[0] >= 3, `first conv layer: ${crossed[0]} of 8 dead`);
    // The verdict (judged from step 200; the pace speeds up after the key moment).
    const verdict = async (re) => (await p2.waitForFunction((src) => (window.__relu.outcome.ok === 'yes' && new RegExp(src).test(window.__relu.outcome.text) ? window.__relu.outcome.text : null), re.source, { timeout: 180000, polling: 250 })).jsonValue();
    assert.match(await verdict(/conv layers/), /^✓ As promised: conv layers [3-8] of 8 and \d+ of 16 channels dead; test accuracy \d+%$/);
    // Leaky ReLU at the same rate: 150 steps on, no conv channel has died (its verdict waits
    // for step 1,500: tests/node/stories.test.mjs judges it on made-up snapshots).
    const leaky = PRESET_BY_ID['dead-filters'].actions[0].label;
    await p2.click(`#story-actions button:text-is("${leaky}")`);
    await p2.waitForFunction(() => window.__relu.state.activation === 'leaky_relu' && window.__relu.snapshots[0]?.step >= 150 && window.__relu.snapshots[0].monitorStep >= 150, null, { timeout: 120000, polling: 200 });
    const after = await p2.evaluate(() => window.__relu.snapshots[0].layers.map((l) => l.counts.dead));
    assert.deepEqual(after.slice(0, 2), [0, 0]);
    assert.deepEqual(pr2, []);
  } finally {
    await c2.close();
  }
});

test('preset mnist: the link loads the digits lazily, builds the 784-256-256-10 net and trains', async () => {
  const { page: p2, context: c2, problems: pr2 } = await openPage(env, 'preset=mnist');
  try {
    await p2.waitForFunction(() => window.__relu.snapshots[0]?.step >= 20, null, { timeout: 90000, polling: 200 });
    const r = await p2.evaluate(() => ({ state: window.__relu.state, widths: window.__relu.snapshots[0].layers.map((l) => l.width), outcome: window.__relu.outcome }));
    assert.equal(r.state.dataset, 'mnist');
    assert.deepEqual(r.widths, [256, 256]);
    assert.equal(r.outcome.ok, 'pending');
    assert.match(r.outcome.text, /^Watching the story… \(step [\d,]+ of [\d,]+\)/);
    // One click each: the story's verdict (judged from step 400; the pace speeds up after the
    // key moment), then the tuned rate's (from step 1,500 of the restarted run).
    const verdict = async () => (await p2.waitForFunction(() => (window.__relu.outcome.ok === 'yes' ? window.__relu.outcome.text : null), null, { timeout: 180000, polling: 250 })).jsonValue();
    assert.match(await verdict(), /^✓ As promised: \d+% of hidden units dead; test accuracy \d+%$/);
    const tuned = PRESET_BY_ID.mnist.actions[0].label;
    await p2.click(`#story-actions button:text-is("${tuned}")`);
    await p2.waitForFunction((lr) => window.__relu.state.lr === lr && window.__relu.snapshots[0]?.step < 100, PRESET_BY_ID.mnist.actions[0].set.lr, { timeout: 60000, polling: 100 });
    assert.match(await verdict(), /^✓ As promised: tuned: 0% of hidden units dead; test accuracy (9[5-9])%$/);
    assert.deepEqual(pr2, []);
  } finally {
    await c2.close();
  }
});
