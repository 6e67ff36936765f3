// The real page in headless Chromium: loads clean, the URL round-trips, controls change
// the run, bad URL values are clamped with a visible notice, screenshots at both sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, openPage, waitForStep, ARTIFACTS } from './helpers.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
let env;
before(async () => {
  env = await setup({ csp: CSP });
});
after(async () => {
  await env?.close();
});

test('loads under the CSP with no console errors and no remote requests, and trains', async () => {
  const { page, context, problems } = await openPage(env, '');
  await waitForStep(page, 3); // the first visit is paced (a few steps a second)
  const s = await page.evaluate(() => window.__relu.snapshots[0]);
  assert.ok(s.layers.length > 0);
  assert.equal(await page.evaluate(() => window.__relu.state.preset), 'high-lr'); // the first visit opens on preset 1
  assert.ok(await page.isVisible('#story'));
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [name, width, height] of [['desktop-1280x800', 1280, 800], ['phone-390x844', 390, 844]]) {
  test(`screenshot ${name}`, async () => {
    const { page, context, problems } = await openPage(env, '', { width, height });
    await page.evaluate(() => window.__reluApp.set({ speed: 'max' })); // past the paced first moments
    await waitForStep(page, 500);
    // Wait until every view has drawn once (charts have points, output has its surface).
    await page.waitForFunction(() => document.querySelectorAll('.uplot').length === 4 && document.getElementById('outcome').dataset.ok !== 'pending', null, { timeout: 60000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    await page.screenshot({ path: join(ARTIFACTS, `${name}-full.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the URL round-trips every setting, the seed included', async () => {
  const query = 'dataset=xor&noise=0.1&layers=5,7&activation=leaky_relu&lr=0.02&optimizer=adam&batch=20&l2=0.001&biasInit=0.5&init=glorot_uniform&dead=probe&probe=128&silent=0.1&seed=77&hist=bands&speed=1000';
  const { page, context, problems } = await openPage(env, query);
  await waitForStep(page, 5);
  const state = await page.evaluate(() => window.__relu.state);
  assert.equal(state.dataset, 'xor');
  assert.deepEqual(state.layers, [5, 7]);
  assert.equal(state.seed, 77);
  assert.equal(state.lr, 0.02);
  const s = await page.evaluate(() => window.__relu.snapshots[0]);
  assert.deepEqual(s.layers.map((l) => l.width), [5, 7]);
  assert.equal(s.layers[0].activation, 'leaky_relu');
  // The page's own link holds the same settings.
  const url = new URL(page.url());
  const again = await openPage(env, url.search);
  assert.deepEqual(await again.page.evaluate(() => window.__relu.state), state);
  assert.equal(await again.page.isVisible('#notice'), false);
  // Controls reflect the state.
  assert.equal(await page.inputValue('#c-lr'), '0.02');
  assert.equal(await page.inputValue('#c-activation'), 'leaky_relu');
  // Share: the link is the address.
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share').dataset.url);
  assert.equal(await page.evaluate(() => document.getElementById('share').dataset.url), page.url());
  assert.deepEqual(problems, []);
  assert.deepEqual(again.problems, []);
  await again.context.close();
  await context.close();
});

test('bad URL values are clamped, and the page says so', async () => {
  const { page, context, problems } = await openPage(env, 'lr=500&layers=0,999&activation=<b>x</b>&batch=-3&zzz=1&seed=abc');
  await page.waitForSelector('#notice:not([hidden])');
  const text = await page.textContent('#notice');
  for (const word of ['lr', 'layers', 'activation', 'batch', 'zzz', 'seed']) assert.ok(text.includes(word), `${word} in: ${text}`);
  assert.equal(await page.evaluate(() => document.querySelector('#notice b')), null); // never inserted as HTML
  const state = await page.evaluate(() => window.__relu.state);
  assert.equal(state.lr, 10);
  assert.deepEqual(state.layers, [1, 512]);
  assert.equal(state.activation, 'relu');
  assert.equal(state.batch, 0);
  assert.equal(state.seed, 1);
  // The link now holds the clamped values.
  assert.match(page.url(), /lr=10(&|$)/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('controls change the run: live learning rate, layers, activation, pause and step', async () => {
  const { page, context, problems } = await openPage(env, 'layers=6,6&lr=0.03&seed=3');
  await waitForStep(page, 50);
  // Layers: + layer restarts with three hidden layers.
  await page.click('button[aria-label="add a hidden layer"]');
  await page.waitForFunction(() => window.__relu.snapshots[0]?.layers.length === 3);
  assert.match(page.url(), /layers=6,6,6/);
  // A width button.
  await page.click('button[aria-label="more units in layer 1"]');
  await page.waitForFunction(() => window.__relu.snapshots[0]?.layers[0].width === 7);
  // Activation live: keeps training (step keeps growing) and the layers report it.
  await waitForStep(page, 20);
  const before = await page.evaluate(() => window.__relu.snapshots[0].step);
  await page.selectOption('#c-activation', 'tanh');
  await page.waitForFunction(() => window.__relu.snapshots[0].layers.every((l) => l.activation === 'tanh'));
  const after = await page.evaluate(() => window.__relu.snapshots[0].step);
  assert.ok(after >= before, 'a live activation change must not restart the run');
  // Learning rate (live): lands in the state and the link.
  await page.fill('#c-lr', '0.5');
  await page.press('#c-lr', 'Enter');
  await page.waitForFunction(() => window.__relu.state.lr === 0.5);
  assert.match(page.url(), /lr=0.5/);
  // Pause, then Step advances by exactly one step.
  await page.click('#play');
  await page.waitForFunction(() => !window.__relu.playing);
  await page.waitForFunction(() => document.body.dataset.playing === '0');
  const s0 = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 200));
    return window.__relu.snapshots[0].step;
  });
  await page.click('#step');
  await page.waitForFunction((s0) => window.__relu.snapshots[0].step === s0 + 1, s0);
  // Keyboard: every control has a label.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, button, canvas[tabindex]')].filter((e) => {
      if (e.closest('[hidden]')) return false;
      const label = e.labels?.[0]?.textContent || e.getAttribute('aria-label') || e.textContent.trim();
      return !label;
    }).map((e) => e.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('weight decay: its field shows while the optimiser is adamw, and changes the running network', async () => {
  const { page, context, problems } = await openPage(env, 'optimizer=adamw&weightDecay=0.05&layers=6,6&lr=0.01&seed=3');
  await waitForStep(page, 20);
  assert.ok(await page.isVisible('#c-weightDecay'));
  assert.equal(await page.inputValue('#c-weightDecay'), '0.05');
  assert.ok((await page.$$eval('#c-optimizer option', (os) => os.map((o) => o.value))).includes('adamw'));
  // Live: the run keeps its steps; the value lands in the state and the link.
  const before = await page.evaluate(() => window.__relu.snapshots[0].step);
  await page.fill('#c-weightDecay', '0.2');
  await page.press('#c-weightDecay', 'Enter');
  await page.waitForFunction(() => window.__relu.state.weightDecay === 0.2);
  assert.match(page.url(), /weightDecay=0.2(&|$)/);
  await waitForStep(page, before + 5);
  // Another optimiser does not read it: the field hides, the value stays for the next adamw.
  await page.selectOption('#c-optimizer', 'adam');
  await page.waitForFunction(() => window.__relu.state.optimizer === 'adam');
  assert.equal(await page.isVisible('#c-weightDecay'), false);
  assert.match(page.url(), /weightDecay=0.2(&|$)/);
  await page.selectOption('#c-optimizer', 'adamw');
  await page.waitForSelector('#c-weightDecay', { state: 'visible' });
  assert.equal(await page.inputValue('#c-weightDecay'), '0.2');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the neuron card opens from the keyboard and ablates a unit', async () => {
  const { page, context, problems } = await openPage(env, 'layers=4,4&seed=5');
  await waitForStep(page, 20);
  await page.focus('.net canvas');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#card:not([hidden])');
  assert.match(await page.textContent('#card h3'), /Layer 1, unit 2/);
  await page.click('#card button[data-action=ablate]');
  await page.waitForFunction(() => window.__relu.snapshots[0].layers[0].ablated[1] === 1);
  await page.keyboard.press('Escape');
  assert.deepEqual(problems, []);
  await context.close();
});
