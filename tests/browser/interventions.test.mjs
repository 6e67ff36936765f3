// Interventions you can see (issue 12, §4): after a revive (every dead unit, or one from its
// card), a freeze or an ablation, the touched units are marked in the network view, the page
// says what happened next to the control that caused it (not in the notice box far above), and
// after a revive it follows the revived units through the engine's death events and says how
// many died again within the window. The numbers are checked against the events themselves.
// Runs are paused and stepped through the API, so everything is keyed by steps, not time.
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

const WINDOW = 50; // web/page/interventions.js WATCH_STEPS at the default monitor cadence

// What the events say about a revive at step S of `units`: how many came alive at S (the engine
// evaluates right after a revive) and how many of the revived died within (S, S + WINDOW].
function expected(events, S, units) {
  const set = new Set(units.map(([l, i]) => `${l}:${i}`));
  const mine = events.filter((e) => set.has(`${e.layer}:${e.neuron}`));
  const alive = new Set(mine.filter((e) => e.kind === 'revived' && e.step === S).map((e) => `${e.layer}:${e.neuron}`));
  const died = new Set(mine.filter((e) => e.kind === 'died' && e.step > S && e.step <= S + WINDOW).map((e) => `${e.layer}:${e.neuron}`));
  return { alive: alive.size, died: died.size };
}

const box = (page, selector) => page.locator(selector).first().boundingBox();
const interventions = (page) => page.evaluate(() => window.__relu.interventions);

test('revive from the story: marks, a note by the button, and the units that died again', async () => {
  const { page, context, problems } = await openPage(env, 'preset=revival&lr=1&speed=max&autoplay=0', { width: 1440, height: 900 });
  await page.evaluate(() => window.__reluApp.step(1500));
  // The monitor evaluated at step 1500 (every 10 steps), and the revive evaluates again with the
  // same weights: the units it revives are exactly the ones this snapshot shows dead.
  const dead = await page.evaluate(() => window.__relu.snapshots[0].layers.flatMap((l, k) => [...l.states].flatMap((st, i) => (st === 0 ? [[k, i]] : []))));
  assert.ok(dead.length > 0, 'the revival preset has dead units to revive at step 1500');

  const button = page.locator('#story-actions button', { hasText: 'Revive dead units now' });
  await button.click();
  await page.waitForFunction(() => window.__relu.interventions.runs[0].length === 1);
  let iv = await interventions(page);
  const entry = iv.runs[0][0];
  const status = await page.evaluate(() => window.__relu.runStatus[0]);
  assert.equal(entry.op, 'revive');
  assert.equal(entry.step, 1500, 'keyed by the step of the revive');
  assert.equal(entry.units.length, status.revived.count, 'the worker names every unit it revived');
  assert.deepEqual(entry.units, dead, 'the units the worker names are the dead units');
  assert.equal(entry.window, WINDOW);
  assert.equal(entry.done, false, 'paused at the revive step: still watching');

  // Marks: one per revived unit, in the state and on the canvas, and they stay while paused.
  assert.equal(iv.marks[0].length, entry.units.length);
  assert.ok(iv.marks[0].every((m) => m.step === 1500));
  await page.waitForFunction((n) => document.querySelector('.net canvas').dataset.marks === String(n), entry.units.length);

  // The note sits right under the button that asked (the notice box stays closed).
  const note = page.locator('.revive-note');
  assert.equal(await note.evaluate((n) => n.previousElementSibling.textContent), 'Revive dead units now');
  assert.match(await note.textContent(), new RegExp(`Revived ${entry.units.length} dead units at step 1500`));
  const b = await button.boundingBox(), n = await note.boundingBox();
  assert.ok(n.y >= b.y + b.height - 1 && n.y - (b.y + b.height) < 24, `note right under the button (${JSON.stringify({ b, n })})`);
  assert.ok(n.x < b.x + b.width && n.x + n.width > b.x, 'note in the button column');
  assert.equal(await page.isVisible('#notice'), false);

  // Through the window: the page's count is the events' count, and the note says it.
  await page.evaluate((k) => window.__reluApp.step(k), WINDOW + 10);
  await page.waitForFunction(() => window.__relu.interventions.runs[0][0].done);
  iv = await interventions(page);
  const done = iv.runs[0][0];
  const events = await page.evaluate(() => window.__relu.events[0]);
  const want = expected(events, 1500, entry.units);
  assert.equal(done.cameAlive, want.alive);
  assert.equal(done.diedAgain.length, want.died);
  assert.ok(want.died > 0, 'at lr 1 some revived units die again (seeded)');
  const whom = want.alive === entry.units.length ? `${entry.units.length}` : `the ${want.alive} that came alive`;
  // The note is redrawn after the state flips to done: wait for its final wording.
  await page.waitForFunction(() => !document.querySelector('.revive-note').textContent.includes(' so far)'));
  const text = await note.textContent();
  assert.ok(text.includes(`${want.died} of ${whom} died again within ${WINDOW} steps`), text);
  if (want.died / want.alive >= 0.25) assert.ok(text.includes('the learning rate (1) is still too high. Lower it first, then revive.'), text);
  if (want.alive < entry.units.length) assert.ok(text.includes(`${entry.units.length - want.alive} stayed dead at once`), text);
  // The died-again units are marked as such.
  const kinds = Object.fromEntries(iv.marks[0].map((m) => [`${m.l}:${m.i}`, m.kind]));
  for (const d of done.diedAgain) assert.equal(kinds[d.unit.join(':')], 'died-again');

  // Gone later: training on past the window (and the few seconds a mark stays on screen).
  await page.evaluate(() => window.__reluApp.play());
  await page.waitForFunction(() => window.__relu.interventions.marks[0].length === 0 && document.querySelector('.net canvas').dataset.marks === '0', null, { timeout: 30000, polling: 100 });
  assert.ok(await note.isVisible(), 'the note stays after the marks are gone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone, a revive from the settings is said under that button, with a way to the network', async () => {
  const { page, context, problems } = await openPage(env, 'preset=high-lr&speed=max&autoplay=0', { width: 390, height: 844 });
  await page.evaluate(() => window.__reluApp.step(1500));
  const button = page.locator('#c-revive');
  await button.scrollIntoViewIfNeeded();
  await button.click();
  await page.waitForFunction(() => window.__relu.interventions.runs[0].length === 1);
  const entry = (await interventions(page)).runs[0][0];
  const note = page.locator('.revive-note');
  await note.waitFor();
  assert.equal(await note.evaluate((n) => n.previousElementSibling.id), 'c-revive');
  const b = await button.boundingBox(), n = await note.boundingBox();
  assert.ok(n.y >= b.y + b.height - 1 && n.y - (b.y + b.height) < 24, 'note right under the button');
  assert.ok(n.x >= 0 && n.x + n.width <= 390, 'note inside the phone screen');

  await page.evaluate((k) => window.__reluApp.step(k), WINDOW + 10);
  await page.waitForFunction(() => window.__relu.interventions.runs[0][0].done);
  const events = await page.evaluate(() => window.__relu.events[0]);
  const want = expected(events, entry.step, entry.units);
  const whom = want.alive === entry.units.length ? `${entry.units.length}` : `the ${want.alive} that came alive`;
  // The note is redrawn after the state flips to done: wait for its final wording.
  await page.waitForFunction(() => !document.querySelector('.revive-note').textContent.includes(' so far)'));
  const text = await note.textContent();
  assert.ok(text.includes(`${want.died} of ${whom} died again within ${WINDOW} steps: the learning rate (1) is still too high`), text);

  // The network is far below the settings on a phone: the note offers the way there.
  const show = note.locator('button', { hasText: 'Show them in the network' });
  assert.ok(await show.isVisible());
  await show.click();
  await page.waitForFunction(() => {
    const r = document.getElementById('networks').getBoundingClientRect();
    return r.top >= -1 && r.bottom <= innerHeight + 1;
  }, null, { timeout: 10000 });
  const iv = await interventions(page);
  assert.equal(iv.runs[0][0].marked, true, 'showing them lights the marks again');
  assert.equal(iv.marks[0].length, entry.units.length);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the card's revive, freeze and ablate: marked, and said in the card", async () => {
  const { page, context, problems } = await openPage(env, 'dataset=spiral&layers=8,8&seed=1&speed=max&autoplay=0');
  await page.evaluate(() => window.__reluApp.step(300));
  await page.focus('.net canvas');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#card:not([hidden])');
  const note = page.locator('#card .unit-note');

  await page.click('#card button[data-action=freeze]');
  await page.waitForFunction(() => window.__relu.interventions.runs[0].length === 1);
  let iv = await interventions(page);
  assert.deepEqual({ op: iv.runs[0][0].op, value: iv.runs[0][0].value, units: iv.runs[0][0].units }, { op: 'setFrozen', value: true, units: [[0, 1]] });
  assert.deepEqual(iv.marks[0].map((m) => [m.l, m.i, m.kind]), [[0, 1, 'frozen']]);
  await page.waitForFunction(() => document.querySelector('#card .unit-note')?.textContent.startsWith('Froze layer 1, unit 2 at step 300'));
  assert.equal(await note.evaluate((n) => n.previousElementSibling.className), 'card-actions');
  const card = await box(page, '#card'), n = await note.boundingBox();
  assert.ok(n.y >= card.y && n.y + n.height <= card.y + card.height + 1, 'the note is inside the card');

  // Ablate: the note gives the test loss before and after, the same numbers the snapshots show.
  const lossBefore = await page.evaluate(() => window.__relu.snapshots[0].testLoss);
  await page.click('#card button[data-action=ablate]');
  await page.waitForFunction(() => window.__relu.interventions.runs[0].length === 2 && window.__relu.snapshots[0].layers[0].ablated[1] === 1);
  iv = await interventions(page);
  const ab = iv.runs[0][1];
  assert.equal(ab.op, 'setAblated');
  assert.equal(ab.evaluation.before.testLoss, lossBefore);
  assert.equal(ab.evaluation.after.testLoss, await page.evaluate(() => window.__relu.snapshots[0].testLoss));
  assert.notEqual(ab.evaluation.after.testLoss, ab.evaluation.before.testLoss, 'ablating a live unit changes the output');
  const [lb, la] = [ab.evaluation.before.testLoss, ab.evaluation.after.testLoss];
  let digits = 4; // as many as it takes to show the change
  while (digits < 8 && lb.toPrecision(digits) === la.toPrecision(digits)) digits++;
  await page.waitForFunction(() => document.querySelector('#card .unit-note')?.textContent.startsWith('Ablated layer 1, unit 2'));
  const said = await note.textContent();
  assert.ok(said.includes(`test loss ${lb.toPrecision(digits)} → ${la.toPrecision(digits)}`), said);
  assert.deepEqual(iv.marks[0].map((m) => m.kind), ['frozen', 'ablated']);

  // Revive one unit: its own note, its mark, and a watch of that unit alone.
  await page.click('#card button[data-action=revive]');
  await page.waitForFunction(() => window.__relu.interventions.runs[0].length === 3);
  iv = await interventions(page);
  assert.deepEqual({ op: iv.runs[0][2].op, units: iv.runs[0][2].units, step: iv.runs[0][2].step }, { op: 'reviveNeuron', units: [[0, 1]], step: 300 });
  await page.waitForFunction(() => document.querySelector('#card .unit-note')?.textContent.startsWith('Revived layer 1, unit 2 at step 300'));
  await page.waitForFunction(() => document.querySelector('.net canvas').dataset.marks === '3');
  // A unit's note is shown on its own card only.
  await page.focus('.net canvas');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /unit 3/.test(document.querySelector('#card h3').textContent));
  await page.waitForFunction(() => !document.querySelector('#card .unit-note') || document.querySelector('#card .unit-note').hidden);
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => document.querySelector('#card .unit-note')?.hidden === false);
  assert.equal(await page.isVisible('#notice'), false);
  assert.deepEqual(problems, []);
  await context.close();
});
