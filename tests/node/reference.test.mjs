// PyTorch's own trajectories (tests/reference, written by tools/make-references.py), replayed
// by the real .wasm through web/engine.js's public API: same data, same initial weights,
// 200 steps; each step's loss and the final weights must match PyTorch's float32 run under
// the rule of tests/reference/README.md, as in tests/engine/test_reference.cpp natively.
// The table of worst ratios per family goes to stdout and to reference-report-node.txt
// next to the .wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, engine, wasmDir } from './wasm-engine.mjs';

const REL = 1e-4; // relative to PyTorch's float32 value
const GAP_FACTOR = 5; // times PyTorch's own rounding gap

// The rule of test_reference.cpp (StepRule, where each choice is explained and measured):
// allowed_k = max(1e-4 |t32_k|, 5 |t32_k| g_k), g_k the largest relative gap so far between
// PyTorch's float32 run and its float64 and reversed-rows float32 runs; passes at ratio <= 1.
function stepRule() {
  let gap = 0;
  return (ours, t32, t64, rev) => {
    gap = Math.max(gap, Math.abs(t32 - t64) / Math.abs(t32), Math.abs(t32 - rev) / Math.abs(t32));
    return Math.abs(ours - t32) / Math.max(REL * Math.abs(t32), GAP_FACTOR * Math.abs(t32) * gap);
  };
}

// Step k's own float32 - float64 gap alone (the literal rule): reported, not a pass condition.
function strictStepRatio(ours, t32, t64) {
  return Math.abs(ours - t32) / Math.max(REL * Math.abs(t32), GAP_FACTOR * Math.abs(t32 - t64));
}

// ||ours - torch32|| / ||torch32|| over every weight, bias and prelu slope (why norm-wise:
// see test_reference.cpp); passes when <= max(1e-4, 5 final_weights_gap).
function weightsError(ours, ref) {
  let d2 = 0;
  let r2 = 0;
  ref.forEach((r, i) => {
    d2 += (ours[i] - r) ** 2;
    r2 += r * r;
  });
  return Math.sqrt(d2) / Math.sqrt(r2);
}

function flattenWeights(w) {
  // conv2d filters are [out][in][kh][kw]; pooling layers have no numbers; a norm adds its weight,
  // bias and running statistics.
  const norm = (n) => (n ? ['weight', 'bias', 'running_mean', 'running_var'].flatMap((k) => n[k] ?? []) : []);
  return w.layers.flatMap((L) => (L.weight ? [...L.weight.flat(Infinity), ...L.bias, ...(L.slope ?? []), ...norm(L.norm)] : []));
}

// The case's rows as CSV; shuffle: false keeps them in this order (checked once the run is built).
// JSON numbers print back as the same shortest decimal, which reads back to the same float.
function csvText(c) {
  return c.x.map((row, k) => [...row, c.y[k]].join(',')).join('\n');
}

function replay(c) {
  const run = engine.createRun({ ...c.config, csv_text: csvText(c) });
  try {
    const { x, features } = run.data();
    const expected = Float32Array.from(c.x.flat());
    assert.equal(features, c.x[0].length, c.name);
    assert.deepEqual(x, expected, `${c.name}: the training set is the case's data, in order`);
    run.importWeights(c.initial_weights);
    const rule = stepRule();
    let worstStep = 0;
    let worstAt = -1;
    let worstStrict = 0;
    for (let k = 0; k < c.loss_f32.length; k++) {
      run.step(1);
      const s = run.status();
      assert.equal(s.diverged, false, `${c.name} diverged at step ${k}`);
      const ratio = rule(s.batchLoss, c.loss_f32[k], c.loss_f64[k], c.loss_f32_reversed[k]);
      if (!(ratio <= worstStep)) [worstStep, worstAt] = [ratio, k]; // NaN counts as worst
      worstStrict = Math.max(worstStrict, strictStepRatio(s.batchLoss, c.loss_f32[k], c.loss_f64[k]));
    }
    const ours = flattenWeights(JSON.parse(run.exportWeights()));
    const ref = flattenWeights(c.final_weights);
    assert.equal(ours.length, ref.length, c.name);
    const weightsErr = weightsError(ours, ref);
    return { worstStep, worstAt, worstStrict, weightsErr, weights: weightsErr / Math.max(REL, GAP_FACTOR * c.final_weights_gap) };
  } finally {
    run.dispose();
  }
}

test('PyTorch reference trajectories replay within tolerance (wasm)', () => {
  const dir = path.join(ROOT, 'tests', 'reference');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length > 0, `no reference files in ${dir}`);
  const families = new Map();
  const failures = [];
  let total = 0;
  for (const f of files) {
    for (const c of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).cases) {
      const r = replay(c);
      total++;
      if (!(r.worstStep <= 1) || !(r.weights <= 1))
        failures.push(`${c.name}: worst step ratio ${r.worstStep.toPrecision(3)} at step ${r.worstAt}, weight ratio ${r.weights.toPrecision(3)}`);
      const family = c.name.split('/')[0];
      const row = families.get(family) ?? { cases: 0, worstStep: 0, worstStrict: 0, worstWeights: 0, worstWeightsErr: 0, worstCase: '' };
      row.cases++;
      if (!(r.worstStep <= row.worstStep)) [row.worstStep, row.worstCase] = [r.worstStep, c.name];
      row.worstStrict = Math.max(row.worstStrict, r.worstStrict);
      row.worstWeights = Math.max(row.worstWeights, r.weights);
      row.worstWeightsErr = Math.max(row.worstWeightsErr, r.weightsErr);
      families.set(family, row);
    }
  }
  // Ratios pass at <= 1; "strict" uses step k's own float32 - float64 gap (information only);
  // "weight error" is the raw norm-wise error.
  const g = (v, w) => v.toPrecision(3).padStart(w);
  const lines = ['family      cases  step ratio  (strict)  weight ratio  weight error  worst step case'];
  for (const [family, r] of [...families].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`${family.padEnd(10)}  ${String(r.cases).padStart(5)}  ${g(r.worstStep, 10)}  ${g(r.worstStrict, 8)}  ` +
      `${g(r.worstWeights, 12)}  ${g(r.worstWeightsErr, 12)}  ${r.worstCase}`);
  }
  const table = `PyTorch reference replay (wasm, web/engine.js): ${total} cases\n${lines.join('\n')}\n`;
  console.log(table);
  fs.writeFileSync(path.join(wasmDir(), 'reference-report-node.txt'), table);
  assert.ok(total >= 60, `only ${total} cases`);
  assert.deepEqual(failures, []);
});
