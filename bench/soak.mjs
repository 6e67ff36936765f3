// Soak benchmark: the playground trains at full speed for a long time in headless Chromium
// with every panel live (network, output, the four charts, histograms over time, the
// deaths-and-revivals timeline, and an open neuron card), and memory must stay flat.
//
//   node bench/soak.mjs [--minutes M] [--warmup-seconds S] [--sample-seconds S] [--json FILE] [--preset NAME | --query Q]
//
// Defaults: 2 minutes (the CI form, run by `bash playground.sh test`), warm-up 15% of the
// time but at least 45 s (at most half the time), a sample every 10 s (every 60 s from
// 20 minutes on). The documented long form is --minutes 60. --preset NAME trains one of the
// page's presets (web/presets.js) instead of the default workload, --query Q any URL state.
// Every heap figure is taken after a forced garbage collection (the least of 5 readings):
//   main heap    the page's JS heap in use (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage)
//   worker heap  the training worker's JS heap in use (the same, sent to the worker's target)
//   wasm memory  the engine's linear memory (memory pages x 64 KiB; it never shrinks)
//   malloc       bytes the engine's malloc has handed out and not freed (mallinfo)
//   DOM nodes    live DOM nodes and JS event listeners (CDP Memory.getDOMCounters)
//   history      the charts' SeriesBuffer (length / capacity, stride) and the page's event list
//   replay       the replay store (web/page/replay.js): entries / capacity and bytes of every run
//   steps, snapshots received, steps/s (reported, never asserted)
// Verdict (exit 1 on failure): main heap, worker heap, wasm memory and malloc bytes may not
// grow by more than 5% between the first sample after the warm-up and the last one; no
// history buffer may exceed its capacity, nor the replay store its entries or its byte budget
// (16 MiB for the page); training must advance between every two samples;
// the page must log no error. See docs/soak.md.
import { writeFileSync } from 'node:fs';
import { setup } from '../tests/browser/helpers.mjs';
import { REPLAY_BUDGET_BYTES as REPLAY_BUDGET, MIN_ENTRIES as MIN_REPLAY_ENTRIES } from '../web/page/replay.js';

// ---------- arguments ----------
const args = process.argv.slice(2);
function opt(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: node bench/soak.mjs [--minutes M] [--warmup-seconds S] [--sample-seconds S] [--json FILE] [--preset NAME | --query Q]');
  process.exit(0);
}
const MINUTES = Number(opt('minutes', 2));
const TOTAL_S = MINUTES * 60;
// The warm-up: V8 keeps compiling optimised code for the page's draw paths for about the
// first 1.5 minutes (a heap-snapshot diff over that time is almost all code objects), which
// raises the main heap by ~3-4% before it levels off.
const WARMUP_S = Number(opt('warmup-seconds', Math.min(0.5 * TOTAL_S, Math.max(45, Math.round(0.15 * TOTAL_S)))));
const SAMPLE_S = Number(opt('sample-seconds', TOTAL_S >= 1200 ? 60 : 10));
const JSON_FILE = opt('json', null);
const PRESET = opt('preset', null);
const LIMIT = 0.05; // allowed growth after the warm-up
if (!(TOTAL_S > 0) || !(WARMUP_S >= 0) || !(WARMUP_S < TOTAL_S) || !(SAMPLE_S > 0))
  throw new Error(`bad times: --minutes ${MINUTES} --warmup-seconds ${WARMUP_S} --sample-seconds ${SAMPLE_S}`);

// The default workload: a deep, narrow ReLU net with a high learning rate (units die) and an
// auto-revive every 2000 steps (they come back and die again, ~3200 events in the first ~110k
// steps before the net settles); the monitor runs every 10 steps and every chart, histogram
// and the neuron card keep updating. Gradient clipping keeps it from diverging (a diverged run
// stops training). docs/soak.md gives a variant with deaths and revivals all along.
const DEFAULT_QUERY = 'dataset=spiral&layers=16,16,16,16,16,16&activation=relu&optimizer=sgd&lr=0.3&clip=5&batch=10&reviveEvery=2000&seed=1&speed=max&hist=offset';
const QUERY = opt('query', PRESET ? 'speed=max' : DEFAULT_QUERY);

const t00 = Date.now();
const elapsed = () => (Date.now() - t00) / 1000;
const log = (...a) => console.log(`[soak ${elapsed().toFixed(0).padStart(5)} s]`, ...a);

// ---------- the page ----------
let env;
async function soak() {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  page.on('request', (r) => {
    if (!r.url().startsWith(env.base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`remote request: ${r.url()}`);
  });
  // Counts the snapshots the page receives: one more 'message' listener on each Worker the
  // page makes (the page's own onmessage is untouched).
  await page.addInitScript(() => {
    const Native = window.Worker;
    window.__soak = { snapshots: 0, workers: 0 };
    window.Worker = class extends Native {
      constructor(...a) {
        super(...a);
        window.__soak.workers++;
        this.addEventListener('message', (e) => {
          if (e.data && e.data.type === 'snapshot') window.__soak.snapshots++;
        });
      }
    };
  });
  await page.goto(`${env.base}?${QUERY}`);
  await page.waitForFunction(() => window.__relu && window.__relu.snapshots[0] && window.__relu.snapshots[0].step > 0, null, { timeout: 60000, polling: 100 });
  if (PRESET) {
    // What the page's preset button does: the preset's settings, a fresh run, at the preset's
    // pace; then full speed again (a soak trains as fast as it can).
    const ids = await page.evaluate(() => [...document.querySelectorAll('.preset')].map((b) => b.dataset.preset));
    if (!ids.includes(PRESET)) throw new Error(`no preset "${PRESET}"; one of ${ids.join(', ')}`);
    await page.evaluate((id) => window.__relu.applyPreset(id), PRESET);
    await page.evaluate(() => window.__reluApp.set({ speed: 'max' }));
    await page.waitForFunction((id) => window.__relu.state.preset === id && window.__relu.snapshots[0]?.step > 0, PRESET, { timeout: 60000, polling: 100 });
  }
  // Every panel is shown by default (and drawn whether scrolled into view or not); open a neuron card too (it asks the worker for the
  // unit's output map at every new step).
  await page.focus('.net canvas');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#card:not([hidden])', { timeout: 10000 });
  const panels = await page.evaluate(() => ({
    network: document.querySelectorAll('#networks canvas').length,
    output: !!document.querySelector('#output'),
    charts: document.querySelectorAll('#charts .uplot').length,
    histograms: document.querySelectorAll('#hists canvas').length,
    timeline: !!document.querySelector('#timeline'),
    card: !document.querySelector('#card').hidden,
  }));
  log(`page open: ${QUERY}${PRESET ? ` then preset ${PRESET}` : ''}`);
  log(`panels: ${JSON.stringify(panels)}`);

  const main = await context.newCDPSession(page);
  const worker = await WorkerSession.attach(env.browser);
  log(`attached to the training worker (${worker.url})`);

  async function sample(label) {
    // The page's numbers first (this allocates a little), then GC, then the measurements.
    const ui = await page.evaluate(() => {
      const r = window.__relu;
      const s = r.snapshots[0];
      const h = r.history; // { names, rows, stride, offered }
      return {
        step: s ? s.step : null,
        diverged: !!(s && s.diverged),
        playing: r.playing,
        workerRestarts: r.workerRestarts,
        snapshots: window.__soak.snapshots,
        workers: window.__soak.workers,
        histLength: h.rows.length,
        histStride: h.stride,
        histOffered: h.offered,
        buffers: r.buffers, // sizes of the page's growing structures (events, timeline, histogram rings, ...)
        events: r.buffers.events,
        eventsTotal: s ? s.eventsTotal : 0,
        dead: s ? s.layers.reduce((a, l) => a + l.counts.dead, 0) : 0,
        units: s ? s.layers.reduce((a, l) => a + l.width, 0) : 0,
        timeline: document.getElementById('timeline-summary').textContent,
      };
    });
    const mainHeap = await readings(async () => {
      await main.send('HeapProfiler.collectGarbage');
      return (await main.send('Runtime.getHeapUsage')).usedSize;
    });
    const dom = await main.send('Memory.getDOMCounters');
    const w = await worker.measure();
    return {
      label,
      t: elapsed(),
      mainHeap: mainHeap.min,
      mainHeapSpread: mainHeap.max - mainHeap.min,
      workerHeap: w.heap.min,
      workerHeapSpread: w.heap.max - w.heap.min,
      wasmMemory: w.wasmMemory,
      mallocBytes: w.mallocBytes,
      domNodes: dom.nodes,
      listeners: dom.jsEventListeners,
      ...ui,
    };
  }

  const samples = [];
  const show = (s) => {
    samples.push(s);
    const prev = samples[samples.length - 2];
    const rate = prev ? (s.step - prev.step) / (s.t - prev.t) : NaN;
    s.stepsPerSec = rate;
    log(row(s));
  };
  console.log(`soak: ${MINUTES} min at full speed, warm-up ${WARMUP_S} s, a sample every ${SAMPLE_S} s; limit +${LIMIT * 100}% after the warm-up`);
  console.log(HEADER);
  show(await sample('start'));
  const tStart = elapsed();
  // The sample times (seconds after the start): every SAMPLE_S, the end of the warm-up, the end.
  const times = new Set([WARMUP_S, TOTAL_S]);
  for (let k = SAMPLE_S; k < TOTAL_S; k += SAMPLE_S) times.add(k);
  for (const at of [...times].sort((a, b) => a - b)) {
    // Waiting for wall-clock time is the point of a soak; nothing here waits for a state.
    await page.waitForTimeout(Math.max(0, (tStart + at - elapsed()) * 1000));
    if (at === WARMUP_S) await replayFull(page, tStart + TOTAL_S - SAMPLE_S - elapsed());
    show(await sample(at === TOTAL_S ? 'end' : at === WARMUP_S ? 'warm' : ''));
  }
  await worker.close();
  await context.close();
  return verdict(samples, problems, panels);
}

// The replay store (web/page/replay.js) grows until it holds its capacity, then stays there:
// the warm-up lasts until it is full (about 256 snapshots: ~10 s on a quiet machine, longer
// on a busy one), so its filling is not counted as growth.
async function replayFull(page, seconds) {
  const t0 = elapsed();
  try {
    await page.waitForFunction(() => window.__relu.buffers.replay.every((r) => r.entries >= r.capacity), null, { timeout: Math.max(1, seconds) * 1000, polling: 500 });
    if (elapsed() - t0 > 1) log(`warm-up extended by ${(elapsed() - t0).toFixed(0)} s until the replay store was full`);
  } catch {
    log('the replay store did not fill before the last samples (too few snapshots): its filling counts as growth');
  }
}

// A heap reading is taken while the page trains: besides what it retains, the heap then holds
// whatever is in flight (a snapshot message not yet taken, the one being drawn, a neuron-card
// grid), up to several hundred KB after a full GC. What a leak raises is the floor, so each
// sample is the least of READINGS readings (each after a full GC) taken READ_GAP_MS apart;
// the spread (max - min) is kept in the JSON.
const READINGS = 5;
const READ_GAP_MS = 250;
async function readings(read) {
  const values = [];
  for (let k = 0; k < READINGS; k++) {
    if (k) await new Promise((ok) => setTimeout(ok, READ_GAP_MS));
    values.push(await read());
  }
  return { min: Math.min(...values), max: Math.max(...values) };
}

// ---------- the worker's target (CDP through the browser session) ----------
// Playwright opens CDP sessions for pages and frames only; a dedicated worker is reached
// through the browser session: attach to its target (non-flat) and route messages.
class WorkerSession {
  static async attach(browser) {
    const bs = await browser.newBrowserCDPSession();
    const { targetInfos } = await bs.send('Target.getTargets');
    const workers = targetInfos.filter((t) => t.type === 'worker' && /worker\.js(\?|$)/.test(t.url));
    if (workers.length !== 1) throw new Error(`expected one training worker, found ${workers.length}: ${JSON.stringify(targetInfos.map((t) => [t.type, t.url]))}`);
    const { sessionId } = await bs.send('Target.attachToTarget', { targetId: workers[0].targetId, flatten: false });
    const s = new WorkerSession(bs, sessionId, workers[0].url);
    await s.findEngine();
    return s;
  }
  constructor(bs, sessionId, url) {
    this.bs = bs;
    this.sessionId = sessionId;
    this.url = url;
    this.nextId = 1;
    this.pending = new Map();
    bs.on('Target.receivedMessageFromTarget', (e) => {
      if (e.sessionId !== this.sessionId) return;
      const m = JSON.parse(e.message);
      if (m.method === 'Debugger.paused') this.onPaused?.(m.params);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      m.error ? p.fail(new Error(`${p.method}: ${m.error.message}`)) : p.ok(m.result);
    });
    bs.on('Target.detachedFromTarget', (e) => {
      if (e.sessionId !== this.sessionId) return;
      this.detached = true;
      for (const p of this.pending.values()) p.fail(new Error('the training worker went away'));
      this.pending.clear();
    });
  }
  send(method, params = {}) {
    if (this.detached) return Promise.reject(new Error('the training worker went away'));
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok, fail, method });
      this.bs.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) }).catch(fail);
    });
  }
  // The engine lives in the worker's module scope, out of reach of an evaluate. Pause the
  // worker once (Debugger.pause stops it at its next statement), look through the scopes of
  // the paused frames for the object with the engine's methods, keep a handle to it, resume.
  // (Runtime.queryObjects would be simpler, but it drops the session of a worker.)
  async findEngine() {
    const paused = new Promise((ok) => (this.onPaused = ok));
    await this.send('Debugger.enable');
    await this.send('Debugger.pause');
    const { callFrames } = await paused;
    try {
      for (const frame of callFrames) {
        for (const scope of frame.scopeChain) {
          if (!['module', 'closure', 'script', 'local'].includes(scope.type) || !scope.object.objectId) continue;
          const { result } = await this.send('Runtime.getProperties', { objectId: scope.object.objectId, ownProperties: true });
          for (const p of result) {
            if (p.value?.type !== 'object' || !p.value.objectId) continue;
            const r = await this.send('Runtime.callFunctionOn', {
              objectId: p.value.objectId,
              functionDeclaration: 'function () { return typeof this.heapBytes === "function" && typeof this.createRun === "function" ? this : null; }',
              objectGroup: 'soak-engine',
            });
            if (r.result.objectId) {
              this.engineId = r.result.objectId;
              return;
            }
          }
        }
      }
      throw new Error('could not find the engine in the worker');
    } finally {
      await this.send('Debugger.resume');
      await this.send('Debugger.disable');
    }
  }
  async measure() {
    const r = await this.send('Runtime.callFunctionOn', {
      objectId: this.engineId,
      functionDeclaration: 'function () { return [this.heapBytes(), typeof this.mallocBytes === "function" ? this.mallocBytes() : null]; }',
      returnByValue: true,
    });
    const [wasmMemory, mallocBytes] = r.result.value;
    const heap = await readings(async () => {
      await this.send('HeapProfiler.collectGarbage');
      return (await this.send('Runtime.getHeapUsage')).usedSize;
    });
    return { heap, wasmMemory, mallocBytes };
  }
  async close() {
    await this.send('Runtime.releaseObjectGroup', { objectGroup: 'soak-engine' }).catch(() => {});
    await this.bs.detach().catch(() => {});
  }
}

// ---------- output ----------
const COLS = [
  ['time s', 7, (s) => s.t.toFixed(0)],
  ['', 5, (s) => s.label],
  ['step', 10, (s) => String(s.step)],
  ['steps/s', 8, (s) => (Number.isFinite(s.stepsPerSec) ? s.stepsPerSec.toFixed(0) : '')],
  ['snaps', 7, (s) => String(s.snapshots)],
  ['main heap', 10, (s) => mb(s.mainHeap)],
  ['worker heap', 11, (s) => mb(s.workerHeap)],
  ['wasm mem', 9, (s) => mb(s.wasmMemory)],
  ['malloc', 9, (s) => (s.mallocBytes == null ? 'n/a' : mb(s.mallocBytes))],
  ['DOM nodes', 9, (s) => String(s.domNodes)],
  ['listeners', 9, (s) => String(s.listeners)],
  ['history', 14, (s) => `${s.histLength}/1024 x${s.histStride}`],
  ['events', 7, (s) => String(s.events)],
  ['replay', 15, (s) => `${s.buffers.replay.reduce((a, r) => a + r.entries, 0)}/${s.buffers.replay.reduce((a, r) => a + r.capacity, 0)} ${mb(s.buffers.replay.reduce((a, r) => a + r.bytes, 0))}`],
  ['dead', 6, (s) => `${s.dead}/${s.units}`],
];
const HEADER = COLS.map(([h, w]) => h.padStart(w)).join(' ');
function mb(b) {
  return b == null ? 'n/a' : `${(b / 1048576).toFixed(2)}M`;
}
function row(s) {
  return COLS.map(([, w, f]) => f(s).padStart(w)).join(' ');
}

function verdict(samples, problems, panels) {
  const warm = samples.find((s) => s.label === 'warm');
  const last = samples[samples.length - 1];
  const failures = [];
  const growth = [];
  for (const [key, name] of [['mainHeap', 'main-thread JS heap'], ['workerHeap', 'worker JS heap'], ['wasmMemory', 'wasm memory'], ['mallocBytes', 'wasm malloc in use']]) {
    if (warm[key] == null || last[key] == null) {
      growth.push(`${name}: not measured`);
      continue;
    }
    const g = (last[key] - warm[key]) / warm[key];
    const line = `${name}: ${mb(warm[key])} after the warm-up -> ${mb(last[key])} at the end (${g >= 0 ? '+' : ''}${(100 * g).toFixed(1)}%)`;
    growth.push(line);
    if (g > LIMIT) failures.push(`${line}: grew by more than ${100 * LIMIT}%`);
  }
  for (const s of samples) {
    if (s.histLength > 1024) failures.push(`at ${s.t.toFixed(0)} s the chart history holds ${s.histLength} points, above its capacity 1024`);
    const b = s.buffers;
    if (b.events > b.maxEvents) failures.push(`at ${s.t.toFixed(0)} s the page keeps ${b.events} events, above its cap of ${b.maxEvents}`);
    if (b.timeline.length > b.timeline.capacity) failures.push(`at ${s.t.toFixed(0)} s the timeline keeps ${b.timeline.length} marks, above its capacity ${b.timeline.capacity}`);
    for (const [l, h] of b.histograms.entries())
      if (Math.max(h.pre, h.act, h.grad) > h.capacity) failures.push(`at ${s.t.toFixed(0)} s layer ${l + 1}'s histogram ring holds more than its ${h.capacity} slices`);
    // The replay store: at most its capacity per run, and together within the page's budget
    // (a run keeps at least MIN_ENTRIES whatever their size: the bound is the larger of the two).
    for (const [k, r] of b.replay.entries()) {
      if (r.entries > r.capacity) failures.push(`at ${s.t.toFixed(0)} s run ${k + 1}'s replay store keeps ${r.entries} entries, above its capacity ${r.capacity}`);
      if (r.bytes > Math.max(r.budget, MIN_REPLAY_ENTRIES * r.bytesPerEntry)) failures.push(`at ${s.t.toFixed(0)} s run ${k + 1}'s replay store holds ${r.bytes} bytes, above its budget ${r.budget}`);
    }
    const replayBytes = b.replay.reduce((a, r) => a + r.bytes, 0);
    if (replayBytes > Math.max(REPLAY_BUDGET, ...b.replay.map((r) => MIN_REPLAY_ENTRIES * r.bytesPerEntry * b.replay.length)))
      failures.push(`at ${s.t.toFixed(0)} s the replay stores hold ${replayBytes} bytes, above the page's ${REPLAY_BUDGET}`);
    if (b.notices > 8) failures.push(`at ${s.t.toFixed(0)} s the notice keeps ${b.notices} lines (it shows 8)`);
  }
  for (let i = 1; i < samples.length; i++) {
    if (!(samples[i].step > samples[i - 1].step)) failures.push(`training did not advance between ${samples[i - 1].t.toFixed(0)} s and ${samples[i].t.toFixed(0)} s (step ${samples[i].step})`);
  }
  if (last.diverged) failures.push(`the run diverged (step ${last.step}); pick a workload that trains for the whole soak`);
  if (last.workerRestarts) failures.push(`the training worker was restarted ${last.workerRestarts} time(s)`);
  if (!panels.card || panels.charts < 1 || panels.histograms < 1 || !panels.timeline || !panels.output || panels.network < 1) failures.push(`not every panel was live: ${JSON.stringify(panels)}`);
  for (const p of problems) failures.push(`the page reported: ${p}`);

  const runSeconds = last.t - samples[0].t;
  const first = samples[0];
  console.log('');
  console.log(`soak: ${(runSeconds / 60).toFixed(1)} min, ${last.step - first.step} steps (${((last.step - first.step) / runSeconds).toFixed(0)} steps/s on average), ${last.snapshots - first.snapshots} snapshots (${((last.snapshots - first.snapshots) / runSeconds).toFixed(1)}/s), ${last.eventsTotal} neuron events in the engine`);
  for (const g of growth) console.log(`  ${g}`);
  console.log(`  DOM nodes ${warm.domNodes} -> ${last.domNodes}, JS event listeners ${warm.listeners} -> ${last.listeners}`);
  console.log(`  chart history ${last.histLength}/1024 points, stride ${last.histStride} (${last.histOffered} offered); page event list ${last.events} (cap ${last.buffers.maxEvents}); timeline ${last.buffers.timeline.length}/${last.buffers.timeline.capacity} marks, bins of ${last.buffers.timeline.binWidth} steps; histogram rings ${last.buffers.histograms.map((h) => h.pre).join(',')} of ${last.buffers.histograms[0]?.capacity}`);
  const rb = last.buffers.replay;
  console.log(`  replay store ${rb.map((r) => `${r.entries}/${r.capacity} entries of ${(r.bytesPerEntry / 1024).toFixed(1)} KB`).join(', ')}: ${mb(rb.reduce((a, r) => a + r.bytes, 0))} of the page's ${mb(REPLAY_BUDGET)}`);
  console.log(`  timeline: ${last.timeline}`);
  const result = { ok: failures.length === 0, query: QUERY, preset: PRESET, minutes: MINUTES, warmupSeconds: WARMUP_S, limit: LIMIT, panels, failures, samples, problems };
  if (JSON_FILE) writeFileSync(JSON_FILE, JSON.stringify(result, null, 2) + '\n');
  if (failures.length) {
    console.log('soak: FAILED');
    for (const f of failures) console.log(`  - ${f}`);
    return 1;
  }
  console.log(`soak: OK (every measure within +${100 * LIMIT}% after the warm-up, histories bounded, training never stopped, no page error)`);
  return 0;
}

// ---------- run ----------
env = await setup();
let exitCode = 1;
try {
  exitCode = await soak();
} catch (err) {
  console.error('soak: FAILED to run:', err?.stack ?? err);
} finally {
  await env.close().catch(() => {});
}
process.exit(exitCode);
