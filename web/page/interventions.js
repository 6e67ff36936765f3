// Interventions, shown where they happen. The worker reports each run's last intervention in
// every snapshot (`run.action`: a revive of every dead unit, or one unit's revive, freeze or
// ablation; web/worker.js). For each one this module
//   - marks the units it touched in the network view (marks()), for WATCH_STEPS steps of
//     training and at least MARK_MS on screen, so the marks neither flash by at top speed nor
//     vanish while the run is paused;
//   - says what it did in a note right after the control that asked for it (notices.js's
//     noteBy): the story's or the settings' revive button, the neuron card's buttons;
//   - after a revive, follows the revived units through the death events that come with the
//     snapshots and says how many died again within the window, and what to do about it.
// Everything is keyed by the step of the intervention (the engine's step, not the clock),
// so what the page says does not depend on how fast it reads.
import { noteBy } from './notices.js';
import { formatValue } from '../state.js';

/** The window for "died again": 5 monitor evaluations at the default cadence (monitorEvery 10). */
export const WATCH_STEPS = 50;
const WATCH_EVALUATIONS = 5;  // a slower monitor stretches the window to this many evaluations
export const MARK_MS = 4000;
const KEEP = 12;              // interventions remembered per run (older ones lost their marks long ago)
// Rates above which revived units that die again are plausibly killed by the rate itself: plain
// SGD at 0.3-1 kills ReLUs in the presets; adaptive optimisers move each weight by about lr per step.
const HIGH_RATE = { sgd: 0.1, momentum: 0.03, rmsprop: 0.01, adam: 0.01, adamw: 0.01 };
const DYING_SHARE = 0.25;     // this share of the revived dying again calls for a lower rate

const key = (l, i) => `${l}:${i}`;
const unitName = ([l, i]) => `layer ${l + 1}, unit ${i + 1}`;
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const REVIVES = new Set(['revive', 'reviveNeuron']);

/**
 * One intervention as the page follows it. action: the worker's run.action; run: its RunRecord;
 * setting(name): the run's value of a setting; wasDead: for one unit's revive, whether the card
 * showed it dead when it was asked (a revive of every dead unit revives dead units only).
 */
export function follow(action, run, setting, wasDead, now) {
  const monitorEvery = Number(setting('monitorEvery')) || 10;
  return {
    action,
    run,
    seenAt: now,
    window: Math.max(WATCH_STEPS, WATCH_EVALUATIONS * monitorEvery),
    lr: setting('lr'),
    optimizer: setting('optimizer'),
    keys: new Set(action.units.map(([l, i]) => key(l, i))),
    wasDead: action.op === 'revive' ? true : !!wasDead,
    alive: new Set(), // revived units alive at the monitor's evaluation right after the revive
    deadAtOnce: new Set(), // a unit that was alive, revived, and dead at that evaluation
    died: new Map(), // key -> step of its death within the window
    done: !REVIVES.has(action.op),
  };
}

// The death and revival events of one snapshot, for a revive being followed.
export function watch(e, events, step) {
  const S = e.action.step;
  for (const ev of events) {
    const k = key(ev.layer, ev.neuron);
    if (!e.keys.has(k)) continue;
    if (ev.step === S) {
      // The engine evaluates right after the revive and stamps what changed at S.
      if (ev.kind === 'revived') e.alive.add(k);
      else if (!e.wasDead) e.deadAtOnce.add(k);
    } else if (ev.step > S && ev.step <= S + e.window && ev.kind === 'died' && !e.died.has(k)) e.died.set(k, ev.step);
  }
  if (step >= S + e.window) e.done = true;
}

function cameAlive(e) {
  return e.wasDead ? e.alive.size : e.action.units.length - e.deadAtOnce.size;
}

function stayedDead(e, k) {
  return e.wasDead ? !e.alive.has(k) : e.deadAtOnce.has(k);
}

/** What to say about a rate that kills revived units (or nothing when it plausibly does not). */
function rateAdvice(e, died, alive) {
  if (!(died > 0) || died / Math.max(1, alive) < DYING_SHARE) return '';
  const lr = e.lr === undefined || e.lr === null ? null : formatValue('lr', e.lr);
  if (lr !== null && e.lr >= (HIGH_RATE[e.optimizer] ?? Infinity)) return `: the learning rate (${lr}) is still too high. Lower it first, then revive.`;
  return ': try a lower learning rate first (or auto-revive every K steps).';
}

/** The lines of a note about one intervention. Pure. */
export function describe(e, step) {
  const a = e.action;
  const at = `at step ${a.step}`;
  if (a.op === 'revive') {
    const n = a.units.length;
    if (!n) return [`No dead units to revive ${at}.`];
    const alive = cameAlive(e);
    const stayed = n - alive;
    const first = `Revived ${plural(n, 'dead unit')} ${at}; they glow yellow in the network (a dashed red ring: dead again).${stayed ? ` ${stayed} stayed dead at once: their fresh weights give z ≤ 0 on every input.` : ''}`;
    return [first, watchLine(e, step, alive, n)];
  }
  const who = unitName(a.units[0]);
  if (a.op === 'reviveNeuron') {
    const alive = cameAlive(e);
    const first = `Revived ${who} ${at}: fresh incoming weights, zero bias and outgoing weights, so the output is unchanged.${alive ? '' : ' It is dead right after: its fresh weights give z ≤ 0 on every input.'}`;
    return alive ? [first, watchLine(e, step, alive, 1)] : [first];
  }
  if (a.op === 'setFrozen')
    return [a.value ? `Froze ${who} ${at}: its incoming weights and bias get no more gradient, while the rest keeps training.` : `Unfroze ${who} ${at}: it trains again.`];
  if (a.op === 'setAblated') {
    const verb = a.value ? `Ablated ${who} ${at} (its output is held at 0)` : `Restored ${who} ${at}`;
    return [`${verb}: ${lossChange(a.evaluation)}.`];
  }
  return [];
}

function watchLine(e, step, alive, n) {
  const died = e.died.size;
  const W = e.window;
  const them = n === 1 ? 'it' : 'them';
  if (!e.done && !(n === 1 && died)) return `Watching ${them} for ${W} steps (${Math.max(0, Math.min(W, step - e.action.step))} so far): ${died} died again.`;
  if (n === 1) return died ? `It died again within ${W} steps${rateAdvice(e, died, alive) || '.'}` : `Still alive ${W} steps later.`;
  const whom = alive === n ? `${n}` : `the ${alive} that came alive`;
  if (!died) return `None of ${alive === n ? 'them' : whom} died again within ${W} steps.`;
  return `${died} of ${whom} died again within ${W} steps${rateAdvice(e, died, alive) || '.'}`;
}

function lossChange(ev) {
  if (!ev) return 'the loss changes at the next snapshot';
  const test = Number.isFinite(ev.before.testLoss) && Number.isFinite(ev.after.testLoss);
  const which = test ? 'test' : 'training';
  const [b, a] = test ? [ev.before.testLoss, ev.after.testLoss] : [ev.before.trainLoss, ev.after.trainLoss];
  if (b === a) return `the ${which} loss is unchanged at ${b.toPrecision(4)}: the output did not depend on this unit`;
  // Enough digits to show the change (a unit that barely matters moves the loss in the 5th digit).
  let digits = 4;
  while (digits < 8 && b.toPrecision(digits) === a.toPrecision(digits)) digits++;
  let text = `${which} loss ${b.toPrecision(digits)} → ${a.toPrecision(digits)}`;
  const [ab, aa] = test ? [ev.before.testAccuracy, ev.after.testAccuracy] : [ev.before.trainAccuracy, ev.after.trainAccuracy];
  if (ab >= 0 && aa >= 0) text += `, ${which} accuracy ${(100 * ab).toFixed(1)}% → ${(100 * aa).toFixed(1)}%`;
  return text;
}

/**
 * runs()            the RunRecords
 * setting(run, name) a run's value of a setting (its compared value, else the page's)
 * reviveAnchor()    where a revive's note goes when no control asked (the settings' button)
 * unitAnchor()      where a unit's note goes (the neuron card's button row)
 * redraw()          the marks changed while no snapshot arrives (paused): draw again
 * network()         the network panel (a revive's note offers to scroll to it when it is out of view)
 * runName(run)      a compared run's name in a note ("lr 1")
 * cardUnit()        the unit whose card is open {run (index), l, i} or null: a unit's note shows
 *                   only on its own card
 */
export function createInterventions({ runs, setting, reviveAnchor, unitAnchor, redraw, network, runName = (run) => run.label, cardUnit = () => null }) {
  let followed = new WeakMap(); // RunRecord -> {seq, entries}
  let asked = { revive: reviveAnchor, unit: null }; // the unit request: {l, i, wasDead}
  // On a phone the network is below the story: a way there that lights the marks up again.
  const reviveNote = noteBy(reviveAnchor, 'revive-note', {
    label: 'Show them in the network',
    wanted: () => {
      const r = network()?.getBoundingClientRect();
      return !!r && (r.top > innerHeight - 80 || r.bottom < 80);
    },
    onClick: () => {
      const now = performance.now();
      for (const run of runs()) for (const e of of(run).entries) if (e.action.op === 'revive') e.seenAt = now;
      network()?.scrollIntoView({ block: 'center', behavior: 'smooth' });
      redraw();
    },
  });
  const unitNote = noteBy(unitAnchor, 'unit-note');
  let lastUnit = null; // the newest one-unit entry (any run)
  let reveal = null; // the note of a new intervention: scrolled into view once it has its lines
  let markedKeys = '';

  const of = (run) => {
    let f = followed.get(run);
    if (!f) followed.set(run, (f = { seq: 0, entries: [] }));
    return f;
  };

  /** A control asks for an intervention: its note goes after find()'s element. */
  function ask(kind, find, unit = null) {
    if (kind === 'revive') asked.revive = find;
    else asked.unit = unit;
  }

  /** One ingested snapshot message of run: its action (run.action) and its new events. */
  function take(run, action, events, now = performance.now()) {
    const f = of(run);
    const snap = run.snap;
    // A rollback to before an intervention undoes what it did: forget it.
    f.entries = f.entries.filter((e) => e.action.step <= snap.step);
    if (lastUnit && lastUnit.run === run && lastUnit.action.step > snap.step) lastUnit = null;
    if (action && action.seq > f.seq) {
      f.seq = action.seq;
      const u = asked.unit;
      const wasDead = action.op === 'reviveNeuron' && u && u.l === action.units[0][0] && u.i === action.units[0][1] ? u.wasDead : false;
      const e = follow(action, run, (name) => setting(run, name), wasDead, now);
      f.entries.push(e);
      if (f.entries.length > KEEP) f.entries.shift();
      if (action.op === 'revive') reviveNote.show([], asked.revive);
      else lastUnit = e;
      reveal = action.op === 'revive' ? reviveNote : unitNote;
    }
    for (const e of f.entries) if (!e.done) watch(e, events, snap.step);
    if (snap.diverged) for (const e of f.entries) e.done = true;
  }

  const marked = (e, now) => !(e.run.snap && e.run.snap.step - e.action.step >= e.window && now - e.seenAt >= MARK_MS);

  /** The marks of run's network view now: [{l, i, kind, strength 0..1, step}]. */
  function marks(run, now = performance.now()) {
    const out = [];
    for (const e of of(run).entries) {
      if (!marked(e, now)) continue;
      const steps = Math.max(0, (run.snap?.step ?? e.action.step) - e.action.step) / e.window;
      const strength = 1 - 0.7 * Math.min(1, steps, (now - e.seenAt) / MARK_MS);
      for (const [l, i] of e.action.units) {
        const k = key(l, i);
        const a = e.action;
        let kind;
        if (REVIVES.has(a.op)) kind = e.died.has(k) ? 'died-again' : stayedDead(e, k) ? 'stayed-dead' : 'revived';
        else if (a.op === 'setFrozen') kind = a.value ? 'frozen' : 'unfrozen';
        else kind = a.value ? 'ablated' : 'restored';
        out.push({ l, i, kind, strength, step: a.step });
      }
    }
    return out;
  }

  /** The notes, up to date; a redraw when a mark expired (cheap: the text cadence calls it). */
  function tick(now = performance.now()) {
    const list = runs();
    const lines = [];
    for (const run of list) {
      const e = of(run).entries.findLast((x) => x.action.op === 'revive');
      if (!e || !run.snap) continue;
      for (const line of describe(e, run.snap.step)) lines.push(list.length > 1 ? `${runName(run)}: ${line}` : line);
    }
    if (lines.length) reviveNote.show(lines);
    else reviveNote.clear();
    const card = cardUnit();
    const [ul, ui] = lastUnit?.action.units[0] ?? [];
    if (lastUnit && lastUnit.run.snap && card && list[card.run] === lastUnit.run && card.l === ul && card.i === ui) {
      const prefix = list.length > 1 ? `${runName(lastUnit.run)}: ` : '';
      unitNote.show(describe(lastUnit, lastUnit.run.snap.step).map((l) => prefix + l));
    } else unitNote.clear();
    // A card near the bottom of the window can put its note below the fold: bring it up (the
    // least scroll that shows it; none when it is already in view).
    if (reveal) {
      if (!reveal.element.hidden) reveal.element.scrollIntoView({ block: 'nearest' });
      reveal = null; // once: a note shown later (its card reopened) does not pull the page
    }
    const keys = list.map((run) => of(run).entries.filter((e) => marked(e, now)).map((e) => e.action.seq).join(',')).join('|');
    if (keys !== markedKeys) {
      markedKeys = keys;
      redraw();
    }
  }

  /** New runs: nothing of the old ones is marked or said. */
  function clear() {
    followed = new WeakMap();
    asked = { revive: reviveAnchor, unit: null };
    lastUnit = null;
    reveal = null;
    reviveNote.clear();
    unitNote.clear();
  }

  return {
    ask,
    take,
    marks,
    tick,
    clear,
    /** What the page follows and says (window.__relu.interventions). */
    debug(now = performance.now()) {
      return {
        runs: runs().map((run) =>
          of(run).entries.map((e) => ({
            op: e.action.op,
            step: e.action.step,
            units: e.action.units.map((u) => u.slice()),
            value: e.action.value,
            count: e.action.count,
            evaluation: e.action.evaluation ? structuredClone(e.action.evaluation) : undefined,
            window: e.window,
            cameAlive: REVIVES.has(e.action.op) ? cameAlive(e) : undefined,
            diedAgain: [...e.died].map(([k, step]) => ({ unit: k.split(':').map(Number), step })),
            done: e.done,
            marked: marked(e, now),
          })),
        ),
        marks: runs().map((run) => marks(run, now)),
        notes: { revive: reviveNote.lines, unit: unitNote.lines },
      };
    },
  };
}
