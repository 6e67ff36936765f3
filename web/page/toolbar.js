// The toolbar and the keyboard: play/pause, step, reset, speed, the histogram view, the step axis, the
// share link, and the divergence notice's roll back. Each control sends a command or a
// state change; none keeps state of its own.
import { SPEEDS, HIST_VIEWS, coerce, speedLabel } from '../state.js';

const HIST_VIEW_LABELS = { offset: 'offset (TensorBoard)', overlay: 'overlay', bands: 'percentile bands' };
const SHARE_STATUS_MS = 4000;

/**
 * $(id), state(), apply(next), playing(), play(on), step(n), reset(), rollback(), redraw()
 * keyboard (the page's own keys: Space toggles play, 1–9 pick a preset), listen(target, type, fn),
 * shareUrl() -> the link of this state, closeCard() (Escape), root (the markup's container),
 * replay (the replay cursor: Play, Step, "Back to live" and Escape return to the present)
 */
export function createToolbar({ $, root, state, apply, playing, play, step, reset, rollback, redraw, keyboard, listen, shareUrl, closeCard, replay }) {
  const fill = (select, values, label) => {
    for (const v of values) {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = label(v);
      select.append(o);
    }
  };
  fill($('speed'), SPEEDS, speedLabel);
  $('speed').addEventListener('change', (e) => apply({ ...state(), speed: coerce('speed', e.target.value).value }));
  fill($('hist-view'), HIST_VIEWS, (v) => HIST_VIEW_LABELS[v]);
  $('hist-view').addEventListener('change', (e) => {
    apply({ ...state(), hist: coerce('hist', e.target.value).value });
    redraw();
  });
  $('hist-layer').addEventListener('change', redraw);
  $('fields-layer').addEventListener('change', redraw);
  $('step-axis').addEventListener('change', (e) => {
    apply({ ...state(), steps: e.target.checked ? 'log' : 'linear' });
    redraw();
  });

  // Play shows what it plays: starting it leaves a replay (pausing keeps the replay on screen).
  const toggle = () => {
    if (!playing()) replay.live();
    play(!playing());
  };
  $('play').addEventListener('click', toggle);
  $('step').addEventListener('click', () => (replay.live(), step(1)));
  for (const id of ['live', 'timeline-live']) $(id).addEventListener('click', () => replay.live());
  $('reset').addEventListener('click', () => reset());
  $('rollback').addEventListener('click', () => rollback()); // in the divergence notice
  if (keyboard) listen(document, 'keydown', (e) => {
    if (e.target !== document.body || e.ctrlKey || e.metaKey || e.altKey) return; // typing in a field is not a command
    if (e.key === ' ') {
      e.preventDefault();
      toggle();
    } else if (/^[1-9]$/.test(e.key)) {
      // The chips carry these numbers as badges.
      $('preset-buttons').children[Number(e.key) - 1]?.click();
    }
  });
  if (keyboard) for (const [k, b] of [...$('preset-buttons').children].slice(0, 9).entries()) b.setAttribute('aria-keyshortcuts', String(k + 1));
  // Escape closes the neuron card wherever the focus is in this playground (a hover card
  // leaves the focus on the page); with no card open it leaves a replay. (The timeline's own
  // Escape only leaves the replay: it marks the event handled.)
  listen(root, 'keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if (!$('card').hidden) closeCard();
    else if (replay.active()) replay.live();
  });
  // The skip link: one Tab, then Enter, and the network picture has the focus.
  $('skip-network').addEventListener('click', (e) => {
    e.preventDefault();
    const net = $('networks').querySelector('canvas');
    net?.focus();
    net?.scrollIntoView({ block: 'nearest' });
  });
  $('share').addEventListener('click', async () => {
    const url = shareUrl();
    let ok = false;
    try {
      await navigator.clipboard.writeText(url);
      ok = true;
    } catch {
      ok = false;
    }
    $('share-status').textContent = ok ? 'Link copied.' : 'Copy the address bar: it holds every setting.';
    $('share').dataset.url = url;
    setTimeout(() => ($('share-status').textContent = ''), SHARE_STATUS_MS);
  });

  /** The selects follow the state. */
  return {
    sync(s) {
      $('speed').value = s.speed;
      $('hist-view').value = s.hist;
      $('step-axis').checked = s.steps === 'log';
    },
  };
}
