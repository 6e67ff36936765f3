// Links that do what they say: a `preset` in a link applies that preset's settings first,
// then every key the link gives explicitly (page, iframe, element); a key that contradicts
// the story is named above it; and every preset reached through its own link shows the
// outcome its story promises. Also the stats CSV export in the history schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './helpers.mjs';
import { PRESETS, PRESET_BY_ID } from '../../web/presets.js';
import { defaults } from '../../web/state.js';

const OUTCOME_TIMEOUT = 180000; // generous: the machine is shared; this is not a timing test
let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

/** The state a preset describes: the defaults, then the preset's settings. */
const described = (id) => ({ ...defaults(), compare: null, ...structuredClone(PRESET_BY_ID[id].settings), preset: id });

// mnist's and dead-filters' verdicts need thousands of steps of big nets: their links are tested to load and train
// (tests/browser/presets.test.mjs), its checks on made-up snapshots (tests/node/stories.test.mjs).
for (const p of PRESETS.filter((p) => p.id !== 'mnist' && p.id !== 'dead-filters')) {
  test(`index.html?preset=${p.id} trains that preset and reaches "As promised"`, { timeout: OUTCOME_TIMEOUT + 60000 }, async () => {
    // At full speed: the link's default is the preset's pace (tests/browser/pace.test.mjs).
    const { page, context, problems } = await openPage(env, `preset=${p.id}&speed=max`);
    const state = await page.evaluate(() => window.__relu.state);
    const want = described(p.id);
    for (const key of Object.keys(p.settings)) assert.deepEqual(state[key], want[key], `${key} of preset ${p.id}`);
    assert.equal(state.preset, p.id);
    assert.equal(await page.evaluate(() => window.__relu.snapshots.length), p.settings.compare ? p.settings.compare.values.length : 1);
    // The verdict and its text, read together: a story near its threshold (leaky-prelu's ReLU
    // at 28-30% dead) may change its verdict a frame later.
    const reached = await page.waitForFunction(() => (window.__relu.outcome.ok === 'yes' ? window.__relu.outcome.text : null), null, { timeout: OUTCOME_TIMEOUT, polling: 200 });
    const outcome = await reached.jsonValue();
    assert.match(outcome, /^✓ /);
    // No note: the link gave nothing on top of the preset.
    assert.equal(await page.evaluate(() => document.querySelector('#story-text p').textContent), p.text[0]);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('a key given on top of the preset wins, and the story says what it changed', async () => {
  const { page, context, problems } = await openPage(env, 'preset=high-lr&lr=0.01');
  const state = await page.evaluate(() => window.__relu.state);
  assert.equal(state.lr, 0.01);
  assert.deepEqual(state.layers, [16, 16, 16, 16, 16, 16]);
  assert.equal(state.clip, 2);
  assert.equal(state.seed, 2);
  const story = await page.evaluate(() => [...document.querySelectorAll('#story-text p')].map((e) => e.textContent));
  assert.equal(story[0], 'This link sets lr 0.01; the story below describes lr 1. That is the story\'s "Same run, rate 0.01".');
  assert.equal(story[1], PRESET_BY_ID['high-lr'].text[0]);
  // Clicking the preset applies it as it is: the note goes.
  await page.click('button.preset[data-preset="high-lr"]');
  await page.waitForFunction(() => window.__relu.state.lr === 1);
  assert.equal(await page.evaluate(() => document.querySelector('#story-text p').textContent), PRESET_BY_ID['high-lr'].text[0]);
  // A key that agrees with the preset is no contradiction.
  const agree = await openPage(env, 'preset=selu&layers=3,3,3&seed=4');
  assert.equal(await agree.page.evaluate(() => document.querySelector('#story-text p').textContent), PRESET_BY_ID.selu.text[0]);
  await agree.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the iframe link and the element apply the preset, then their explicit keys', async () => {
  const frame = await openPage(env, 'embed=1&preset=selu&lr=0.2&autoplay=0');
  const s = await frame.page.evaluate(() => window.__relu.state);
  assert.deepEqual([s.activation, s.init, s.alphaDropout, s.dataset, s.lr], ['selu', 'lecun_normal', 0.05, 'negative-uniform', 0.2]);
  assert.equal(await frame.page.evaluate(() => document.querySelector('#story-text p').textContent), 'This link sets lr 0.2; the story below describes lr 0.1.');
  await frame.context.close();

  const { page, context, problems } = await openPage(env, 'autoplay=0');
  const got = await page.evaluate(async () => {
    await import('./web/relu-playground.js');
    const el = document.createElement('relu-playground');
    el.setAttribute('preset', 'negative-inputs');
    el.setAttribute('layers', '2,2');
    el.setAttribute('autoplay', '0');
    document.body.append(el);
    await el.ready();
    return { state: el.getState().state, note: el.shadowRoot.querySelector('#story-text p').textContent, widths: el.debug.snapshots[0].layers.map((l) => l.width) };
  });
  assert.deepEqual([got.state.dataset, got.state.samples, got.state.lr, got.state.batch], ['negative-uniform', 20000, 0.1, 32]);
  assert.deepEqual(got.state.layers, [2, 2]);
  assert.deepEqual(got.widths, [2, 2]);
  assert.equal(got.note, "The element's attributes set layers 2,2; the story below describes layers 1.");
  assert.deepEqual(problems, []);
  await context.close();
});

const HEADER_2_LAYERS = 'step,train_loss,test_loss,train_accuracy,test_accuracy,grad_norm,dead_l1,dead_l2,mostly_silent_l1,mostly_silent_l2,grad_norm_l1,grad_norm_l2,prelu_slope_l1,prelu_slope_l2';

async function csvAfterSteps(query, n) {
  const { page, context, problems } = await openPage(env, query);
  const out = await page.evaluate(async (n) => {
    await window.__reluApp.step(n);
    const s = window.__relu.snapshots[0];
    return { csv: window.__reluApp.statsCsv(), snap: { step: s.step, trainAccuracy: s.trainAccuracy, testAccuracy: s.testAccuracy, gradNorm: s.gradNorm, layers: s.layers.map((l) => ({ dead: l.deadFraction, silent: l.silentFraction, grad: l.gradNorm })) } };
  }, n);
  assert.deepEqual(problems, []);
  await context.close();
  const [header, ...rows] = out.csv.trim().split('\n');
  const last = Object.fromEntries(header.split(',').map((name, k) => [name, rows.at(-1).split(',')[k]]));
  return { header, rows, last, snap: out.snap };
}

test('stats CSV: the history schema, fractions in [0, 1], empty cells where a value does not apply', async () => {
  const cls = await csvAfterSteps('dataset=circle&layers=6,4&biasInit=-1&seed=3&autoplay=0', 300);
  assert.equal(cls.header, HEADER_2_LAYERS);
  assert.equal(Number(cls.last.step), cls.snap.step);
  cls.snap.layers.forEach((l, k) => {
    assert.equal(Number(cls.last[`dead_l${k + 1}`]), l.dead);
    assert.equal(Number(cls.last[`mostly_silent_l${k + 1}`]), l.silent);
    assert.equal(Number(cls.last[`grad_norm_l${k + 1}`]), l.grad);
    assert.equal(cls.last[`prelu_slope_l${k + 1}`], '', 'a ReLU layer has no slope');
  });
  // Fractions, not percentages: some unit is dead or silent, and every value is at most 1.
  for (const row of cls.rows) {
    const cells = row.split(',');
    for (let c = 6; c < 10; c++) assert.ok(cells[c] === '' || (Number(cells[c]) >= 0 && Number(cells[c]) <= 1), `column ${c}: ${cells[c]}`);
  }
  assert.ok(cls.snap.layers.some((l) => l.dead + l.silent > 0), 'the bias makes some units quiet');
  assert.equal(Number(cls.last.train_accuracy), cls.snap.trainAccuracy);
  assert.ok(cls.snap.trainAccuracy > 0 && cls.snap.trainAccuracy <= 1);
  assert.equal(Number(cls.last.grad_norm), cls.snap.gradNorm);

  // Regression without a test split: no test loss, no accuracies; PReLU layers have slopes.
  const reg = await csvAfterSteps('dataset=reg-plane&test=0&layers=3,3&activation=prelu&seed=1&autoplay=0', 50);
  assert.equal(reg.header, HEADER_2_LAYERS);
  assert.deepEqual([reg.last.test_loss, reg.last.train_accuracy, reg.last.test_accuracy], ['', '', '']);
  assert.ok(Number.isFinite(Number(reg.last.train_loss)) && reg.last.train_loss !== '');
  assert.ok(Number(reg.last.prelu_slope_l1) > 0 && Number(reg.last.prelu_slope_l1) < 1, reg.last.prelu_slope_l1);
});
