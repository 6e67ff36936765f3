// The settings form, generated from the state table: every control has a label, is
// reachable by keyboard, and passes its value through the same reader as the URL.
import { BY_NAME, COMPARABLE, MAX_LAYERS, MAX_WIDTH, MAX_COMPARE, MAX_CSV_BYTES, coerce, formatValue, fileLabel, megabytes, usesWeightDecay } from './state.js';

const GROUPS = [
  ['Data', ['dataset', 'task', 'noise', 'test', 'standardize', 'samples']],
  ['Network', ['net', 'layers', 'activation', 'slope', 'init', 'biasInit']],
  ['Training', ['optimizer', 'lr', 'batch', 'clip', 'seed']],
  ['Regularisation', ['l1', 'l2', 'weightDecay', 'dropout', 'alphaDropout']],
  ['What counts as dead', ['dead', 'probe', 'tau', 'silent', 'monitorEvery']],
  ['Interventions', ['reviveEvery']],
];
const STEP = { clip: 0.5, noise: 0.05, test: 0.05, slope: 0.01, biasInit: 0.5, lr: 'any', l1: 0.001, l2: 0.001, weightDecay: 0.01, dropout: 0.05, alphaDropout: 0.05, tau: 0.05, silent: 0.01 };
const LIVE_NOTE = 'changes the running network';
const LABELS = {
  task: { auto: 'auto', classification: 'classification', regression: 'regression' },
  dead: { full: 'inactive on the full training set', probe: 'inactive on a fixed probe sample', batch: 'inactive on the last batch', dormant: 'dormant: score ≤ τ (ReDo)' },
};

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

// Compare: what each value field starts with when a setting is chosen (shown greyed as the
// field's placeholder for numbers, so typing never appends to it; an empty field takes it).
const COMPARE_SUGGEST = {
  activation: ['relu', 'leaky_relu', 'selu'], lr: ['1', '0.03'], init: ['he_normal', 'rai'], biasInit: ['0', '-2'],
  optimizer: ['sgd', 'adam'], batch: ['10', '100'], alphaDropout: ['0', '0.1'], dropout: ['0', '0.2'], layers: ['8,8', '16,16,16'],
  reviveEvery: ['0', '200'], standardize: ['0', '1'], slope: ['0.01', '0.2'], l2: ['0', '0.001'],
  weightDecay: ['0', '0.1'],
};

/**
 * form: the settings <form>; quick: {lr, activation} elements outside it that edit the same
 * settings (the phone mini-bar), or null. onChange(name, value, opts), onWarning(text),
 * onRevive(), onCsv(text, fileName).
 */
export function buildControls(form, { state, onChange, onWarning, onRevive, onCsv, quick = null }) {
  const inputs = {};
  let current = state;
  // The dataset list's entry for the uploaded file, named after it (shown once a file is loaded).
  const csvOption = el('option', { value: 'csv' }, 'your CSV');
  csvOption.hidden = true;
  const commit = (name, text, opts) => {
    const r = coerce(name, text);
    if (r.warning) onWarning(r.warning);
    onChange(name, r.value, opts);
  };

  for (const [title, names] of GROUPS) {
    const fs = el('fieldset');
    fs.dataset.part = `group-${title.toLowerCase().replace(/ /g, '-')}`;
    fs.append(el('legend', {}, title));
    for (const name of names) {
      const def = BY_NAME[name];
      const id = `c-${name}`;
      const row = el('div', { class: `row row-${name}` });
      const label = el('label', { for: id }, def.label);
      if (def.live) label.title = LIVE_NOTE;
      row.append(label);
      let input;
      if (def.type === 'enum') {
        input = el('select', { id, name });
        for (const v of def.values) {
          if (v === 'csv') continue;
          input.append(el('option', { value: v }, LABELS[name]?.[v] ?? v.replace(/_/g, ' ')));
        }
        input.addEventListener('change', () => commit(name, input.value));
      } else if (def.type === 'bool') {
        input = el('input', { id, name, type: 'checkbox' });
        row.classList.add('check');
        input.addEventListener('change', () => commit(name, input.checked ? '1' : '0'));
      } else if (def.type === 'widths') {
        input = layersEditor(id, (v) => commit(name, v.join(',')));
      } else {
        input = el('input', { id, name, type: 'text', inputmode: def.type === 'net' ? 'text' : 'decimal', autocomplete: 'off', spellcheck: 'false' });
        if (def.nullable) input.placeholder = 'auto';
        if (def.type === 'net') input.placeholder = 'dense layers below; or conv2d(8,5,same),maxpool(2),dense(64)';
        input.addEventListener('change', () => commit(name, input.value === '' && def.nullable ? 'auto' : input.value));
        input.addEventListener('keydown', (e) => {
          if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
            e.preventDefault();
            const step = STEP[name] === 'any' ? null : STEP[name] ?? 1;
            const cur = Number(input.value) || 0;
            const next = step === null ? (e.key === 'ArrowUp' ? cur * 2 : cur / 2) : cur + (e.key === 'ArrowUp' ? step : -step);
            input.value = String(+next.toPrecision(6));
            commit(name, input.value);
          }
        });
      }
      row.append(input);
      if (name === 'activation') {
        const b = el('button', { type: 'button', class: 'small', id: 'c-activation-restart' }, 'Restart with it');
        b.title = 'Changing the activation above keeps the weights; this starts a fresh run instead';
        b.addEventListener('click', () => onChange('activation', current.activation, { restart: true }));
        row.append(b);
      }
      if (name === 'dataset') input.append(csvOption);
      inputs[name] = input;
      fs.append(row);
    }
    if (title === 'Data') {
      const row = el('div', { class: 'row' });
      const label = el('label', { for: 'c-csv' }, 'Upload CSV (last column = target)');
      const file = el('input', { id: 'c-csv', type: 'file', accept: '.csv,text/csv' });
      file.addEventListener('change', async () => {
        const f = file.files?.[0];
        file.value = ''; // choosing the same file again is a new upload
        if (!f) return;
        // Refused before reading: the engine's row and column limits are checked on the text.
        if (f.size > MAX_CSV_BYTES)
          return onWarning(`CSV "${fileLabel(f.name)}" is ${megabytes(f.size)} MB; files above ${MAX_CSV_BYTES / 1e6} MB are refused. The current data and run are unchanged.`);
        let text;
        try {
          text = await f.text();
        } catch (e) {
          return onWarning(`CSV "${fileLabel(f.name)}" could not be read (${e?.message ?? e}). The current data and run are unchanged.`);
        }
        onCsv(text, f.name);
      });
      row.append(label, file);
      fs.append(row);
    }
    if (title === 'Interventions') {
      const row = el('div', { class: 'row' });
      const b = el('button', { type: 'button', id: 'c-revive' }, 'Revive dead units now');
      b.addEventListener('click', () => onRevive());
      row.append(b);
      fs.append(row);
    }
    form.append(fs);
  }

  // Compare mode: the setting to vary, then one field per value (add, remove), then Compare.
  const fs = el('fieldset', { class: 'compare', 'data-part': 'group-compare' });
  fs.append(el('legend', {}, 'Compare runs'));
  const r1 = el('div', { class: 'row row-compare-key' });
  const keySel = el('select', { id: 'c-compare-key' });
  keySel.append(el('option', { value: '' }, 'off'));
  for (const k of COMPARABLE) keySel.append(el('option', { value: k }, BY_NAME[k].label));
  r1.append(el('label', { for: 'c-compare-key' }, 'Vary'), keySel);
  const r2 = el('div', { class: 'row row-compare-values' });
  const valuesLabel = el('span', { id: 'c-compare-values-label' }, `Values (2–${MAX_COMPARE} runs)`);
  const valueBox = el('div', { class: 'compare-values', id: 'c-compare-values', role: 'group', 'aria-labelledby': 'c-compare-values-label' });
  r2.append(valuesLabel, valueBox);
  const r3 = el('div', { class: 'row' });
  const actions = el('div', { class: 'compare-actions' });
  const add = el('button', { type: 'button', id: 'c-compare-add', class: 'small' }, '+ value');
  const go = el('button', { type: 'button', id: 'c-compare-apply' }, 'Compare');
  actions.append(add, go);
  r3.append(actions);
  r2.hidden = r3.hidden = true;

  // One field: a select for a setting with named values (activation, on/off), else text.
  function valueField(key, value, suggestion) {
    const def = BY_NAME[key];
    const n = valueBox.children.length + 1;
    const box = el('span', { class: 'compare-value' });
    let input;
    if (def.type === 'enum' || def.type === 'bool') {
      input = el('select', { 'aria-label': `value ${n}` });
      const options = def.type === 'bool' ? [['0', 'off'], ['1', 'on']] : def.values.filter((v) => v !== 'csv').map((v) => [v, v.replace(/_/g, ' ')]);
      for (const [v, t] of options) input.append(el('option', { value: v }, t));
      input.value = value ?? suggestion ?? options[0][0];
    } else {
      input = el('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', inputmode: def.type === 'widths' ? 'text' : 'decimal', 'aria-label': `value ${n}` });
      input.value = value ?? '';
      input.placeholder = suggestion ?? '';
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') (e.preventDefault(), apply());
      });
    }
    const del = el('button', { type: 'button', 'aria-label': `remove value ${n}`, title: 'Remove this value' }, '×');
    del.addEventListener('click', () => {
      box.remove();
      renumber();
    });
    box.append(input, del);
    valueBox.append(box);
    renumber();
    return input;
  }
  function renumber() {
    [...valueBox.children].forEach((b, k) => {
      b.firstChild.setAttribute('aria-label', `value ${k + 1}`);
      b.lastChild.setAttribute('aria-label', `remove value ${k + 1}`);
      b.lastChild.disabled = valueBox.children.length <= 1;
    });
    add.disabled = valueBox.children.length >= MAX_COMPARE;
  }
  // The fields for a key: its values when it is the one being compared, else its suggestions.
  function fillValues(key, values) {
    valueBox.replaceChildren();
    r2.hidden = r3.hidden = !key;
    if (!key) return;
    if (values) for (const v of values) valueField(key, v, null);
    else for (const sug of COMPARE_SUGGEST[key] ?? ['', '']) valueField(key, null, sug);
  }
  /** The values as typed: an empty text field takes its greyed suggestion. */
  function typedValues() {
    return [...valueBox.querySelectorAll('input, select')].map((i) => i.value.trim() || i.placeholder || '').filter((v) => v !== '');
  }
  function apply() {
    if (!keySel.value) return onChange('compare', null);
    const vals = typedValues();
    if (vals.some((v) => v.includes('|'))) return onWarning('compare: one value per field (a field holds "|"); nothing was changed');
    if (vals.length < 2) return onWarning(`compare: give at least 2 values (one per field, up to ${MAX_COMPARE}); nothing was changed`);
    commit('compare', `${keySel.value}:${vals.join('|')}`);
  }
  add.addEventListener('click', () => valueField(keySel.value, null, '').focus());
  keySel.addEventListener('change', () => {
    const key = keySel.value;
    fillValues(key, current.compare?.key === key ? current.compare.values.map((x) => formatValue(key, x)) : null);
    if (!key) onChange('compare', null);
  });
  go.addEventListener('click', apply);
  fs.append(r1, r2, r3);
  form.append(fs);
  form.addEventListener('submit', (e) => e.preventDefault());

  // One unit at a time up to 32, then doubling to MAX_WIDTH (512 would be 480 presses).
  const wider = (w) => Math.min(MAX_WIDTH, w < 32 ? w + 1 : 2 * w);
  const narrower = (w) => (w > 32 ? Math.max(32, Math.ceil(w / 2)) : w - 1);

  function layersEditor(id, set) {
    const box = el('div', { class: 'layers', id, role: 'group', 'aria-label': 'Hidden layers and widths' });
    box.setValue = (widths) => {
      box.replaceChildren();
      widths.forEach((w, l) => {
        const chip = el('div', { class: 'layer-chip' });
        const minus = el('button', { type: 'button', class: 'tiny', 'aria-label': `fewer units in layer ${l + 1}` }, '−');
        const plus = el('button', { type: 'button', class: 'tiny', 'aria-label': `more units in layer ${l + 1}` }, '+');
        const n = el('span', { class: 'layer-n', 'aria-label': `layer ${l + 1} width` }, String(w));
        minus.disabled = w <= 1;
        plus.disabled = w >= MAX_WIDTH;
        minus.addEventListener('click', () => set(widths.map((x, k) => (k === l ? narrower(x) : x))));
        plus.addEventListener('click', () => set(widths.map((x, k) => (k === l ? wider(x) : x))));
        chip.append(minus, n, plus);
        box.append(chip);
      });
      const add = el('button', { type: 'button', class: 'small', 'aria-label': 'add a hidden layer' }, '+ layer');
      const del = el('button', { type: 'button', class: 'small', 'aria-label': 'remove the last hidden layer' }, '− layer');
      add.disabled = widths.length >= MAX_LAYERS;
      del.disabled = widths.length <= 1;
      add.addEventListener('click', () => set([...widths, widths[widths.length - 1]]));
      del.addEventListener('click', () => set(widths.slice(0, -1)));
      box.append(add, del);
    };
    return box;
  }

  let shownCompare = null;
  // The quick settings (phone mini-bar): the same readers and the same onChange as the form.
  if (quick) {
    quick.lr.addEventListener('change', () => commit('lr', quick.lr.value));
    quick.lr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') quick.lr.blur();
    });
    quick.activation.addEventListener('change', () => commit('activation', quick.activation.value));
  }

  // Inside a shadow root the document only sees the host as active.
  const active = () => form.getRootNode().activeElement ?? document.activeElement;

  function sync(s) {
    current = s;
    for (const [name, input] of Object.entries(inputs)) {
      const v = s[name];
      const def = BY_NAME[name];
      if (def.type === 'bool') input.checked = !!v;
      else if (def.type === 'widths') {
        // Rebuilding would steal focus from the chip button being pressed; keep focus index.
        const focused = input.contains(active()) ? [...input.querySelectorAll('button')].indexOf(active()) : -1;
        input.setValue(v);
        if (focused >= 0) input.querySelectorAll('button')[focused]?.focus();
      } else if (def.type === 'enum') input.value = v;
      else if (active() !== input) input.value = v === null ? '' : formatValue(name, v);
    }
    // Once a file is loaded it stays in the list: back to it after trying a generator.
    csvOption.hidden = s.dataset !== 'csv' && !csvOption.dataset.file;
    form.querySelector('.row-task').hidden = s.dataset !== 'csv';
    const dead = s.dead;
    form.querySelector('.row-probe').hidden = dead !== 'probe';
    form.querySelector('.row-tau').hidden = dead !== 'dormant';
    form.querySelector('.row-slope').hidden = !/leaky/.test(s.activation);
    form.querySelector('.row-weightDecay').hidden = !usesWeightDecay(s) && s.compare?.key !== 'weightDecay';
    // A net spec sets the widths itself: the dense editor shows them and waits.
    form.querySelector('.row-layers').classList.toggle('from-net', !!s.net);
    for (const b of inputs.layers.querySelectorAll('button')) b.disabled ||= !!s.net;
    // The value fields follow the state only when the compare changed (a live lr change must
    // not wipe what is being typed); the key select follows always.
    const cmp = s.compare ? `${s.compare.key}:${s.compare.values.map((x) => formatValue(s.compare.key, x)).join('|')}` : '';
    if (cmp !== shownCompare) {
      shownCompare = cmp;
      keySel.value = s.compare?.key ?? '';
      fillValues(keySel.value, s.compare ? s.compare.values.map((x) => formatValue(s.compare.key, x)) : null);
      if (!s.compare) (r2.hidden = r3.hidden = true), valueBox.replaceChildren();
    }
    if (quick) {
      if (active() !== quick.lr) quick.lr.value = formatValue('lr', s.lr);
      quick.activation.value = s.activation;
    }
  }
  /** The engine's names (engine.info()): the enum settings offer exactly the engine's values. */
  function setNames(info) {
    for (const [name, input] of Object.entries(inputs)) {
      const list = BY_NAME[name].names && info[BY_NAME[name].names];
      if (!Array.isArray(list)) continue;
      input.replaceChildren();
      // In the engine's order; a parametrised engine name ('uniform') offers the page's instance
      // of it ('uniform(-1,0)'), which a link can carry and parse() validates.
      for (const n of list) {
        for (const v of BY_NAME[name].values) {
          if (v === 'csv' || (v !== n && !v.startsWith(`${n}(`))) continue;
          input.append(el('option', { value: v }, LABELS[name]?.[v] ?? v.replace(/_/g, ' ')));
        }
      }
      if (name === 'dataset') input.append(csvOption);
      if (name === 'activation' && quick) quick.activation.replaceChildren(...[...input.options].map((o) => o.cloneNode(true)));
    }
    sync(current);
  }

  /** The uploaded file's name, for the dataset list (set before the state switches to csv). */
  function setCsvName(name) {
    csvOption.textContent = `CSV: ${fileLabel(name)}`;
    csvOption.dataset.file = fileLabel(name);
  }

  if (quick) quick.activation.replaceChildren(...[...inputs.activation.options].map((o) => o.cloneNode(true)));
  sync(state);
  return { sync, setNames, setCsvName };
}
