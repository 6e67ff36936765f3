// The other ways to train issue 14's w3 LeNet (batch 32, SGD, 28x28x1 MNIST digits), for
// bench/run.mjs's w3 table: PyTorch with one thread (bench/lenet_torch.py, if Debian's
// python3-torch is there), ConvNetJS 0.3.0 (bench/lenet_convnetjs.mjs) and TF.js 4.22's CPU and
// wasm backends (bench/lenet_tfjs.mjs), all on the same digits (build/data/mnist.bin).
//
//   node bench/w3_peers.mjs [--no-tf] [--no-torch] [--no-convnetjs] [--json]
//
// The slow peers time a fixed small number of steps (a TF.js CPU step takes seconds), so their
// figures are coarser than the engine's. Each entry: { median, best (steps/s, wall clock), cpu
// (steps per CPU second of the process or thread: on a loaded machine the wall clock measures the
// neighbours), note } or { skipped: why } or, for a backend that cannot train w3, { error }.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readMnistTrain, mnistBatches } from './mnist-batches.mjs';
import { convnetjsLenet } from './lenet_convnetjs.mjs';
import { tfjsLenet, tryLenet } from './lenet_tfjs.mjs';
import { MNIST_PACKED } from './workloads.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

// warm steps, then reps timings of `steps` steps: median and best steps/s, median per CPU second.
function timeFixed(run, { warm, steps, reps }) {
  run.step(warm);
  const wall = [], cpu = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    run.step(steps);
    const c = process.cpuUsage(c0);
    wall.push(steps / ((performance.now() - t0) / 1000));
    cpu.push(steps / ((c.user + c.system) / 1e6));
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median: wall[wall.length >> 1], best: wall[wall.length - 1], cpu: cpu[cpu.length >> 1], timed: `${reps}×${steps} steps` };
}

function pytorch(mnistFile, log) {
  const python = process.env.PYTHON ?? '/usr/bin/python3';
  try {
    const out = execFileSync(python, [path.join(import.meta.dirname, 'lenet_torch.py'), mnistFile, '--steps', '100', '--reps', '5'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const r = JSON.parse(out);
    log(`pytorch ${r.torch}, 1 thread: ${r.median.toFixed(1)} steps/s`);
    return { ...r, timed: '5×100 steps', note: `torch ${r.torch}, set_num_threads(1)` };
  } catch (e) {
    // exit 3: torch missing (the script says why); a missing python is ENOENT.
    const why = e.status === 3 ? String(e.stderr).trim() : e.code === 'ENOENT' ? `${python} not found` : String(e.stderr || e.message).trim().split('\n').pop();
    log(`pytorch skipped: ${why}`);
    return { skipped: why };
  }
}

async function tfjs(batches, log) {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(pathToFileURL(path.join(import.meta.dirname, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/')).href);
  const out = {};
  await tf.setBackend('cpu');
  await tf.ready();
  {
    const run = tfjsLenet(tf, batches);
    out.tfjsCpu = { ...timeFixed(run, { warm: 1, steps: 1, reps: 3 }), note: 'tfjs-backend-cpu (plain JS), node' };
    run.dispose();
    log(`tfjs cpu: ${out.tfjsCpu.median.toFixed(2)} steps/s`);
  }
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const flavour = `SIMD ${simd ? 'on' : 'off'}, ${threads ? 'threads' : '1 thread'}`;
  const error = tryLenet(tf, batches);
  if (error) {
    out.tfjsWasm = { error, note: flavour };
    log(`tfjs wasm cannot train w3: ${error}`);
  } else {
    const run = tfjsLenet(tf, batches);
    out.tfjsWasm = { ...timeFixed(run, { warm: 10, steps: 20, reps: 5 }), note: flavour };
    run.dispose();
  }
  // What the wasm backend can train of it: the dense head, both convs frozen (forward only
  // through them). Not w3: it does no conv gradient at all, so it is a bound, not a rate.
  const frozenError = tryLenet(tf, batches, { trainConvs: false });
  if (frozenError) out.tfjsWasmFrozen = { error: frozenError, note: flavour };
  else {
    const run = tfjsLenet(tf, batches, { trainConvs: false });
    out.tfjsWasmFrozen = { ...timeFixed(run, { warm: 10, steps: 20, reps: 5 }), note: flavour };
    run.dispose();
    log(`tfjs wasm, convs frozen: ${out.tfjsWasmFrozen.median.toFixed(1)} steps/s`);
  }
  return out;
}

// -> { pytorch, convnetjs, tfjsCpu, tfjsWasm, tfjsWasmFrozen } (entries as above).
export async function runW3Peers({ withTf = true, withTorch = true, withConvnetjs = true, log = () => {} } = {}) {
  const mnistFile = path.join(ROOT, MNIST_PACKED);
  const batches = mnistBatches(readMnistTrain(mnistFile), 32, 50);
  const out = {};
  out.pytorch = withTorch ? pytorch(mnistFile, log) : { skipped: '--no-torch' };
  if (withConvnetjs) {
    try {
      const run = convnetjsLenet(batches);
      out.convnetjs = { ...timeFixed(run, { warm: 2, steps: 5, reps: 3 }), note: '32 × Trainer.train per step (batch_size 32), float64' };
      log(`convnetjs: ${out.convnetjs.median.toFixed(2)} steps/s`);
    } catch (e) {
      out.convnetjs = { skipped: `ConvNetJS unavailable (${e.message}); npm ci in bench/` };
    }
  } else out.convnetjs = { skipped: '--no-convnetjs' };
  if (withTf) {
    try {
      Object.assign(out, await tfjs(batches, log));
    } catch (e) {
      out.tfjsCpu = out.tfjsCpu ?? { skipped: `TF.js failed: ${e.message} (npm ci in bench/?)` };
    }
  }
  for (const k of ['tfjsCpu', 'tfjsWasm', 'tfjsWasmFrozen']) out[k] = out[k] ?? { skipped: '--no-tf' };
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const r = await runW3Peers({
    withTf: !args.includes('--no-tf'), withTorch: !args.includes('--no-torch'), withConvnetjs: !args.includes('--no-convnetjs'),
    log: (s) => process.stderr.write(s + '\n'),
  });
  console.log(JSON.stringify(r, null, args.includes('--json') ? 0 : 2));
}
