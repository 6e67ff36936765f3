// One playground: mount() wires the modules of web/page/ together and owns no logic of its
// own. The main thread never trains; it draws in requestAnimationFrame from the newest
// snapshot of each run. mount() is used by the page (web/app.js) and by the
// <relu-playground> element (web/component.js).
//
//   page/runs.js         the run lifecycle (workers, restart, play/pause, failures)
//   page/ingest.js       a snapshot into its RunRecord (page/run-record.js)
//   page/replay.js       the bounded store of past snapshots and the replay cursor
//   page/draw-loop.js    requestAnimationFrame, view cadence, waiting for snapshots
//   page/panels.js       network, card, output, charts, histograms, timeline
//   page/status-text.js  rate, step, summary, divergence notice, play button
//   page/stories.js      preset buttons, the story, its note, the outcome
//   page/interventions.js  revive / freeze / ablate: marks, the note by the control, died again
//   page/toolbar.js      transport, speed, histogram view, share, keyboard
//   page/run-files.js    stats CSV, run JSON, weights, CSV upload
//   page/pictures.js     PNGs
//   page/api.js          the public API and the test views
import { parse, defaults, BY_NAME, liveUpdates, needsRestart, registerPresetIds, parseFlags, serializeFlags, stepsPerSecond, cadenceFollowsSpeed, netRules } from './state.js';
import { PRESETS, PRESET_BY_ID, presetState } from './presets.js';
import { stateTable, LEGEND_ORDER } from './palette.js';
import { buildControls } from './controls.js';
import { MARKUP } from './markup.js';
import { applyHide } from './hide.js';
import { watchChips } from './page/chips.js';
import { createNotices } from './page/notices.js';
import { createInterventions } from './page/interventions.js';
import { createRuns } from './page/runs.js';
import { ingest } from './page/ingest.js';
import { createPanels } from './page/panels.js';
import { createReplay } from './page/replay.js';
import { createStatusText, dataProgressText } from './page/status-text.js';
import { createStories } from './page/stories.js';
import { createYourData } from './page/your-data.js';
import { createDrawLoop } from './page/draw-loop.js';
import { createToolbar } from './page/toolbar.js';
import { createPictures } from './page/pictures.js';
import { createRunFiles } from './page/run-files.js';
import { createApi } from './page/api.js';
import { stateQuery } from './page/link.js';
import { createPacing } from './page/pacing.js';

registerPresetIds(PRESETS.map((p) => p.id));
export { MAX_PAGE_EVENTS } from './page/run-record.js';

/**
 * The state a query asks for: a `preset` applies its settings first, then every key given
 * explicitly (page, iframe and element alike). A first visit (no settings at all) opens on
 * the first preset when firstVisitPreset is set. Pure.
 * Returns { state, explicit: {key: value} (the keys given on top of the preset), warnings }.
 */
export function initialState(params, { firstVisitPreset = false } = {}) {
  const parsed = parse(params);
  let state = parsed.state;
  const explicit = {};
  const preset = PRESET_BY_ID[state.preset];
  if (preset) {
    for (const k of new Set([...params.keys()].map((k) => k.trim()))) if (Object.hasOwn(BY_NAME, k) && k !== 'preset') explicit[k] = state[k];
    state = presetState(preset.id, state, explicit);
  } else if (firstVisitPreset && [...params.keys()].length === 0) state = presetState(PRESETS[0].id, state);
  return { state, explicit, warnings: parsed.warnings };
}

/**
 * Mounts one playground. Used by the page (index.html: into document.body) and by the
 * <relu-playground> element (into its shadow root); each mount has its own state,
 * workers and animation loop.
 *   container  the element (or shadow root) the markup goes into
 *   host       the element that carries data-playing/data-step/... (default: container)
 *   query      URL-state query string (settings, plus the flags embed, hide, origins, autoplay)
 *   urlSync    keep the address bar in step with the state (the page only)
 *   keyboard   Space toggles play (the page only)
 *   firstVisitPreset  an empty query opens on the first preset (the page only)
 *   querySource  who gave the query, in notices ("the link", "the element's attributes")
 * Returns the API handle (see docs/embedding.md).
 */
export function mount(container, { host = container, query = '', urlSync = false, keyboard = false, firstVisitPreset = false, extraFlags = {}, querySource = 'the link' } = {}) {
  const root = container;
  container.insertAdjacentHTML ? container.insertAdjacentHTML('beforeend', MARKUP) : (container.innerHTML = MARKUP);
  const $ = (id) => root.querySelector(`#${id}`);
  const { flags, params, warnings: flagWarnings } = parseFlags(query);
  Object.assign(flags, extraFlags);
  const initial = initialState(params, { firstVisitPreset });
  let state = initial.state;
  let states = null; // the engine's state table, once a worker has loaded the engine
  let destroyed = false;
  const cleanups = [];
  const listen = (target, type, fn) => {
    target.addEventListener(type, fn);
    cleanups.push(() => target.removeEventListener(type, fn));
  };
  if (flags.embed) host.classList.add('is-embed');

  const { notice, ...notices } = createNotices($);
  if (initial.warnings.length) notice([`Some settings in ${querySource} were changed:`, ...initial.warnings]);
  // Mistakes in the page flags (hide=, origins=, embed=) are the embedding author's: they go
  // to the console and to the API's warnings(), not to the students' notice.
  const authorWarnings = [];
  const warnAuthor = (ws) => {
    for (const w of ws) {
      authorWarnings.push(w);
      console.warn(`ReLU Playground (${querySource}): ${w}`);
    }
  };
  warnAuthor(flagWarnings);
  const runs = createRuns({
    state: () => state,
    csvText: () => files.csvText(),
    notice,
    onRestarted,
    onFailure: (message) => loop.failWaiters(message),
    onDataProgress: (progress) => {
      const el = $('data-progress');
      el.hidden = !progress;
      if (progress) el.textContent = dataProgressText(progress);
    },
    onEngineInfo: (info) => {
      if (states) return;
      states = stateTable(info.states);
      buildLegend();
      controls.setNames(info);
    },
  });
  // Scrubbing shows a logged step; training goes on in the background if it was playing.
  const replay = createReplay({ runs: runs.list, onChange: () => loop.redraw() });
  const interventions = createInterventions({
    runs: runs.list,
    setting: (run, name) => (Object.hasOwn(run.overrides, name) ? run.overrides[name] : state[name]),
    reviveAnchor: () => $('c-revive'),
    unitAnchor: () => $('card').querySelector('.card-actions'),
    redraw: () => loop.redraw(),
    network: () => $('networks'),
    cardUnit: () => panels.selection(),
    // (a compared run's label already names its setting: "lr 1", page/runs.js compareLabel)
  });
  const panels = createPanels({
    $, runs: runs.list, states: () => states, histView: () => state.hist, stepAxis: () => state.steps, notice,
    marks: (run) => interventions.marks(run),
    onUnitAction: (unit) => interventions.ask('unit', null, unit),
    replay,
    // A gallery input was selected (or cleared): a page event, so other views and embedders can follow it.
    onInputSelected: (detail) => {
      // A convnet's tiles show the feature maps of the selected input (the first test input when none is).
      for (const run of runs.list()) if (run.client.data?.geometry) run.client.mapInput('test', detail?.index ?? 0);
      host.dispatchEvent(new CustomEvent('relu-input-selected', { detail, bubbles: true, composed: true }));
    },
  });
  const status = createStatusText({ $, host, runs: runs.list, state: () => state, playing: runs.playing, replay });
  const stories = createStories({
    $, root, state: () => state, runs: runs.list, states: () => states, applyPreset,
    act: (a) => {
      if (a.revive) {
        // The note goes by this button (found again by its label: the story rebuilds its buttons).
        interventions.ask('revive', () => [...$('story-actions').querySelectorAll('button')].find((b) => b.textContent === a.label) ?? $('story-actions'));
        runs.revive();
      }
      // An action may bring its own speed (presets.js actionSpeeds): a low rate learning the
      // spiral needs thousands of steps, the preset's pace was chosen for ten. It speeds the
      // page up, never down (a speed the visitor raised stays).
      const speed = a.speed && stepsPerSecond(a.speed) > (stepsPerSecond(state.speed) || Infinity) ? { speed: a.speed } : {};
      if (a.set) apply({ ...state, ...structuredClone(a.set), ...speed }, { restart: !!a.restart });
      else if (a.speed) apply({ ...state, ...speed });
      if (a.restart) runs.play(true);
    },
  });
  stories.setExplicit(initial.explicit, querySource === 'the link' ? 'link' : 'attributes');
  const pacing = createPacing({ state: () => state, apply: (next) => apply(next), runs: runs.list, states: () => states, note: $('pace-note'), explicit: () => stories.explicit() });
  const loop = createDrawLoop({
    views: panels.views,
    drawText: () => {
      panels.updateCard();
      status.draw();
      stories.drawOutcome();
      yourData.update();
      interventions.tick();
      pacing.tick();
    },
    take: takeSnapshots,
    ready: () => !!runs.main()?.snap,
    main: () => runs.main()?.snap,
  });
  const pictures = createPictures({ root, $, runs: runs.list });
  const files = createRunFiles({ root, $, state: () => state, apply, runs, notice, whenSnapshot: loop.whenSnapshot, stats: () => api.getStats(), isDestroyed: () => destroyed, pictures, onCsvName: (name) => controls.setCsvName(name) });
  const yourData = createYourData({ $, state: () => state, main: () => runs.main(), fileName: () => files.csvName(), apply: (next, opts) => apply(next, opts) });
  const controls = buildControls($('controls'), {
    state,
    onChange: (name, value, opts) => {
      if (name === 'task') return files.setTask(value);
      const next = { ...state, [name]: value };
      if (name === 'dropout' && value > 0) next.alphaDropout = 0;
      if (name === 'alphaDropout' && value > 0) next.dropout = 0;
      apply(next, opts);
    },
    onWarning: (w) => notice([w]),
    onRevive: () => {
      interventions.ask('revive', () => $('c-revive'));
      runs.revive();
    },
    onCsv: (text, name) => files.loadCsv(text, name),
    quick: { lr: $('q-lr'), activation: $('q-activation') },
  });
  watchChips(root.querySelector('.presets'), listen);
  const toolbar = createToolbar({
    $, root, state: () => state, apply, playing: runs.playing, play: runs.play, step: runs.step, reset: runs.restart, rollback: runs.rollback, redraw: loop.redraw, keyboard, listen,
    closeCard: panels.closeCard, replay,
    shareUrl: () => {
      writeUrl();
      return urlSync ? location.href : `${new URL('../index.html', import.meta.url).href}?${linkQuery()}`;
    },
  });
  listen(window, 'resize', loop.redraw);

  // Every snapshot that arrived since the last frame, into its run; what it changed is shown.
  function takeSnapshots() {
    let any = false;
    for (const run of runs.list()) {
      const m = run.client.take();
      if (!m) continue;
      any = true;
      const seen = ingest(run, m);
      if (!seen) continue;
      // A revive, freeze or ablation is said by the control that asked for it, not up here.
      interventions.take(run, m.run.action, seen.events);
      if (seen.diverged && !run.divergedShown) {
        run.divergedShown = true;
        runs.settle();
        status.showDivergence();
      }
      if (seen.rolledBack) {
        status.showDivergence();
        replay.forgetAfter(run.snap.step);
      }
      if (run.index === 0) panels.addEvents(seen.events);
      status.showPlaying();
    }
    return any;
  }

  function onRestarted() {
    $('diverged').hidden = true;
    stories.clearOutcome();
    interventions.clear();
    panels.rebuild();
    host.dataset.compare = state.compare ? String(runs.list().length) : '0';
    stories.update();
  }

  // ---------- state changes: the one path every control, story action and API call takes ----------
  // explicit: {} when a preset is applied as it is (the story's note goes); a change without
  // it keeps the keys given on top of the preset (set() records its own: page/api.js).
  function apply(next, { restart = false, explicit } = {}) {
    const prev = state;
    next = { ...next };
    const netWarnings = netRules(next);  // a net the data cannot take goes, with the reason
    if (netWarnings.length) notice(netWarnings);
    next = cadenceFollowsSpeed(prev, next);  // a slow speed's monitor looks at every step (state.js)
    state = next;
    if (explicit) stories.setExplicit(explicit);
    if (restart || needsRestart(prev, next)) runs.restart();
    else {
      const compared = state.compare ? BY_NAME[state.compare.key].engine : null;
      for (const [key, value] of liveUpdates(prev, next)) runs.set(key, value, compared);
      if (prev.speed !== next.speed) runs.speed();
      stories.update();
    }
    writeUrl();
    controls.sync(state);
    toolbar.sync(state);
  }

  // The link of this state: a preset in it applies first (initialState), so the keys changed
  // away from the preset are written even where they are back at their defaults.
  function linkQuery() {
    return [stateQuery(state), serializeFlags(flags)].filter(Boolean).join('&');
  }
  function writeUrl() {
    if (urlSync) history.replaceState(null, '', `${location.pathname}?${linkQuery()}`);
  }

  function applyPreset(id) {
    const next = presetState(id, { ...defaults(), speed: state.speed, hist: state.hist });
    notice([]);
    apply(next, { restart: true, explicit: {} });
    runs.play(true);
  }

  function buildLegend() {
    const ul = $('legend');
    ul.replaceChildren();
    for (const name of LEGEND_ORDER) {
      const look = states.byCode[states.code[name]];
      if (!look) continue;
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = name === 'dead' ? 'swatch dead' : 'swatch';
      sw.style.backgroundColor = look.color;
      const b = document.createElement('b');
      b.textContent = look.label;
      li.title = look.help;
      li.append(sw, b);
      ul.append(li);
    }
  }

  const api = createApi({
    state: () => state, apply, runs, loop, files, pictures, stories, notices: { notice, ...notices }, panels, interventions, flags, applyPreset, authorWarnings: () => authorWarnings.slice(), replay, states: () => states,
    destroy() {
      destroyed = true;
      loop.stop();
      runs.destroy();
      for (const c of cleanups) c();
    },
  });

  // Hide what the embedder asked to hide (the settings rows exist by now).
  warnAuthor(applyHide(root, flags.hide));

  toolbar.sync(state);
  runs.restart();
  writeUrl();
  loop.start();
  // Autoplay: the first thing a visitor sees is neurons changing (autoplay=0 waits).
  if (flags.autoplay !== false) runs.play(true);
  return api;
}
