// After the key moment. A preset starts at its pace (presets.js: a few steps a second, so
// that its key change unfolds over seconds), but the rest of its story does not fit that
// pace: the high-rate story's verdict needs 400 steps, 200 s at 2 steps/s. So once the key
// moment has been on screen for LINGER_MS, the page raises the speed to the preset's `then`
// rate and says so by the speed control. Only the pace the preset itself set is raised: a
// speed the visitor chose (a link's speed=, the control, set()) is never touched, and it
// happens once per run. A link written afterwards does not carry the raised speed
// (link.js), so opening it starts paced again; a run restarted on the story's own settings
// (Reset) goes back to the pace.
import { PRESET_BY_ID, storyVariant, keyMoment } from '../presets.js';
import { defaults, speedLabel } from '../state.js';

export const LINGER_MS = 3000;
const NOTE_MS = 15000;  // how long the note by the speed control stays

/**
 * state(), apply(next), runs() (the RunRecords), states() (the engine's state table or null),
 * note (the element by the speed control), explicit() (keys a link or the element set on top
 * of its preset)
 */
export function createPacing({ state, apply, runs, states, note, explicit }) {
  let run = null;        // the first snapshot of the main run this bookkeeping is about
  let reachedAt = null;  // performance.now() when its key moment was first on screen
  let raised = null;     // {preset, from, to, step, at}: the speed this page raised for it

  function say(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  /** The preset's pace applies to the current state, and the visitor has not chosen a speed. */
  function paced(s, p) {
    return p?.then && s.speed === p.pace && !Object.hasOwn(explicit(), 'speed');
  }


  /** Called with the page's text cadence (about 10 times a second). */
  function tick(now = performance.now()) {
    const s = state();
    const p = PRESET_BY_ID[s.preset];
    const main = runs()[0];
    if (!main?.first) return;  // no snapshot of this run yet
    // A RunRecord is reused across restarts; its first snapshot tells one run from the next.
    if (main.first !== run) {
      // A new run. One restarted on the story's own settings after a raise watches at the pace again.
      run = main.first;
      reachedAt = null;
      if (raised && p && raised.preset === p.id && s.speed === raised.to && storyVariant(p.id, s, defaults()).key === 'story') {
        raised = null;
        say('');
        apply({ ...s, speed: p.pace });
        return;
      }
      raised = null;
    }
    if (raised && s.speed !== raised.to) say(''), (raised = null);  // the visitor chose another speed
    if (raised && !note.hidden && now - raised.at > NOTE_MS) say('');
    if (!paced(s, p) || !main.snap || raised) return;
    if (reachedAt === null) {
      if (keyMoment(p.id, runs(), states()?.code)?.key.reached) reachedAt = now;
      return;
    }
    if (now - reachedAt < LINGER_MS) return;
    raised = { preset: p.id, from: s.speed, to: p.then, step: main.snap.step, at: now };
    apply({ ...s, speed: p.then });
    say(`${p.key.what[0].toUpperCase()}${p.key.what.slice(1)} (step ${raised.step}): now ${speedLabel(p.then)} so the story can finish. Pick a speed to watch it slower.`);
  }

  return {
    tick,
    /** What the page raised, or null (tests, and link.js: a link does not carry it). */
    raised: () => (raised ? { ...raised } : null),
  };
}
