// One playground: wires the controls to the state, the state to the workers, and the
// workers' latest snapshots to the views. The main thread never trains; it draws
// in requestAnimationFrame from the newest snapshot of each run. mount() is used by
// the page (web/app.js) and by the <relu-playground> element (web/component.js).
import {
  parse, serialize, defaults, SETTINGS, BY_NAME, SPEEDS, HIST_VIEWS, COMPARABLE, MAX_LAYERS, MAX_WIDTH, MAX_COMPARE,
  toEngineConfig, liveUpdates, needsRestart, coerce, registerPresetIds, formatValue,
  parseFlags, serializeFlags, show, fileLabel, megabytes,
  MAX_CSV_BYTES, MAX_IMPORT_BYTES, MAX_JSON_DEPTH, MAX_SET_KEYS, MAX_IMPORT_STEPS,
} from './state.js';
import { PRESETS, PRESET_BY_ID } from './presets.js';
import { valueTooDeep, readJson, describe, historyProblem, valueText } from './input-checks.js';
import { RunClient } from './worker-client.js';
import { SeriesBuffer, HistogramRing } from './history.js';
import { NetworkView } from './views/network.js';
import { ChartsView, historyColumns, historyRow } from './views/charts.js';
import { HistogramsView } from './views/histograms.js';
import { OutputView } from './views/output.js';
import { TimelineView } from './views/timeline.js';
import { NeuronCard } from './views/neuron-card.js';
import { STATE_COLORS, STATE_LABELS, STATE_HELP, RUN_COLORS } from './palette.js';
import { buildControls } from './controls.js';
import { MARKUP } from './markup.js';
import { applyHide } from './hide.js';

registerPresetIds(PRESETS.map((p) => p.id));

// Neuron events a run keeps for the presets' checks and window.__relu.events (the timeline
// keeps its own bounded marks): between this many and twice as many, the newest.
export const MAX_PAGE_EVENTS = 20000;

/**
 * Mounts one playground. Used by the page (index.html: into document.body) and by the
 * <relu-playground> element (into its shadow root); each mount has its own state,
 * workers and animation loop.
 *   container  the element (or shadow root) the markup goes into
 *   host       the element that carries data-playing/data-step/... (default: container)
 *   query      URL-state query string (settings, plus the flags embed, hide, origins, autoplay)
 *   urlSync    keep the address bar in step with the state (the page only)
 *   keyboard   Space toggles play (the page only)
 *   presetFirst  a `preset` in the query applies its settings first, explicit keys override
 *   firstVisitPreset  an empty query opens on the first preset (the page only)
 * Returns the API handle (see docs/embedding.md).
 */
export function mount(container, { host = container, query = '', urlSync = false, keyboard = false, presetFirst = false, firstVisitPreset = false, extraFlags = {}, querySource = 'the link' } = {}) {
  const root = container;
  container.insertAdjacentHTML ? container.insertAdjacentHTML('beforeend', MARKUP) : (container.innerHTML = MARKUP);
  const $ = (id) => root.querySelector(`#${id}`);

  const { flags, params, warnings: flagWarnings } = parseFlags(query);
  Object.assign(flags, extraFlags);
  const parsed = parse(params);
  let state = parsed.state;
  if (presetFirst && state.preset && PRESET_BY_ID[state.preset]) {
    // Attributes / embed links: the preset's settings first, then every key given explicitly.
    const explicit = Object.fromEntries([...params.keys()].filter((k) => Object.hasOwn(BY_NAME, k)).map((k) => [k, state[k]]));
    state = { ...state, ...structuredClone(PRESET_BY_ID[state.preset].settings), ...explicit };
    if (!PRESET_BY_ID[state.preset].settings.compare && !('compare' in explicit)) state.compare = null;
  }
  // A first visit (no settings in the link) opens on the first preset: the story in one click less.
  if (firstVisitPreset && [...params.keys()].length === 0) state = { ...state, ...structuredClone(PRESETS[0].settings), preset: PRESETS[0].id };
  let destroyed = false;
  const cleanups = [];
  const listen = (target, type, fn) => {
    target.addEventListener(type, fn);
    cleanups.push(() => target.removeEventListener(type, fn));
  };
  if (flags.embed) host.classList.add('is-embed');
  let csvText = '';
  let runs = [];          // { client, label, overrides, history, hist, first, events, snap, grid, weights, rate }
  let playing = false;
  let selected = null;    // { run, l, i }
  let noticeLines = [];

  // ---------- notices (always textContent) ----------
  function notice(lines, append = false) {
    noticeLines = (append ? [...noticeLines, ...lines] : lines).slice(-8);  // only the last 8 are shown
    const box = $('notice-text');
    box.replaceChildren();
    for (const line of noticeLines) {
      const p = document.createElement('p');
      p.textContent = line;
      box.append(p);
    }
    $('notice').hidden = noticeLines.length === 0;
  }
  $('notice-close').addEventListener('click', () => notice([]));
  {
    const ws = [...flagWarnings, ...parsed.warnings];
    if (ws.length) notice([`Some settings in ${querySource} were changed:`, ...ws]);
  }

  // ---------- views ----------
  const charts = new ChartsView($('charts'));
  const histograms = new HistogramsView($('hists'));
  const output = new OutputView($('output'));
  const timeline = new TimelineView($('timeline'), $('timeline-summary'));
  const card = new NeuronCard($('card'), {
    onClose: () => {
      selected = null;
      card.close();
    },
    onAction: (kind, l, i) => {
      const run = runs[selected?.run ?? 0];
      const layer = run?.snap?.layers[l];
      if (!layer) return;
      if (kind === 'revive') run.client.neuron('reviveNeuron', l, i);
      if (kind === 'freeze') run.client.neuron('setFrozen', l, i, !layer.frozen[i]);
      if (kind === 'ablate') run.client.neuron('setAblated', l, i, !layer.ablated[i]);
    },
    onNeedGrid: (l, i) => {
      const run = runs[selected?.run ?? 0];
      run?.client.neuronGrid(l, i, 32).then((m) => {
        if (selected && selected.l === m.layer && selected.i === m.neuron) card.drawGrid(m.res, m.values);
      }, (e) => notice([String(e.message)]));
    },
  });
  let networkViews = [];

  function buildLegend() {
    const ul = $('legend');
    ul.replaceChildren();
    for (const k of [4, 3, 0, 2, 1]) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = k === 0 ? 'swatch dead' : 'swatch';
      sw.style.backgroundColor = STATE_COLORS[k];
      const b = document.createElement('b');
      b.textContent = STATE_LABELS[k];
      li.title = STATE_HELP[k];
      li.append(sw, b);
      ul.append(li);
    }
  }
  buildLegend();

  // ---------- runs ----------
  function variants() {
    if (!state.compare) return [{ label: '', overrides: {} }];
    const { key, values } = state.compare;
    return values.map((v) => ({ label: formatValue(key, v).replace(/_/g, ' '), overrides: { [key]: v } }));
  }

  function makeRun(v, k) {
    const client = new RunClient({
      label: v.label,
      onError: (c, message) => {
        notice([`${c.label ? c.label + ': ' : ''}${message}`], true);
        failWaiters(message);
        if (runs.every((r) => !r.client.playing)) setPlaying(false);
      },
      onCreated: () => {},
      onRevived: (c, count) => notice([`Revived ${count} unit${count === 1 ? '' : 's'}${c.label ? ' in ' + c.label : ''}.`]),
      onFailed: (c, message) => workerFailed(c, message),
    });
    return { client, index: k };
  }

  // The worker died (an uncaught error, a crash): say so, start a new one and restore the
  // current settings (the state every snapshot was made from) in it.
  let workerRestarts = 0;
  let recentFailures = [];  // times of the last worker failures
  function workerFailed(c, message) {
    const run = runs.find((r) => r.client === c);
    if (destroyed || !run) return;
    const now = performance.now();
    recentFailures = recentFailures.filter((t) => now - t < 60000);
    recentFailures.push(now);
    if (recentFailures.length > 3) {
      // A worker that cannot even start (blocked, missing file) would fail forever: stop.
      notice([`The training worker keeps failing (${message}); it was not restarted again. Reload the page.`], true);
      failWaiters(`the training worker stopped: ${message}`);
      if (playing) setPlaying(false);
      return;
    }
    workerRestarts++;
    const step = run.snap?.step;
    run.client = makeRun({ label: run.label }, run.index).client;
    failWaiters(`the training worker stopped: ${message}`);
    notice([`${run.label ? run.label + ': ' : ''}The training worker stopped (${message})${step != null ? ` at step ${step}` : ''}. It was restarted with the current settings; training starts again from step 0.`], true);
    restart();
  }

  // ---------- divergence ----------
  function divergenceText(run, s) {
    const d = s.divergence ?? { step: s.step, what: 'loss', layer: -1 };
    const hidden = s.layers.length;
    const where = d.layer < 0 ? 'the network' : d.layer >= hidden ? 'the output layer' : `hidden layer ${d.layer + 1}`;
    const what = d.what === 'gradient' ? `the gradient of ${where}` : d.what === 'parameters' ? `the weights of ${where}` : 'the loss';
    return `${run.label ? run.label + ': ' : ''}Training diverged at step ${d.step}: ${what} became infinite or NaN. Lower the learning rate, then roll back.`;
  }
  function showDivergence() {
    const bad = runs.filter((r) => r.snap?.diverged);
    $('diverged').hidden = bad.length === 0;
    if (!bad.length) return;
    const box = $('diverged-text');
    box.replaceChildren();
    for (const r of bad) {
      const p = document.createElement('p');
      p.textContent = divergenceText(r, r.snap);
      box.append(p);
    }
    const steps = [...new Set(bad.map((r) => r.snap.divergence?.rollbackStep).filter((x) => x != null && x >= 0))];
    $('rollback').textContent = steps.length === 1 ? `Roll back to step ${steps[0]}` : 'Roll back';
  }
  function rollback() {
    for (const r of runs) if (r.snap?.diverged) r.client.rollback();
  }
  $('rollback').addEventListener('click', () => rollback());

  function restart() {
    const vs = variants();
    while (runs.length > vs.length) runs.pop().client.dispose();
    while (runs.length < vs.length) runs.push(makeRun(vs[runs.length], runs.length));
    runs.forEach((run, k) => {
      const v = vs[k];
      Object.assign(run, {
        label: v.label,
        overrides: v.overrides,
        history: null,
        hist: [],
        first: null,
        events: [],
        snap: null,
        grid: null,
        weights: null,
        rate: 0,
        layersKey: '',
        divergedShown: false,
        good: null,
        refs: [],
        restore: null,
      });
      run.client.label = v.label;
      let cfg;
      try {
        cfg = toEngineConfig(state, v.overrides, csvText);
      } catch (e) {
        notice([String(e.message)], true);
        return;
      }
      if (pendingRestore && k === 0) {
        run.restore = pendingRestore;
        run.client.create(cfg, { steps: pendingRestore.step, weights: pendingRestore.weights });
      } else run.client.create(cfg);
      run.client.speed(speedSteps());
      if (playing) run.client.play();
    });
    pendingRestore = null;
    $('diverged').hidden = true;
    // The outcome belongs to the run: never show the previous run's verdict under a new one.
    $('outcome').dataset.ok = 'pending';
    $('outcome').textContent = '';
    timeline.clear();
    selected = null;
    card.close();
    buildNetworkViews();
    host.dataset.compare = state.compare ? String(runs.length) : '0';
    updateStory();
  }

  function speedSteps() {
    return state.speed === 'max' ? 0 : Number(state.speed);
  }

  function buildNetworkViews() {
    const box = $('networks');
    box.replaceChildren();
    box.dataset.count = String(runs.length);
    networkViews = runs.map((run, k) => {
      const fig = document.createElement('figure');
      fig.className = 'net';
      if (runs.length > 1) {
        const cap = document.createElement('figcaption');
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.backgroundColor = RUN_COLORS[k];
        const t = document.createElement('span');
        t.textContent = run.label;
        run.caption = document.createElement('span');
        run.caption.className = 'net-stat';
        cap.append(sw, t, run.caption);
        fig.append(cap);
      }
      const canvas = document.createElement('canvas');
      canvas.setAttribute('aria-label', `network${run.label ? ' ' + run.label : ''}: neurons coloured by state`);
      fig.append(canvas);
      box.append(fig);
      return new NetworkView(canvas, {
        compact: runs.length > 2,
        onSelect: (l, i, open) => {
          selected = { run: k, l, i };
          card.open(l, i);
          card.update(run.snap, run.client.data?.info?.features === 2);
        },
      });
    });
  }

  function setPlaying(on) {
    playing = on;
    for (const r of runs) on ? r.client.play() : r.client.pause();
    $('play').textContent = on ? 'Pause' : 'Play';
    $('play').setAttribute('aria-pressed', on ? 'true' : 'false');
    host.dataset.playing = on ? '1' : '0';
  }

  // ---------- state changes ----------
  function apply(next, { restart: force = false } = {}) {
    const prev = state;
    state = next;
    if (force || needsRestart(prev, next)) restart();
    else {
      for (const [key, value] of liveUpdates(prev, next)) {
        for (const run of runs) {
          // In compare mode the compared setting belongs to each run.
          if (state.compare && BY_NAME[state.compare.key].engine === key) continue;
          run.client.set(key, value);
        }
      }
      if (prev.speed !== next.speed) for (const r of runs) r.client.speed(speedSteps());
      updateStory();
    }
    writeUrl();
    controls.sync(state);
  }

  function writeUrl() {
    if (!urlSync) return;
    const q = [serialize(state), serializeFlags(flags)].filter(Boolean).join('&');
    history.replaceState(null, '', `${location.pathname}?${q}`);
  }

  function applyPreset(id) {
    const p = PRESET_BY_ID[id];
    const next = { ...defaults(), speed: state.speed, hist: state.hist, ...structuredClone(p.settings), preset: id };
    if (!p.settings.compare) next.compare = null;
    notice([]);
    apply(next, { restart: true });
    setPlaying(true);
  }

  // ---------- controls ----------
  const controls = buildControls($('controls'), {
    state,
    onChange: (name, value, opts) => {
      const next = { ...state, [name]: value };
      if (name === 'dropout' && value > 0) next.alphaDropout = 0;
      if (name === 'alphaDropout' && value > 0) next.dropout = 0;
      apply(next, opts);
    },
    onWarning: (w) => notice([w]),
    onRevive: () => runs.forEach((r) => r.client.revive()),
    onCsv: (text, name) => loadCsv(text, name),
  });

  // An uploaded CSV replaces the data only once the engine has read it: a file it refuses
  // (ragged, not numbers, too many columns or rows, empty) leaves the data, the settings and
  // the running network as they were, and the notice says what is wrong and where.
  let csvChecks = 0;
  async function loadCsv(text, name) {
    const file = `"${fileLabel(name)}"`;
    const unchanged = 'The current data and run are unchanged.';
    if (text.trim() === '') return notice([`CSV ${file} is empty: there is nothing to train on. ${unchanged}`]);
    const ticket = ++csvChecks;
    notice([`Reading ${file}…`]);
    const next = { ...state, dataset: 'csv' };
    try {
      await runs[0].client.validate(toEngineConfig(next, {}, text));
    } catch (e) {
      if (ticket === csvChecks && !destroyed) notice([`CSV ${file} was not loaded: ${e.message}. ${unchanged}`]);
      return false;
    }
    if (ticket !== csvChecks || destroyed) return false; // a newer upload won
    csvText = text;
    notice([`Loaded ${file}: last column is the target.`]);
    apply({ ...state, dataset: 'csv' }, { restart: true });
    return true;
  }

  for (const v of SPEEDS) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = v === 'max' ? 'max' : `${v}/frame`;
    $('speed').append(o);
  }
  $('speed').value = state.speed;
  $('speed').addEventListener('change', (e) => apply({ ...state, speed: coerce('speed', e.target.value).value }));
  for (const v of HIST_VIEWS) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = { offset: 'offset (TensorBoard)', overlay: 'overlay', bands: 'percentile bands' }[v];
    $('hist-view').append(o);
  }
  $('hist-view').value = state.hist;
  $('hist-view').addEventListener('change', (e) => {
    apply({ ...state, hist: coerce('hist', e.target.value).value });
    forceDraw = true;
  });
  $('hist-layer').addEventListener('change', () => (forceDraw = true));

  $('play').addEventListener('click', () => setPlaying(!playing));
  $('step').addEventListener('click', () => {
    setPlaying(false);
    for (const r of runs) r.client.step(1);
  });
  $('reset').addEventListener('click', () => restart());
  if (keyboard) listen(document, 'keydown', (e) => {
    if (e.key === ' ' && e.target === document.body) {
      e.preventDefault();
      setPlaying(!playing);
    }
  });
  $('share').addEventListener('click', async () => {
    writeUrl();
    const url = urlSync ? location.href : `${new URL('../index.html', import.meta.url).href}?${[serialize(state), serializeFlags(flags)].filter(Boolean).join('&')}`;
    let ok = false;
    try {
      await navigator.clipboard.writeText(url);
      ok = true;
    } catch {
      ok = false;
    }
    $('share-status').textContent = ok ? 'Link copied.' : 'Copy the address bar: it holds every setting.';
    $('share').dataset.url = url;
    setTimeout(() => ($('share-status').textContent = ''), 4000);
  });

  // Preset buttons.
  PRESETS.forEach((p, k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'preset';
    b.dataset.preset = p.id;
    b.title = p.title;
    const n = document.createElement('span');
    n.className = 'preset-n';
    n.textContent = String(k + 1);
    const t = document.createElement('span');
    t.textContent = p.short;
    b.append(n, t);
    b.addEventListener('click', () => applyPreset(p.id));
    $('preset-buttons').append(b);
  });

  function updateStory() {
    for (const b of root.querySelectorAll('.preset')) b.setAttribute('aria-pressed', b.dataset.preset === state.preset ? 'true' : 'false');
    const p = PRESET_BY_ID[state.preset];
    $('story').hidden = !p;
    if (!p) return;
    $('story-title').textContent = p.title;
    const text = $('story-text');
    text.replaceChildren();
    for (const para of p.text) {
      const e = document.createElement('p');
      e.textContent = para;
      text.append(e);
    }
    const acts = $('story-actions');
    acts.replaceChildren();
    for (const a of p.actions ?? []) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = a.label;
      b.addEventListener('click', () => {
        if (a.revive) runs.forEach((r) => r.client.revive());
        if (a.set) apply({ ...state, ...structuredClone(a.set) }, { restart: !!a.restart });
        if (a.restart) setPlaying(true);
      });
      acts.append(b);
    }
  }

  // ---------- ingest and draw ----------
  // The worker has stopped this run at a non-finite number: say so once, stop the clock.
  function pauseDiverged(run) {
    run.rate = 0;
    run.client.playing = false;
    if (!run.divergedShown) {
      run.divergedShown = true;
      showDivergence();
    }
    if (runs.every((r) => !r.client.playing) && playing) setPlaying(false);
  }

  function ingest(run, m) {
    const s = m.snapshot;
    if (run.restore) {
      // Importing a run: wait for the restored step, then put its charts back as they were.
      if (s.step !== run.restore.step && !s.diverged) return;
    }
    if (s.diverged && run.snap && !run.snap.diverged) run.good = { snap: run.snap, grid: run.grid, weights: run.weights };
    if (s.diverged && run.good) {
      // Training stopped at a non-finite number: keep the last good picture on screen
      // (layers, output, weights), mark the run diverged, and offer the rollback.
      run.snap = { ...s, layers: run.good.snap.layers, events: [] };
      pauseDiverged(run);
      return;
    }
    if (!s.diverged && run.snap?.diverged) {
      // Rolled back: forget what came after the restored step.
      run.good = null;
      run.divergedShown = false;
      run.history?.dropAfter(s.step);
      for (const h of run.hist ?? []) for (const k of ['pre', 'act', 'grad']) h[k].clear();
      run.refs = run.refs.filter((r) => r.step <= s.step && !r.diverged);
      run.events = run.events.filter((e) => e.step <= s.step);
      run.snap = s;
      showDivergence();
    }
    run.snap = s;
    run.grid = m.grid;
    run.weights = m.weights;
    run.rate = m.stepsPerSec ?? m.stepsPerSecond ?? 0;
    if (!run.first) run.first = s;
    // Reference snapshots for checks that compare two moments (about 200 steps apart).
    run.refs.push(s);
    while (run.refs.length > 2 && run.refs[1].step <= s.step - 200) run.refs.shift();
    const key = s.layers.map((l) => l.width).join(',');
    if (key !== run.layersKey) {
      run.layersKey = key;
      run.history = new SeriesBuffer(historyColumns(s.layers.length), 1024);
      run.hist = s.layers.map(() => ({ pre: new HistogramRing(40), act: new HistogramRing(40), grad: new HistogramRing(40) }));
    }
    if (run.restore) {
      const h = run.restore.history;
      run.restore = null;
      if (h && Array.isArray(h.rows) && h.names?.length === run.history.names.length) {
        run.history.clear();
        for (const row of h.rows.slice(-run.history.capacity)) run.history.push(row.map((v) => (v === null ? NaN : Number(v))));
        run.history.stride = Math.max(1, Math.floor(Number(h.stride) || 1));
        run.history.offered = Math.max(0, Math.floor(Number(h.offered) || 0));
      }
    }
    if (run.history.length === 0 || run.history.last(0) !== s.step) run.history.push(historyRow(s));
    s.layers.forEach((layer, l) => {
      for (const k of ['pre', 'act', 'grad']) run.hist[l][k].push(s.step, layer.histograms[k]);
    });
    // Diverged before any finite snapshot reached the page (a huge rate can blow up in the
    // first slice): nothing better to keep on screen, but pause all the same.
    if (s.diverged) pauseDiverged(run);
    for (const e of s.events) run.events.push(e);
    // The newest MAX_PAGE_EVENTS, trimmed in batches (not a 20,000-element splice per snapshot).
    if (run.events.length > 2 * MAX_PAGE_EVENTS) run.events = run.events.slice(-MAX_PAGE_EVENTS);
    if (run.index === 0) timeline.add(s.events);
  }

  function fmtRate(x) {
    return x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
  }

  function outcome() {
    const p = PRESET_BY_ID[state.preset];
    const el = $('outcome');
    if (!p || runs.some((r) => !r.snap)) {
      el.dataset.ok = 'pending';
      el.textContent = '';
      return;
    }
    const minStep = Math.min(...runs.map((r) => r.snap.step));
    let res;
    if (runs.length > 1 && p.compareCheck) res = p.compareCheck(runs.map((r) => r.snap));
    else {
      const ref = runs[0].refs.find((r) => r.step <= runs[0].snap.step - 200) ?? runs[0].first;
      res = p.check(runs[0].snap, ref, runs[0].events);
    }
    if (minStep < p.minSteps) {
      el.dataset.ok = 'pending';
      el.textContent = `Training… (step ${minStep} of ${p.minSteps} before the outcome is clear)${res.text ? ' · ' + res.text : ''}`;
    } else {
      el.dataset.ok = res.ok ? 'yes' : 'no';
      el.textContent = `${res.ok ? '✓ As promised: ' : 'Not yet: '}${res.text}`;
    }
  }

  // Views are drawn on their own cadence, and at most one of the heavy ones per frame
  // (the most overdue), so a frame never pays for every panel at once.
  const VIEWS = [
    { id: 'network', every: 33, draw: drawNetworks },
    { id: 'charts', every: 100, draw: drawCharts },
    { id: 'output', every: 66, draw: drawOutput },
    { id: 'hist', every: 150, draw: drawHist },
    { id: 'timeline', every: 200, draw: drawTimeline },
  ];
  const timings = Object.fromEntries([...VIEWS.map((v) => v.id), 'text'].map((id) => [id, 0]));
  let version = 0; // bumped by every ingested snapshot
  for (const v of VIEWS) (v.last = -Infinity), (v.drawn = -1);
  let lastText = -Infinity;

  function timed(id, fn) {
    const t0 = performance.now();
    fn();
    timings[id] = 0.9 * timings[id] + 0.1 * (performance.now() - t0);
  }

  function draw(now, force) {
    const main = runs[0];
    if (!main?.snap) return;
    let pick = null, lateness = 0;
    for (const v of VIEWS) {
      if (v.drawn === version && !force) continue;
      const late = (now - v.last) / v.every;
      if (late >= 1 && late > lateness) (pick = v), (lateness = late);
    }
    if (force) for (const v of VIEWS) timed(v.id, v.draw), (v.last = now), (v.drawn = version);
    else if (pick) {
      timed(pick.id, pick.draw);
      pick.last = now;
      pick.drawn = version;
    }
    if (force || now - lastText >= 100) {
      lastText = now;
      timed('text', drawText);
    }
  }

  function drawNetworks() {
    runs.forEach((run, k) => {
      if (!run.snap) return;
      const sel = selected && selected.run === k ? selected : null;
      networkViews[k]?.draw(run.snap, run.weights, run.client.data?.info?.features ?? 2, sel);
      if (run.caption) {
        const dead = run.snap.layers.reduce((a, l) => a + l.counts.dead, 0);
        const n = run.snap.layers.reduce((a, l) => a + l.width, 0);
        run.caption.textContent = ` ${Math.round((100 * dead) / n)}% dead · loss ${fmtNum(run.snap.trainLoss)}`;
      }
    });
  }

  function drawOutput() {
    const main = runs[0];
    output.draw(main.client.data, main.grid);
    $('output-note').textContent = outputNote(main.client.data?.info, main);
  }

  function drawCharts() {
    charts.update(runs.filter((r) => r.history).map((r) => ({ label: r.label || 'run', layers: r.snap.layers.length, history: r.history, prelu: r.snap.layers.some((l) => l.activation === 'prelu') })));
  }

  function drawHist() {
    const main = runs[0];
    // Histograms: the chosen layer of the first run.
    const sel = $('hist-layer');
    if (sel.options.length !== main.snap.layers.length) {
      const keep = Math.min(Number(sel.value) || 0, main.snap.layers.length - 1);
      sel.replaceChildren();
      main.snap.layers.forEach((l, k) => {
        const o = document.createElement('option');
        o.value = String(k);
        o.textContent = `${k + 1} (${l.activation})`;
        sel.append(o);
      });
      sel.value = String(Math.max(0, keep));
    }
    histograms.draw(main.hist[Number(sel.value) || 0], state.hist);
  }

  function drawTimeline() {
    const main = runs[0];
    timeline.draw(main.snap.layers.length, main.snap.step);
  }

  function drawText() {
    const main = runs[0];
    if (selected) card.update(runs[selected.run]?.snap, runs[selected.run]?.client.data?.info?.features === 2);
    const rate = runs.reduce((a, r) => a + (r.rate || 0), 0);
    $('rate').textContent = `${fmtRate(rate)} steps/s`;
    $('stepcount').textContent = `step ${main.snap.step}`;
    const s = main.snap;
    const dead = s.layers.reduce((a, l) => a + l.counts.dead, 0);
    const silent = s.layers.reduce((a, l) => a + l.counts.mostlySilent, 0);
    const n = s.layers.reduce((a, l) => a + l.width, 0);
    $('summary').textContent = runs.length > 1
      ? `${runs.length} runs varying ${BY_NAME[state.compare.key].label.toLowerCase()}; same data and seed`
      : `${dead} of ${n} dead (${Math.round((100 * dead) / n)}%) · ${silent} mostly silent · loss ${fmtNum(s.trainLoss)}${s.bornDead ? ' · born dead' : ''}${s.diverged ? ' · diverged' : ''}`;
    host.dataset.step = String(s.step);
    host.dataset.dead = String(dead / n);
    outcome();
  }

  function fmtNum(x) {
    return Number.isFinite(x) ? (Math.abs(x) < 0.001 && x !== 0 ? x.toExponential(1) : x.toFixed(3)) : '—';
  }

  function outputNote(info, run) {
    if (!info) return '';
    const acc = run.snap.testAccuracy >= 0 ? ` · test accuracy ${(100 * run.snap.testAccuracy).toFixed(0)}%` : '';
    if (info.features === 2) return `${info.name}: filled dots train, rings test${acc}`;
    if (info.features === 1) return `${info.name}: targets and prediction`;
    return `${info.name}: predictions against targets (${info.features} inputs)`;
  }

  function frame(now) {
    if (destroyed) return;
    requestAnimationFrame(frame);
    for (const run of runs) {
      const m = run.client.take();
      if (m) {
        ingest(run, m);
        version++;
      }
    }
    draw(now, forceDraw);
    forceDraw = false;
    settleWaiters();
  }
  let forceDraw = false;
  listen(window, 'resize', () => (forceDraw = true));

  // ---------- the API (component methods, postMessage, tests) ----------
  let waiters = [];  // { test(snap) -> bool, resolve, reject }
  // A worker error fails every pending API call (step, import…) instead of leaving it hanging.
  function failWaiters(message) {
    const failed = waiters;
    waiters = [];
    for (const w of failed) w.reject(new Error(message));
  }
  function settleWaiters() {
    const s = runs[0]?.snap;
    if (!s || !waiters.length) return;
    waiters = waiters.filter((w) => (w.test(s) ? (w.resolve(), false) : true));
  }
  function whenSnapshot(test) {
    pump();
    const s = runs[0]?.snap;
    if (s && test(s)) return Promise.resolve();
    // requestAnimationFrame does not run in a hidden tab or an off-screen cross-origin
    // iframe; an API call must still see its snapshots, so poll while anyone waits.
    pumpTimer ??= setInterval(pump, 50);
    return new Promise((resolve, reject) => waiters.push({ test, resolve, reject }));
  }
  let pumpTimer = null;
  function pump() {
    for (const run of runs) {
      const m = run.client.take();
      if (m) {
        ingest(run, m);
        version++;
      }
    }
    settleWaiters();
    if (!waiters.length && pumpTimer !== null) {
      clearInterval(pumpTimer);
      pumpTimer = null;
    }
  }

  function stats() {
    const one = (run) => {
      const s = run.snap;
      if (!s) return null;
      return {
        label: run.label,
        step: s.step,
        trainLoss: s.trainLoss,
        testLoss: s.testLoss,
        testAccuracy: s.testAccuracy,
        diverged: !!s.diverged,
        layers: s.layers.map((l) => ({
          width: l.width,
          activation: l.activation,
          fractionDead: l.deadFraction,
          fractionMostlySilent: l.silentFraction,
          counts: { ...l.counts },
        })),
      };
    };
    const main = one(runs[0]);
    return main ? { ...main, playing, runs: runs.length > 1 ? runs.map(one) : undefined } : null;
  }

  /**
   * Partial URL-state (keys as in the URL; values as numbers, strings, arrays) -> validated.
   * Out-of-range values are clamped (as in a link); a value that is no value of its setting
   * at all (not a number, an unknown name, an object) leaves that setting as it was.
   */
  function setState(partial) {
    if (!partial || typeof partial !== 'object' || Array.isArray(partial)) throw new Error('set: state must be an object of URL-state keys, e.g. {lr: 0.5}');
    const entries = Object.entries(partial);
    if (entries.length > MAX_SET_KEYS) throw new Error(`set: state has ${entries.length} keys; at most ${MAX_SET_KEYS} are accepted (there are ${SETTINGS.length} settings)`);
    const warnings = [];
    const values = {}; // key -> validated value
    let presetGiven = false;
    for (const [rawKey, v] of entries) {
      if (v === null || v === undefined) continue;
      const k = rawKey.trim();
      if (!Object.hasOwn(BY_NAME, k)) {
        warnings.push(`unknown setting "${show(k)}" ignored`);
        continue;
      }
      const kept = `${k} kept at ${state[k] === null ? 'auto' : formatValue(k, state[k])}`;
      const text = valueText(k, v);
      if (text === null) {
        warnings.push(`${k}: ${describe(v)} is not a value of this setting; ${kept}`);
        continue;
      }
      // Each key on its own, through the same reader as a link.
      const p = parse(new URLSearchParams([[k, text]]));
      if (p.invalid.includes(k)) {
        if (k === 'dataset' && p.state.dataset !== 'csv' && text.trim().toLowerCase() === 'csv') warnings.push(`dataset: "csv" is chosen by uploading a CSV file in the settings, not by name; ${kept}`);
        else for (const w of p.warnings) warnings.push(`${w.replace(/; using .*$/, '')}; ${kept}`);
        continue;
      }
      warnings.push(...p.warnings);
      values[k] = p.state[k];
      if (k === 'preset' && PRESET_BY_ID[p.state.preset]) presetGiven = true;
    }
    let next = { ...state };
    if (presetGiven) {
      next = { ...defaults(), speed: state.speed, hist: state.hist, ...structuredClone(PRESET_BY_ID[values.preset].settings) };
      if (!PRESET_BY_ID[values.preset].settings.compare) next.compare = null;
    }
    Object.assign(next, values);
    if (next.dropout > 0 && next.alphaDropout > 0) next['alphaDropout' in values ? 'dropout' : 'alphaDropout'] = 0;
    apply(next, { restart: presetGiven });
    return { state: structuredClone(state), warnings };
  }

  // ---------- export / import ----------
  function historyTable(run) {
    const h = run?.history;
    if (!h) return { names: [], rows: [], stride: 1, offered: 0 };
    const cols = h.view();
    const rows = [];
    for (let i = 0; i < h.length; i++) rows.push(cols.map((c) => (Number.isFinite(c[i]) ? c[i] : null)));
    return { names: h.names.slice(), rows, stride: h.stride, offered: h.offered };
  }

  function statsCsv() {
    const t = historyTable(runs[0]);
    const names = t.names.map((n) => n.replace(/^(dead|silent|grad|slope)(\d+)$/, (m, k, l) => `${{ dead: 'dead_pct', silent: 'mostly_silent_pct', grad: 'grad_norm', slope: 'prelu_slope' }[k]}_layer${Number(l) + 1}`));
    return [names.join(','), ...t.rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';
  }

  async function exportRun() {
    const run = runs[0];
    const weights = run?.snap ? await run.client.exportWeights() : null;
    return {
      format: 'relu-playground-run',
      version: 1,
      state: structuredClone(state),
      query: serialize(state),
      seed: state.seed,
      csv: state.dataset === 'csv' ? csvText : undefined,
      step: run?.snap?.step ?? 0,
      weights: weights ? JSON.parse(weights) : null,
      history: historyTable(run),
    };
  }

  /**
   * Restores an exported run (the object, or its JSON text): settings, the step count, the
   * weights and the charts. Everything in it is checked first, and the engine tries the
   * settings and the weights on a throwaway run: a file it refuses changes nothing here.
   * Errors start with "Import failed: ".
   */
  async function importRun(doc) {
    try {
      return await restoreRun(doc);
    } catch (err) {
      throw new Error(`Import failed: ${err.message}`);
    }
  }
  async function restoreRun(doc) {
    if (typeof doc === 'string') doc = readJson(doc, 'the run');
    if (!doc || typeof doc !== 'object' || Array.isArray(doc) || doc.format !== 'relu-playground-run')
      throw new Error('not a ReLU Playground run file (format "relu-playground-run")');
    if (doc.version !== undefined && doc.version !== 1) throw new Error(`version ${describe(doc.version)} is not supported (this page reads version 1)`);
    if (doc.query != null && typeof doc.query !== 'string') throw new Error(`"query" must be text like "lr=0.3&layers=8,8" (got ${describe(doc.query)})`);
    const step = doc.step ?? 0;
    if (!(typeof step === 'number' && Number.isInteger(step) && step >= 0 && step <= MAX_IMPORT_STEPS))
      throw new Error(`"step" must be a whole number from 0 to ${MAX_IMPORT_STEPS} (got ${describe(doc.step)})`);
    let weights = null;
    if (doc.weights != null) {
      if (typeof doc.weights !== 'object' || Array.isArray(doc.weights)) throw new Error(`"weights" must be an object {"layers": [...]} (got ${describe(doc.weights)})`);
      if (valueTooDeep(doc.weights)) throw new Error(`"weights" is nested deeper than ${MAX_JSON_DEPTH} levels`);
      weights = JSON.stringify(doc.weights);
      if (weights.length > MAX_IMPORT_BYTES) throw new Error(`"weights" is ${megabytes(weights.length)} MB of JSON; at most ${MAX_IMPORT_BYTES / 1e6} MB are accepted`);
    }
    const historyBad = historyProblem(doc.history);
    if (historyBad) throw new Error(historyBad);
    // The settings go through the same validation as a link (the file is input, not trusted).
    const p = parse(new URLSearchParams(doc.query ?? ''));
    const next = p.state;
    let csv = null;
    if (doc.state?.dataset === 'csv') {
      if (typeof doc.csv !== 'string') throw new Error('the run trained on an uploaded CSV, but the file has no "csv" text');
      if (doc.csv.length > MAX_CSV_BYTES) throw new Error(`"csv" is ${megabytes(doc.csv.length)} MB; at most ${MAX_CSV_BYTES / 1e6} MB are accepted`);
      next.dataset = 'csv';
      csv = doc.csv;
    }
    const overrides = next.compare ? { [next.compare.key]: next.compare.values[0] } : {};
    // The engine's verdict on the settings (a CSV) and the weights (their shape), before anything changes.
    await runs[0].client.validate(toEngineConfig(next, overrides, csv ?? csvText), weights);
    if (destroyed) throw new Error('the playground was removed');
    const previous = { state, csvText };
    if (csv !== null) csvText = csv;
    setPlaying(false);
    notice(p.warnings.filter((w) => !/^dataset: csv/.test(w)).map((w) => `Import: ${w}`));
    pendingRestore = { step, weights, history: doc.history ?? null };
    apply(next, { restart: true });
    try {
      await whenSnapshot((s) => s.step === step || s.diverged);
    } catch (err) {
      // Refused after all (the worker failed meanwhile): back to the settings of before.
      csvText = previous.csvText;
      apply(previous.state, { restart: true });
      throw err;
    }
    return stats();
  }
  let pendingRestore = null;

  function download(name, blob) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = true;
    root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  /** The canvases a PNG can be made of: [{ id, label, canvas }]. */
  function pictures() {
    const list = [];
    root.querySelectorAll('#networks canvas').forEach((c, k) => list.push({ id: `network${k ? k + 1 : ''}`, label: `Network${runs[k]?.label ? ' ' + runs[k].label : ''}`, canvas: c }));
    list.push({ id: 'output', label: 'Output', canvas: $('output') });
    root.querySelectorAll('#charts .uplot').forEach((u, k) => {
      const c = u.querySelector('canvas');
      if (c) list.push({ id: `chart${k + 1}`, label: `Chart: ${u.querySelector('.u-title')?.textContent || k + 1}`, canvas: c });
    });
    root.querySelectorAll('#hists canvas').forEach((c, k) => list.push({ id: `histogram${k + 1}`, label: `Histogram ${k + 1}`, canvas: c }));
    list.push({ id: 'timeline', label: 'Deaths and revivals', canvas: $('timeline') });
    return list;
  }
  function pngBlob(id) {
    const pic = pictures().find((p) => p.id === id);
    if (!pic) return Promise.reject(new Error(`no picture "${id}"; one of ${pictures().map((p) => p.id).join(', ')}`));
    return new Promise((ok, fail) => pic.canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the canvas is empty'))), 'image/png'));
  }
  function fillPngTargets() {
    const sel = $('png-target');
    const keep = sel.value;
    sel.replaceChildren();
    for (const p of pictures()) {
      const o = document.createElement('option');
      o.value = p.id;
      o.textContent = p.label;
      sel.append(o);
    }
    if (keep) sel.value = keep;
  }
  const stamp = () => `relu-playground-step${runs[0]?.snap?.step ?? 0}`;
  const guard = (fn) => async () => {
    try {
      await fn();
    } catch (e) {
      notice([String(e?.message ?? e)]);
    }
  };
  $('export-csv').addEventListener('click', guard(() => download(`${stamp()}-stats.csv`, new Blob([statsCsv()], { type: 'text/csv' }))));
  $('export-run').addEventListener('click', guard(async () => download(`${stamp()}-run.json`, new Blob([JSON.stringify(await exportRun())], { type: 'application/json' }))));
  $('export-weights').addEventListener('click', guard(async () => download(`${stamp()}-weights.json`, new Blob([await runs[0].client.exportWeights()], { type: 'application/json' }))));
  $('export-png').addEventListener('click', guard(async () => download(`${stamp()}-${$('png-target').value}.png`, await pngBlob($('png-target').value))));
  root.querySelector('.exports').addEventListener('toggle', fillPngTargets);
  // A run file or a weights file. Whatever is wrong with it, the notice names the file and
  // the problem, and the current run goes on as it was.
  $('import-file').addEventListener('change', guard(async () => {
    const input = $('import-file');
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    const file = `"${fileLabel(f.name)}"`;
    try {
      if (f.size > MAX_IMPORT_BYTES) throw new Error(`the file is ${megabytes(f.size)} MB; files above ${MAX_IMPORT_BYTES / 1e6} MB are refused`);
      const text = await f.text();
      const doc = readJson(text, 'the file');
      if (doc?.format === 'relu-playground-run') {
        const s = await restoreRun(doc);
        notice([`Restored the run from ${file} (step ${s?.step ?? doc.step}).`], true);
      } else {
        await importWeightsText(text);
        notice([`Loaded the weights from ${file}.`]);
      }
    } catch (err) {
      throw new Error(`Import of ${file} failed: ${err?.message ?? err}. The current run is unchanged.`);
    }
  }));

  async function importWeightsText(text) {
    if (text.length > MAX_IMPORT_BYTES) throw new Error(`weights: ${megabytes(text.length)} MB of JSON; at most ${MAX_IMPORT_BYTES / 1e6} MB are accepted`);
    // The engine checks the whole file (JSON, depth, shape, numbers) before it changes a weight.
    return runs[0].client.importWeights(text);
  }
  /** API: weights as JSON text or as an object (the CLI's format). Rejects with the problem. */
  async function importWeights(json) {
    if (typeof json === 'string') return importWeightsText(json);
    if (json === null || typeof json !== 'object') throw new Error(`importWeights: expected the weights as JSON text or an object (got ${describe(json)})`);
    if (valueTooDeep(json)) throw new Error(`weights: nested deeper than ${MAX_JSON_DEPTH} levels`);
    return importWeightsText(JSON.stringify(json));
  }

  const api = {
    play: () => (setPlaying(true), true),
    pause: () => (setPlaying(false), false),
    async step(n = 1) {
      const k = Math.floor(Number(n));
      if (!(k >= 1 && k <= 1e6)) throw new Error('step: n must be an integer from 1 to 1000000');
      await whenSnapshot(() => true);
      setPlaying(false);
      const target = runs[0].snap.step + k;
      for (const r of runs) r.client.step(k);
      await whenSnapshot((s) => s.step >= target || s.diverged);
      return stats();
    },
    async reset() {
      restart();
      await whenSnapshot((s) => s.step === 0);
      return stats();
    },
    set: setState,
    getState: () => ({ state: structuredClone(state), query: serialize(state) }),
    async getStats() {
      await whenSnapshot(() => true);
      return stats();
    },
    ready: () => whenSnapshot(() => true).then(() => true),
    statsCsv,
    exportRun,
    importRun,
    exportWeights: () => runs[0].client.exportWeights(),
    importWeights,
    /** Shows lines in the playground's notice (always as text). */
    notice: (lines) => notice([].concat(lines).map((l) => String(l))),
    pngBlob,
    pictures: () => pictures().map((p) => p.id),
    flags,
    destroy() {
      destroyed = true;
      if (pumpTimer !== null) clearInterval(pumpTimer);
      for (const r of runs) r.client.dispose();
      runs = [];
      for (const c of cleanups) c();
    },
    // Read-only views of what the page shows (tests).
    debug: {
      get state() {
        return structuredClone(state);
      },
      get snapshots() {
        return runs.map((r) => r.snap);
      },
      get events() {
        return runs.map((r) => r.events.slice());
      },
      get outcome() {
        return { ok: $('outcome').dataset.ok, text: $('outcome').textContent };
      },
      get playing() {
        return playing;
      },
      get history() {
        return historyTable(runs[0]);
      },
      // Sizes of every growing structure of the first run (bench/soak.mjs checks them).
      get buffers() {
        const r = runs[0];
        return {
          events: r?.events.length ?? 0,
          maxEvents: 2 * MAX_PAGE_EVENTS,
          timeline: { length: timeline.events.length, capacity: timeline.events.capacity, binWidth: timeline.events.binWidth },
          histograms: (r?.hist ?? []).map((h) => ({ pre: h.pre.length, act: h.act.length, grad: h.grad.length, capacity: h.pre.capacity })),
          refs: r?.refs.length ?? 0,
          notices: noticeLines.length,
        };
      },
      serialize: () => serialize(state),
      get workerRestarts() {
        return workerRestarts;
      },
      // Test hooks: make run k's worker crash (an uncaught error at its top level), roll back.
      crashWorker: (k = 0) => runs[k]?.client.send({ type: 'crash' }),
      rollback,
      timings,
      applyPreset,
    },
  };

  // Hide what the embedder asked to hide (the settings rows exist by now).
  const hideWarnings = applyHide(root, flags.hide);
  if (hideWarnings.length) notice(hideWarnings, true);

  restart();
  writeUrl();
  requestAnimationFrame(frame);
  // Autoplay: the first thing a visitor sees is neurons changing (autoplay=0 waits).
  if (flags.autoplay !== false) setPlaying(true);
  return api;
}
