// Reading is pure, seen from the page: the death and revival events (step, layer, unit, kind)
// the page collects from its worker's snapshots are the ones the native CLI stamps for the
// same settings, however the page reads: about one step per read (60 steps a second), many
// steps per read (10,000 a second and as fast as it goes), paused
// with reads and no steps, and single-stepped through the public API. The engine stamps
// events on its own cadence (every monitor_every steps); before that, a snapshot evaluated
// the monitor at the step it was read, so each reading pace dated the same deaths differently.
// (tests/node/events.test.mjs checks the same through web/engine.js without the page.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setup, openPage, ROOT } from './helpers.mjs';
import { parse, toEngineConfig } from '../../web/state.js';

const CLI = [process.env.RELU_LAB, path.join(ROOT, 'build/relu-lab')].find((p) => p && fs.existsSync(p));
// Units die early (bias -3, a high rate) and come back: revive every 150 steps.
const SETTINGS = 'dataset=xor&layers=12,12,12&lr=0.3&batch=10&seed=1&biasInit=-3&monitorEvery=10&reviveEvery=150';
// The page's engine config has no "steps" (the engine's default, 1000): the CLI gets the same,
// so both stamp the same cadence points, the last step included.
const LAST = 1000;
const KIND = { died: 0, revived: 1 };
const rows = (events) => events.map((e) => [e.step, e.layer, e.neuron, KIND[e.kind]]);

/** The CLI's events for the engine config the page builds from the same link. */
function cliEvents() {
  const cfg = toEngineConfig(parse(new URLSearchParams(SETTINGS)).state);
  assert.equal(cfg.steps, undefined, 'the page leaves steps to the engine default');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relu-page-events-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(cfg));
  try {
    const out = JSON.parse(execFileSync(CLI, ['train', '--config', file, '--quiet'], { encoding: 'utf8' }));
    assert.equal(out.steps ?? LAST, LAST);
    assert.ok(out.events_total === out.events.length, 'the CLI kept every event');
    return out.events;  // already [step, layer, unit, kind] rows
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let env;
let native;
before(async () => {
  if (!CLI) return;
  native = cliEvents();
  env = await setup();
});
after(async () => {
  await env?.close();
});

/** The page's events up to its current step (and the CLI's last step), with that step. */
async function pageEvents(page) {
  const step = await page.evaluate(() => window.__relu.snapshots[0].step);
  const events = await page.evaluate(() => window.__relu.events[0]);
  const upTo = Math.min(step, LAST);
  return { upTo, events: rows(events).filter((e) => e[0] <= upTo) };
}

function assertSameAsCli({ upTo, events }, pattern) {
  const expected = native.filter((e) => e[0] <= upTo);
  assert.ok(expected.length >= 10, `${pattern}: the settings produce events by step ${upTo} (got ${expected.length})`);
  assert.ok(expected.some((e) => e[3] === 1), `${pattern}: revivals too`);
  assert.deepEqual(events, expected, pattern);
}

const skip = CLI ? false : 'no native CLI (set RELU_LAB or build build/relu-lab)';

for (const [pattern, speed, until] of [
  ['60 steps a second (about a read after every step)', '60', 320],
  ['10,000 steps a second', '10000', LAST],
  ['as fast as it goes (reads thousands of steps apart)', 'max', LAST],
]) {
  test(`the page's event list is the CLI's: ${pattern}`, { skip, timeout: 240000 }, async () => {
    const { page, context, problems } = await openPage(env, `${SETTINGS}&speed=${speed}`);
    await page.waitForFunction((n) => window.__relu.snapshots[0].step >= n, until, { timeout: 200000, polling: 100 });
    await page.evaluate(() => window.__reluApp.pause());
    assertSameAsCli(await pageEvents(page), pattern);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("the page's event list is the CLI's: paused, read repeatedly, then single-stepped", { skip, timeout: 240000 }, async () => {
  const { page, context, problems } = await openPage(env, `${SETTINGS}&autoplay=0`);
  // Paused at step 0: reads with no step between them stamp nothing.
  for (let i = 0; i < 5; i++) await page.evaluate(() => window.__reluApp.getStats());
  assert.equal(await page.evaluate(() => window.__relu.snapshots[0].step), 0);
  const atStart = await page.evaluate(() => window.__relu.events[0].length);
  assert.equal(atStart, native.filter((e) => e[0] === 0).length, 'no event but the initial evaluation\'s');
  // Single steps across several cadence points (reads after each), then uneven strides.
  for (let i = 0; i < 45; i++) await page.evaluate(() => window.__reluApp.step(1));
  for (const k of [7, 13, 97, 1, 150, 3]) {
    await page.evaluate((k) => window.__reluApp.step(k), k);
    await page.evaluate(() => window.__reluApp.getStats());  // a paused read between strides
  }
  const got = await pageEvents(page);
  assert.equal(got.upTo, 45 + 7 + 13 + 97 + 1 + 150 + 3);
  assertSameAsCli(got, 'paused and single-stepped');
  assert.deepEqual(problems, []);
  await context.close();
});
