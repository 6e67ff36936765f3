// The whole benchmark: native (SSE4.2) vs the wasm build in node and in headless
// Chromium vs TensorFlow.js 4.22 (wasm backend, SIMD) in node and Chromium; prints markdown
// tables. Issue 14's w3 LeNet also runs on its peers (bench/w3_peers.mjs: PyTorch 1 thread,
// ConvNetJS, TF.js cpu and wasm). Usually run through bench/run.sh, which prepares what it needs.
//
//   node bench/run.mjs [--reps N] [--wasm-dir DIR] [--native PATH] [--no-tf] [--no-browser]
//                      [--no-peers] [--only small,large,mnist,w3] [--port N] [--json FILE]
//
// --only runs just those workloads (e.g. --only w3: the w3 table alone); --no-peers skips w3's
// peers; --no-tf skips TF.js everywhere; --port serves the Chromium page on N (default: any free).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadEngine } from '../web/engine.js';
import { runSuite } from './suite.mjs';
import { MNIST_PAGE_SETTINGS, MNIST_PACKED } from './workloads.mjs';
import { cadenceFor } from '../web/monitor-cadence.js';
import { w3Table } from './w3-table.mjs';
import { threadCpu } from './thread-cpu.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const reps = Number(opt('--reps', 7));
const wasmDir = path.resolve(opt('--wasm-dir', process.env.RELU_WASM_DIR ?? path.join(ROOT, 'build-wasm')));
const nativeBin = path.resolve(opt('--native', process.env.RELU_BENCH ?? path.join(ROOT, 'build-wasmtest/native/relu-bench')));
const withTf = !args.includes('--no-tf');
const withBrowser = !args.includes('--no-browser');
const withPeers = !args.includes('--no-peers');
const WORKLOADS = ['small', 'large', 'mnist', 'w3'];
const only = opt('--only', null)?.split(',') ?? null;
if (only?.some((w) => !WORKLOADS.includes(w))) throw new Error(`--only takes some of ${WORKLOADS.join(',')}, not ${only.join(',')}`);
const want = (name) => !only || only.includes(name);
const servePort = Number(opt('--port', 0));
const jsonOut = opt('--json', null);
const log = (s) => process.stderr.write(s + '\n');
// The MNIST workload's monitor cadence: the page's default flat out (web/monitor-cadence.js).
const MNIST_EVERY = cadenceFor('max', MNIST_PAGE_SETTINGS);
// The packed MNIST the browser fetches (build/data): a bench-only native build has none of its own.
const nativeArgs = ['--reps', String(reps), '--json', '--monitor-every', String(MNIST_EVERY), '--data-dir', path.join(ROOT, path.dirname(MNIST_PACKED))];
if (only) nativeArgs.push('--only', only.flatMap((w) => (w === 'mnist' ? ['mnist', 'mnistMonitored'] : [w])).join(','));

const results = {};

// 1. native
if (fs.existsSync(nativeBin)) {
  log(`native: ${nativeBin}`);
  results.native = JSON.parse(execFileSync(nativeBin, nativeArgs, { encoding: 'utf8', maxBuffer: 1 << 20 }));
} else {
  log(`native benchmark not found at ${nativeBin} (bench/run.sh builds it)`);
}

// 2. node: the wasm engine and TF.js
{
  const engine = await loadEngine({ moduleUrl: pathToFileURL(path.join(wasmDir, 'relu_engine.js')) });
  let tf = null;
  if (withTf) {
    try {
      tf = await import('@tensorflow/tfjs');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(pathToFileURL(path.join(import.meta.dirname, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/')).href);
      await tf.setBackend('wasm');
      await tf.ready();
      log(`node tf backend ${tf.getBackend()}, simd ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')}`);
    } catch (e) {
      log(`TF.js unavailable in node (${e.message}); run npm ci in bench/`);
      tf = null;
    }
  }
  const mnistBytes = new Uint8Array(fs.readFileSync(path.join(ROOT, MNIST_PACKED)));
  const r = await runSuite({ engine, tf, reps, log: (s) => log(`node ${s}`), mnistBytes, only });
  results.node = r;
}

// 3. headless Chromium
if (withBrowser) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    log(`playwright-core unavailable (${e.message}); run npm ci in bench/`);
  }
  if (chromium) {
    const server = await serve(ROOT, servePort);
    const { port } = server.address();
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      page.on('console', (m) => log(`chromium ${m.text()}`));
      // CPU ms of the renderers' main threads (where the suite runs), for w3's steps per CPU second.
      await page.exposeFunction('__pageCpuMs', () => {
        // (a main thread is the one whose id is its process's; it bears the process's name, 'chromium')
        const threads = [...(threadCpu() ?? new Map())].filter(([key, t]) => t.process === 'renderer' && key.split('/')[0] === key.split('/')[1]).map(([, t]) => t);
        return threads.length ? threads.reduce((a, t) => a + t.ms, 0) : null;
      });
      const modulePath = '/' + path.relative(ROOT, path.join(wasmDir, 'relu_engine.js')).split(path.sep).join('/');
      await page.goto(`http://127.0.0.1:${port}/bench/browser.html?reps=${reps}&tf=${withTf ? 1 : 0}&module=${encodeURIComponent(modulePath)}${only ? `&only=${only.join(',')}` : ''}`);
      await page.waitForFunction(() => window.__results, null, { timeout: 20 * 60 * 1000, polling: 500 });
      const r = await page.evaluate(() => window.__results);
      if (r.error) throw new Error(r.error);
      results.chromium = r;
      results.chromiumVersion = browser.version();
    } finally {
      await browser.close();
      server.close();
    }
  }
}

// native again at the end: on a shared machine the load changes during the run, and the
// native figure should not profit from a quieter start (the better of the two is kept).
if (results.native) {
  const again = JSON.parse(execFileSync(nativeBin, nativeArgs, { encoding: 'utf8', maxBuffer: 1 << 20 }));
  for (const k of Object.keys(again)) {
    if (k === 'mnistEvaluation') continue;  // a least-of measure already
    for (const stat of ['median', 'best']) results.native[k][stat] = Math.max(results.native[k][stat], again[k][stat]);
  }
}

// w3's peers, in a node of their own (TF.js switches backends; PyTorch is a python child).
if (want('w3') && withPeers) {
  const peerArgs = [path.join(import.meta.dirname, 'w3_peers.mjs'), '--json', ...(withTf ? [] : ['--no-tf'])];
  const child = spawnSync(process.execPath, peerArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (child.status === 0) results.w3Peers = JSON.parse(child.stdout);
  else log(`w3 peers failed (exit ${child.status}); their rows stay empty`);
} else if (want('w3')) {
  const skipped = { skipped: '--no-peers' };
  results.w3Peers = { pytorch: skipped, convnetjs: skipped, tfjsCpu: skipped, tfjsWasm: skipped, tfjsWasmFrozen: skipped };
}

if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2));
const tables = [];
if (want('small') || want('large')) tables.push(table(results, 'median'), table(results, 'best'));
if (want('mnist')) tables.push(mnistTable(results));
if (want('w3')) tables.push(w3Table(results, reps));
console.log(tables.join('\n\n'));

// The monitor's cost on MNIST's shape: steps/s with the monitor off and at the page's default
// cadence, and what monitoring adds to the training time (off / on - 1; target <= 15%).
function mnistTable(r) {
  const rows = ['| MNIST-sized 784→256,256→10, batch 128, 8,000 train | native SSE4.2 | wasm (node) | wasm (Chromium) |', '|---|---:|---:|---:|'];
  const at = (where, k) => (where === 'native' ? r.native?.[k]?.median : r[where]?.wasm?.[k]?.median);
  const cells = (f) => ['native', 'node', 'chromium'].map((w) => f(at(w, 'mnist'), at(w, 'mnistMonitored'))).join(' | ');
  const n = (x) => (x == null ? '—' : x.toFixed(0));
  rows.push(`| steps/s, monitor off | ${cells((off) => n(off))} |`);
  rows.push(`| steps/s, monitor every ${MNIST_EVERY} (page default, max) | ${cells((off, on) => n(on))} |`);
  rows.push(`| monitor cost, % of training time (off / on − 1) | ${cells((off, on) => (off && on ? `${(100 * (off / on - 1)).toFixed(1)}%` : '—'))} |`);
  // One evaluation in training steps from alternated equally long blocks (suite.mjs
  // evaluationInSteps; native: relu-bench's mnistEvaluation), robust to a loaded machine.
  const ev = (where) => (where === 'native' ? r.native?.mnistEvaluation?.steps : r[where]?.wasm?.mnistEvaluation);
  rows.push(`| one evaluation of the 8,000, in training steps (least of alternated 50-step blocks) | ${['native', 'node', 'chromium'].map((w) => (ev(w) == null ? '—' : ev(w).toFixed(1))).join(' | ')} |`);
  rows.push(`| monitor cost at every ${MNIST_EVERY} from that, % of training time | ${['native', 'node', 'chromium'].map((w) => (ev(w) == null ? '—' : `${((100 * ev(w)) / MNIST_EVERY).toFixed(1)}%`)).join(' | ')} |`);
  return `Monitor cost on MNIST's shape, median of ${Math.min(reps, 5)} (wasm) / ${reps} (native); target ≤ 15%\n\n` + rows.join('\n');
}

function table(r, stat) {
  const f = (x) => (x == null ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const ratio = (a, b) => (a == null || b == null ? '—' : `${(a / b).toFixed(2)}×`);
  const rows = [];
  rows.push('| workload | native SSE4.2 | wasm (node) | wasm (Chromium) | wasm Chromium / native | TF.js-wasm SIMD (node) | TF.js-wasm SIMD (Chromium) | wasm / TF.js (Chromium) |');
  rows.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  const labels = { small: 'small: 2→64,64,64→1, batch 64, SGD (spiral)', large: 'large: 784→256,256→10, batch 128, SGD, CE (synthetic)' };
  for (const k of ['small', 'large']) {
    const nat = r.native?.[k]?.[stat];
    const wn = r.node?.wasm?.[k]?.[stat];
    const wc = r.chromium?.wasm?.[k]?.[stat];
    const tn = r.node?.tfjs?.[k]?.[stat];
    const tc = r.chromium?.tfjs?.[k]?.[stat];
    rows.push(`| ${labels[k]} | ${f(nat)} | ${f(wn)} | ${f(wc)} | ${ratio(wc, nat)} | ${f(tn)} | ${f(tc)} | ${ratio(wc, tc)} |`);
  }
  const what = stat === 'best'
    ? `best of ${reps} repetitions (robust to other load on the machine)`
    : `median of ${reps} repetitions`;
  return `Training steps per second, ${what}; higher is better` +
    (r.chromiumVersion ? `; Chromium ${r.chromiumVersion}` : '') + `; node ${process.versions.node}\n\n` + rows.join('\n') +
    (stat === 'best' ? '\n\nTargets: wasm in Chromium ≥ 0.8× native; ≥ 10× TF.js-wasm (small), ≥ 7× (large).' : '');
}

// A read-only static server on 127.0.0.1 for the benchmark page (port 0: an ephemeral one).
function serve(root, port = 0) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
