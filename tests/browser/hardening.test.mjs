// Hardening in the real page: a diverging run pauses with a notice naming the step and the
// place, keeps its last good picture, rolls back, and trains on with a small learning rate;
// a crashed worker is reported and restarted with the current settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitForStep } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

test('divergence: notice with step and place, paused, last good state kept, roll back, then trains on', async () => {
  const { page, context, problems } = await openPage(env, 'dataset=reg-plane&lr=10&optimizer=sgd&layers=8,8');
  await page.waitForFunction(() => window.__relu.snapshots[0]?.diverged, null, { timeout: 30000, polling: 50 });
  await page.waitForSelector('#diverged:not([hidden])', { timeout: 10000 });
  const info = await page.evaluate(() => {
    const s = window.__relu.snapshots[0];
    return {
      text: document.getElementById('diverged-text').textContent,
      button: document.getElementById('rollback').textContent,
      divergence: s.divergence,
      step: s.step,
      layers: s.layers.length,
      playing: window.__relu.playing,
      canvases: document.querySelectorAll('canvas').length,
    };
  });
  const d = info.divergence;
  assert.ok(d && ['loss', 'gradient', 'parameters'].includes(d.what), JSON.stringify(d));
  assert.match(info.text, new RegExp(`Training diverged at step ${d.step}:`));
  const place = d.what === 'loss' ? /the loss/ : d.layer >= info.layers ? /the output layer/ : new RegExp(`hidden layer ${d.layer + 1}`);
  assert.match(info.text, place);
  assert.match(info.text, /Lower the learning rate, then roll back/);
  assert.equal(info.button, `Roll back to step ${d.rollbackStep}`);
  assert.ok(d.rollbackStep < d.step);
  assert.equal(info.playing, false, 'training is paused');
  assert.ok(info.canvases > 0, 'the views are still there');
  // The layers on screen are the last finite ones (no NaN in what is drawn).
  const finiteLayers = await page.evaluate(() => window.__relu.snapshots[0].layers.every((l) => Number.isFinite(l.deadFraction)));
  assert.ok(finiteLayers);
  // Paused for real: the step does not move.
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__relu.snapshots[0].step), info.step);

  // Lower the learning rate, roll back, play: trains on.
  await page.evaluate(() => window.__reluApp.set({ lr: 0.01 }));
  await page.click('#rollback');
  await page.waitForFunction((s) => { const x = window.__relu.snapshots[0]; return x && !x.diverged && x.step === s; }, d.rollbackStep, { timeout: 10000, polling: 50 });
  assert.equal(await page.isHidden('#diverged'), true);
  await page.click('#play');
  await waitForStep(page, d.rollbackStep + 300);
  const after = await page.evaluate(() => window.__relu.snapshots[0]);
  assert.equal(after.diverged, false);
  assert.ok(Number.isFinite(after.trainLoss));
  assert.equal(await page.evaluate(() => window.__relu.state.lr), 0.01);
  assert.deepEqual(problems, []);
  await context.close();
});

test('worker failure: the page says so and restarts it with the current settings', async () => {
  const { page, context, problems } = await openPage(env, 'dataset=xor&lr=0.1&layers=6,5');
  await waitForStep(page, 100);
  await page.evaluate(() => window.__reluApp.set({ lr: 0.05 }));
  const before = await page.evaluate(() => window.__relu.snapshots[0].step);
  await page.evaluate(() => window.__relu.crashWorker(0));
  await page.waitForFunction(() => window.__relu.workerRestarts === 1, null, { timeout: 10000 });
  const text = await page.textContent('#notice-text');
  assert.match(text, /The training worker stopped \(.*crashed.*\) at step \d+\. It was restarted with the current settings/);
  assert.ok(await page.isVisible('#notice'));
  // The new worker trains the same settings (lr 0.05 as last set, layers 6,5).
  await page.waitForFunction(() => { const s = window.__relu.snapshots[0]; return s && s.step >= 50; }, null, { timeout: 30000, polling: 50 });
  const s = await page.evaluate(() => ({ state: window.__relu.state, layers: window.__relu.snapshots[0].layers.map((l) => l.width), playing: window.__relu.playing }));
  assert.equal(s.state.lr, 0.05);
  assert.equal(s.state.dataset, 'xor');
  assert.deepEqual(s.layers, [6, 5]);
  assert.equal(s.playing, true);
  assert.ok(before >= 100);
  // The worker's uncaught error is reported to the console by Chromium; nothing else.
  assert.deepEqual(problems.filter((p) => !/crashed \(simulated\)/.test(p)), []);
  await context.close();
});
