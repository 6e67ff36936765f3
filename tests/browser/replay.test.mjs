// Replay (issue 12 §2): pause, scrub the timeline back, and the network, the histograms, the
// summary and the neuron card show the run as it was at that logged step; ←/→ move by one
// stored entry; "Back to live", Escape and Play return to the present; compare runs show
// their nearest stored step each; the store stays within its bound over many snapshots.
// The expected values are what the page showed live at each step, recorded as it trained.
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

const STEP = 25;
const STOPS = 16; // 0, 25, ..., 400: the high-LR preset's units die in these steps

// The page's live numbers of the main run at its current step.
const liveNow = (page) =>
  page.evaluate(() => {
    const s = window.__relu.snapshots[0];
    return { step: s.step, dead: s.layers.reduce((a, l) => a + l.counts.dead, 0), states: s.layers.map((l) => Array.from(l.states)), active: s.layers.map((l) => Array.from(l.activeFraction)) };
  });
const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
const cardField = (page, k) => page.$eval('#card dl', (dl, k) => [...dl.querySelectorAll('dt')].find((dt) => dt.textContent === k).nextElementSibling.textContent, k);

async function pressTimeline(page, step) {
  await page.locator('#timeline').scrollIntoViewIfNeeded();
  const p = await page.evaluate((s) => window.__relu.timelinePoint(s), step);
  await page.mouse.click(p.x, p.y);
}
// Pins unit (l, i)'s card from the keyboard: focus the network, Enter, arrows, Enter (the
// network's keyboard cursor starts at the first unit).
async function openCard(page, l, i) {
  await page.focus('.net canvas');
  await page.keyboard.press('Enter');
  for (let k = 0; k < l; k++) await page.keyboard.press('ArrowRight');
  for (let k = 0; k < i; k++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(([l, i]) => !document.querySelector('#card').hidden && document.querySelector('#card h3').textContent.startsWith(`Layer ${l + 1}, unit ${i + 1} `), [l, i]);
}
// The views redraw on the next frames: wait until the network and the histograms drew step.
const drawnAt = (page, step) =>
  page.waitForFunction((s) => {
    const d = window.__relu.drawn;
    return d.networks.every((n) => n === s) && d.histograms === s;
  }, step, { timeout: 20000, polling: 50 });

test('scrubbing back shows the logged step in every view; ←/→, Back to live, Escape and Play', async () => {
  const { page, context, problems } = await openPage(env, 'preset=high-lr&autoplay=0&speed=max');
  try {
    const seen = [await liveNow(page)];
    for (let k = 0; k < STOPS; k++) {
      await page.evaluate((n) => window.__reluApp.step(n), STEP);
      seen.push(await liveNow(page));
    }
    const last = seen[seen.length - 1];
    assert.equal(last.step, STEP * STOPS);
    const store = (await page.evaluate(() => window.__relu.replay)).stores[0];
    assert.deepEqual(store.steps, seen.map((s) => s.step), 'every snapshot the page saw is stored (the store is far from full)');

    // An early step where some unit's state differs from now (it died since).
    const early = seen.find((s) => s.step > 0 && s.step < last.step / 2 && s.states.some((st, l) => st.some((v, i) => v !== last.states[l][i])));
    assert.ok(early, 'some unit changed state in the first half of the run');
    const l = early.states.findIndex((st, l) => st.some((v, i) => v !== last.states[l][i]));
    const i = early.states[l].findIndex((v, i) => v !== last.states[l][i]);
    assert.notEqual(early.dead, last.dead);

    // Scrub back (the card is closed: where the page places it is another test's business).
    await pressTimeline(page, early.step);
    await page.waitForFunction((s) => window.__relu.replay.step === s, early.step, { timeout: 10000 });
    await drawnAt(page, early.step);
    const shown = await page.evaluate(() => {
      const f = window.__relu.shown[0];
      return { replay: f.replay, step: f.snapshot.step, states: f.snapshot.layers.map((x) => Array.from(x.states)) };
    });
    assert.equal(shown.replay, true);
    assert.equal(shown.step, early.step);
    assert.deepEqual(shown.states, early.states, 'the views are fed the snapshot the page had at that step');
    assert.equal(await page.$eval('#replay', (e) => e.hidden), false);
    assert.equal(await text(page, '#replay-text'), `Replay: step ${early.step} of ${last.step}`);
    assert.equal(await page.$eval('#stepcount', (e) => e.hidden), true);
    assert.match(await text(page, '#summary'), new RegExp(`^At step ${early.step}: ${early.dead} of 96 dead`));
    assert.match(await text(page, '#output-note'), new RegExp(`^Step ${early.step}: `));
    assert.equal(await page.$eval('#timeline', (e) => e.getAttribute('aria-valuenow')), String(early.step));
    assert.equal((await page.evaluate(() => window.__relu.snapshots[0])).step, last.step, 'the run itself is untouched');

    // The card of a unit that died since, pinned with the keyboard while replaying: then, not now.
    await openCard(page, l, i);
    await page.waitForFunction((s) => document.querySelector('#card h3').textContent.endsWith(`· step ${s}`), early.step, { timeout: 10000 });
    assert.equal(await cardField(page, 'Active on'), `${(100 * early.active[l][i]).toFixed(1)}% of inputs`);
    const thenState = await cardField(page, 'State');
    assert.ok(await page.$eval('#card button[data-action="revive"]', (b) => b.disabled), 'the card acts on the live run only');

    // With the timeline focused, ← and → move by one stored entry; the card follows.
    await page.focus('#timeline');
    await page.keyboard.press('ArrowLeft');
    await drawnAt(page, early.step - STEP);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await drawnAt(page, early.step + STEP);
    assert.equal(await text(page, '#replay-text'), `Replay: step ${early.step + STEP} of ${last.step}`);
    await page.waitForFunction((s) => document.querySelector('#card h3').textContent.endsWith(`· step ${s}`), early.step + STEP, { timeout: 10000 });

    // Back to live: the newest snapshot everywhere again. (A DOM click: the fixed card may sit
    // over the header in this small window; the button's job is under test, not its place.)
    await page.$eval('#live', (b) => b.click());
    await drawnAt(page, last.step);
    assert.equal((await page.evaluate(() => window.__relu.replay)).active, false);
    assert.equal(await page.$eval('#replay', (e) => e.hidden), true);
    assert.equal(await page.$eval('#stepcount', (e) => e.hidden), false);
    await page.waitForFunction(() => !/· step \d+$/.test(document.querySelector('#card h3').textContent));
    assert.equal(await cardField(page, 'Active on'), `${(100 * last.active[l][i]).toFixed(1)}% of inputs`);
    assert.notEqual(await cardField(page, 'State'), thenState, "live, the card shows the unit's state of now");
    assert.equal(await page.$eval('#card button[data-action="revive"]', (b) => b.disabled), false);
    assert.match(await text(page, '#summary'), new RegExp(`^${last.dead} of 96 dead`));

    // Escape on the timeline leaves the replay (and leaves the card open); ← from live goes one
    // stored entry back.
    await page.focus('#timeline');
    await page.keyboard.press('ArrowLeft');
    await drawnAt(page, last.step - STEP);
    await page.keyboard.press('Escape');
    await drawnAt(page, last.step);
    assert.equal((await page.evaluate(() => window.__relu.replay)).active, false);
    assert.equal(await page.$eval('#card', (e) => e.hidden), false);
    // Escape elsewhere closes the card.
    await page.focus('.net canvas');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('#card').hidden, null, { timeout: 10000 });

    // Play returns to live and trains.
    await page.focus('#timeline');
    await page.keyboard.press('ArrowLeft');
    await drawnAt(page, last.step - STEP);
    await page.click('#play');
    await page.waitForFunction((s) => window.__relu.snapshots[0].step > s && !window.__relu.replay.active, last.step, { timeout: 20000 });
    await page.click('#play');
    await page.waitForFunction(() => !window.__relu.playing, null, { timeout: 20000 });

    // The charts scrub too: a press on the loss chart shows a stored step (and marks it). With a
    // card open, Escape closes the card first, then leaves the replay.
    const over = page.locator('#charts .chart-holder .u-over').first();
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => window.__relu.replay.active, null, { timeout: 10000 });
    const r = await page.evaluate(() => window.__relu.replay);
    assert.ok(r.stores[0].steps.includes(r.step) && r.step > 0 && r.step < r.stores[0].steps.at(-1), `a press mid-chart shows step ${r.step}`);
    await drawnAt(page, r.step);
    await page.focus('.net canvas');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('#card').hidden, null, { timeout: 10000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('#card').hidden, null, { timeout: 10000 });
    assert.equal((await page.evaluate(() => window.__relu.replay)).active, true, 'the first Escape only closed the card');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !window.__relu.replay.active, null, { timeout: 10000 });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('compare runs: a scrub shows every run at its nearest stored step', async () => {
  const { page, context, problems } = await openPage(env, 'preset=high-lr&compare=lr:1|0.01&autoplay=0&speed=max');
  try {
    await page.waitForFunction(() => window.__relu.snapshots.length === 2 && window.__relu.snapshots.every((s) => s));
    for (let k = 0; k < 4; k++) await page.evaluate((n) => window.__reluApp.step(n), STEP);
    await page.waitForFunction((n) => window.__relu.snapshots.every((s) => s.step === n), 4 * STEP, { timeout: 30000 });
    // The second run's store gets its last snapshot on the frame it arrives.
    await page.waitForFunction((n) => window.__relu.replay.stores.every((s) => s.steps.at(-1) === n), 4 * STEP, { timeout: 30000 });
    const before = await page.evaluate(() => window.__relu.replay.stores.map((s) => ({ steps: s.steps, budget: s.budget })));
    assert.equal(before[0].budget, before[1].budget, 'the runs share the page budget');
    await pressTimeline(page, 2 * STEP);
    await drawnAt(page, 2 * STEP);
    const shown = await page.evaluate(() => window.__relu.shown.map((f) => ({ replay: f.replay, step: f.snapshot.step })));
    const nearest = (steps, s) => steps.reduce((a, b) => (Math.abs(b - s) < Math.abs(a - s) ? b : a));
    assert.deepEqual(shown, before.map((b) => ({ replay: true, step: nearest(b.steps, 2 * STEP) })));
    const captions = await page.$$eval('.net figcaption .net-stat', (els) => els.map((e) => e.textContent));
    for (const c of captions) assert.match(c, new RegExp(`· step ${2 * STEP}$`));
    await page.click('#live');
    await drawnAt(page, 4 * STEP);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the store fills to its capacity and stays within its bound, with the first and the newest kept (tests/node/replay.test.mjs: 20,000 snapshots)', async () => {
  // A small net on 1-D data: small entries, many snapshots per second at full speed.
  const { page, context, problems } = await openPage(env, 'dataset=sin&layers=4&autoplay=0&speed=max');
  try {
    await page.waitForFunction(() => window.__relu.replay.stores[0]?.capacity > 0, null, { timeout: 20000 });
    const cap = (await page.evaluate(() => window.__relu.replay.stores[0])).capacity;
    await page.evaluate(() => window.__reluApp.play());
    await page.waitForFunction(() => window.__relu.replay.stores[0].evicted >= 64, null, { timeout: 120000, polling: 200 });
    await page.evaluate(() => window.__reluApp.pause());
    await page.waitForFunction(() => !window.__relu.playing, null, { timeout: 20000 });
    const s = (await page.evaluate(() => window.__relu.replay.stores[0]));
    const live = (await page.evaluate(() => window.__relu.snapshots[0])).step;
    assert.equal(s.entries, cap, `${s.entries} entries, capacity ${cap}`);
    assert.ok(s.bytes <= Math.max(s.budget, 16 * s.bytesPerEntry), `${s.bytes} bytes above the budget ${s.budget}`);
    assert.equal(s.seqs[0], 0, 'the first snapshot is kept');
    assert.equal(s.steps.at(-1), live, 'the newest snapshot is kept');
    for (let i = 1; i < s.steps.length; i++) assert.ok(s.steps[i] > s.steps[i - 1]);
    // Holes made by eviction: at most 4 / (capacity - 1) of the run on the linear and the log axis.
    const s0 = s.steps[0], span = s.steps.at(-1) - s0, bound = 4 / (cap - 1);
    for (let i = 1; i < s.steps.length; i++) {
      if (s.seqs[i] === s.seqs[i - 1] + 1) continue;
      const lo = s.steps[i - 1] - s0, hi = s.steps[i] - s0;
      assert.ok((hi - lo) / span <= bound && (Math.log1p(hi) - Math.log1p(lo)) / Math.log1p(span) <= bound, `hole ${s.steps[i - 1]}..${s.steps[i]} of a run to ${s.steps.at(-1)}`);
    }
    const b = (await page.evaluate(() => window.__relu.buffers)).replay[0];
    assert.deepEqual(b, { entries: s.entries, capacity: cap, bytes: s.bytes, budget: s.budget, bytesPerEntry: s.bytesPerEntry });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
