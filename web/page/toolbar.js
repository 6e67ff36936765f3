// The toolbar and the keyboard: play/pause, step, reset, speed, the histogram view, the
// share link, and the divergence notice's roll back. Each control sends a command or a
// state change; none keeps state of its own.
import { SPEEDS, HIST_VIEWS, coerce } from '../state.js';

const HIST_VIEW_LABELS = { offset: 'offset (TensorBoard)', overlay: 'overlay', bands: 'percentile bands' };
const SHARE_STATUS_MS = 4000;

/**
 * $(id), state(), apply(next), playing(), play(on), step(n), reset(), rollback(), redraw()
 * keyboard (Space toggles play, Escape leaves a replay), listen(target, type, fn),
 * shareUrl() -> the link of this state, replay (the replay cursor: Play, Step and
 * "Back to live" return to the present)
 */
export function createToolbar({ $, state, apply, playing, play, step, reset, rollback, redraw, keyboard, listen, shareUrl, replay }) {
  const fill = (select, values, label) => {
    for (const v of values) {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = label(v);
      select.append(o);
    }
  };
  fill($('speed'), SPEEDS, (v) => (v === 'max' ? 'max' : `${v}/frame`));
  $('speed').addEventListener('change', (e) => apply({ ...state(), speed: coerce('speed', e.target.value).value }));
  fill($('hist-view'), HIST_VIEWS, (v) => HIST_VIEW_LABELS[v]);
  $('hist-view').addEventListener('change', (e) => {
    apply({ ...state(), hist: coerce('hist', e.target.value).value });
    redraw();
  });
  $('hist-layer').addEventListener('change', redraw);

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
    if (e.key === ' ' && e.target === document.body) {
      e.preventDefault();
      toggle();
    }
    if (e.key === 'Escape' && replay.active() && !e.defaultPrevented) replay.live();
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
    },
  };
}
