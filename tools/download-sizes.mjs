// What a visitor downloads, gzipped (zlib level 6, what a static host's gzip sends by default;
// level 9 beside it): the initial page (everything the first visit needs before it trains:
// index.html, the app bundle and its CSS, the worker, the engine glue and the wasm) and each
// packed dataset, fetched only when chosen. Budgets (issue 13): initial < 300 KB, mnist.bin <
// 2.5 MB. Exits 1 when over budget.
//
//   node tools/download-sizes.mjs [DIST]      (default dist/; docs/datasets.md has the figures)
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.argv[2] ?? join(ROOT, 'dist');
const INITIAL = ['index.html', 'web/app.js', 'web/app.css', 'web/worker.js', 'web/relu_engine.js', 'web/relu_engine.wasm', 'web/favicon.svg'];
const DATA = ['data/iris.bin', 'data/mnist14.bin', 'data/mnist.bin'];
const SINGLE = ['relu-playground.html', 'relu-playground-mnist.html'];
const BUDGET = { initial: 300 * 1024, 'data/mnist.bin': 2.5 * 1024 * 1024 };

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
function sizes(rel) {
  const file = join(dist, rel);
  if (!existsSync(file)) throw new Error(`${file} is missing: run bash playground.sh build`);
  const bytes = readFileSync(file);
  return { raw: statSync(file).size, gz6: gzipSync(bytes, { level: 6 }).length, gz9: gzipSync(bytes, { level: 9 }).length };
}

let over = false;
const rows = [];
let total = { raw: 0, gz6: 0, gz9: 0 };
for (const rel of INITIAL) {
  const s = sizes(rel);
  for (const k of Object.keys(total)) total[k] += s[k];
  rows.push([rel, s]);
}
console.log('| file | raw | gzip -6 | gzip -9 |\n|---|---:|---:|---:|');
for (const [rel, s] of rows) console.log(`| ${rel} | ${kb(s.raw)} | ${kb(s.gz6)} | ${kb(s.gz9)} |`);
console.log(`| **initial download** | ${kb(total.raw)} | **${kb(total.gz6)}** | ${kb(total.gz9)} |`);
if (total.gz6 > BUDGET.initial) (over = true), console.log(`OVER BUDGET: initial ${kb(total.gz6)} > ${kb(BUDGET.initial)}`);
for (const rel of [...DATA, ...SINGLE]) {
  const s = sizes(rel);
  console.log(`| ${rel} | ${kb(s.raw)} | ${kb(s.gz6)} | ${kb(s.gz9)} |`);
  if (BUDGET[rel] && s.gz6 > BUDGET[rel]) (over = true), console.log(`OVER BUDGET: ${rel} ${kb(s.gz6)} > ${kb(BUDGET[rel])}`);
}
process.exit(over ? 1 : 0);
