// Stories and outcomes: the preset buttons, the story of the current preset (its text, its
// follow-up actions, and a note when the link changed a setting the story talks about),
// and the outcome line that says whether the promised result is on screen.
import { defaults, formatValue } from '../state.js';
import { PRESETS, PRESET_BY_ID, presetState } from '../presets.js';
import { referenceSnapshot } from './ingest.js';

// Settings that shape the page, not the run: they never contradict a story.
const PAGE_ONLY = new Set(['preset', 'speed', 'hist']);

const said = (key, v) => `${key} ${v === null || v === undefined ? 'off' : formatValue(key, v)}`;
const list = (parts) => (parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`);

/**
 * The note for a story whose run is not the one it describes. Pure.
 *   state     the current state; explicit  {key: value} the link (or attributes) gave on top of the preset
 *   source    who gave them ("This link", "The element's attributes")
 * Returns '' when every explicit key agrees with the preset (or was changed back since).
 */
export function contradictionNote(state, explicit, source = 'This link') {
  const p = PRESET_BY_ID[state.preset];
  if (!p) return '';
  const described = presetState(p.id, defaults());
  const keys = Object.keys(explicit).filter((k) => !PAGE_ONLY.has(k) && !same(explicit[k], described[k]) && same(explicit[k], state[k]));
  if (!keys.length) return '';
  const verb = /attributes/.test(source) ? 'set' : 'sets';
  return `${source} ${verb} ${list(keys.map((k) => said(k, state[k])))}; the story below describes ${list(keys.map((k) => said(k, described[k])))}.`;
}

function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * $(id), root (for querySelectorAll), state(), runs(), states() (the engine's state table or null)
 * applyPreset(id), act(action) (a story action: {revive?, set?, restart?}), source (see contradictionNote)
 */
export function createStories({ $, root, state, runs, states, applyPreset, act, source }) {
  let explicit = {}; // keys the link gave on top of its preset

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

  function update() {
    const s = state();
    for (const b of root.querySelectorAll('.preset')) b.setAttribute('aria-pressed', b.dataset.preset === s.preset ? 'true' : 'false');
    const p = PRESET_BY_ID[s.preset];
    if (!p && s.dataset === 'csv') return; // an upload's own story holds the panel (page/your-data.js)
    $('story').hidden = !p;
    if (!p) return;
    $('story-title').textContent = p.title;
    const text = $('story-text');
    text.replaceChildren();
    const note = contradictionNote(s, explicit, source);
    for (const para of note ? [note, ...p.text] : p.text) {
      const e = document.createElement('p');
      e.textContent = para;
      text.append(e);
    }
    if (note) text.firstChild.className = 'story-note';
    const acts = $('story-actions');
    acts.replaceChildren();
    for (const a of p.actions ?? []) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = a.label;
      b.addEventListener('click', () => act(a));
      acts.append(b);
    }
  }

  /** The run was replaced: the previous run's verdict must not show under the new one. */
  function clearOutcome() {
    $('outcome').dataset.ok = 'pending';
    $('outcome').textContent = '';
  }

  function drawOutcome() {
    const p = PRESET_BY_ID[state().preset];
    const all = runs();
    const table = states();
    if (!p || !table || all.some((r) => !r.snap)) return clearOutcome();
    const minStep = Math.min(...all.map((r) => r.snap.step));
    const main = all[0];
    const res = all.length > 1 && p.compareCheck ? p.compareCheck(all.map((r) => r.snap)) : p.check(main.snap, referenceSnapshot(main), main.events, table.code);
    const el = $('outcome');
    if (minStep < p.minSteps) {
      el.dataset.ok = 'pending';
      el.textContent = `Training… (step ${minStep} of ${p.minSteps} before the outcome is clear)${res.text ? ' · ' + res.text : ''}`;
    } else {
      el.dataset.ok = res.ok ? 'yes' : 'no';
      el.textContent = `${res.ok ? '✓ As promised: ' : 'Not yet: '}${res.text}`;
    }
  }

  return {
    update,
    clearOutcome,
    drawOutcome,
    /** The keys a link (attributes, set()) gave on top of its preset; {} when a preset is applied as is. */
    setExplicit(keys) {
      explicit = { ...keys };
    },
    explicit: () => ({ ...explicit }),
    outcomeElement: () => $('outcome'),
  };
}
