// What one replay entry costs in Chromium: the page's replay store (web/page/replay.js) keeps
// snapshot messages as the worker sends them; this fills a ReplayStore with real snapshots of
// a few networks (made by the real engine on the page's thread, then structured-cloned with
// their buffers transferred, as postMessage delivers them) and measures, after a forced GC:
//   JS heap      the objects around the typed arrays (CDP Runtime.getHeapUsage usedSize)
//   buffers      the typed arrays' backing stores (the sum of their ArrayBuffers' byteLength)
// and compares the two with entryBytes(), the estimate the store sizes its capacity from.
//
//   node bench/replay-bytes.mjs        (needs a built dist/: bash playground.sh build)
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../tools/serve.mjs';
import { ROOT, CHROMIUM } from '../tests/browser/helpers.mjs';

const ENTRIES = 256;
// The soak's network, the presets' six 16-unit layers, the page's largest (10 x 32), a small one.
const CASES = [
  { name: 'soak / high-lr: 6 x 16, spiral', query: 'dataset=spiral&layers=16,16,16,16,16,16' },
  { name: 'largest in the page: 10 x 32, spiral', query: 'dataset=spiral&layers=32,32,32,32,32,32,32,32,32,32' },
  { name: 'small: 2 x 8, xor', query: 'dataset=xor&layers=8,8' },
  { name: '1-D: 3 x 16, sin', query: 'dataset=sin&layers=16,16,16' },
];

const server = await startServer(ROOT, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.goto(`${base}dist/index.html?autoplay=0`);
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    let least = Infinity;
    for (let k = 0; k < 3; k++) {
      await cdp.send('HeapProfiler.collectGarbage');
      least = Math.min(least, (await cdp.send('Runtime.getHeapUsage')).usedSize);
    }
    return least;
  };
  await page.evaluate(async (base) => {
    const [{ loadEngine, snapshotTransferables }, replay, state] = await Promise.all([import(`${base}web/engine.js`), import(`${base}web/page/replay.js`), import(`${base}web/state.js`)]);
    const engine = await loadEngine({ moduleUrl: `${base}dist/web/relu_engine.js` });
    window.__bench = { engine, snapshotTransferables, replay, state };
  }, base);
  console.log(`replay entry size in Chromium (${ENTRIES} entries per store, least of 3 readings after GC)`);
  console.log('network | entries kept (capacity) | JS heap per entry | buffers per entry | total per entry | entryBytes() | store total');
  for (const c of CASES) {
    // The run and its snapshots first (they are dropped before the baseline); then the store.
    await page.evaluate(({ query, n }) => {
      const { engine, snapshotTransferables, state } = window.__bench;
      const cfg = state.toEngineConfig(state.parse(new URLSearchParams(query)).state);
      const run = engine.createRun(cfg);
      const features = run.dataInfo().features;
      const msgs = [];
      for (let k = 0; k < n; k++) {
        run.step(5);
        const snapshot = run.snapshot();
        const grid = { res: features === 2 ? 64 : 200, values: run.grid(-1, 0, features === 2 ? 64 : 200) };
        const weights = run.weights();
        const transfer = [...snapshotTransferables(snapshot), grid.values.buffer, weights.params.buffer];
        msgs.push(structuredClone({ snapshot, grid, weights }, { transfer }));
      }
      run.dispose();
      window.__bench.msgs = msgs;
      window.__bench.store = null;
    }, { query: c.query, n: ENTRIES });
    const typed = await page.evaluate(() => {
      const { replay, msgs } = window.__bench;
      const store = new replay.ReplayStore({ maxEntries: msgs.length });
      for (const m of msgs) store.push({ snap: m.snapshot, grid: m.grid, weights: m.weights });
      window.__bench.store = store;
      window.__bench.msgs = null; // the store holds the only references now
      const buffers = new Set();
      const add = (a) => ArrayBuffer.isView(a) && buffers.add(a.buffer);
      for (const e of store.entries) {
        for (const l of e.snap.layers) {
          for (const v of Object.values(l)) add(v);
          for (const h of Object.values(l.histograms)) (add(h.counts), add(h.percentiles));
        }
        for (const v of Object.values(e.grid)) add(v);
        add(e.weights.params);
      }
      let bytes = 0;
      for (const b of buffers) bytes += b.byteLength;
      return { entries: store.length, capacity: store.capacity, estimate: store.bytesPerEntry, buffers: bytes };
    });
    // Baseline: the same messages held in a plain array are not a fair baseline (the array is the
    // store); instead, drop the store and measure what the heap loses.
    const held = await heap();
    await page.evaluate(() => (window.__bench.store = null));
    const after = await heap();
    const js = (held - after) / typed.entries;
    const buf = typed.buffers / typed.entries;
    const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
    console.log(`${c.name} | ${typed.entries} (${typed.capacity}) | ${kb(js)} | ${kb(buf)} | ${kb(js + buf)} | ${kb(typed.estimate)} | ${((typed.entries * (js + buf)) / 1048576).toFixed(2)} MiB`);
  }
} finally {
  await browser.close();
  await new Promise((ok) => server.close(ok));
}
