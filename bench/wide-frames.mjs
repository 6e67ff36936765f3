// Wide-net UI benchmark (not a test), in headless Chromium: the network view's draw time and
// the UI frame times while a wide net trains at speed max, at 1440x900 and 390x844.
// Nets: 784->512,512,512->10 and 784->256,256->10 on a 784-column CSV (pixel-like values,
// 10 classes: web/views/network-layout.js draws the input as a grid), and 2->512,512->1 on
// spiral. Frame times are the intervals between requestAnimationFrame callbacks over
// SECONDS; draw times are the draw loop's own per-draw measurements (draw-loop.js
// drawSamples). Prints p50 / p95 / max and the load average before and after: on a shared
// machine, quote it.
// Usage: node bench/wide-frames.mjs [seconds per measurement, 5] [--only TEXT]   (after `bash playground.sh build`)
import os from 'node:os';
import { setup, openPage } from '../tests/browser/helpers.mjs';

const SECONDS = Number(/^\d/.test(process.argv[2] ?? '') ? process.argv[2] : 5);
const STEPS = 30;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const fmt = (xs) => `p50 ${pct(xs, 0.5).toFixed(1)} / p95 ${pct(xs, 0.95).toFixed(1)} / max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

function wideCsv(rows = 400, features = 784) {
  const lines = [];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: features }, (_, j) => (((r * 31 + j * 7) % 101) / 100).toFixed(2));
    lines.push([...x, r % 10].join(','));
  }
  return Buffer.from(lines.join('\n') + '\n');
}

const CASES = [
  { name: '784->512,512,512->10 (CSV)', query: 'speed=max&layers=512,512,512', csv: true, widths: [512, 512, 512] },
  { name: '784->256,256->10 (CSV)', query: 'speed=max&layers=256,256', csv: true, widths: [256, 256] },
  { name: '2->512,512->1 (spiral)', query: 'dataset=spiral&speed=max&layers=512,512', csv: false, widths: [512, 512] },
  // The same measurement on a net of 16-unit layers (no grids), for a baseline under the same load.
  { name: 'baseline 2->16x6->1 (spiral)', query: 'dataset=spiral&speed=max&layers=16,16,16,16,16,16', csv: false, widths: [16, 16, 16, 16, 16, 16] },
];
// --only TEXT: the cases whose name contains TEXT.
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : '';
const SIZES = [[1440, 900], [390, 844]];

console.log(`load average before: ${load()}`);
const env = await setup();
try {
  for (const c of CASES.filter((c) => c.name.includes(ONLY))) {
    for (const [width, height] of SIZES) {
      const { page, context } = await openPage(env, c.query, { width, height });
      if (c.csv) await page.setInputFiles('#c-csv', { name: 'pixels.csv', mimeType: 'text/csv', buffer: wideCsv() });
      await page.waitForFunction(([w, csv]) => {
        const s = window.__relu.snapshots[0];
        const units = document.querySelector('.net canvas')?.dataset.units ?? '';
        return s && s.layers.map((l) => l.width).join() === w.join() && s.step >= 20 && (!csv || (window.__relu.state.dataset === 'csv' && units.startsWith('784,')));
      }, [c.widths, c.csv], { timeout: 120000, polling: 200 });
      await page.locator('.net canvas').scrollIntoViewIfNeeded();
      const from = await page.evaluate(() => window.__relu.snapshots[0].step);
      const frames = await page.evaluate((ms) => new Promise((done) => {
        const out = [];
        let last = null;
        const t0 = performance.now();
        const tick = (t) => {
          if (last !== null) out.push(t - last);
          last = t;
          if (t - t0 < ms) requestAnimationFrame(tick);
          else done(out);
        };
        requestAnimationFrame(tick);
      }), SECONDS * 1000);
      const draws = (await page.evaluate(() => window.__relu.drawSamples())).network;
      const to = await page.evaluate(() => window.__relu.snapshots[0].step);
      console.log(`${c.name} at ${width}x${height}: network draw ${fmt(draws)}; UI frames ${fmt(frames)}; ${((to - from) / SECONDS).toFixed(0)} steps/s`);
      // Paused, one step at a time: every step is a new snapshot and one network draw, so the
      // draw time is measured on STEPS draws whatever the worker's snapshot rate.
      await page.click('#play');
      await page.waitForFunction(() => !window.__relu.playing);
      for (let k = 0; k < STEPS; k++) {
        const s = await page.evaluate(() => window.__relu.snapshots[0].step);
        await page.evaluate(() => window.__reluApp.step(1));
        await page.waitForFunction((s) => window.__relu.drawn.networks[0] > s, s, { timeout: 30000 });
      }
      const one = (await page.evaluate(() => window.__relu.drawSamples())).network;
      console.log(`  paused, ${STEPS} single steps: network draw ${fmt(one.slice(-STEPS))}`);
      await context.close();
    }
  }
} finally {
  await env.close();
}
console.log(`load average after: ${load()}`);
