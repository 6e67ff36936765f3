// The settings form, generated from the state table: every control has a label, is
// reachable by keyboard, and passes its value through the same reader as the URL.
import { BY_NAME, COMPARABLE, MAX_LAYERS, MAX_WIDTH, MAX_COMPARE, MAX_CSV_BYTES, coerce, formatValue, fileLabel, megabytes } from './state.js';

const GROUPS = [
  ['Data', ['dataset', 'task', 'noise', 'test', 'standardize', 'samples']],
  ['Network', ['layers', 'activation', 'slope', 'init', 'biasInit']],
  ['Training', ['optimizer', 'lr', 'batch', 'clip']],
  ['Regularisation', ['l1', 'l2', 'dropout', 'alphaDropout']],
  ['What counts as dead', ['dead', 'probe', 'tau', 'silent', 'monitorEvery']],
  ['Interventions', ['reviveEvery', 'seed']],
];
const STEP = { clip: 0.5, noise: 0.05, test: 0.05, slope: 0.01, biasInit: 0.5, lr: 'any', l1: 0.001, l2: 0.001, dropout: 0.05, alphaDropout: 0.05, tau: 0.05, silent: 0.01 };
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

export function buildControls(form, { state, onChange, onWarning, onRevive, onCsv }) {
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
        input = el('input', { id, name, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false' });
        if (def.nullable) input.placeholder = 'auto';
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

  // Compare mode.
  const fs = el('fieldset', { class: 'compare', 'data-part': 'group-compare' });
  fs.append(el('legend', {}, 'Compare runs'));
  const r1 = el('div', { class: 'row' });
  const keySel = el('select', { id: 'c-compare-key' });
  keySel.append(el('option', { value: '' }, 'off'));
  for (const k of COMPARABLE) keySel.append(el('option', { value: k }, BY_NAME[k].label));
  r1.append(el('label', { for: 'c-compare-key' }, 'Vary'), keySel);
  const r2 = el('div', { class: 'row' });
  const vals = el('input', { id: 'c-compare-values', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'relu|leaky_relu|selu' });
  r2.append(el('label', { for: 'c-compare-values' }, `Values (2–${MAX_COMPARE}, separated by |)`), vals);
  const r3 = el('div', { class: 'row' });
  const go = el('button', { type: 'button', id: 'c-compare-apply' }, 'Compare');
  r3.append(go);
  const suggest = { activation: 'relu|leaky_relu|selu', lr: '0.6|0.03', init: 'he_normal|rai', biasInit: '0|-2', optimizer: 'sgd|adam', batch: '10|100' };
  keySel.addEventListener('change', () => {
    if (!vals.value || !current.compare) vals.value = suggest[keySel.value] ?? '';
    if (!keySel.value) onChange('compare', null);
  });
  go.addEventListener('click', () => {
    if (!keySel.value) return onChange('compare', null);
    commit('compare', `${keySel.value}:${vals.value}`);
  });
  fs.append(r1, r2, r3);
  form.append(fs);
  form.addEventListener('submit', (e) => e.preventDefault());

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
        minus.addEventListener('click', () => set(widths.map((x, k) => (k === l ? x - 1 : x))));
        plus.addEventListener('click', () => set(widths.map((x, k) => (k === l ? x + 1 : x))));
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
    keySel.value = s.compare?.key ?? '';
    if (s.compare) vals.value = s.compare.values.map((x) => formatValue(s.compare.key, x)).join('|');
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
    }
    sync(current);
  }

  /** The uploaded file's name, for the dataset list (set before the state switches to csv). */
  function setCsvName(name) {
    csvOption.textContent = `CSV: ${fileLabel(name)}`;
    csvOption.dataset.file = fileLabel(name);
  }

  sync(state);
  return { sync, setNames, setCsvName };
}
