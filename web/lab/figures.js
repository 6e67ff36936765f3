// Sweep result (the JSON that `relu-lab sweep` prints and the browser lab builds, see
// engine/sweep.h) -> figure spec for svgplot.js, and -> CSV. Pure, shared by the
// browser lab and tools/lab-figures.mjs.
//
// Layout rule: the last axis is x, the one before it makes the series, any earlier axes
// and the metrics make the panels. Fractions (dead, test accuracy, ...) are shown in %.

import { PALETTE } from './svgplot.js';

export const METRICS = {
  final_loss: { label: 'final training loss', percent: false },
  test_loss: { label: 'test loss', percent: false },
  test_accuracy: { label: 'test accuracy (%)', percent: true },
  dead: { label: '% dead units', percent: true },
  silent: { label: '% mostly silent units', percent: true },
  no_positive: { label: '% units never active (z ≤ 0)', percent: true },
  born_dead: { label: '% born dead', percent: true },
  grad_norm: { label: 'last gradient norm', percent: false },
  diverged: { label: '% runs diverged', percent: true },
  reference: { label: '1 − (1 − 2^−N)^L (%)', percent: true },
  dead_channels: { label: '% dead conv channels', percent: true },
  no_positive_channels: { label: '% conv channels never active (z ≤ 0)', percent: true },
};

export function metricLabel(m) {
  return METRICS[m]?.label ?? m;
}

function label(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// How to place an axis' values along x: log, linear or categorical.
export function xScaleFor(values) {
  const nums = values.every((v) => typeof v === 'number');
  if (!nums) return 'category';
  const pos = values.every((v) => v > 0);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (pos && hi / lo >= 20) return 'log';
  const sorted = [...values].sort((a, b) => a - b);
  const steps = sorted.slice(1).map((v, i) => v - sorted[i]);
  const even = steps.every((s) => Math.abs(s - steps[0]) < 1e-9 * Math.max(1, Math.abs(steps[0])));
  return values.length > 8 || even ? 'linear' : 'category';
}

/**
 * options: metrics (default: the result's), title, showValues (per-seed dots),
 *          xScale ('log' | 'linear' | 'category'; default from the values),
 *          reference (born_dead: dashed reference lines; default true when present)
 */
export function figureFor(result, options = {}) {
  const axes = Object.entries(result.sweep.axes);  // [[key, values]]
  const metrics = options.metrics ?? result.metrics.filter((m) => m !== 'reference');
  const xAxis = axes.length ? axes[axes.length - 1] : ['(none)', [null]];
  const sAxis = axes.length > 1 ? axes[axes.length - 2] : null;
  const pAxes = axes.slice(0, Math.max(0, axes.length - 2));
  const scale = options.xScale ?? xScaleFor(xAxis[1]);
  const xOf = (v, i) => (scale === 'category' ? i : v);
  const find = (settings) => result.cells.find((c) => Object.entries(settings).every(([k, v]) => same(c.settings[k], v)));

  // every combination of the panel axes
  let combos = [{}];
  for (const [k, vals] of pAxes) combos = combos.flatMap((c) => vals.map((v) => ({ ...c, [k]: v })));
  const withRef = options.reference ?? result.metrics.includes('reference');

  const panels = [];
  for (const m of metrics) {
    const pct = METRICS[m]?.percent ? 100 : 1;
    for (const combo of combos) {
      const seriesValues = sAxis ? sAxis[1] : [null];
      const series = [];
      const point = (cell, x, metric) => {
        const s = cell?.metrics?.[metric];
        if (!s || s.mean === null || s.mean === undefined || !cell.runs) return { x, y: NaN };
        return { x, y: s.mean * pct, se: (s.se ?? 0) * pct, values: (s.values ?? []).map((v) => (v === null ? NaN : v * pct)) };
      };
      seriesValues.forEach((sv, si) => {
        const color = PALETTE[si % PALETTE.length];
        const name = sAxis ? `${sAxis[0]} = ${label(sv)}` : metricLabel(m);
        const pts = xAxis[1].map((xv, xi) => {
          const settings = { ...combo, [xAxis[0]]: xv };
          if (sAxis) settings[sAxis[0]] = sv;
          return point(find(settings), xOf(xv, xi), m);
        });
        // names on x (activations, initialisers) are not ordered: no lines between them
        const noLine = scale === 'category' && !xAxis[1].every((v) => typeof v === 'number');
        series.push({ name, color, points: pts, showValues: !!options.showValues, noLine });
        if (withRef && m === 'born_dead') {
          const ref = xAxis[1].map((xv, xi) => {
            const settings = { ...combo, [xAxis[0]]: xv };
            if (sAxis) settings[sAxis[0]] = sv;
            const p = point(find(settings), xOf(xv, xi), 'reference');
            return { x: p.x, y: p.y };
          });
          series.push({ name: '1 − (1 − 2^−N)^L', color, dashed: true, points: ref, legend: si === 0 });
        }
      });
      const where = Object.entries(combo).map(([k, v]) => `${k} = ${label(v)}`).join(', ');
      panels.push({
        title: where ? (metrics.length > 1 ? `${metricLabel(m)}, ${where}` : where) : metricLabel(m),
        xLabel: xAxis[0],
        yLabel: metricLabel(m),
        xLog: scale === 'log',
        xCategories: scale === 'category' ? xAxis[1].map(label) : undefined,
        yMin: pct === 100 ? 0 : undefined,
        yClamp: pct === 100,
        series,
      });
    }
  }
  return { title: options.title ?? result.sweep.name ?? '', panels, columns: options.columns ?? 3 };
}

function csvField(v) {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per cell, the same columns as `relu-lab sweep --csv`. */
export function resultToCsv(result) {
  const keys = Object.keys(result.sweep.axes);
  const rows = [[...keys, 'runs', ...result.metrics.flatMap((m) => [`${m}_mean`, `${m}_se`, `${m}_n`])].join(',')];
  for (const c of result.cells) {
    const f = keys.map((k) => csvField(c.settings[k]));
    f.push(String(c.runs));
    for (const m of result.metrics) {
      const s = c.metrics[m] ?? {};
      const num = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toPrecision(9))));
      f.push(num(s.mean), num(s.se), String(s.n ?? 0));
    }
    rows.push(f.join(','));
  }
  return rows.join('\n') + '\n';
}
