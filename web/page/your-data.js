// The story panel for an uploaded CSV: it says the run trains on your file (rows, inputs,
// the task the engine read from the last column, the classes), what to try, and, when the
// inputs are far from unit scale, offers to standardise them in one click.
//
// The panel is the preset stories' #story element: with a CSV there is no preset (run-files.js
// clears it on upload), so stories.js hides the element and this module fills it instead.

/**
 * When inputs count as far from unit scale. Large inputs give large pre-activations, so one
 * big step can push a ReLU unit's bias below every input and it dies; tiny ones learn slowly.
 * A feature is off scale when its largest magnitude is above maxAbs, or its (population)
 * standard deviation is outside [minStd, maxStd]. A constant feature is ignored.
 */
export const SCALE_RULE = Object.freeze({ maxAbs: 5, minStd: 0.2, maxStd: 5 });

/**
 * The first feature that is far from unit scale, or null. Pure.
 * train: {x (features × n, column-major), y}; features: the number of inputs.
 * Returns { index, lo, hi, std }.
 */
export function offScaleFeature(train, features, rule = SCALE_RULE) {
  const x = train?.x;
  if (!x || !features) return null;
  const n = x.length / features;
  if (!n) return null;
  for (let f = 0; f < features; f++) {
    let lo = Infinity, hi = -Infinity, sum = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * features + f];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
    if (lo === hi) continue;
    const mean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (x[i * features + f] - mean) ** 2;
    const std = Math.sqrt(sq / n);
    if (Math.max(Math.abs(lo), Math.abs(hi)) > rule.maxAbs || std < rule.minStd || std > rule.maxStd) return { index: f, lo, hi, std };
  }
  return null;
}

const round = (v) => String(+v.toPrecision(3));

/** The panel's content for a CSV run. Pure. Returns { title, text: [paragraphs], fix: {label, set} | null }. */
export function yourDataStory({ fileName, info, train, state }) {
  const classes = info.class_names ?? [];
  const target = info.target_name || 'the last column';
  const rows = `${info.train_samples + info.test_samples} rows (${info.train_samples} to train on, ${info.test_samples} held out to test)`;
  const what =
    info.task === 'regression'
      ? `The last column, “${target}”, holds numbers, so the network regresses it (mean squared error).`
      : `The last column, “${target}”, holds ${info.task === 'binary' ? 'two classes' : `${classes.length} classes`}: ${classes.slice(0, 8).join(', ')}${classes.length > 8 ? ', …' : ''}. The network classifies (${info.task === 'binary' ? 'one sigmoid output, binary cross-entropy' : `${classes.length} softmax outputs, cross-entropy`}).`;
  const text = [
    `You are training on your own data: ${rows}, ${info.features} input${info.features === 1 ? '' : 's'}. ${what} If that is the wrong reading, change “Task” in the Data settings.`,
    'What to try: watch the dead share in the network and the charts while it learns. Raise the learning rate (1 or more) and see how many ReLU units die and whether the test loss follows; then switch the activation to Leaky ReLU or ELU and compare.',
  ];
  let fix = null;
  const off = state.standardize ? null : offScaleFeature(train, info.features);
  if (off) {
    const name = info.feature_names?.[off.index] ?? `x${off.index + 1}`;
    text.push(
      `Your inputs are far from unit scale (“${name}” runs from ${round(off.lo)} to ${round(off.hi)}, standard deviation ${round(off.std)}). ` +
        'Large inputs make large pre-activations, so ReLU units die more easily even at a small rate. Standardising gives each input mean 0 and standard deviation 1 (from the training rows).',
    );
    fix = { label: 'Standardise inputs', set: { standardize: true } };
  } else if (state.standardize) {
    text.push('Inputs are standardised (mean 0, standard deviation 1 from the training rows).');
  }
  return { title: `Your data: ${fileName || 'uploaded CSV'}`, text, fix };
}

/**
 * $(id), state(), main() (the main RunRecord or undefined), fileName(), apply(next, opts)
 * update() is cheap when nothing changed: call it every frame.
 */
export function createYourData({ $, state, main, fileName, apply }) {
  let shown = null; // what the panel shows: { data, name, standardize }

  function update() {
    const s = state();
    const story = $('story');
    if (s.dataset !== 'csv') {
      if (story.dataset.story === 'csv') delete story.dataset.story;
      shown = null;
      return;
    }
    const data = main()?.client.data;
    if (!data?.info || data.info.name !== 'csv') return;
    if (shown && shown.data === data && shown.name === fileName() && shown.standardize === s.standardize && !story.hidden && story.dataset.story === 'csv') return;
    shown = { data, name: fileName(), standardize: s.standardize };
    const content = yourDataStory({ fileName: fileName(), info: data.info, train: data.train, state: s });
    story.hidden = false;
    story.dataset.story = 'csv';
    $('story-title').textContent = content.title;
    const text = $('story-text');
    text.replaceChildren();
    for (const para of content.text) {
      const p = document.createElement('p');
      p.textContent = para;
      text.append(p);
    }
    if (content.fix) text.lastChild.className = 'story-note';
    const acts = $('story-actions');
    acts.replaceChildren();
    if (content.fix) {
      const b = document.createElement('button');
      b.type = 'button';
      b.id = 'csv-standardize';
      b.textContent = content.fix.label;
      b.addEventListener('click', () => apply({ ...state(), ...content.fix.set }, { restart: true }));
      acts.append(b);
    }
  }

  return { update };
}
