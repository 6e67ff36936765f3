// Builds dist/:
//   index.html, web/app.js, web/app.css, web/worker.js   the page (relative URLs: works under any sub-path)
//   web/relu-playground.js                               the <relu-playground> element (web/component.js)
//   examples/course-page.html                            the example course page
//   relu-playground.html                                 the single file: JS, CSS, worker, glue and wasm
//                                                        inlined, with iris and mnist14 embedded; works
//                                                        from file:// (needs build-wasm/ and build/data/)
//   relu-playground-mnist.html                           the same, also carrying mnist (docs/datasets.md)
//   web/relu_engine.js                                   the Emscripten glue, minified (3.7 KB of gzip less:
//                                                        Emscripten 3.1.6 only strips its whitespace)
// playground.sh then copies relu_engine.wasm into dist/web/ (the worker finds both through
// import.meta.url). Everything is local: no CDN, no fonts.
import { build, transform } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
// web/state.js imports the engine's name lists from this generated file (not committed).
if (!existsSync(join(root, 'web', 'engine-names.js')))
  throw new Error('web/engine-names.js is missing: generate it from the wasm engine with `node tools/engine-names.mjs` (bash playground.sh wasm and dist run it)');
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
  build({ ...common, entryPoints: { 'relu-playground': 'web/component.js' }, outdir: join(out, 'web') }),
  // The worker is its own file; the engine glue stays a separate file it imports at run time.
  build({ ...common, entryPoints: { worker: 'web/worker.js' }, outdir: join(out, 'web') }),
  build({ ...common, entryPoints: { app: 'web/style.css' }, outdir: join(out, 'web'), loader: { '.css': 'css' } }),
]);
await copyFile(join(root, 'index.html'), join(out, 'index.html'));
await copyFile(join(root, 'web', 'favicon.svg'), join(out, 'web', 'favicon.svg'));
if (existsSync(join(root, 'examples'))) {
  await mkdir(join(out, 'examples'), { recursive: true });
  for (const f of await readdir(join(root, 'examples'))) await copyFile(join(root, 'examples', f), join(out, 'examples', f));
}
// The lab (lab.html): sweeps in parallel Workers, bundled by its own script.
await (await import('./lab/build.mjs')).buildLab({ outdir: out });

const glueFile = join(root, 'build-wasm', 'relu_engine.js');
const wasmFile = join(root, 'build-wasm', 'relu_engine.wasm');
// The glue minified as a module: local names shortened, its Module[...] keys untouched.
if (existsSync(glueFile)) {
  const { code } = await transform(await readFile(glueFile, 'utf8'), { minify: !process.env.RELU_DEBUG, format: 'esm', target: 'es2022' });
  await writeFile(join(out, 'web', 'relu_engine.js'), code);
}

// ---------- the single file ----------
if (!existsSync(glueFile) || !existsSync(wasmFile)) {
  console.warn('build-wasm/relu_engine.{js,wasm} missing: skipped dist/relu-playground.html');
} else {
  const text = (r) => r.outputFiles[0].text;
  const single = { ...common, sourcemap: false, write: false };
  const [worker, page, css] = await Promise.all([
    // A classic worker (iife): Chromium refuses module workers from blob: URLs on file:// pages.
    build({ ...single, format: 'iife', entryPoints: ['web/worker.js'], logOverride: { 'empty-import-meta': 'silent' } }).then(text),
    build({ ...single, entryPoints: ['web/single.js'] }).then(text),
    build({ ...single, entryPoints: ['web/style.css'], loader: { '.css': 'css' } }).then(text),
  ]);
  const [glueModule, wasm] = await Promise.all([readFile(glueFile, 'utf8'), readFile(wasmFile)]);
  // The Emscripten glue is an ES module (export default, import.meta.url); as a classic
  // script it defines createReluModule, and the wasm comes as bytes (locateFile is unused).
  const glue = glueModule.replace(/import\.meta\.url/g, 'self.location.href').replace(/\nexport default createReluModule;\s*$/, '\n');
  if (/\bexport\b\s+default|import\.meta/.test(glue)) throw new Error('relu_engine.js changed shape: update the single-file assembly in web/build.mjs');
  // The packed datasets a single file carries, gzipped and base64 (web/data-loader.js
  // decodes them with DecompressionStream): no network, so they work from file://.
  const dataDir = join(root, 'build', 'data');
  const embed = async (names) => {
    const out = {};
    for (const name of names) {
      const file = join(dataDir, `${name}.bin`);
      if (!existsSync(file)) throw new Error(`${file} is missing: run bash playground.sh data (the single files embed it)`);
      out[name] = gzipSync(await readFile(file), { level: 9 }).toString('base64');
    }
    return out;
  };
  // The worker's text: the glue, then a prelude that decodes the base64 wasm and hands both
  // (and the embedded datasets) to engine.js's loadEngine and the worker (RELU_ENGINE_OPTIONS),
  // then the worker bundle.
  const workerText = (embeddedData) => [
    glue,
    // In a block: the bundle's own top-level names must not collide with these.
    `{ const b = atob(${JSON.stringify(wasm.toString('base64'))}), bytes = new Uint8Array(b.length);`,
    `for (let i = 0; i < b.length; i++) bytes[i] = b.charCodeAt(i);`,
    `self.RELU_ENGINE_OPTIONS = { moduleFactory: createReluModule, wasmBinary: bytes, moduleUrl: self.location.href, wasmUrl: 'data:application/wasm,',`,
    `  embeddedData: ${JSON.stringify(embeddedData)} }; }`,
    worker,
  ].join('\n');
  // Inside <script>, "</script" or "<!--" would end or confuse the element: in JSON text
  // every "<" becomes \u003c; in the bundle "</script" becomes "<\/script" (only in strings).
  const jsonSafe = (s) => JSON.stringify(s).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const scriptSafe = (s) => {
    if (/<!--/.test(s)) throw new Error('the bundle contains "<!--": cannot inline it safely');
    return s.replace(/<\/(script)/gi, '<\\/$1');
  };
  const styleSafe = (s) => s.replace(/<\/(style)/gi, '<\\/$1');
  const index = await readFile(join(root, 'index.html'), 'utf8');
  const favicon = `data:image/svg+xml;base64,${(await readFile(join(root, 'web', 'favicon.svg'))).toString('base64')}`;
  const singleFile = (embeddedData) => {
    const html = index
      .replace(/<link rel="icon"[^>]*>/, `<link rel="icon" href="${favicon}" type="image/svg+xml">`)
      .replace(/<link rel="stylesheet"[^>]*>/, () => `<style>${styleSafe(css)}</style>`)
      .replace(/<script type="module" src="web\/app.js"><\/script>/, () =>
        `<script>window.RELU_INLINE = { worker: ${jsonSafe(workerText(embeddedData))} };</script>\n  <script type="module">${scriptSafe(page)}</script>`);
    if (!html.includes('window.RELU_INLINE') || !html.includes('<style>')) throw new Error('index.html changed: update the single-file assembly in web/build.mjs');
    return html;
  };
  // The one file to share carries the small sets (iris, 1 KB; mnist14, 0.7 MB gzipped); a
  // second one also carries mnist (1.6 MB gzipped), for offline use of the full-size digits.
  await writeFile(join(out, 'relu-playground.html'), singleFile(await embed(['iris', 'mnist14'])));
  await writeFile(join(out, 'relu-playground-mnist.html'), singleFile(await embed(['iris', 'mnist14', 'mnist'])));
}
console.log('dist/ built');
