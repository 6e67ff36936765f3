// The lab's JS side (web/lab/): aggregation against hand-computed numbers, the job
// layout shared with engine/sweep.cpp, CSV parity with `relu-lab sweep --csv` on the
// committed results, and the SVG plotter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate, buildResult, cellSettings, convLayers, jobTask, metricsFromSnapshot, normalizeSpec, numJobs } from '../../web/lab/sweep.js';
import { figureFor, resultToCsv } from '../../web/lab/figures.js';
import { renderFigure } from '../../web/lab/svgplot.js';
import { STUDIES } from '../../web/lab/studies.js';

const ROOT = join(import.meta.dirname, '..', '..');
const close = (a, b, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('aggregate: mean and standard error match hand computation', () => {
  const a = aggregate([1, 2, 3, 4]);  // var 5/3, se sqrt(5/3)/2
  close(a.mean, 2.5);
  close(a.se, Math.sqrt(5 / 3) / 2);
  assert.equal(a.n, 4);
  const b = aggregate([0, 0, 1]);  // mean 1/3, se 1/3
  close(b.mean, 1 / 3);
  close(b.se, 1 / 3);
  const c = aggregate([2, NaN, 4]);  // NaN kept as null, not counted
  assert.equal(c.n, 2);
  close(c.mean, 3);
  close(c.se, 1);
  assert.deepEqual(c.values, [2, null, 4]);
  assert.equal(aggregate([7]).se, 0);
  assert.equal(aggregate([]).mean, null);
});

test('jobs: cell-major, seeds fastest, last axis fastest (as engine/sweep.cpp)', () => {
  const spec = normalizeSpec({ axes: { lr: [0.1, 1], activation: ['relu', 'elu'] }, seeds: 3, steps: 5 });
  assert.equal(numJobs(spec), 12);
  assert.deepEqual(cellSettings(spec, 1), { lr: 0.1, activation: 'elu' });
  assert.deepEqual(cellSettings(spec, 2), { lr: 1, activation: 'relu' });
  const t = jobTask(spec, 7);
  assert.equal(t.cell, 2);
  assert.equal(t.config.seed, 2);
  assert.equal(t.config.lr, 1);
  const results = [];
  results[0] = { dead: 0 };
  results[1] = { dead: 0.25 };
  results[2] = { dead: 0.5 };
  const r = buildResult({ ...spec, metrics: ['dead'] }, results);
  assert.equal(r.jobs_done, 3);
  close(r.cells[0].metrics.dead.mean, 0.25);
  close(r.cells[0].metrics.dead.se, 0.25 / Math.sqrt(3));
  assert.equal(r.cells[1].runs, 0);
  assert.throws(() => normalizeSpec({ metrics: ['deadd'] }), /unknown metric/);
});

test('CSV from the JS side matches relu-lab sweep --csv on the committed results', () => {
  const dir = join(ROOT, 'docs', 'results');
  const names = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(names.length >= 5);
  for (const f of names) {
    const result = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const mine = resultToCsv(result).trim().split('\n');
    const cli = readFileSync(join(dir, f.replace(/\.json$/, '.csv')), 'utf8').trim().split('\n');
    assert.equal(mine[0], cli[0], f);
    assert.equal(mine.length, cli.length, f);
    for (let i = 1; i < cli.length; i++) {
      const a = mine[i].split(',');
      const b = cli[i].split(',');
      assert.equal(a.length, b.length);
      a.forEach((x, k) => (Number.isFinite(Number.parseFloat(b[k])) ? close(Number(x), Number(b[k]), 1e-7) : assert.equal(x, b[k])));
    }
  }
});

test('figures: one error bar per point with a standard error, valid SVG text', () => {
  const result = JSON.parse(readFileSync(join(ROOT, 'docs', 'results', 'bias-lr.json'), 'utf8'));
  const fig = figureFor(result, { metrics: ['dead'] });
  assert.equal(fig.panels.length, 1);
  assert.equal(fig.panels[0].series.length, 4);  // bias_init values
  assert.ok(fig.panels[0].xLog);
  const svg = renderFigure(fig);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const withSe = result.cells.filter((c) => c.metrics.dead.se > 0).length;
  assert.equal((svg.match(/h6M/g) ?? []).length, withSe);  // each error bar draws two caps "…h6M…h6"
  assert.ok(!svg.includes('NaN'));
});

test('the browser studies are valid sweeps', () => {
  assert.deepEqual(STUDIES.map((s) => s.name), ['lr-dead', 'born-dead', 'init-activation', 'bias-lr', 'revival', 'mnist-lr', 'conv-lr']);
  // Studies 6 and 7 are the browser's reduced grids: 3 rates x 2 activations x 2 seeds of mnist14.
  const conv = normalizeSpec(STUDIES.find((s) => s.name === 'conv-lr').spec);
  assert.equal(numJobs(conv), 12);
  assert.equal(conv.base.dataset, 'mnist14');
  assert.ok(conv.metrics.includes('dead_channels'));
  const mnist = normalizeSpec(STUDIES.find((s) => s.name === 'mnist-lr').spec);
  assert.equal(numJobs(mnist), 12);
  assert.equal(mnist.base.dataset, 'mnist14');
  for (const s of STUDIES) assert.ok(numJobs(normalizeSpec(s.spec)) > 0);
});

test('dead_channels counts the conv layers\' channels alone, as engine/sweep.cpp run_metrics', () => {
  // A run's config as engine.js run.config() gives it (`net` normalised to a list): two conv
  // layers (4 and 2 channels) and a dense layer of 8, pooling in between (not a unit layer).
  const config = {
    net: [
      { type: 'conv2d', channels: 4, kernel: 3, stride: 1, padding: 'same' },
      { type: 'maxpool', size: 2 },
      { type: 'conv2d', channels: 2, kernel: 3, stride: 1, padding: 'same' },
      { type: 'dense', units: 8 },
    ],
  };
  assert.deepEqual(convLayers(config), [true, true, false]);
  assert.deepEqual(convLayers({ net: null, layers: [8, 8] }), []);
  const layer = (width, dead, noPositive) => ({
    width,
    counts: { dead, mostlySilent: 0 },
    noPositiveFraction: noPositive / width,
  });
  // 1 of 4, 1 of 2 channels dead; 1 of 8 neurons. Right: 2/6. Wrong ways give 1/4 (first
  // layer), 1/2 (second), 3/8 (mean of the layers' shares) or 3/14 (neurons included).
  const snap = { layers: [layer(4, 1, 1), layer(2, 1, 2), layer(8, 1, 1)], trainLoss: 1, testLoss: 1, testAccuracy: 0.5 };
  const m = metricsFromSnapshot(snap, true, convLayers(config));
  close(m.dead_channels, 2 / 6);
  close(m.no_positive_channels, 3 / 6);
  close(m.dead, 3 / 14);
  close(m.no_positive, 4 / 14);
  // A dense net has no channels: NaN, which the aggregation leaves out (as the CLI's).
  const dense = metricsFromSnapshot(snap, true, convLayers({ net: null }));
  assert.ok(Number.isNaN(dense.dead_channels) && Number.isNaN(dense.no_positive_channels));
  close(dense.dead, 3 / 14);
});
