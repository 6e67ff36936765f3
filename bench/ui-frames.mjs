// UI frame benchmark (not a test): a 6 x 16 ReLU net on spiral data, training at
// maximum speed with every panel shown (and a neuron card open), in headless Chromium.
//   - UI frame times from requestAnimationFrame timestamps: p50 / p95 / max (target p95 < 20 ms)
//   - the page's steps/s against the bare engine step rate in a worker (target >= 50%)
// Usage: node bench/ui-frames.mjs [seconds]   (after `bash playground.sh build`)
import { join } from 'node:path';
import { setup, openPage, waitForStep, ROOT } from '../tests/browser/helpers.mjs';
import { startServer } from '../tools/serve.mjs';

const SECONDS = Number(process.argv[2] || 10);
const QUERY = 'dataset=spiral&layers=16,16,16,16,16,16&activation=relu&optimizer=sgd&lr=0.03&batch=10&seed=1&speed=max';
const CONFIG = { dataset: 'spiral', layers: [16, 16, 16, 16, 16, 16], activation: 'relu', optimizer: 'sgd', lr: 0.03, batch: 10, seed: 1 };

const env = await setup();
// The bare rate: the same engine build, stepped in a loop inside a worker, nothing else.
const src = await startServer(ROOT, 0);
const srcBase = `http://127.0.0.1:${src.address().port}/`;
let bare;
{
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${srcBase}bench/`); // any same-origin document
  bare = await page.evaluate(
    async ({ base, config, seconds }) => {
      const code = `
        import { loadEngine } from '${base}web/engine.js';
        const engine = await loadEngine({ moduleUrl: '${base}build-wasm/relu_engine.js' });
        const run = engine.createRun(${JSON.stringify(config)});
        run.step(500);
        const t0 = performance.now();
        let n = 0;
        while (performance.now() - t0 < ${seconds * 1000}) { run.step(50); n += 50; }
        postMessage(n * 1000 / (performance.now() - t0));`;
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      const w = new Worker(url, { type: 'module' });
      return await new Promise((ok, fail) => {
        w.onmessage = (e) => ok(e.data);
        w.onerror = (e) => fail(new Error(e.message));
      });
    },
    { base: srcBase, config: { ...CONFIG }, seconds: Math.min(SECONDS, 5) },
  );
  await context.close();
}

const { page, context, problems } = await openPage(env, QUERY, { width: 1280, height: 800 });
await waitForStep(page, 1000);
// Open a neuron card too (all panels live).
await page.focus('.net canvas');
await page.keyboard.press('Enter');
await page.waitForSelector('#card:not([hidden])');
const result = await page.evaluate(async (seconds) => {
  const times = [];
  const s0 = window.__relu.snapshots[0].step;
  const t0 = performance.now();
  await new Promise((done) => {
    const tick = (t) => {
      times.push(t);
      if (t - t0 < seconds * 1000) requestAnimationFrame(tick);
      else done();
    };
    requestAnimationFrame(tick);
  });
  const s1 = window.__relu.snapshots[0].step;
  const elapsed = performance.now() - t0;
  const deltas = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  const q = (p) => deltas[Math.min(deltas.length - 1, Math.floor(p * deltas.length))];
  return { frames: deltas.length, p50: q(0.5), p95: q(0.95), max: deltas[deltas.length - 1], stepsPerSec: ((s1 - s0) * 1000) / elapsed, timings: { ...window.__relu.timings } };
}, SECONDS);
await context.close();
await env.close();
await new Promise((ok) => src.close(ok));

const share = result.stepsPerSec / bare;
console.log(`UI frame times over ${SECONDS}s (${result.frames} frames): p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${result.max.toFixed(1)} ms  [target p95 < 20 ms: ${result.p95 < 20 ? 'met' : 'NOT met'}]`);
console.log(`steps/s: page ${result.stepsPerSec.toFixed(0)}, bare engine in a worker ${bare.toFixed(0)} -> ${(100 * share).toFixed(0)}% [target >= 50%: ${share >= 0.5 ? 'met' : 'NOT met'}]`);
console.log('mean draw time per view when drawn (ms):', Object.entries(result.timings).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', '));
if (problems.length) console.log('page problems:', problems);
