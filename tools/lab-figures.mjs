#!/usr/bin/env node
// Runs every built-in study with the native CLI and writes, for each:
//   docs/results/NAME.json, docs/results/NAME.csv   (relu-lab sweep --out / --csv)
//   docs/figures/NAME.svg                           (web/lab/svgplot.js, error bars = ±1 SE)
// and docs/results.md with the figures, the numbers and the commands.
//
//   node tools/lab-figures.mjs [--relu-lab PATH] [--only NAME] [--no-run] [--full]
//
// --no-run redraws from the JSON already in docs/results/ (no training).
// bash docs/make-results.sh builds the CLI first and then runs this.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { figureFor, metricLabel, METRICS } from '../web/lab/figures.js';
import { renderFigure } from '../web/lab/svgplot.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const noRun = args.includes('--no-run');
const full = args.includes('--full');
const only = opt('--only');
const cli =
  opt('--relu-lab') ?? ['build-lab/relu-lab', 'build-main/relu-lab', 'build/relu-lab'].map((p) => join(root, p)).find(existsSync);
if (!noRun && (!cli || !existsSync(cli))) {
  console.error('lab-figures: no relu-lab binary; build it (bash docs/make-results.sh) or pass --relu-lab PATH');
  process.exit(2);
}

// What each study's figure shows; the numbers themselves are in the tables below it.
const STUDIES = [
  {
    name: 'lr-dead',
    title: '1. Learning rate → % dead units',
    options: { metrics: ['dead', 'no_positive', 'test_accuracy'] },
    reading:
      'ReLU units die as the learning rate grows: 2–3% dead at lr ≤ 0.1, 11–14% at lr 0.3–0.5, about 44% at ' +
      'lr 1 and over half at lr 2–3 — the CS231n "as much as 40%" is what this network reaches near lr 1. Leaky ReLU, ' +
      'ELU and SELU have no dead units by definition (their gradient is never exactly zero), but the middle panel shows ' +
      'that large rates still push many of their units to z ≤ 0 on every input (Leaky ReLU: 38% at lr 1, 45% at lr 2); ' +
      'what they keep is a small gradient to climb back with. At lr 3 that share falls again (Leaky ReLU 16%) only ' +
      'because 9 of its 10 runs diverge within the first steps, and a diverged run is measured where it stopped, its ' +
      'units still alive. Test accuracy peaks at lr 0.1–0.3 for every activation and falls where units die.',
  },
  {
    name: 'born-dead',
    title: '2. Born-dead probability vs depth (He vs RAI)',
    options: { metrics: ['born_dead'], xScale: 'linear' },
    reading:
      'A deep narrow ReLU network is often dead at initialisation: the probability grows with depth and shrinks with ' +
      'width, as Lu et al. (2019) found (He normal, width 2: about half the networks are dead at depth 4, all of them ' +
      'by depth 30; width 10 stays below 4% up to depth 50). The dashed lines are the single-input formula ' +
      '1 − (1 − 2^−N)^L: it orders the curves the same way but overestimates, because a layer must output zero on ' +
      'all 201 inputs on [−1, 1], not on one. RAI (randomized asymmetric initialisation) lowers the probability ' +
      'sharply at every width for depth ≥ 2 (width 2, depth 10: 30% instead of 91%).',
  },
  {
    name: 'init-activation',
    title: '3. Initialiser × activation on all-negative data',
    options: { metrics: ['final_loss', 'dead', 'grad_norm'] },
    reading:
      'On the seed article\'s data (every input in [−1, 0]) ReLU keeps 10–20% of its units dead after training with ' +
      'every initialiser (RAI the most here), the other activations none. The fit itself is easy: final losses are all ' +
      'small (10^−3 to 10^−2) and mostly within each other\'s error bars, so here dead units cost capacity rather than ' +
      'the fit. The last gradient norm tells which runs are still learning.',
  },
  {
    name: 'bias-lr',
    title: '4. Bias init × learning rate → % dead',
    options: { metrics: ['dead', 'test_accuracy'] },
    reading:
      'A negative bias init (−1) starts many units dead (10% even at small rates) and makes the high-rate collapse ' +
      'worse (67% at lr 0.5). A small positive bias (0.1) delays the dying a little — 27 ± 3% dead instead of ' +
      '44 ± 5% at lr 1 — but at lr 2 it makes no difference (51% vs 53%), and a larger bias (0.5) is no better than ' +
      '0.1. It shifts the curve; it does not prevent the collapse, in line with the seed thread\'s "barely helps".',
  },
  {
    name: 'revival',
    title: '5. Revival after a high-rate collapse',
    options: { metrics: ['test_accuracy', 'dead'], showValues: true },
    reading:
      'At lr 1 a third of the ReLU units die without intervention (revive_every 0: 33 ± 3% dead, 74% test ' +
      'accuracy). Reviving every 50 steps keeps the dead share under 1% and lifts accuracy to 82%, still far from the ' +
      '94–98% of lr 0.3: revival brings the units back, but the high rate keeps disrupting what they learn. Reviving ' +
      'only every 1000 steps barely helps (75%). At lr 0.3 the collapse is mild (10% dead) and reviving still gains ' +
      'a few points. The dots are the individual seeds: they show how often revival works, not just the average.',
  },
  {
    name: 'mnist-lr',
    title: '6. MNIST: learning rate → % dead and test accuracy',
    options: { metrics: ['dead', 'no_positive', 'test_accuracy'] },
    reading:
      'On real digits the ReLU curve has the spiral\'s shape, with a sharper edge: up to lr 1 only 0–6% of the 128 hidden ' +
      'units are dead and test accuracy climbs from 86% to 94%; at lr 3, 86 ± 2% are dead and the net is at chance (10.5%). ' +
      'The CS231n "40%" sits on that cliff between lr 1 and 3 rather than on a plateau. Leaky ReLU has no dead units and ' +
      'matches ReLU\'s accuracy wherever both train (lr ≤ 1; at lr 1 5% of its units still sit at z ≤ 0 on every digit), ' +
      'but at lr 3 it diverges in all 5 seeds. ELU and SELU already fail at lr 1: 99–100% of their units sit at z ≤ 0 on ' +
      'every digit (never active) and accuracy is at chance, so a gradient below zero does not rescue a rate this high. ' +
      'The grid is small for a shared 2-core machine (mnist14, 196-64-64-10, 1,000 steps of 64 = 8 epochs); the preset ' +
      '"CS231n\'s 40%, on real digits" in the playground measures the full 784-256-256-10 net.',
  },
  {
    name: 'conv-lr',
    title: '7. Convnet on MNIST: learning rate → % dead channels and test accuracy',
    options: { metrics: ['dead_channels', 'no_positive_channels', 'test_accuracy'] },
    reading:
      'In a convnet a dead ReLU is a whole filter, and the curve is a cliff: up to lr 0.3 almost no channel dies ' +
      '(one run of 5 loses 2 of its 24 channels at lr 0.3), at lr 0.5 13 ± 9% die with a wide spread over seeds (0, 4, 17, 46 and 0%; ' +
      'accuracy falls to 91% on average, 84–85% in the runs that lose the most), and at lr 1 91 ± 4% of the channels and nearly ' +
      'every dense unit are dead and the net is at chance (10.6%). Leaky ReLU channels cannot be dead, and up to lr 0.5 they are ' +
      'no worse off (on average 0–8% of them sit at z ≤ 0 on every image, one run at lr 0.5 a third; 92% accuracy at lr 0.5), but lr 1 is past what they survive ' +
      'too: 3 of 5 runs diverge (a diverged run is measured where it stopped) and the two that train reach 64% and 71%. So ' +
      'the leak does not make a rate this high safe; it removes the dead filters at the rates where ReLU starts to lose them. ' +
      'The default grid is small for a shared 2-core machine (mnist14, 1,000 steps of 32 = 4 epochs, hence 93–96% rather than ' +
      'the 97–98% the 28×28 net reaches in 2,000–3,000 steps); `--full` runs the page\'s w3 LeNet on the 28×28 digits.',
  },
];

function fmtNum(x, pct) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const v = pct ? x * 100 : x;
  if (pct) return v.toFixed(1);
  return Math.abs(v) >= 0.01 ? v.toPrecision(3) : v.toExponential(2);
}

// Pivot: rows = the second-last axis, columns = the last axis; one table per metric and
// combination of the other axes. Entries: mean ± SE.
function tables(result, metrics) {
  const axes = Object.entries(result.sweep.axes);
  const [xk, xv] = axes[axes.length - 1];
  const [sk, sv] = axes.length > 1 ? axes[axes.length - 2] : ['', [null]];
  let combos = [{}];
  for (const [k, vals] of axes.slice(0, -2)) combos = combos.flatMap((c) => vals.map((v) => ({ ...c, [k]: v })));
  const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
  const out = [];
  for (const m of metrics) {
    const pct = METRICS[m]?.percent;
    for (const combo of combos) {
      const where = Object.entries(combo).map(([k, v]) => `${k} = ${show(v)}`).join(', ');
      out.push(`**${metricLabel(m)}${where ? `, ${where}` : ''}** (mean ± SE)\n`);
      out.push(`| ${sk} \\ ${xk} | ${xv.map(show).join(' | ')} |`);
      out.push(`|---|${xv.map(() => '---:').join('|')}|`);
      for (const s of sv) {
        const row = xv.map((x) => {
          const settings = { ...combo, [xk]: x };
          if (sk) settings[sk] = s;
          const cell = result.cells.find((c) =>
            Object.entries(settings).every(([k, v]) => JSON.stringify(c.settings[k]) === JSON.stringify(v)),
          );
          const st = cell?.metrics[m];
          if (!st || st.mean === null) return '–';
          return st.se > 0 ? `${fmtNum(st.mean, pct)} ± ${fmtNum(st.se, pct)}` : fmtNum(st.mean, pct);
        });
        out.push(`| ${show(s)} | ${row.join(' | ')} |`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}

mkdirSync(join(root, 'docs/results'), { recursive: true });
mkdirSync(join(root, 'docs/figures'), { recursive: true });
const sections = [];
for (const study of STUDIES) {
  if (only && study.name !== only) continue;
  const jsonPath = join(root, 'docs/results', `${study.name}.json`);
  const csvPath = join(root, 'docs/results', `${study.name}.csv`);
  const command = `build-lab/relu-lab sweep --study ${study.name}${full ? ' --full' : ''} --out docs/results/${study.name}.json --csv docs/results/${study.name}.csv`;
  if (!noRun) {
    process.stderr.write(`lab-figures: ${study.name} ... `);
    const cliArgs = ['sweep', '--study', study.name, '--out', jsonPath, '--csv', csvPath, '--quiet'];
    if (full) cliArgs.push('--full');
    execFileSync('nice', ['-n', '10', cli, ...cliArgs], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const result = JSON.parse(readFileSync(jsonPath, 'utf8'));
  if (noRun) process.stderr.write(`lab-figures: ${study.name} (from docs/results) `);
  const fig = figureFor(result, { ...study.options, title: study.title });
  writeFileSync(join(root, 'docs/figures', `${study.name}.svg`), renderFigure(fig));
  process.stderr.write(`${result.elapsed_seconds} s\n`);
  const sw = result.sweep;
  const size =
    sw.kind === 'born_dead'
      ? `${result.cells.length} cells × ${sw.trials} random networks`
      : `${result.cells.length} cells × ${sw.seeds} seeds × ${sw.steps} steps = ${result.jobs_total} runs`;
  sections.push(
    [
      `## ${study.title}`,
      '',
      `![${study.name}](figures/${study.name}.svg)`,
      '',
      `*What it measures.* ${result.description}`,
      '',
      `*What it shows.* ${study.reading}`,
      '',
      `Setup: ${sw.kind === 'train' ? `base config \`${JSON.stringify(sw.base)}\`, ` : ''}axes ${Object.entries(sw.axes)
        .map(([k, v]) => `\`${k}\` ∈ {${v.map((x) => JSON.stringify(x)).join(', ')}}`)
        .join(' × ')}; ${size}; ${result.elapsed_seconds.toFixed(1)} s wall clock on a shared 2-core machine. Error bars: ±1 standard error over seeds` +
        (sw.kind === 'born_dead' ? ' (binomial: √(p(1−p)/trials))' : '') +
        '.',
      '',
      `Regenerate this study alone: \`${command}\` — data: [JSON](results/${study.name}.json), [CSV](results/${study.name}.csv).`,
      '',
      tables(result, study.options.metrics),
    ].join('\n'),
  );
}

if (!only) {
  const md = [
    '# Results: the dying-ReLU claims as curves',
    '',
    '<!-- Generated by tools/lab-figures.mjs; edit the script, not this file. -->',
    '',
    'Every figure below is produced by the project itself: the native CLI runs each built-in study',
    '(`relu-lab sweep --study NAME`, engine/sweep.h), and `tools/lab-figures.mjs` draws the SVGs and writes',
    'this page. Regenerate everything (build, run all seven studies, redraw: about 15 minutes on a loaded 2-core machine, most of it studies 6 and 7) with:',
    '',
    '```sh',
    'bash docs/make-results.sh',
    '```',
    '',
    'Redraw without rerunning: `node tools/lab-figures.mjs --no-run`. Bigger grids: `relu-lab sweep --study NAME --full`.',
    'The same studies run in the browser at `lab.html` (smaller grids, same engine compiled to WebAssembly).',
    '',
    'Definitions (engine/monitor.h): a unit is *dead* when it is a rectifier (ReLU) unit that is active',
    '(z > 0) on no input of the training set; *never active* (`no_positive`) is the same test for any activation;',
    'in a convolutional layer a unit is a channel (a filter), active when z > 0 at some position of some input, and',
    '`dead_channels` counts the conv layers\' channels alone (`dead` pools every hidden unit, channels and neurons);',
    'a network is *born dead* when some hidden layer is entirely dead at initialisation. Runs use seeds',
    '1..n, so every cell sees the same seeds; each cell reports mean, standard error (sample std / √n)',
    'and every run\'s value (in the JSON).',
    '',
    ...sections,
  ].join('\n');
  writeFileSync(join(root, 'docs/results.md'), md);
}
