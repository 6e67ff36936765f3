// Stories and outcomes: the preset buttons, the story of the current preset (its text, its
// follow-up actions, and a note when the link changed a setting the story talks about),
// and the outcome line that says whether the promised result is on screen.
import { defaults, formatValue } from '../state.js';
import { PRESETS, PRESET_BY_ID, PAGE_ONLY, presetState, storyVariant } from '../presets.js';
import { referenceSnapshot } from './ingest.js';

// Who gave a key on top of the preset, as the subject of the story's note.
export const SOURCES = Object.freeze({
  link: { subject: 'This link', verb: 'sets' },
  attributes: { subject: "The element's attributes", verb: 'set' },
  set: { subject: 'A set() call', verb: 'sets' },
  message: { subject: 'A message from the embedding page', verb: 'sets' },
});

// A ✓ is withdrawn only once its check has been false for this many steps: a count near its
// threshold (a unit dying and coming back) must not make the verdict flicker.
export const HOLD_STEPS = 200;

const said = (key, v) => `${key} ${v === null || v === undefined ? 'off' : formatValue(key, v)}`;
const list = (parts) => (parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`);

/**
 * The note for a story whose run is not the one it describes. Pure.
 *   state     the current state
 *   explicit  {key: {value, source}}: keys given on top of the preset, and who gave each
 *             (a SOURCES name: link, attributes, set, message)
 * Returns '' when every explicit key agrees with the preset (or was changed back since).
 * When the keys make the run one of the story's own variants, the note says which.
 */
export function contradictionNote(state, explicit) {
  const p = PRESET_BY_ID[state.preset];
  if (!p) return '';
  const described = presetState(p.id, defaults());
  const keys = Object.keys(explicit).filter((k) => !PAGE_ONLY.has(k) && !same(explicit[k].value, described[k]) && same(explicit[k].value, state[k]));
  if (!keys.length) return '';
  const bySource = new Map();
  for (const k of keys) {
    const src = SOURCES[explicit[k].source] ?? SOURCES.link;
    if (!bySource.has(src)) bySource.set(src, []);
    bySource.get(src).push(k);
  }
  const clauses = [...bySource].map(([src, ks], n) => `${n ? src.subject[0].toLowerCase() + src.subject.slice(1) : src.subject} ${src.verb} ${list(ks.map((k) => said(k, state[k])))}`);
  const v = storyVariant(p.id, state, defaults());
  const variant = v.label && !v.differs.length ? ` That is the story's "${v.label}".` : '';
  return `${clauses.join('; ')}; the story below describes ${list(keys.map((k) => said(k, described[k])))}.${variant}`;
}

function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * What the outcome line says, from the variant being judged and its check's result. Pure.
 *   v      storyVariant(); since  steps of this variant on screen (the smallest over the runs)
 *   res    the check's {ok, text, expect}; held  a ✓ text still held (HOLD_STEPS) or null
 * Returns {ok: 'pending' | 'yes' | 'no', text}.
 */
export function outcomeLine(v, since, res, held = null) {
  const what = v.label ? `"${v.label}"` : 'the story';
  if (since < v.minSteps) {
    const clock = `step ${since.toLocaleString('en')} of ${v.minSteps.toLocaleString('en')}${v.live ? ' since the switch' : ''}`;
    return { ok: 'pending', text: `Watching ${what}… (${clock})${res.text ? ': ' + res.text + ' so far' : ''}` };
  }
  if (res.ok) return { ok: 'yes', text: `✓ As promised: ${res.text}` };
  if (held) return { ok: 'yes', text: held };
  const expect = res.expect ? `; ${what} expects ${res.expect}` : '';
  const differs = v.differs.length ? `This run has ${list(v.differs.map((d) => said(d.key, d.have)))} where ${what} has ${list(v.differs.map((d) => said(d.key, d.want)))}: ` : 'This run: ';
  return { ok: 'no', text: `${differs}${res.text}${expect}.` };
}

/**
 * $(id), root (for querySelectorAll), state(), runs(), states() (the engine's state table or null)
 * applyPreset(id), act(action) (a story action: {revive?, set?, restart?})
 */
export function createStories({ $, root, state, runs, states, applyPreset, act }) {
  let explicit = {}; // {key: {value, source}}: keys given on top of the preset, and who gave them
  // The variant being judged: since which step it is on screen (null: not yet), and the
  // last ✓ (text, step) for HOLD_STEPS.
  let watch = { key: null, from: null, yes: null };

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

  $('story-more').addEventListener('click', () => {
    const open = $('story').classList.toggle('expanded');
    $('story-more').setAttribute('aria-expanded', String(open));
    $('story-more').textContent = open ? 'Show less' : 'Read the whole story';
  });

  function update() {
    const s = state();
    for (const b of root.querySelectorAll('.preset')) b.setAttribute('aria-pressed', b.dataset.preset === s.preset ? 'true' : 'false');
    const p = PRESET_BY_ID[s.preset];
    delete $('story').dataset.more;
    if (!p && s.dataset === 'csv') return; // an upload's own story holds the panel (page/your-data.js)
    $('story').hidden = !p;
    if (!p) return;
    $('story-title').textContent = p.title;
    const text = $('story-text');
    text.replaceChildren();
    const note = contradictionNote(s, explicit);
    for (const para of note ? [note, ...p.text] : p.text) {
      const e = document.createElement('p');
      e.textContent = para;
      text.append(e);
    }
    if (note) text.firstChild.className = 'story-note';
    // On a phone only the first paragraph shows until "Read the whole story" (style.css), so the
    // network is not a screen away on a first visit; data-more says there is more to read.
    if (p.text.length > 1) $('story').dataset.more = '';
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
    watch = { key: null, from: null, yes: null };
    show({ ok: 'pending', text: '' });
  }

  function show({ ok, text }) {
    const el = $('outcome');
    el.dataset.ok = ok;
    el.textContent = text;
  }

  function drawOutcome() {
    const s = state();
    const p = PRESET_BY_ID[s.preset];
    const all = runs();
    const table = states();
    if (!p || !table || all.some((r) => !r.snap)) return clearOutcome();
    const v = storyVariant(p.id, s, defaults());
    if (watch.key !== v.key) watch = { key: v.key, from: null, yes: null };
    if (v.shows && !all.every((r) => v.shows(r.snap))) return show({ ok: 'pending', text: `Watching "${v.label}"… (the run is switching)` });
    const step = Math.min(...all.map((r) => r.snap.step));
    // A live variant (a switch that keeps the weights) is judged from the switch on; one that
    // restarts, and the story itself, from step 0.
    watch.from ??= v.live ? step : 0;
    const since = step - watch.from;
    if (p.compareCheck && all.length < 2) {
      return show({ ok: 'no', text: `This story compares runs (${p.settings.compare.key}: ${p.settings.compare.values.join(', ')}); this page runs one, so there is nothing to compare.` });
    }
    const main = all[0];
    const res = all.length > 1 && v.compareCheck ? v.compareCheck(all.map((r) => r.snap)) : v.check(main.snap, referenceSnapshot(main), main.events, table.code, main.status);
    const line = outcomeLine(v, since, res, watch.yes && step - watch.yes.step < HOLD_STEPS ? watch.yes.text : null);
    if (res.ok && since >= v.minSteps) watch.yes = { text: line.text, step };
    show(line);
  }

  return {
    update,
    clearOutcome,
    drawOutcome,
    /**
     * Keys {key: value} given on top of the preset by `source` (a SOURCES name). replace: they are
     * all there is (a link, a preset applied as is: {}); otherwise they join the earlier ones.
     */
    setExplicit(keys, source = 'link', { replace = true } = {}) {
      const given = Object.fromEntries(Object.entries(keys).map(([k, value]) => [k, { value: structuredClone(value), source }]));
      explicit = replace ? given : { ...explicit, ...given };
    },
    explicit: () => structuredClone(explicit),
    outcomeElement: () => $('outcome'),
  };
}
