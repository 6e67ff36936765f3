// The worker owns a run's state: playing, the rollback step, the revive count and the last
// intervention arrive in each snapshot (the `run` field of the worker's snapshot message), and
// the page shows what they say. Nothing on the page writes them.
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

test('playing and revives travel in the snapshot; the page shows them', async () => {
  const { page, context, problems } = await openPage(env, 'dataset=spiral&layers=8,8&biasInit=-3&seed=1&autoplay=0');
  await page.evaluate(() => window.__reluApp.step(20));
  let status = await page.evaluate(() => window.__relu.runStatus[0]);
  assert.deepEqual(status, { playing: false, rollbackStep: -1, revived: { count: 0, total: 0 }, action: null });
  assert.equal(await page.textContent('#play'), 'Play');

  await page.click('#play');
  await page.waitForFunction(() => window.__relu.runStatus[0].playing === true);
  await page.waitForFunction(() => document.getElementById('play').textContent === 'Pause' && document.body.dataset.playing === '1');
  await page.click('#play');
  await page.waitForFunction(() => window.__relu.runStatus[0].playing === false);
  await page.waitForFunction(() => document.getElementById('play').textContent === 'Play');

  const dead = await page.evaluate(() => window.__relu.snapshots[0].layers.reduce((a, l) => a + l.counts.dead, 0));
  assert.ok(dead > 0, 'the negative bias leaves dead units to revive');
  await page.click('#c-revive');
  await page.waitForFunction(() => window.__relu.runStatus[0].revived.total === 1);
  status = await page.evaluate(() => window.__relu.runStatus[0]);
  assert.ok(status.revived.count > 0);
  assert.equal(status.action.op, 'revive');
  assert.equal(status.action.units.length, status.revived.count);
  // Said under the button that asked (tests/browser/interventions.test.mjs has the rest).
  await page.waitForFunction((n) => document.querySelector('#c-revive + .action-note')?.textContent.includes(`Revived ${n} dead unit`), status.revived.count);
  assert.equal(status.playing, false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the rollback step of a diverged run arrives in its snapshot and names the button', async () => {
  const { page, context, problems } = await openPage(env, 'dataset=reg-plane&lr=10&optimizer=sgd&layers=8,8');
  await page.waitForFunction(() => window.__relu.snapshots[0]?.diverged, null, { timeout: 30000, polling: 50 });
  const status = await page.evaluate(() => window.__relu.runStatus[0]);
  const divergence = await page.evaluate(() => window.__relu.snapshots[0].divergence);
  assert.equal(status.playing, false, 'the worker paused the diverged run');
  assert.equal(status.rollbackStep, divergence.rollbackStep);
  assert.ok(status.rollbackStep >= 0);
  await page.waitForSelector('#diverged:not([hidden])');
  assert.equal(await page.textContent('#rollback'), `Roll back to step ${status.rollbackStep}`);
  await page.click('#rollback');
  await page.waitForFunction((s) => { const x = window.__relu.snapshots[0]; return !x.diverged && x.step === s; }, status.rollbackStep, { timeout: 10000, polling: 50 });
  assert.equal(await page.evaluate(() => window.__relu.runStatus[0].rollbackStep), -1);
  assert.deepEqual(problems, []);
  await context.close();
});
