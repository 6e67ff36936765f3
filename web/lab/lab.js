// The lab page (lab.html): pick a built-in study or a custom 2-axis sweep, run it over
// Workers (runner.js), watch the progress bar and ETA, cancel (partial results stay),
// plot mean ± SE (svgplot.js) and export CSV, JSON, SVG, PNG.
// A built-in study opens on its shipped results (dist/results/NAME.json, copied from
// docs/results/ by build.mjs: the CLI's full-size grid); "Run it again" recomputes it here.
// window.__lab exposes the state for the browser test (tests/browser/lab.test.mjs).
import { figureFor, resultToCsv } from './figures.js';
import { defaultWorkerCount, SweepRunner } from './runner.js';
import { STUDIES } from './studies.js';
import { svgToPng } from './png.js';
import { renderFigure } from './svgplot.js';

const $ = (id) => document.getElementById(id);
const lab = (window.__lab = { state: 'idle', done: 0, total: 0, result: null, error: null, runner: null, shipped: null });

// "a, b, [1,2]" -> values: JSON where it parses, strings otherwise; commas inside brackets kept.
export function parseValues(text) {
  const parts = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === '[' || c === '{')) depth++;
    if (!quoted && (c === ']' || c === '}')) depth--;
    if (c === ',' && !depth && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return JSON.parse(p);
      } catch {
        return p;
      }
    });
}

function currentStudy() {
  return STUDIES.find((s) => s.name === $('study').value) ?? null;
}

function customSpec() {
  let base;
  try {
    base = JSON.parse($('base').value || '{}');
  } catch (e) {
    throw new Error(`base config: ${e.message}`);
  }
  if (!base || typeof base !== 'object' || Array.isArray(base)) throw new Error('base config must be a JSON object');
  const axes = {};
  const k1 = $('axis1-key').value.trim();
  const k2 = $('axis2-key').value.trim();
  const v1 = parseValues($('axis1-values').value);
  const v2 = parseValues($('axis2-values').value);
  // the series axis comes first: the last axis is x (figures.js)
  if (k2 && v2.length) axes[k2] = v2;
  if (k1 && v1.length) axes[k1] = v1;
  if (k1 && k1 === k2) throw new Error('the two axes must be different settings');
  const metric = $('metric').value;
  const seeds = Number($('seeds').value);
  const steps = Number($('steps').value);
  if (metric === 'born_dead') {
    // "born dead" of a trained config: whether the network was dead at step 0
    return { kind: 'train', name: 'custom', base, axes, seeds, steps: 0, metrics: ['born_dead'] };
  }
  return { kind: 'train', name: 'custom', base, axes, seeds, steps, metrics: [metric] };
}

function plotOptions() {
  const s = currentStudy();
  return s ? { ...s.plot, title: s.title } : { title: 'Custom sweep' };
}

let svgText = '';
function draw(result) {
  lab.result = result;
  svgText = renderFigure(figureFor(result, plotOptions()));
  $('plot').innerHTML = svgText;
  for (const id of ['export-csv', 'export-json', 'export-svg', 'export-png']) $(id).disabled = false;
}

function fmtTime(s) {
  if (!Number.isFinite(s)) return '…';
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function showError(msg) {
  lab.error = msg;
  $('error').textContent = msg;
  $('error').hidden = !msg;
}

// The shipped result of a built-in study, drawn before any run. A study picked while an
// older fetch is pending wins (the answer for another study is dropped).
let shownFor = null;
async function showShipped() {
  const s = currentStudy();
  shownFor = s?.name ?? null;
  lab.shipped = null;
  $('run').textContent = s ? 'Run it again' : 'Run';
  if (!s || lab.state === 'running') return;
  $('plot').innerHTML = '';
  let result;
  try {
    const res = await fetch(new URL(`../results/${s.name}.json`, import.meta.url));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    result = await res.json();
  } catch (e) {
    if (shownFor === s.name) $('status').textContent = `No shipped results for this study (${e.message}); press Run it again to compute them.`;
    return;
  }
  if (shownFor !== s.name || lab.state === 'running') return;
  draw(result);
  lab.shipped = s.name;
  const grid = Object.entries(result.sweep.axes).map(([k, v]) => `${k} × ${v.length}`).join(', ');
  const per = result.sweep.kind === 'born_dead' ? `${result.sweep.trials} networks per cell` : `${result.sweep.seeds} seeds, ${result.sweep.steps} steps`;
  $('status').textContent =
    `Shipped results: ${result.jobs_done} runs of the full-size grid (${grid}; ${per}), made by relu-lab sweep --study ${s.name}. ` +
    'Run it again recomputes the study here, in your browser, on its smaller grid.';
}

function start() {
  showError('');
  lab.shipped = null;
  let spec;
  try {
    spec = currentStudy() ? structuredClone(currentStudy().spec) : customSpec();
  } catch (e) {
    showError(e.message);
    return;
  }
  let runner;
  try {
    runner = new SweepRunner(spec, {
      workers: Number($('workers').value) || defaultWorkerCount(),
      workerUrl: new URL('./lab-worker.js', import.meta.url),
      onProgress: ({ done, total, elapsed, eta }) => {
        lab.done = done;
        lab.total = total;
        $('progress').max = total || 1;
        $('progress').value = done;
        $('status').textContent = `${done} / ${total} runs · ${fmtTime(elapsed)} elapsed · ETA ${done ? fmtTime(eta) : '…'}`;
        if (done && (done % Math.max(1, Math.floor(total / 20)) === 0 || done === total)) draw(runner.result());
      },
      onDone: (result, { cancelled, error }) => {
        lab.result = result;
        lab.state = error ? 'failed' : cancelled ? 'cancelled' : 'done';
        draw(result);
        $('run').disabled = false;
        $('cancel').disabled = true;
        const t = fmtTime(result.elapsed_seconds);
        $('status').textContent = cancelled
          ? `Cancelled after ${result.jobs_done} / ${result.jobs_total} runs (${t}); the plot and exports keep the finished runs.`
          : error
            ? `Stopped after ${result.jobs_done} / ${result.jobs_total} runs.`
            : `Done: ${result.jobs_total} runs in ${t}.`;
        if (error) showError(error);
      },
    });
  } catch (e) {
    showError(e.message);
    return;
  }
  lab.runner = runner;
  lab.state = 'running';
  lab.result = null;
  $('run').disabled = true;
  $('cancel').disabled = false;
  $('plot').innerHTML = '';
  runner.start();
}

function download(name, type, data) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function baseName() {
  return `relu-lab-${lab.result?.sweep?.name ?? 'sweep'}`;
}

async function exportPng() {
  try {
    download(`${baseName()}.png`, 'image/png', await svgToPng(svgText, 2));
  } catch (e) {
    showError(`PNG export: ${e.message}`);
  }
}

function init() {
  const sel = $('study');
  for (const s of STUDIES) sel.append(new Option(s.title, s.name));
  sel.append(new Option('Custom sweep: any two settings, any metric', 'custom'));
  const fromUrl = new URLSearchParams(location.search).get('study');
  if (fromUrl && [...sel.options].some((o) => o.value === fromUrl)) sel.value = fromUrl;
  const update = () => {
    const s = currentStudy();
    $('custom').hidden = !!s;
    $('study-text').textContent = s
      ? `${s.text} Grid: ${Object.entries(s.spec.axes).map(([k, v]) => `${k} × ${v.length}`).join(', ')}` +
        (s.spec.kind === 'born_dead' ? `, ${s.spec.trials} networks per cell.` : `, ${s.spec.seeds} seeds, ${s.spec.steps} steps.`)
      : 'Two settings on the axes (any config key: lr, activation, init, bias_init, layers, …), one metric. ' +
        'Values are comma-separated; JSON where it parses ([8,8] is a list).';
  };
  sel.addEventListener('change', () => (update(), showShipped()));
  update();
  showShipped();
  $('workers').value = defaultWorkerCount();
  $('run').addEventListener('click', start);
  $('cancel').addEventListener('click', () => lab.runner?.cancel());
  $('export-csv').addEventListener('click', () => download(`${baseName()}.csv`, 'text/csv', resultToCsv(lab.result)));
  $('export-json').addEventListener('click', () =>
    download(`${baseName()}.json`, 'application/json', JSON.stringify(lab.result, null, 1)),
  );
  $('export-svg').addEventListener('click', () => download(`${baseName()}.svg`, 'image/svg+xml', svgText));
  $('export-png').addEventListener('click', exportPng);
  lab.ready = true;
}

init();
