// Run files: the stats CSV (the history schema), the whole run as JSON (export and import),
// the weights (the CLI's JSON), and an uploaded CSV dataset. Whatever is wrong with a file,
// the notice names the file and the problem, and the current run goes on as it was.
import { parse, toEngineConfig, fileLabel, megabytes, MAX_CSV_BYTES, MAX_IMPORT_BYTES, MAX_JSON_DEPTH, MAX_IMPORT_STEPS } from '../state.js';
import { valueTooDeep, readJson, describe, historyProblem } from '../input-checks.js';
import { historyCsv } from '../history-schema.js';
import { stateQuery } from './link.js';

const REVOKE_MS = 10000;

/**
 * root, $(id), state(), apply(next, opts), runs (runs.js), notice(lines, append)
 * whenSnapshot(test), stats(), isDestroyed(), pictures (pictures.js)
 */
export function createRunFiles({ root, $, state, apply, runs, notice, whenSnapshot, stats, isDestroyed, pictures, onCsvName = () => {} }) {
  let csvText = '';  // the uploaded dataset (dataset csv)
  let csvName = '';  // its file name, as shown (fileLabel)
  let csvChecks = 0; // uploads so far: only the newest one may replace the data

  /** The main run's history in the schema of web/history-schema.js. */
  function statsCsv() {
    return historyCsv(runs.main()?.historyTable() ?? { names: [], rows: [] });
  }

  async function exportRun() {
    const run = runs.main();
    const s = state();
    const weights = run?.snap ? await run.client.exportWeights() : null;
    return {
      format: 'relu-playground-run',
      version: 1,
      state: structuredClone(s),
      query: stateQuery(s),
      seed: s.seed,
      csv: s.dataset === 'csv' ? csvText : undefined,
      csvName: s.dataset === 'csv' ? csvName : undefined,
      step: run?.snap?.step ?? 0,
      weights: weights ? JSON.parse(weights) : null,
      history: run?.historyTable() ?? { names: [], rows: [], stride: 1, offered: 0 },
    };
  }

  /**
   * Restores an exported run (the object, or its JSON text): settings, the step count, the
   * weights and the charts. Everything in it is checked first, and the engine tries the
   * settings and the weights on a throwaway run: a file it refuses changes nothing here.
   * Errors start with "Import failed: ".
   */
  async function importRun(doc) {
    try {
      return await restoreRun(doc);
    } catch (err) {
      throw new Error(`Import failed: ${err.message}`);
    }
  }

  async function restoreRun(doc) {
    if (typeof doc === 'string') doc = readJson(doc, 'the run');
    if (!doc || typeof doc !== 'object' || Array.isArray(doc) || doc.format !== 'relu-playground-run')
      throw new Error('not a ReLU Playground run file (format "relu-playground-run")');
    if (doc.version !== undefined && doc.version !== 1) throw new Error(`version ${describe(doc.version)} is not supported (this page reads version 1)`);
    if (doc.query != null && typeof doc.query !== 'string') throw new Error(`"query" must be text like "lr=0.3&layers=8,8" (got ${describe(doc.query)})`);
    const step = doc.step ?? 0;
    if (!(typeof step === 'number' && Number.isInteger(step) && step >= 0 && step <= MAX_IMPORT_STEPS))
      throw new Error(`"step" must be a whole number from 0 to ${MAX_IMPORT_STEPS} (got ${describe(doc.step)})`);
    let weights = null;
    if (doc.weights != null) {
      if (typeof doc.weights !== 'object' || Array.isArray(doc.weights)) throw new Error(`"weights" must be an object {"layers": [...]} (got ${describe(doc.weights)})`);
      if (valueTooDeep(doc.weights)) throw new Error(`"weights" is nested deeper than ${MAX_JSON_DEPTH} levels`);
      weights = JSON.stringify(doc.weights);
      if (weights.length > MAX_IMPORT_BYTES) throw new Error(`"weights" is ${megabytes(weights.length)} MB of JSON; at most ${MAX_IMPORT_BYTES / 1e6} MB are accepted`);
    }
    const historyBad = historyProblem(doc.history);
    if (historyBad) throw new Error(historyBad);
    // The settings go through the same validation as a link (the file is input, not trusted).
    const p = parse(new URLSearchParams(doc.query ?? ''));
    const next = p.state;
    let csv = null;
    if (doc.state?.dataset === 'csv') {
      if (typeof doc.csv !== 'string') throw new Error('the run trained on an uploaded CSV, but the file has no "csv" text');
      if (doc.csv.length > MAX_CSV_BYTES) throw new Error(`"csv" is ${megabytes(doc.csv.length)} MB; at most ${MAX_CSV_BYTES / 1e6} MB are accepted`);
      next.dataset = 'csv';
      csv = doc.csv;
    }
    const overrides = next.compare ? { [next.compare.key]: next.compare.values[0] } : {};
    // The engine's verdict on the settings (a CSV) and the weights (their shape), before anything changes.
    await runs.main().client.validate(toEngineConfig(next, overrides, csv ?? csvText), weights);
    if (isDestroyed()) throw new Error('the playground was removed');
    const previous = { state: state(), csvText, csvName };
    if (csv !== null) {
      csvText = csv;
      setCsvName(typeof doc.csvName === 'string' && doc.csvName ? doc.csvName : 'the run file\'s CSV');
    }
    runs.play(false);
    notice(p.warnings.filter((w) => !/^dataset: csv/.test(w)).map((w) => `Import: ${w}`));
    runs.restoreNext({ step, weights, history: doc.history ?? null });
    apply(next, { restart: true });
    try {
      await whenSnapshot((s) => s.step === step || s.diverged);
    } catch (err) {
      // Refused after all (the worker failed meanwhile): back to the settings of before.
      csvText = previous.csvText;
      setCsvName(previous.csvName);
      apply(previous.state, { restart: true });
      throw err;
    }
    return stats();
  }

  async function importWeightsText(text) {
    if (text.length > MAX_IMPORT_BYTES) throw new Error(`weights: ${megabytes(text.length)} MB of JSON; at most ${MAX_IMPORT_BYTES / 1e6} MB are accepted`);
    // The engine checks the whole file (JSON, depth, shape, numbers) before it changes a weight.
    return runs.main().client.importWeights(text);
  }
  /** API: weights as JSON text or as an object (the CLI's format). Rejects with the problem. */
  async function importWeights(json) {
    if (typeof json === 'string') return importWeightsText(json);
    if (json === null || typeof json !== 'object') throw new Error(`importWeights: expected the weights as JSON text or an object (got ${describe(json)})`);
    if (valueTooDeep(json)) throw new Error(`weights: nested deeper than ${MAX_JSON_DEPTH} levels`);
    return importWeightsText(JSON.stringify(json));
  }

  function setCsvName(name) {
    csvName = fileLabel(name);
    onCsvName(csvName);
  }

  // An uploaded CSV replaces the data only once the engine has read it: a file it refuses
  // (ragged, not numbers, too many columns or rows, empty) leaves the data, the settings and
  // the running network as they were, and the notice says what is wrong and where.
  async function loadCsv(text, name) {
    const file = `"${fileLabel(name)}"`;
    const unchanged = 'The current data and run are unchanged.';
    if (text.trim() === '') return notice([`CSV ${file} is empty: there is nothing to train on. ${unchanged}`]);
    const ticket = ++csvChecks;
    notice([`Reading ${file}…`]);
    // A new file is read with task auto; the story is the data's own, not a preset's.
    const next = { ...state(), dataset: 'csv', task: 'auto', preset: '' };
    try {
      await runs.main().client.validate(toEngineConfig(next, {}, text));
    } catch (e) {
      if (ticket === csvChecks && !isDestroyed()) notice([`CSV ${file} was not loaded: ${e.message}. ${unchanged}`]);
      return false;
    }
    if (ticket !== csvChecks || isDestroyed()) return false; // a newer upload won
    csvText = text;
    setCsvName(name);
    notice([`Loaded ${file}: last column is the target.`]);
    apply({ ...state(), dataset: 'csv', task: 'auto', preset: '' }, { restart: true, explicit: {} });
    return true;
  }

  /**
   * The task setting from the form: with a CSV, the engine reads the file with the new task
   * first, so a choice that does not fit (regression of text labels, classification of
   * fractions) leaves the run as it was and says why.
   */
  async function setTask(task) {
    const next = { ...state(), task };
    if (next.dataset === 'csv') {
      try {
        await runs.main().client.validate(toEngineConfig(next, {}, csvText));
      } catch (e) {
        if (isDestroyed()) return false;
        notice([`Task ${task} does not fit "${csvName}": ${e.message}. The task stays ${state().task}.`]);
        apply(state());  // the form shows the task in force again
        return false;
      }
    }
    apply(next);
    return true;
  }

  function download(name, blob) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = true;
    root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), REVOKE_MS);
  }

  const stamp = () => `relu-playground-step${runs.main()?.snap?.step ?? 0}`;
  const guard = (fn) => async () => {
    try {
      await fn();
    } catch (e) {
      notice([String(e?.message ?? e)]);
    }
  };
  $('export-csv').addEventListener('click', guard(() => download(`${stamp()}-stats.csv`, new Blob([statsCsv()], { type: 'text/csv' }))));
  $('export-run').addEventListener('click', guard(async () => download(`${stamp()}-run.json`, new Blob([JSON.stringify(await exportRun())], { type: 'application/json' }))));
  $('export-weights').addEventListener('click', guard(async () => download(`${stamp()}-weights.json`, new Blob([await runs.main().client.exportWeights()], { type: 'application/json' }))));
  $('export-png').addEventListener('click', guard(async () => download(`${stamp()}-${$('png-target').value}.png`, await pictures.pngBlob($('png-target').value))));
  root.querySelector('.exports').addEventListener('toggle', pictures.fillTargets);
  // A run file or a weights file.
  $('import-file').addEventListener('change', guard(async () => {
    const input = $('import-file');
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    const file = `"${fileLabel(f.name)}"`;
    try {
      if (f.size > MAX_IMPORT_BYTES) throw new Error(`the file is ${megabytes(f.size)} MB; files above ${MAX_IMPORT_BYTES / 1e6} MB are refused`);
      const text = await f.text();
      const doc = readJson(text, 'the file');
      if (doc?.format === 'relu-playground-run') {
        const s = await restoreRun(doc);
        notice([`Restored the run from ${file} (step ${s?.step ?? doc.step}).`], true);
      } else {
        await importWeightsText(text);
        notice([`Loaded the weights from ${file}.`]);
      }
    } catch (err) {
      throw new Error(`Import of ${file} failed: ${err?.message ?? err}. The current run is unchanged.`);
    }
  }));

  return {
    statsCsv,
    exportRun,
    importRun,
    importWeights,
    exportWeights: () => runs.main().client.exportWeights(),
    loadCsv,
    setTask,
    csvText: () => csvText,
    csvName: () => csvName,
  };
}
