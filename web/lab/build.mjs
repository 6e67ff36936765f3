// Builds the lab page into dist/:
//   lab.html                       (copied from the top-level lab.html)
//   web/lab-app.js, web/lab-app.css   the page (web/lab/lab.js, web/lab/lab.css)
//   web/lab-worker.js              the sweep Worker (web/lab/lab-worker.js + web/engine.js)
//   results/NAME.json              the built-in studies' shipped results (docs/results/*.json,
//                                  made by `relu-lab sweep --study NAME`): the page opens on them
// The Worker loads relu_engine.{js,wasm} from dist/web/ at run time (engine.js resolves
// them next to itself through import.meta.url), which the main build puts there.
//
//   import { buildLab } from './lab/build.mjs'; await buildLab({ outdir: 'dist' });
//   node web/lab/build.mjs [OUTDIR]          (default: dist)
import { build } from 'esbuild';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function buildLab({ outdir = join(root, 'dist'), minify = !process.env.RELU_DEBUG } = {}) {
  const out = resolve(root, outdir);
  const web = join(out, 'web');
  await mkdir(web, { recursive: true });
  const common = { bundle: true, format: 'esm', target: 'es2022', minify, sourcemap: true, logLevel: 'warning', absWorkingDir: root };
  await Promise.all([
    // The page: lab.js's `new URL('./lab-worker.js', import.meta.url)` then points at dist/web/lab-worker.js.
    build({ ...common, entryPoints: { 'lab-app': 'web/lab/lab.js' }, outdir: web }),
    build({ ...common, entryPoints: { 'lab-worker': 'web/lab/lab-worker.js' }, outdir: web }),
    build({ ...common, entryPoints: { 'lab-app': 'web/lab/lab.css' }, outdir: web, loader: { '.css': 'css' } }),
  ]);
  await copyFile(join(root, 'lab.html'), join(out, 'lab.html'));
  const results = join(root, 'docs', 'results');
  await mkdir(join(out, 'results'), { recursive: true });
  for (const f of await readdir(results)) if (f.endsWith('.json')) await copyFile(join(results, f), join(out, 'results', f));
  if (!existsSync(join(web, 'favicon.svg'))) await copyFile(join(root, 'web', 'favicon.svg'), join(web, 'favicon.svg'));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildLab({ outdir: process.argv[2] ?? join(root, 'dist') });
}
