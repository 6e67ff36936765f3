// Status text: the numbers under the transport (rate, step), the network summary, the
// output note, the divergence notice, and the host's data-* attributes. Text only, always
// through textContent.
import { BY_NAME } from '../state.js';

export function fmtNum(x) {
  return Number.isFinite(x) ? (Math.abs(x) < 0.001 && x !== 0 ? x.toExponential(1) : x.toFixed(3)) : '—';
}

function fmtRate(x) {
  return x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
}

/** What the output panel shows, in words (info: the data's facts; snap: the newest snapshot). */
export function outputNote(info, snap) {
  if (!info) return '';
  const acc = snap.testAccuracy >= 0 ? ` · test accuracy ${(100 * snap.testAccuracy).toFixed(0)}%` : '';
  const name = info.name === 'csv' ? 'your data' : info.name;
  if (info.features === 2) return `${name}: filled dots train, rings test${acc}`;
  if (info.features === 1) return `${name}: targets and prediction`;
  if (info.task !== 'regression') return `${name}: classes of ${info.test_samples > 0 ? 'the test set' : 'a training sample'} (${info.features} inputs)${acc}`;
  return `${name}: predictions against targets (${info.features} inputs)`;
}

/** A packed dataset's download, in words: "Loading mnist: 3.1 of 7.9 MB". */
export function dataProgressText({ name, loaded, total }) {
  const mb = (b) => (b / 1e6).toFixed(1);
  return total > 0 ? `Loading ${name}: ${mb(loaded)} of ${mb(total)} MB` : `Loading ${name}: ${mb(loaded)} MB`;
}

/** Where and how a run diverged, and what to do. */
export function divergenceText(run) {
  const s = run.snap;
  const d = s.divergence ?? { step: s.step, what: 'loss', layer: -1 };
  const hidden = s.layers.length;
  const where = d.layer < 0 ? 'the network' : d.layer >= hidden ? 'the output layer' : `hidden layer ${d.layer + 1}`;
  const what = d.what === 'gradient' ? `the gradient of ${where}` : d.what === 'parameters' ? `the weights of ${where}` : 'the loss';
  return `${run.label ? run.label + ': ' : ''}Training diverged at step ${d.step}: ${what} became infinite or NaN. Lower the learning rate, then roll back.`;
}

/** $(id), host (carries data-*), runs(), state(), playing(), replay (the replay cursor, replay.js) */
export function createStatusText({ $, host, runs, state, playing, replay }) {
  /** The divergence notice: shown while some run is diverged, with its rollback step. */
  function showDivergence() {
    const bad = runs().filter((r) => r.snap?.diverged);
    $('diverged').hidden = bad.length === 0;
    if (!bad.length) return;
    const box = $('diverged-text');
    box.replaceChildren();
    for (const r of bad) {
      const p = document.createElement('p');
      p.textContent = divergenceText(r);
      box.append(p);
    }
    const steps = [...new Set(bad.map((r) => r.status?.rollbackStep).filter((x) => x != null && x >= 0))];
    $('rollback').textContent = steps.length === 1 ? `Roll back to step ${steps[0]}` : 'Roll back';
  }

  /** The play button says what the workers do (their snapshots), not what was asked. */
  function showPlaying() {
    const on = playing();
    $('play').textContent = on ? 'Pause' : 'Play';
    $('play').setAttribute('aria-pressed', on ? 'true' : 'false');
    host.dataset.playing = on ? '1' : '0';
  }

  function draw() {
    const list = runs();
    const main = list[0];
    const rate = list.reduce((a, r) => a + (r.rate || 0), 0);
    $('rate').textContent = `${fmtRate(rate)} steps/s`;
    $('stepcount').textContent = `step ${main.snap.step}`;
    // Replaying: the badge says which logged step the views show, out of the live one; the
    // summary describes the shown step (host's data-step stays the run's own step).
    const past = replay.active();
    const s = replay.frame(main).snap;
    $('replay').hidden = !past;
    $('stepcount').hidden = past;
    $('timeline-live').hidden = !past; // where the scrubbing happens, far from the badge on a phone
    $('timeline-hint').hidden = past;
    if (past) $('replay-text').textContent = `Replay: step ${s.step} of ${main.snap.step}`;
    host.dataset.replay = past ? String(s.step) : '';
    const dead = s.layers.reduce((a, l) => a + l.counts.dead, 0);
    const silent = s.layers.reduce((a, l) => a + l.counts.mostlySilent, 0);
    const n = s.layers.reduce((a, l) => a + l.width, 0);
    $('summary').textContent = list.length > 1
      ? `${list.length} runs varying ${BY_NAME[state().compare.key].label.toLowerCase()}; same data and seed`
      : `${past ? `At step ${s.step}: ` : ''}${dead} of ${n} dead (${Math.round((100 * dead) / n)}%) · ${silent} mostly silent · loss ${fmtNum(s.trainLoss)}${s.bornDead ? ' · born dead' : ''}${s.diverged ? ' · diverged' : ''}`;
    host.dataset.step = String(main.snap.step);
    host.dataset.dead = String(dead / n);
    showPlaying();
  }

  return { draw, showDivergence, showPlaying };
}
