// MNIST's shape in the page's worker (benchmark, not a test), headless Chromium:
// 784->256,256->10, ReLU, SGD 0.03, batch 128 on the 8,000 MNIST training digits (bench/workloads.mjs
// mnistWorkloads; the packed build/data/mnist.bin), trained by
// the page's own worker (web/worker.js: speed max, snapshots, weights, the prediction sample,
// each snapshot acknowledged in requestAnimationFrame as the page's RunClient does), with the
// monitor at the page's default cadence flat out (web/monitor-cadence.js: 278 steps), against
// the same engine stepped bare in another worker, with the monitor at that cadence and off.
// Back-to-back triples (page, bare monitored, bare monitor off), so a busy machine slows all
// alike; prints each triple, the medians, and:
//   the page's rate (target >= 200 steps/s), the page against the bare engine (its reads'
//   cost), and the monitor's cost as a share of training time (bare off / bare monitored - 1,
//   target <= 15%).
// The main thread here draws nothing: what the page's views cost on the main thread runs on the
// other core (bench/ui-frames.mjs measures that for the page).
// Usage: node bench/mnist-page.mjs [--seconds 5] [--reps 3]   (after the wasm build)
import os from 'node:os';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM } from '../tests/browser/helpers.mjs';
import { startServer } from '../tools/serve.mjs';
import { threadCpu, cpuBetween, busiestWorker } from './thread-cpu.mjs';
import { mnistWorkloads, MNIST_PAGE_SETTINGS } from './workloads.mjs';
import { cadenceFor } from '../web/monitor-cadence.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const SECONDS = opt('seconds', 5);
const REPS = opt('reps', 3);
const EVERY = cadenceFor('max', MNIST_PAGE_SETTINGS);
const [OFF, MONITORED] = mnistWorkloads(EVERY).map((w) => w.config);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();

const server = await startServer(ROOT, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.goto(`${base}bench/`);
await page.evaluate(
  async ({ base, monitored, off }) => {
    const engineUrl = `${base}build-wasm/relu_engine.js`;
    // The page's worker, on the source tree's engine build.
    // The source tree keeps the packed datasets in build/data (dist/ in data/, where the worker's
    // loader looks): its fetches are pointed there.
    const pageCode = `globalThis.RELU_ENGINE_OPTIONS = { moduleUrl: '${engineUrl}' };
      const fetchFromTree = globalThis.fetch;
      globalThis.fetch = (url, init) => fetchFromTree(String(url).replace(/\\/data\\/(\\w+)\\.bin$/, '/build/data/$1.bin'), init);
      await import('${base}web/worker.js');`;
    const pw = new Worker(URL.createObjectURL(new Blob([pageCode], { type: 'text/javascript' })), { type: 'module' });
    let last = null;  // { step, at } of the newest snapshot
    let waiting = null;
    pw.onmessage = ({ data }) => {
      if (data.type === 'error') console.error('worker:', data.message);
      if (data.type === 'snapshot') {
        last = { step: data.snapshot.step, at: performance.now() };
        // Acknowledge at the next frame, as the page does once it has drawn the snapshot.
        requestAnimationFrame(() => pw.postMessage({ op: 'frame', runId: data.runId }));
      }
      if (waiting && waiting.until(data)) (waiting.done(data), (waiting = null));
    };
    const until = (test) => new Promise((done) => (waiting = { until: test, done }));
    await until((d) => d.type === 'ready');
    pw.postMessage({ op: 'create', config: monitored, runId: 1 });
    await until((d) => d.type === 'created');
    pw.postMessage({ op: 'speed', stepsPerSecond: 'max' });
    window.pagePlay = async () => {
      pw.postMessage({ op: 'play' });
      await until((d) => d.type === 'snapshot' && d.snapshot.step > 0);
      await new Promise((ok) => setTimeout(ok, 500));  // past the first reads
    };
    window.pageRate = async (seconds) => {
      const a = last;
      await new Promise((ok) => setTimeout(ok, seconds * 1000));
      const b = last;
      pw.postMessage({ op: 'pause' });
      return { steps: b.step - a.step, rate: ((b.step - a.step) * 1000) / (b.at - a.at) };
    };
    // The bare engine: the same configs stepped in a loop, nothing else.
    const bareCode = `
      import { loadEngine } from '${base}web/engine.js';
      const engine = await loadEngine({ moduleUrl: '${engineUrl}' });
      engine.provideData('mnist', new Uint8Array(await (await fetch('${base}build/data/mnist.bin')).arrayBuffer()));
      const runs = ${JSON.stringify([monitored, off])}.map((c) => engine.createRun(c));
      for (const run of runs) run.step(100);
      postMessage('ready');
      onmessage = ({ data: { seconds, which } }) => {
        const run = runs[which];
        const t0 = performance.now();
        let n = 0;
        while (performance.now() - t0 < seconds * 1000) { run.step(10); n += 10; }
        postMessage({ steps: n, rate: n * 1000 / (performance.now() - t0) });
      };`;
    const bw = new Worker(URL.createObjectURL(new Blob([bareCode], { type: 'text/javascript' })), { type: 'module' });
    await new Promise((ok, fail) => ((bw.onmessage = ok), (bw.onerror = (e) => fail(new Error(e.message)))));
    window.bareRate = (seconds, which) => new Promise((ok) => ((bw.onmessage = (e) => ok(e.data)), bw.postMessage({ seconds, which })));
  },
  { base, monitored: MONITORED, off: OFF },
);

// One window: { rate (wall clock), cpu (steps per CPU second of the worker that trained) }.
async function measure(run) {
  const c0 = threadCpu();
  const r = await run();
  const worker = busiestWorker(cpuBetween(c0, threadCpu()));
  return { rate: r.rate, cpu: worker ? (r.steps * 1000) / worker.ms : null };
}
const triples = [];
for (let r = 0; r < REPS; r++) {
  await page.evaluate(() => window.pagePlay());
  const pageRun = await measure(() => page.evaluate((s) => window.pageRate(s), SECONDS));
  const bareMonitored = await measure(() => page.evaluate((s) => window.bareRate(s, 0), SECONDS));
  const bareOff = await measure(() => page.evaluate((s) => window.bareRate(s, 1), SECONDS));
  triples.push({ pageRun, bareMonitored, bareOff });
  const show = (m) => `${m.rate.toFixed(0)} steps/s (${m.cpu?.toFixed(0) ?? '?'} per CPU second)`;
  console.log(`  page ${show(pageRun)}; bare, monitor every ${EVERY}: ${show(bareMonitored)}; bare, monitor off: ${show(bareOff)}`);
}
await browser.close();
await new Promise((ok) => server.close(ok));

console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${load()} after; ${os.cpus().length} cores; Chromium ${browser.version()}`);
console.log(`MNIST-sized 784->256,256->10, batch 128, 8,000 train, speed max, monitor every ${EVERY} (the page's default), ${REPS} triples of ${SECONDS} s:`);
// Wall clock (what a quiet machine shows) and per CPU second of the training worker (what a
// loaded one can still measure: the rate the worker would reach with a core of its own).
for (const [what, k] of [['wall clock', 'rate'], ['per CPU second', 'cpu']]) {
  if (triples.some((t) => t.pageRun[k] == null || t.bareMonitored[k] == null || t.bareOff[k] == null)) continue;
  const pageRate = median(triples.map((t) => t.pageRun[k]));
  const share = median(triples.map((t) => t.pageRun[k] / t.bareMonitored[k]));
  const monitorCost = median(triples.map((t) => t.bareOff[k] / t.bareMonitored[k] - 1));
  console.log(`  ${what}: page's worker ${pageRate.toFixed(0)} steps/s [target >= 200: ${pageRate >= 200 ? 'met' : 'NOT met'}]; ` +
    `page / bare at the same cadence ${(100 * share).toFixed(0)}%; monitor cost (bare off / monitored - 1) ${(100 * monitorCost).toFixed(1)}% of training time [target <= 15%: ${monitorCost <= 0.15 ? 'met' : 'NOT met'}]`);
}
