// Pacing (issue 12 §1): speed is steps per second of wall time; each preset starts at its own
// pace so its key moment unfolds on screen (a first visit too); old per-frame links still
// work, with a notice; the step axes of the charts and the timeline can be logarithmic.
// No assertion here is a timing lower bound: the rate test bounds the steps from above by
// the wall time the page itself measured.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './helpers.mjs';
import { PRESETS, PRESET_BY_ID, presetSettings } from '../../web/presets.js';
import { SPEEDS, stepsPerSecond, parse, cadenceFor, defaults } from '../../web/state.js';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

// In the page, from its first frame: the first snapshot drawn (its step, its key moment) and
// the first frame where the preset's key moment holds.
// Also the page's clock when it first acknowledged a frame to the worker ({op: 'frame'}): a
// paced worker starts earning steps only once that message reaches it, so no step can be
// earlier than rate x the time since (the first frame seen here can be later than the ack,
// by as long as the page's first drawing takes).
function watchFirstFrames() {
  const out = (window.__firstFrames = { first: null, key: null, frames: 0, ackT: null });
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (msg, ...rest) {
    if (msg?.op === 'frame' && out.ackT === null) out.ackT = performance.now();
    return post.call(this, msg, ...rest);
  };
  const frame = () => {
    const m = window.__relu?.keyMoment;
    const s = window.__relu?.snapshots?.[0];
    if (s) {
      out.frames++;
      if (!out.first) out.first = { t: performance.now(), step: s.step, reached: m ? m.key.reached : null };
      if (m && !out.key && m.key.reached) out.key = { t: performance.now(), step: m.step };
    }
    if (!out.key || out.frames < 400) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function openWatched(query) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.addInitScript(watchFirstFrames);
  await page.goto(env.base + (query ? `?${query}` : ''));
  await page.waitForFunction(() => window.__firstFrames?.first, null, { timeout: 30000 });
  return { page, context, problems };
}

test('every preset declares a pace the speed control offers, a step axis and one key-moment definition', () => {
  for (const p of PRESETS) {
    assert.ok(SPEEDS.includes(p.pace) && p.pace !== 'max', `${p.id}: pace ${p.pace}`);
    assert.ok(['linear', 'log'].includes(p.stepAxis), `${p.id}: step axis`);
    assert.equal(typeof p.key?.reached, 'function', `${p.id}: key moment`);
    assert.ok(p.key.what.length > 10);
    assert.deepEqual(p.unpacedActions, [], `${p.id}: an action speed names no action of the story`);
    for (const a of p.actions ?? []) if (a.speed) assert.ok(stepsPerSecond(a.speed) > stepsPerSecond(p.pace), `${p.id}: "${a.label}" is faster than the pace`);
    // A link of the preset at its pace carries neither the speed nor the cadence.
    const s = parse(`preset=${p.id}`).state;
    assert.equal(s.speed, 'max', 'parse alone does not apply presets');
    assert.equal(presetSettings(p.id).speed, p.pace);
    // The cadence that goes with the pace and the preset's network (monitor-cadence.js): every
    // step on the small nets, sparser where one evaluation is a big job (MNIST).
    const cadence = cadenceFor(p.pace, { ...defaults(), ...p.settings });
    assert.equal(presetSettings(p.id).monitorEvery, cadence);
    if (!['mnist', 'mnist14'].includes(p.settings.dataset)) assert.equal(cadence, cadenceFor(p.pace), `${p.id}: a small net keeps the plain cadence`);
  }
});

test('a first visit starts at the first preset\'s pace and its key moment unfolds on screen', { timeout: 120000 }, async () => {
  const { page, context, problems } = await openWatched('');
  const p = PRESETS[0];
  const state = await page.evaluate(() => window.__relu.state);
  assert.equal(state.preset, p.id);
  assert.equal(state.speed, p.pace);
  assert.equal(state.steps, p.stepAxis);
  assert.equal(state.monitorEvery, 1, 'watched slowly, the monitor looks at every step');
  assert.equal(await page.$eval('#speed', (e) => e.value), p.pace);
  assert.equal(await page.$eval('#speed', (e) => e.selectedOptions[0].textContent), `${p.pace} steps/s`);
  // The first snapshot drawn is before the key moment (a run that started at full speed was
  // at step ~12,700 with 48% dead by then).
  const first = await page.evaluate(() => window.__firstFrames.first);
  assert.equal(first.reached, false, `key moment already on the first frame (step ${first.step})`);
  assert.ok(first.step <= 2, `first frame at step ${first.step}`);
  // ...and then it happens, on screen, a few steps later.
  await page.waitForFunction(() => window.__firstFrames.key, null, { timeout: 90000, polling: 100 });
  const key = await page.evaluate(() => window.__firstFrames.key);
  assert.ok(key.step > first.step && key.step < 40, `key moment at step ${key.step}`);
  // The page's link carries the pace too (a link read without its preset gives the same state).
  const query = await page.evaluate(() => window.__reluApp.getState().query);
  assert.match(query, new RegExp(`(^|&)speed=${p.pace}(&|$)`));
  assert.deepEqual(problems, []);
  await context.close();
});

test('speed is steps per second: the steps never outrun rate × the wall time the page measured', { timeout: 120000 }, async () => {
  const RATE = 150;
  const { page, context, problems } = await openWatched(`dataset=xor&layers=4,4&seed=1&speed=${RATE}`);
  await page.waitForFunction(() => window.__firstFrames.frames >= 90 && window.__relu.snapshots[0].step >= 30, null, { timeout: 90000, polling: 50 });
  const r = await page.evaluate(() => ({ now: performance.now(), step: window.__relu.snapshots[0].step, first: window.__firstFrames.first, ackT: window.__firstFrames.ackT, frames: window.__firstFrames.frames }));
  // The worker's clock started when the page's first acknowledgement reached it (the first
  // snapshot, step 0, was on screen by then); it earns RATE steps a second from then, and holds
  // nothing in advance. Slack: one step.
  assert.equal(r.first.step, 0);
  assert.ok(r.ackT !== null && r.ackT <= r.first.t, 'the page acknowledged its first frame');
  const seconds = (r.now - r.ackT) / 1000;
  assert.ok(r.step - r.first.step <= RATE * seconds + 1, `${r.step - r.first.step} steps in ${seconds.toFixed(2)} s at ${RATE} steps/s (${r.frames} frames)`);
  // At steps per frame (the old meaning) 90 frames would have been 90 × 150 steps.
  assert.ok(r.step < r.frames * RATE / 4, `${r.step} steps in ${r.frames} frames`);
  assert.equal(await page.evaluate(() => window.__relu.state.speed), String(RATE));
  // A different speed set live takes over (same run, no restart): at max the same wall time
  // gives far more steps than the paced bound.
  await page.evaluate(() => window.__reluApp.set({ speed: 'max' }));
  await page.waitForFunction((n) => window.__relu.snapshots[0].step > n, 5000, { timeout: 60000, polling: 100 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('an old link\'s steps per frame maps to the nearest steps per second, with a notice', async () => {
  const { page, context, problems } = await openPage(env, 'dataset=xor&layers=4&seed=1&speed=5&autoplay=0');
  assert.equal(await page.evaluate(() => window.__relu.state.speed), '300');
  assert.equal(await page.$eval('#speed', (e) => e.value), '300');
  const notice = await page.$eval('#notice-text', (e) => e.textContent);
  assert.match(notice, /speed: 5 \(steps per frame, from an older link\) read as 300 steps\/s/);
  assert.match(page.url(), /speed=300/);
  // The API reads the same way (and says so).
  const r = await page.evaluate(() => window.__reluApp.set({ speed: 20 }));
  assert.equal(r.state.speed, '1000');
  assert.match(r.warnings.join(' '), /speed: 20 \(steps per frame, from an older link\) read as 1,000 steps\/s/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('presets bring their pace unless a speed is given; story actions only speed up', { timeout: 120000 }, async () => {
  const { page, context, problems } = await openPage(env, 'dataset=xor&layers=4&seed=1&speed=max');
  const speed = () => page.evaluate(() => window.__relu.state.speed);
  await page.evaluate(() => window.__reluApp.set({ preset: 'revival' }));
  assert.equal(await speed(), PRESET_BY_ID.revival.pace);
  assert.equal(await page.evaluate(() => window.__relu.state.monitorEvery), 1);
  await page.evaluate(() => window.__reluApp.set({ preset: 'selu', speed: 'max' }));
  assert.equal(await speed(), 'max');
  assert.equal(await page.evaluate(() => window.__relu.state.monitorEvery), 10);
  await page.evaluate(() => window.__reluApp.set({ preset: 'revival' }));
  assert.equal(await page.evaluate(() => window.__relu.state.monitorEvery), 1);
  await page.evaluate(() => window.__reluApp.set({ speed: 'max' }));
  // The monitor's cadence follows the speed (every step when watched slowly, every 10 at
  // full speed, where every step would cap the rate), unless it was chosen by hand.
  assert.equal(await page.evaluate(() => window.__relu.state.monitorEvery), 10);
  await page.evaluate(() => window.__reluApp.set({ speed: '10' }));
  assert.equal(await page.evaluate(() => window.__relu.state.monitorEvery), 1);
  await page.evaluate(() => window.__reluApp.set({ monitorEvery: 5 }));
  await page.evaluate(() => window.__reluApp.set({ speed: 'max' }));
  assert.equal(await page.evaluate(() => window.__relu.state.monitorEvery), 5);
  await page.click('button.preset[data-preset="high-lr"]');
  await page.waitForFunction(() => window.__relu.state.preset === 'high-lr');
  assert.equal(await speed(), PRESET_BY_ID['high-lr'].pace);
  // "Same run, rate 0.01" needs thousands of steps: it brings a faster speed...
  const action = PRESET_BY_ID['high-lr'].actions.find((a) => a.speed);
  await page.click(`#story-actions button:text-is("${action.label}")`);
  await page.waitForFunction((s) => window.__relu.state.speed === s, action.speed);
  // ...but never slows down a visitor who chose a faster one.
  await page.click('button.preset[data-preset="high-lr"]');
  await page.evaluate(() => window.__reluApp.set({ speed: '10000' }));
  await page.click(`#story-actions button:text-is("${action.label}")`);
  await page.waitForFunction(() => window.__relu.state.lr === 0.01);
  assert.equal(await speed(), '10000');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the log step axis spreads the first steps over the charts and the timeline', { timeout: 120000 }, async () => {
  const { page, context, problems } = await openPage(env, 'dataset=spiral&layers=6,6&seed=3&speed=max');
  await page.waitForFunction(() => window.__relu.snapshots[0].step >= 3000, null, { timeout: 90000, polling: 100 });
  await page.evaluate(() => window.__reluApp.pause());
  const axis = () => page.evaluate(() => ({ ...document.getElementById('charts').dataset, timeline: document.getElementById('timeline').dataset.stepAxis, state: window.__relu.state.steps }));
  await page.waitForFunction(() => document.getElementById('charts').dataset.maxStep >= 3000, null, { timeout: 30000 });
  const linear = await axis();
  assert.equal(linear.stepAxis, 'linear');
  assert.equal(linear.state, 'linear');
  // Linear: the middle of the chart is half the newest step.
  assert.ok(Math.abs(linear.midStep / linear.maxStep - 0.5) < 0.05, JSON.stringify(linear));
  await page.click('#step-axis');
  await page.waitForFunction(() => document.getElementById('charts').dataset.stepAxis === 'log' && document.getElementById('timeline').dataset.stepAxis === 'log', null, { timeout: 30000 });
  const log = await axis();
  assert.equal(log.state, 'log');
  // asinh: the middle of the chart is near the square root of the newest step, not its half.
  assert.ok(log.midStep < log.maxStep / 10 && log.midStep > 10, JSON.stringify(log));
  assert.match(page.url(), /steps=log/);
  // Back: linear again (a page-only setting: the run did not restart).
  const step = await page.evaluate(() => window.__relu.snapshots[0].step);
  await page.click('#step-axis');
  await page.waitForFunction(() => document.getElementById('charts').dataset.stepAxis === 'linear', null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => window.__relu.snapshots[0].step), step);
  assert.deepEqual(problems, []);
  await context.close();
});

// After the key moment (page/pacing.js): the preset's pace only lasts while there is something
// to watch; the verdict, hundreds of steps later, comes at the preset's `then` speed.
test('after its key moment a paced preset speeds up, says so by the speed control, and a link still opens paced', { timeout: 180000 }, async () => {
  const p = PRESET_BY_ID['high-lr'];
  const { page, context, problems } = await openPage(env, 'preset=high-lr');
  assert.equal(await page.evaluate(() => window.__relu.state.speed), p.pace);
  await page.waitForFunction((then) => window.__relu.state.speed === then, p.then, { timeout: 120000, polling: 100 });
  const seen = await page.evaluate(() => ({
    key: window.__relu.keyMoment.key.reached,
    step: window.__relu.snapshots[0].step,
    note: document.querySelector('#pace-note').textContent,
    noteShown: !document.querySelector('#pace-note').hidden,
    select: document.querySelector('#speed').value,
    link: window.__reluApp.getState().query,
  }));
  assert.ok(seen.key, 'the key moment was on screen before the speed-up');
  assert.ok(seen.noteShown);
  assert.match(seen.note, /^More than 30% of hidden units dead \(step \d+\): now 300 steps\/s so the story can finish/);
  assert.equal(seen.select, p.then);
  const linked = new URLSearchParams(seen.link);
  assert.ok([null, p.pace].includes(linked.get('speed')), `a link taken after the speed-up opens at the pace, not ${linked.get('speed')}`);
  // The verdict arrives (at the pace it would take 200 s).
  await page.waitForFunction(() => window.__relu.outcome.ok === 'yes', null, { timeout: 120000, polling: 100 });
  // Reset re-runs the story's own settings: watched at the pace again.
  await page.click('#reset');
  await page.waitForFunction((pace) => window.__relu.state.speed === pace, p.pace, { timeout: 60000, polling: 100 });
  assert.equal(await page.evaluate(() => document.querySelector('#pace-note').hidden), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a speed the visitor chose is never raised', { timeout: 180000 }, async () => {
  const p = PRESET_BY_ID['high-lr'];
  // 30 steps/s, given in the link: the key moment (step ~10-20) passes, and well after
  // LINGER_MS worth of steps the speed is still the one asked for.
  const { page, context, problems } = await openPage(env, 'preset=high-lr&speed=30');
  await page.waitForFunction(() => window.__relu.keyMoment?.key.reached, null, { timeout: 60000, polling: 100 });
  const from = await page.evaluate(() => window.__relu.snapshots[0].step);
  await page.waitForFunction((n) => window.__relu.snapshots[0].step >= n, from + 150, { timeout: 120000, polling: 100 });
  assert.equal(await page.evaluate(() => window.__relu.state.speed), '30');
  assert.equal(await page.evaluate(() => document.querySelector('#pace-note').hidden), true);
  assert.notEqual(p.then, '30');
  assert.deepEqual(problems, []);
  await context.close();
});
