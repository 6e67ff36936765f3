// bench/run.mjs's w3 table (issue 14 §6): this engine natively and in wasm (node, Chromium)
// beside the peers of bench/w3_peers.mjs, in steps/s and images/s (32 per step), from the
// results run.mjs collects.
import { W3 } from './workloads.mjs';

const BATCH = W3.config.batch;

// r: run.mjs's results (native, node, chromium, chromiumVersion, w3Peers); reps: run.mjs's --reps.
export function w3Table(r, reps) {
  const p = r.w3Peers ?? {};
  const wasmTimed = `${Math.min(reps, 5)}×${W3.steps} steps`;
  const rows = [
    ['this engine, native SSE4.2 (relu-bench --only w3)', r.native?.w3 && { ...r.native.w3, timed: `${reps}×${W3.steps} steps, better of 2 runs` }],
    ['this engine, wasm SIMD (node ' + process.versions.node + ')', r.node?.wasm?.w3 && { ...r.node.wasm.w3, timed: wasmTimed }],
    [`this engine, wasm SIMD (Chromium${r.chromiumVersion ? ' ' + r.chromiumVersion : ''})`, r.chromium?.wasm?.w3 && { ...r.chromium.wasm.w3, timed: wasmTimed }],
    [`PyTorch${p.pytorch?.torch ? ' ' + p.pytorch.torch : ''}, 1 thread (CPU)`, p.pytorch],
    ['ConvNetJS 0.3.0 (node), one example at a time, update every 32', p.convnetjs],
    ['TF.js 4.22, cpu backend (node)', p.tfjsCpu],
    ['TF.js 4.22, wasm backend (node)', p.tfjsWasm],
    ['TF.js 4.22, wasm backend, both convs frozen: dense head only (not w3: no conv gradient)', p.tfjsWasmFrozen, 'not comparable'],
  ];
  const chromium = r.chromium?.wasm?.w3?.median;
  const f = (x) => (x == null ? '—' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
  const cell = (s) => String(s).replace(/\|/g, '\\|');
  const out = [
    `w3 (issue 14): LeNet on 28×28×1 MNIST digits, conv2d(8,5,same)+ReLU → maxpool 2 → conv2d(16,5,same)+ReLU → ` +
      `maxpool 2 → dense 128+ReLU → dense 10, softmax CE, batch ${BATCH}, SGD ${W3.config.lr}. steps/s: median, wall clock; ` +
      `images/s = ${BATCH} × steps/s. Steps per CPU second (of the process, the thread, or in Chromium the page's main thread ` +
      `from /proc, warm-up included): on a loaded machine the wall clock also measures the neighbours, CPU time much less so`,
    '',
    '| w3, batch 32, SGD | steps/s | images/s | steps per CPU s | engine in Chromium ÷ this | timed | notes |',
    '|---|---:|---:|---:|---:|---|---|',
  ];
  for (const [name, e, noRatio] of rows) {
    if (!e) out.push(`| ${name} | — | — | — | — | not run | |`);
    else if (e.error) out.push(`| ${name} | cannot train: ${cell(e.error)} | — | — | — | 1 step tried | ${cell(e.note ?? '')} |`);
    else if (e.skipped) out.push(`| ${name} | — | — | — | — | skipped | ${cell(e.skipped)} |`);
    else {
      const ratio = noRatio ? noRatio : chromium && e.median ? `${(chromium / e.median).toFixed(chromium / e.median >= 10 ? 0 : 2)}×` : '—';
      out.push(`| ${name} | ${f(e.median)} | ${f(BATCH * e.median)} | ${f(e.cpu)} | ${ratio} | ${e.timed ?? ''} | ${cell(e.note ?? '')} |`);
    }
  }
  return out.join('\n') + '\n\nTarget: ≥ 150 steps/s in Chromium (≈ 4,800 images/s).';
}
