// A tiny SVG plotter for sweep results: points joined by lines, error bars (mean ± one
// standard error), optional per-seed dots, several panels side by side. Pure: it returns
// an SVG string, so the same code draws the browser lab's plots and the figures that
// tools/lab-figures.mjs writes into docs/figures/ under node.
//
//   renderFigure({ title, panels: [{ title, xLabel, yLabel, xLog, xCategories, yMin, yMax,
//                  series: [{ name, color, dashed, points: [{ x, y, se, values }] }] }] })
//
// x is a number, or with xCategories an index into it. Points with a non-finite y are
// skipped (a line breaks there).

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf',
  '#7f7f7f', '#bcbd22'];

const PANEL_W = 340;
const PANEL_H = 250;
const M = { left: 56, right: 14, top: 28, bottom: 44 };

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

// Round tick steps (1, 2, 5 x 10^k) covering [lo, hi].
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  const last = Math.ceil(hi / step - 1e-9) * step;  // the top tick covers hi
  for (let t = Math.floor(lo / step + 1e-9) * step; t <= last + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function logTicks(lo, hi, xs) {
  const uniq = [...new Set(xs)].sort((a, b) => a - b);
  if (uniq.length && uniq.length <= 9) return uniq;
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 3]) {
      const t = m * 10 ** e;
      if (t >= lo * 0.999 && t <= hi * 1.001) out.push(Number(t.toPrecision(6)));
    }
  }
  return out;
}

function panelSvg(p, ox, oy) {
  const w = PANEL_W - M.left - M.right;
  const h = PANEL_H - M.top - M.bottom;
  const series = p.series ?? [];
  const pts = series.flatMap((s) => s.points.filter((q) => Number.isFinite(q.y)));
  const cat = Array.isArray(p.xCategories);
  const xs = pts.map((q) => q.x);
  // y range: means ± se, and the per-seed values when drawn
  let ylo = Infinity;
  let yhi = -Infinity;
  for (const s of series) {
    for (const q of s.points) {
      if (!Number.isFinite(q.y)) continue;
      const se = Number.isFinite(q.se) ? q.se : 0;
      ylo = Math.min(ylo, q.y - se);
      yhi = Math.max(yhi, q.y + se);
      if (s.showValues && q.values) for (const v of q.values) if (Number.isFinite(v)) (ylo = Math.min(ylo, v)), (yhi = Math.max(yhi, v));
    }
  }
  if (!Number.isFinite(ylo)) (ylo = 0), (yhi = 1);
  if (p.yMin !== undefined) ylo = Math.min(ylo, p.yMin);
  if (p.yMax !== undefined) yhi = Math.max(yhi, p.yMax);
  if (p.yMin !== undefined && p.yClamp) ylo = p.yMin;
  if (yhi - ylo < 1e-12) (yhi += 0.5), (ylo -= 0.5);
  const yticks = niceTicks(ylo, yhi, 5);
  ylo = Math.min(ylo, yticks[0]);
  yhi = Math.max(yhi, yticks[yticks.length - 1]);

  let xlo;
  let xhi;
  let xticks;
  let xpos;
  if (cat) {
    xlo = -0.5;
    xhi = p.xCategories.length - 0.5;
    xticks = p.xCategories.map((_, i) => i);
    xpos = (x) => ((x - xlo) / (xhi - xlo)) * w;
  } else if (p.xLog) {
    xlo = Math.min(...xs);
    xhi = Math.max(...xs);
    if (!(xlo > 0)) xlo = 1e-3;
    if (!(xhi > xlo)) xhi = xlo * 10;
    const pad = (Math.log10(xhi) - Math.log10(xlo)) * 0.04;
    const l0 = Math.log10(xlo) - pad;
    const l1 = Math.log10(xhi) + pad;
    xticks = logTicks(xlo, xhi, xs);
    xpos = (x) => ((Math.log10(x) - l0) / (l1 - l0)) * w;
  } else {
    xlo = xs.length ? Math.min(...xs) : 0;
    xhi = xs.length ? Math.max(...xs) : 1;
    if (!(xhi > xlo)) (xhi = xlo + 1), (xlo -= 1);
    xticks = niceTicks(xlo, xhi, 6);
    const pad = (xhi - xlo) * 0.03;
    const a = xlo - pad;
    const b = xhi + pad;
    xpos = (x) => ((x - a) / (b - a)) * w;
  }
  const ypos = (y) => h - ((y - ylo) / (yhi - ylo)) * h;
  const out = [];
  out.push(`<g transform="translate(${ox + M.left},${oy + M.top})">`);
  out.push(`<rect x="0" y="0" width="${w}" height="${h}" fill="#fff" stroke="#bbb"/>`);
  for (const t of yticks) {
    const y = ypos(t).toFixed(1);
    out.push(`<line x1="0" x2="${w}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="-6" y="${y}" dy="0.32em" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  for (const t of xticks) {
    const x = xpos(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${h}" y2="${h + 4}" stroke="#888"/>`);
    const label = cat ? p.xCategories[t] : fmt(t);
    out.push(`<text x="${x}" y="${h + 16}" text-anchor="middle">${esc(label)}</text>`);
  }
  if (p.title) out.push(`<text x="${w / 2}" y="-10" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  if (p.xLabel) out.push(`<text x="${w / 2}" y="${h + 34}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  if (p.yLabel)
    out.push(`<text transform="translate(-42,${h / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);

  // dodge categorical series so their error bars do not overlap
  const n = series.length;
  const dodge = cat ? Math.min(0.6 / Math.max(n, 1), 0.15) : 0;
  series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length];
    const off = cat ? (si - (n - 1) / 2) * dodge : 0;
    const X = (x) => xpos(x + off);
    let path = '';
    let pen = false;
    for (const q of s.points) {
      if (!Number.isFinite(q.y)) {
        pen = false;
        continue;
      }
      path += `${pen ? 'L' : 'M'}${X(q.x).toFixed(1)},${ypos(q.y).toFixed(1)}`;
      pen = true;
    }
    const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
    if (path && !s.noLine) out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
    for (const q of s.points) {
      if (!Number.isFinite(q.y)) continue;
      const x = X(q.x);
      if (s.showValues && q.values) {
        q.values.forEach((v, k) => {
          if (!Number.isFinite(v)) return;
          const jitter = ((k % 7) - 3) * 1.2;
          out.push(`<circle cx="${(x + jitter).toFixed(1)}" cy="${ypos(v).toFixed(1)}" r="1.6" fill="${color}" fill-opacity="0.3"/>`);
        });
      }
      if (Number.isFinite(q.se) && q.se > 0) {
        const y0 = ypos(q.y - q.se).toFixed(1);
        const y1 = ypos(q.y + q.se).toFixed(1);
        out.push(
          `<path d="M${x.toFixed(1)},${y0}V${y1}M${(x - 3).toFixed(1)},${y0}h6M${(x - 3).toFixed(1)},${y1}h6" stroke="${color}" stroke-width="1.2"/>`,
        );
      }
      if (!s.dashed) out.push(`<circle cx="${x.toFixed(1)}" cy="${ypos(q.y).toFixed(1)}" r="2.6" fill="${color}"/>`);
    }
  });
  out.push('</g>');
  return out.join('\n');
}

// Width of a label at font-size 11 sans-serif, from per-character classes (an SVG string
// has no layout engine; this errs wide, so entries never touch).
export function textWidth(text) {
  let w = 0;
  for (const c of String(text)) w += /[il.,:;|'! ]/.test(c) ? 3.8 : /[mwMW%]/.test(c) ? 10 : /[A-Z0-9_−–=+^]/.test(c) ? 7.8 : 6.8;
  return 1.1 * w;
}

/** The whole figure as an SVG document string. */
export function renderFigure(fig) {
  const panels = fig.panels ?? [];
  // legend: the union of the series names in panel order (a name keeps its first color)
  const legend = [];
  const seen = new Set();
  for (const p of panels)
    p.series.forEach((s, i) => {
      if (s.legend === false || seen.has(s.name)) return;
      seen.add(s.name);
      legend.push({ name: s.name, color: s.color ?? PALETTE[i % PALETTE.length], dashed: s.dashed });
    });
  const cols = Math.min(panels.length, fig.columns ?? 3) || 1;
  const rows = Math.ceil(panels.length / cols) || 1;
  const titleH = fig.title ? 24 : 0;
  const W = cols * PANEL_W;
  // Legend entries flow in rows, each as wide as its own name (a fixed 150 px slot let long
  // names run into the next entry): 23 px of line, the text, 14 px of gap.
  const places = [];
  let lx = 12, row = 0;
  for (const l of legend) {
    const width = 23 + textWidth(l.name) + 14;
    if (lx > 12 && lx + width > W - 8) (lx = 12), row++;
    places.push({ x: lx, row });
    lx += width;
  }
  const legendH = (legend.length ? row + 1 : 0) * 16 + 8;
  const H = titleH + rows * PANEL_H + legendH;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11" fill="#222">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  if (fig.title) out.push(`<text x="10" y="17" font-size="13" font-weight="bold">${esc(fig.title)}</text>`);
  panels.forEach((p, i) => out.push(panelSvg(p, (i % cols) * PANEL_W, titleH + Math.floor(i / cols) * PANEL_H)));
  const ly = titleH + rows * PANEL_H + 4;
  legend.forEach((l, i) => {
    const x = places[i].x;
    const y = ly + places[i].row * 16 + 8;
    const dash = l.dashed ? ' stroke-dasharray="4 3"' : '';
    out.push(`<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${l.color}" stroke-width="2"${dash}/>`);
    out.push(`<text class="legend-name" x="${x + 23}" y="${y}" dy="0.32em">${esc(l.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
