// Builds dist/: index.html at the root, the app and the worker bundled by esbuild
// under dist/web/ (playground.sh then copies relu_engine.{js,wasm} next to them; the
// worker finds them through import.meta.url). Everything is local: no CDN, no fonts.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
await mkdir(join(out, 'web'), { recursive: true });

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: process.env.RELU_DEBUG ? false : true,
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  build({ ...common, entryPoints: { app: 'web/app.js' }, outdir: join(out, 'web') }),
  // The worker is its own file; the engine glue stays a separate file it imports at run time.
  build({ ...common, entryPoints: { worker: 'web/worker.js' }, outdir: join(out, 'web') }),
  build({ ...common, entryPoints: { app: 'web/style.css' }, outdir: join(out, 'web'), loader: { '.css': 'css' } }),
]);
await copyFile(join(root, 'index.html'), join(out, 'index.html'));
await copyFile(join(root, 'web', 'favicon.svg'), join(out, 'web', 'favicon.svg'));
console.log('dist/ built');
