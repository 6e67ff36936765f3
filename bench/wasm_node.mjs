// wasm throughput under node: node bench/wasm_node.mjs [dir-with-relu_engine.js] [--json]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadEngine } from '../web/engine.js';
import { SMALL, largeWorkload, timeSteps } from './workloads.mjs';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(import.meta.dirname ?? '.', '../build-wasm'));
const engine = await loadEngine({ moduleUrl: pathToFileURL(path.join(dir, 'relu_engine.js')) });
const out = {};
for (const wl of [SMALL, largeWorkload()]) {
  const run = engine.createRun(wl.config);
  out[wl.name] = timeSteps(run, wl.steps);
  run.dispose();
}
if (asJson) console.log(JSON.stringify(out));
else for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(6)} ${v.median.toFixed(1).padStart(10)} steps/s (best ${v.best.toFixed(1)})`);
