// Stories that judge right (issue 12 §3): the outcome line judges the variant of the story
// the state runs (its own settings, or an action's result, however it was reached), says
// "Watching…" until the variant's minSteps, names what differs when a run is not the story's;
// "Dead vs sparse" reaches its verdict at its default settings; the neuron card tells a
// mostly-silent unit's tiny |∂L/∂z| from a dead unit's 0; and the story's note names a setting
// that contradicts it, from the element's attributes and from set().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitForStep } from './helpers.mjs';
import { PRESET_BY_ID, HIGH_LR_SETTLED } from '../../web/presets.js';

const VERDICT_TIMEOUT = 120000; // generous: the machine is shared; this is not a timing test
let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

/** The verdict and its text, read together once the outcome line says ✓ (and matches `like`, if given). */
async function verdict(page, like = '') {
  const h = await page.waitForFunction((like) => (window.__relu.outcome.ok === 'yes' && new RegExp(like).test(window.__relu.outcome.text) ? window.__relu.outcome.text : null), like, { timeout: VERDICT_TIMEOUT, polling: 100 });
  return h.jsonValue();
}
const action = (page, label) => page.click(`#story-actions button:text-is("${label}")`);
const settled = `${Math.round((100 * HIGH_LR_SETTLED.dead) / HIGH_LR_SETTLED.units)}%`;

test('high-lr: "Watching…" before minSteps, then a ✓ for the story and for each of its variants', { timeout: 4 * VERDICT_TIMEOUT }, async () => {
  const { page, context, problems } = await openPage(env, 'preset=high-lr&autoplay=0');
  // Paused at a known step: the line says what it is watching, not "Not yet".
  await page.evaluate(() => window.__reluApp.step(100));
  const watching = await page.waitForFunction(() => (/step 100 of 1,000/.test(window.__relu.outcome.text) ? window.__relu.outcome : null), null, { timeout: 30000 });
  const w = await watching.jsonValue();
  assert.equal(w.ok, 'pending');
  assert.match(w.text, /^Watching the story… \(step 100 of 1,000\): \d+% of hidden units dead so far$/);
  assert.doesNotMatch(w.text, /Not yet/);

  // The story itself: more than 30% dead.
  await page.evaluate(() => window.__reluApp.set({ speed: 'max' }));
  await page.evaluate(() => window.__reluApp.play());
  const base = await verdict(page);
  // The share is read from the verdict itself: a ✓ is held for HOLD_STEPS (stories.js), so a
  // snapshot read a moment later may be one where the share dipped (it does near step 800).
  const said = /^✓ As promised: (\d+)% of hidden units dead$/.exec(base);
  assert.ok(said, base);
  assert.ok(Number(said[1]) > 30, base);

  // "Same run, rate 0.01": ✓ with both numbers, the run's and the story's.
  await action(page, 'Same run, rate 0.01');
  const low = await verdict(page, 'alive at a low rate');
  const m = /^✓ As promised: alive at a low rate: (\d+)% dead against (\d+)% at rate 1 \(same seed, from step 1,000 on\)$/.exec(low);
  assert.ok(m, low);
  assert.ok(Number(m[1]) < 15, low);
  assert.equal(`${m[2]}%`, settled);

  // Back to the story, then Leaky ReLU live: ✓ with the dead share and the accuracy.
  await page.click('button.preset[data-preset="high-lr"]');
  assert.match(await verdict(page, 'of hidden units dead$'), /^✓ As promised: \d+% of hidden units dead$/);
  assert.equal(await page.evaluate(() => window.__relu.state.lr), 1);
  await action(page, 'Switch to Leaky ReLU (keeps weights)');
  assert.match(await verdict(page, 'Leaky'), /^✓ As promised: with Leaky ReLU 0% of hidden units are dead; test accuracy \d+%$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link that sets lr=0.01 on high-lr is judged as "Same run, rate 0.01", and its note says so', { timeout: VERDICT_TIMEOUT + 30000 }, async () => {
  const { page, context, problems } = await openPage(env, 'preset=high-lr&lr=0.01&speed=max');
  assert.match(await verdict(page), /^✓ As promised: alive at a low rate: \d+% dead against \d+% at rate 1/);
  assert.equal(await page.textContent('#story-text p'), 'This link sets lr 0.01; the story below describes lr 1. That is the story\'s "Same run, rate 0.01".');
  // A rate neither the story nor its variant has (lr is live: same run, same weights): the
  // line says what happened, neutrally, against the nearest variant.
  await page.evaluate(() => window.__reluApp.set({ lr: 0.02 }));
  const off = await page.waitForFunction(() => (window.__relu.outcome.ok === 'no' ? window.__relu.outcome.text : null), null, { timeout: VERDICT_TIMEOUT, polling: 100 });
  assert.match(await off.jsonValue(), /^This run has lr 0\.02 where the story has lr 1: \d+% of hidden units dead; the story expects more than 30% dead\.$/);
  assert.equal(await page.textContent('#story-text p'), 'A set() call sets lr 0.02; the story below describes lr 1.');
  assert.deepEqual(problems, []);
  await context.close();
});

test("the story's note names overrides from the element's attributes (at creation and later) and from set()", async () => {
  const { page, context, problems } = await openPage(env, 'autoplay=0');
  const got = await page.evaluate(async () => {
    await import('./web/relu-playground.js');
    const el = document.createElement('relu-playground');
    for (const [k, v] of [['preset', 'high-lr'], ['lr', '0.01'], ['autoplay', '0']]) el.setAttribute(k, v);
    document.body.append(el);
    await el.ready();
    const note = () => el.shadowRoot.querySelector('#story-text p').textContent;
    const atCreation = note();
    el.setAttribute('seed', '3');
    const afterAttribute = note();
    el.set({ clip: 0 });
    return { atCreation, afterAttribute, afterSet: note() };
  });
  assert.equal(got.atCreation, 'The element\'s attributes set lr 0.01; the story below describes lr 1. That is the story\'s "Same run, rate 0.01".');
  assert.equal(got.afterAttribute, "The element's attributes set lr 0.01 and seed 3; the story below describes lr 1 and seed 2.");
  assert.equal(got.afterSet, "The element's attributes set lr 0.01 and seed 3; a set() call sets clip 0; the story below describes lr 1, seed 2 and clip 2.");
  // A message from the embedding page, to an iframe.
  const viaMessage = await page.evaluate(async () => {
    const frame = document.createElement('iframe');
    frame.src = 'index.html?embed=1&preset=high-lr&autoplay=0';
    document.body.append(frame);
    await new Promise((ok) => frame.addEventListener('load', ok, { once: true }));
    const reply = new Promise((ok) => window.addEventListener('message', (e) => e.data?.requestId === 'note' && ok(e.data)));
    frame.contentWindow.postMessage({ type: 'relu-playground', action: 'set', requestId: 'note', state: { lr: 0.5 } }, '*');
    const r = await reply;
    return { ok: r.ok, note: frame.contentDocument.querySelector('#story-text p').textContent };
  });
  assert.deepEqual(viaMessage, { ok: true, note: 'A message from the embedding page sets lr 0.5; the story below describes lr 1.' });
  // On the page: set() alone.
  await page.evaluate(() => window.__reluApp.set({ preset: 'selu', lr: 0.2 }));
  await page.waitForFunction(() => window.__relu.state.preset === 'selu');
  assert.equal(await page.textContent('#story-text p'), 'A set() call sets lr 0.2; the story below describes lr 0.1.');
  assert.deepEqual(problems, []);
  await context.close();
});

test('dead vs sparse: ✓ at its default settings, and the card tells a tiny gradient from a dead zero', { timeout: VERDICT_TIMEOUT + 60000 }, async () => {
  // The default speed, whatever it is: the check holds at every monitored step from 300 to
  // 30,000 (tests/node/stories.test.mjs replays it), so the verdict does not depend on the pace.
  const { page, context, problems } = await openPage(env, 'preset=dead-vs-sparse');
  const text = await verdict(page);
  assert.match(text, /^✓ As promised: \d+ mostly-silent units? still learning \(\|∂L\/∂z\| up to \d\.\d\de-\d+\); (\d+) of \1 dead units frozen at \|∂L\/∂z\| = 0 \(over the last \d+ steps\)$/);
  await page.evaluate(() => window.__reluApp.pause());
  await page.waitForFunction(() => !window.__relu.playing);
  // One mostly-silent unit with a measurable gradient and one dead unit, from the snapshot on screen.
  const pick = await page.evaluate(() => {
    const s = window.__relu.snapshots[0];
    const find = (want) => {
      for (let l = 0; l < s.layers.length; l++) for (let i = 0; i < s.layers[l].width; i++) if (want(s.layers[l], i)) return { l, i, grad: s.layers[l].gradAbs[i] };
      return null;
    };
    return { silent: find((L, i) => L.states[i] === 3 && L.gradAbs[i] > 1e-6), dead: find((L, i) => L.states[i] === 0) };
  });
  assert.ok(pick.silent && pick.dead, JSON.stringify(pick));
  async function cardGrad({ l, i }) {
    await page.focus('.net canvas');
    // Home first (moves clamp at the edges), then to the unit.
    for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowLeft');
    for (let k = 0; k < 20; k++) await page.keyboard.press('ArrowUp');
    for (let k = 0; k < l; k++) await page.keyboard.press('ArrowRight');
    for (let k = 0; k < i; k++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(({ l, i }) => document.querySelector('#card h3')?.textContent.startsWith(`Layer ${l + 1}, unit ${i + 1} `), { l, i });
    const rows = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#card dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    return rows['Mean |∂L/∂z|'];
  }
  const silentText = await cardGrad(pick.silent);
  assert.match(silentText, /^\d\.\d\de-\d+$/);
  assert.ok(Math.abs(Number(silentText) - pick.silent.grad) <= 0.005 * pick.silent.grad, `${silentText} vs ${pick.silent.grad}`);
  assert.equal(await cardGrad(pick.dead), '0');
  assert.deepEqual(problems, []);
  await context.close();
});

test('every preset with actions gives each action a check of its own', () => {
  for (const p of Object.values(PRESET_BY_ID)) for (const a of p.actions ?? []) if (a.set) assert.equal(typeof a.check, 'function', `${p.id}: ${a.label}`);
});
