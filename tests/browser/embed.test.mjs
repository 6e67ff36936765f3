// Embedding (issue 5) in headless Chromium: the <relu-playground> element (two on one
// course page), an iframe driven through the postMessage API, origin restriction across
// two origins, bad messages, the single-file build from file://, no external requests,
// the strict CSP, and export -> import restoring a run exactly. Each test has a time limit,
// so a hang (e.g. dist/ rebuilt underneath) fails instead of blocking the suite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';
import { ROOT, ARTIFACTS, CHROMIUM } from './helpers.mjs';
import { parseFlags, serializeFlags, parse } from '../../web/state.js';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const DIST = join(ROOT, 'dist');
let browser, serverA, serverB, A, B;

before(async () => {
  for (const f of ['index.html', 'relu-playground.html', 'web/relu-playground.js', 'examples/course-page.html', 'web/relu_engine.wasm'])
    if (!existsSync(join(DIST, f))) throw new Error(`dist/${f} missing: run \`bash playground.sh build\` (or \`bash playground.sh dist\`) first`);
  // Two origins: A serves dist/ under the strict CSP; B is a foreign site (no CSP, so it may frame A).
  serverA = await startServer(DIST, 0, { csp: CSP });
  serverB = await startServer(DIST, 0);
  A = `http://127.0.0.1:${serverA.address().port}`;
  B = `http://127.0.0.1:${serverB.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  for (const s of [serverA, serverB]) if (s) await new Promise((ok) => s.close(ok));
});

/** A page that records problems: console errors, page errors, CSP violations, requests leaving `allowed`. */
async function open(url, { allowed = [A], width = 1280, height = 900, acceptDownloads = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, acceptDownloads });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!allowed.some((a) => u.startsWith(a + '/')) && !/^(data|blob):/.test(u)) problems.push(`request outside the origin: ${u}`);
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { page, context, problems };
}

// In the page: send one message to a frame and wait for the reply with its requestId.
const callInPage = ([frameSel, msg, targetOrigin]) =>
  new Promise((resolve, reject) => {
    const w = document.querySelector(frameSel).contentWindow;
    const id = msg && typeof msg === 'object' && 'requestId' in msg ? msg.requestId : null;
    const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(msg)}`)), 30000);
    window.addEventListener('message', function on(e) {
      if (e.source !== w || e.data?.type !== 'relu-playground' || e.data.requestId !== id) return;
      window.removeEventListener('message', on);
      clearTimeout(timer);
      resolve({ origin: e.origin, data: e.data });
    });
    w.postMessage(msg, targetOrigin);
  });

async function addFrame(page, src) {
  await page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.id = 'embedded';
    f.src = src;
    f.width = '900';
    f.height = '600';
    document.body.append(f);
  }, src);
  const handle = await page.waitForSelector('#embedded');
  const frame = await handle.contentFrame();
  // (Off-screen cross-origin frames get no requestAnimationFrame; the API does not need it.)
  await frame.waitForFunction(() => window.__reluApp, null, { timeout: 30000 });
  await frame.evaluate(() => window.__reluApp.ready());
  return frame;
}

test('page flags are parsed apart from the settings, validated, and round-trip', () => {
  const { flags, params, warnings } = parseFlags('?embed=1&hide=controls,lr,controls&origins=https://a.example/x,https://b.example:8443,not-a-url&lr=0.5&autoplay=0');
  assert.deepEqual(flags, { embed: true, hide: ['controls', 'lr'], origins: ['https://a.example', 'https://b.example:8443'], autoplay: false });
  assert.equal(params.toString(), 'lr=0.5');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /not-a-url/);
  assert.deepEqual(parse(params).warnings, []);
  assert.deepEqual(parseFlags(serializeFlags(flags)).flags, flags);
  // All origins invalid: nobody may drive the page (fail closed), not everybody.
  assert.deepEqual(parseFlags('origins=javascript:alert(1)').flags.origins, []);
  assert.equal(parseFlags('embed=maybe').warnings.length, 1);
});

const deadShare = (s) => s.layers.reduce((a, l) => a + l.counts.dead, 0) / s.layers.reduce((a, l) => a + l.width, 0);

test('two <relu-playground> elements and an iframe, driven through their APIs, under the strict CSP', { timeout: 120000 }, async () => {
  const { page, context, problems } = await open(`${A}/examples/course-page.html`);
  await page.waitForFunction(() => customElements.get('relu-playground'));
  await page.evaluate(() => Promise.all([...document.querySelectorAll('relu-playground')].map((e) => e.ready())));

  // Each element has its own shadow root, styles and workers: the host's red h2 does not reach inside.
  const look = await page.evaluate(() => {
    const [a, b] = document.querySelectorAll('relu-playground');
    const inner = a.shadowRoot.querySelector('h2');
    return {
      hostH2: getComputedStyle(document.querySelector('h2')).color,
      innerH2: getComputedStyle(inner).color,
      innerPlay: getComputedStyle(a.shadowRoot.getElementById('play')).borderRadius,
      hostButton: getComputedStyle(document.querySelector('button[data-target]')).borderRadius,
      separate: a.shadowRoot.getElementById('play') !== b.shadowRoot.getElementById('play'),
      controlsHidden: a.shadowRoot.querySelector('aside.controls').offsetParent === null,
      networkShown: a.shadowRoot.querySelector('.network-panel').offsetParent !== null,
    };
  });
  assert.equal(look.hostH2, 'rgb(122, 31, 31)');
  assert.notEqual(look.innerH2, look.hostH2, 'host styles leak into the element');
  assert.notEqual(look.innerPlay, look.hostButton);
  assert.ok(look.separate && look.controlsHidden && look.networkShown, JSON.stringify(look));

  // Element 1: a gentle start, then a high learning rate set live: the dead fraction rises.
  const r = await page.evaluate(async () => {
    const pg1 = document.getElementById('pg1'), pg2 = document.getElementById('pg2');
    pg1.set({ preset: 'high-lr', lr: 0.01 });
    const gentle = await pg1.step(300);
    const warnings = pg1.set({ lr: 1, bogus: 1 }).warnings;
    const hot = await pg1.step(1500);
    const other = await pg2.getStats();
    return { gentle, hot, other, warnings, state1: pg1.getState().state, state2: pg2.getState().state };
  });
  assert.ok(r.gentle.step >= 300 && r.hot.step >= r.gentle.step + 1500, JSON.stringify([r.gentle.step, r.hot.step]));
  const [d0, d1] = [deadShare(r.gentle), deadShare(r.hot)];
  assert.ok(d1 > d0 + 0.1, `dead fraction ${d0} -> ${d1}`);
  assert.ok(r.hot.layers.every((l) => l.fractionDead >= 0 && l.fractionDead <= 1 && 'fractionMostlySilent' in l && 'dead' in l.counts));
  assert.ok(Number.isFinite(r.hot.trainLoss) && 'testLoss' in r.hot);
  assert.match(r.warnings.join(' '), /bogus/);
  assert.equal(r.state1.lr, 1);
  // Element 2 is untouched: its own state, its own (paused) run.
  assert.equal(r.other.step, 0);
  assert.equal(r.state2.preset, 'negative-bias');
  assert.notEqual(r.state2.lr, 1);
  // The buttons in the lesson's text drive the elements.
  await page.click('button[data-target="pg2"][data-action="play"]');
  await page.waitForFunction(() => document.getElementById('pg2').debug.snapshots[0].step > 100);
  await page.click('button[data-target="pg2"][data-action="pause"]');
  // Attributes changed later apply like set().
  assert.equal(await page.evaluate(() => {
    const pg2 = document.getElementById('pg2');
    pg2.setAttribute('lr', '0.2');
    return pg2.getState().state.lr;
  }), 0.2);

  // An iframe of the page, trimmed by flags and driven by messages.
  const frame = await addFrame(page, `${A}/index.html?embed=1&autoplay=0&hide=controls,story,presets,timeline,hints,lr&layers=6,6&seed=5`);
  const hidden = await frame.evaluate(() => ({
    controls: document.querySelector('aside.controls').offsetParent === null,
    title: document.querySelector('.brand').offsetParent === null,
    network: document.querySelector('.network-panel').offsetParent !== null,
  }));
  assert.deepEqual(hidden, { controls: true, title: true, network: true });
  const call = (msg) => page.evaluate(callInPage, ['#embedded', msg, A]);
  let rep = await call({ type: 'relu-playground', action: 'getStats', requestId: 1 });
  assert.equal(rep.origin, A);
  assert.equal(rep.data.ok, true);
  assert.equal(rep.data.result.step, 0);
  assert.deepEqual(rep.data.result.layers.map((l) => l.width), [6, 6]);
  rep = await call({ type: 'relu-playground', action: 'step', n: 200, requestId: 'a' });
  assert.ok(rep.data.ok && rep.data.result.step >= 200, JSON.stringify(rep.data));
  const before = deadShare(rep.data.result);
  rep = await call({ type: 'relu-playground', action: 'set', state: { lr: 3, biasInit: -1 }, requestId: 'b' });
  assert.equal(rep.data.result.state.lr, 3);
  rep = await call({ type: 'relu-playground', action: 'getState', requestId: 'c' });
  assert.equal(rep.data.result.state.lr, 3);
  assert.match(rep.data.result.query, /lr=3/);
  await call({ type: 'relu-playground', action: 'play', requestId: 'd' });
  await frame.waitForFunction(async () => (await window.__reluApp.getStats()).step > 1500, null, { timeout: 30000, polling: 100 });
  await call({ type: 'relu-playground', action: 'pause', requestId: 'e' });
  // Paused: the page's newest snapshot is the one the pause produced. Waited for, not read at
  // once: a CI run once read a share of 0 here at a step past 1,500, where the engine has 6 of
  // 12 units dead from step ~100 on (the message now says which step and counts it saw).
  await frame.waitForFunction(async () => {
    const s = await window.__reluApp.getStats();
    return !s.playing && s.layers.some((l) => l.counts.dead > 0);
  }, null, { timeout: 30000, polling: 100 }).catch(() => {});
  rep = await call({ type: 'relu-playground', action: 'getStats', requestId: 'f' });
  assert.ok(deadShare(rep.data.result) > before, `iframe dead fraction ${before} -> ${deadShare(rep.data.result)} at step ${rep.data.result.step} (${JSON.stringify(rep.data.result.layers.map((l) => l.counts))}, playing ${rep.data.result.playing})`);
  rep = await call({ type: 'relu-playground', action: 'reset', requestId: 'g' });
  assert.equal(rep.data.result.step, 0);

  // Bad messages: an error reply each, never an exception.
  const bad = [
    [{ type: 'relu-playground', action: 'explode', requestId: 'x1' }, /unknown action/],
    [{ type: 'relu-playground', action: 'step', n: 'lots', requestId: 'x2' }, /step: n/],
    [{ type: 'relu-playground', action: 'set', state: 'lr=1', requestId: 'x3' }, /set: state/],
    [{ type: 'relu-playground', requestId: 'x4' }, /action/],
    [{ type: 'something-else', requestId: 'x5' }, /type/],
    ['hello', /malformed/],
  ];
  for (const [msg, re] of bad) {
    const { data } = await call(msg);
    assert.equal(data.ok, false, JSON.stringify(msg));
    assert.match(data.error, re);
  }
  rep = await call({ type: 'relu-playground', action: 'getStats', requestId: 'after' });
  assert.equal(rep.data.ok, true, 'the page still answers after bad messages');

  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(await frame.evaluate(() => window.__cspViolations ?? []), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a page at a foreign origin cannot drive an iframe whose embedder restricted the origins', { timeout: 120000 }, async () => {
  const src = `${A}/index.html?embed=1&autoplay=0&layers=4,4&origins=${A}`;
  // The foreign page B embeds the same link and tries to step and play it.
  const foreign = await open(`${B}/examples/course-page.html`, { allowed: [A, B] });
  const frame = await addFrame(foreign.page, src);
  for (const action of ['step', 'play', 'getStats', 'set']) {
    const { origin, data } = await foreign.page.evaluate(callInPage, ['#embedded', { type: 'relu-playground', action, n: 50, state: { lr: 5 }, requestId: action }, A]);
    assert.equal(origin, A);
    assert.deepEqual(data, { type: 'relu-playground', requestId: action, ok: false, error: 'origin not allowed' });
  }
  // Nothing happened: (the replies came after the page handled each message)
  const s = await frame.evaluate(async () => ({ step: (await window.__reluApp.getStats()).step, playing: window.__relu.playing, lr: window.__relu.state.lr }));
  assert.deepEqual(s, { step: 0, playing: false, lr: 0.03 });
  await foreign.context.close();

  // The allowed origin drives the same link.
  const home = await open(`${A}/examples/course-page.html`);
  await addFrame(home.page, src);
  const { data } = await home.page.evaluate(callInPage, ['#embedded', { type: 'relu-playground', action: 'step', n: 50, requestId: 1 }, A]);
  assert.ok(data.ok && data.result.step >= 50);
  await home.context.close();
});

test('the single-file build trains when opened from file://, with no request leaving the file', { timeout: 120000 }, async () => {
  const url = pathToFileURL(join(DIST, 'relu-playground.html')).href;
  const { page, context, problems } = await open(`${url}?layers=5,5&seed=2`, { allowed: [url.split('?')[0].replace(/\/[^/]*$/, '')] });
  await page.waitForFunction(() => window.__relu?.snapshots[0]?.step >= 300, null, { timeout: 30000, polling: 100 });
  const html = readFileSync(join(DIST, 'relu-playground.html'), 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+rel="stylesheet"/, 'everything is inlined');
  assert.deepEqual(problems, []);
  await context.close();
});

test('dist/ under a sub-path makes no request outside its origin; export -> import restores a run exactly', { timeout: 120000 }, async () => {
  // Export from one page (the run JSON is downloaded through the menu) ...
  const one = await open(`${A}/index.html?layers=5,5&seed=4&autoplay=0&lr=0.05`, { acceptDownloads: true });
  await one.page.waitForFunction(() => window.__relu?.snapshots[0]);
  await one.page.evaluate(async () => {
    await window.__reluApp.step(300);
    window.__reluApp.set({ lr: 0.3 }); // a live change mid-run: the weights, not a replay, define the run
    await window.__reluApp.step(250);
  });
  await one.page.waitForFunction(() => window.__relu.history.rows.at(-1)?.[0] === window.__relu.snapshots[0].step);
  await one.page.click('.exports > summary');
  const [download] = await Promise.all([one.page.waitForEvent('download'), one.page.click('#export-run')]);
  const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const expected = await one.page.evaluate(async () => ({
    state: window.__relu.state,
    history: window.__relu.history,
    weights: await window.__reluApp.exportWeights(),
    csv: window.__reluApp.statsCsv(),
    png: [...new Uint8Array(await (await window.__reluApp.pngBlob('network')).arrayBuffer()).slice(0, 8)],
    pictures: window.__reluApp.pictures(),
  }));
  assert.equal(doc.step, 550);
  assert.equal(JSON.parse(expected.weights).layers?.length ?? 1, JSON.parse(expected.weights).layers?.length ?? 1);
  assert.deepEqual(expected.png, [137, 80, 78, 71, 13, 10, 26, 10]);
  assert.ok(['network', 'output', 'chart1', 'timeline'].every((p) => expected.pictures.includes(p)), expected.pictures.join());
  // The history schema (web/history-schema.js; the CLI's --csv uses the same columns).
  assert.equal(expected.csv.split('\n')[0], 'step,train_loss,test_loss,train_accuracy,test_accuracy,grad_norm,dead_l1,dead_l2,mostly_silent_l1,mostly_silent_l2,grad_norm_l1,grad_norm_l2,prelu_slope_l1,prelu_slope_l2');
  assert.equal(expected.csv.trim().split('\n').length, expected.history.rows.length + 1);
  assert.deepEqual(one.problems, []);
  await one.context.close();

  // ... import into another page, under a sub-path of a different server, with other settings.
  const sub = await startServer(ROOT, 0, { csp: CSP }); // ROOT/dist/… : dist/ lives under /dist/
  const base = `http://127.0.0.1:${sub.address().port}`;
  try {
    const two = await open(`${base}/dist/index.html?layers=3&seed=9`, { allowed: [base] });
    await two.page.waitForFunction(() => window.__relu?.snapshots[0]);
    await two.page.setInputFiles('#import-file', { name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await two.page.waitForFunction((n) => window.__relu.snapshots[0]?.step === n && !window.__relu.playing, doc.step, { timeout: 30000 });
    const got = await two.page.evaluate(async () => ({
      state: window.__relu.state,
      history: window.__relu.history,
      weights: await window.__reluApp.exportWeights(),
    }));
    assert.deepEqual(got.state, expected.state);
    assert.deepEqual(got.history, expected.history);
    assert.equal(got.weights, expected.weights);
    assert.deepEqual(await two.page.evaluate(() => window.__cspViolations), []);
    // A run file with weights of another shape is refused with a message; the page keeps working.
    const refused = await two.page.evaluate(async (doc) => {
      const bad = { ...doc, weights: { ...doc.weights, layers: doc.weights.layers.slice(1) } };
      const error = await window.__reluApp.importRun(bad).then(() => null, (e) => e.message);
      const after = await window.__reluApp.step(10);
      return { error, step: after.step };
    }, doc);
    assert.match(refused.error ?? 'no error', /Import failed/);
    assert.ok(refused.step >= 10);
    assert.deepEqual(two.problems, []);
    await two.context.close();
  } finally {
    await new Promise((ok) => sub.close(ok));
  }
});

test('screenshots of the example course page (desktop and phone)', { timeout: 120000 }, async () => {
  for (const [name, width, height] of [['course-page-desktop-1280x900', 1280, 900], ['course-page-phone-390x844', 390, 844]]) {
    const { page, context, problems } = await open(`${A}/examples/course-page.html`, { width, height });
    await page.waitForFunction(() => customElements.get('relu-playground'));
    await page.evaluate(async () => {
      const pg1 = document.getElementById('pg1');
      await pg1.ready();
      await pg1.step(400);
    });
    await page.waitForFunction(() => document.getElementById('pg1').shadowRoot.querySelectorAll('.uplot').length === 4);
    await page.waitForFunction(() => /step 400/.test(document.querySelector('output[data-stats-for="pg1"]').textContent));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${name}: the page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-full.png`), fullPage: true });
    await page.evaluate(() => document.getElementById('pg1').scrollIntoView());
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  }
});
