// One benchmark pass, in node or in a browser page: the engine (wasm) and, when a tf
// namespace is given, TensorFlow.js on the same workloads and the same data.
import { SMALL, largeWorkload, timeSteps } from './workloads.mjs';
import { tfSetup } from './tfjs_bench.mjs';

export async function runSuite({ engine, tf = null, reps = 7, log = () => {} }) {
  const out = { wasm: {}, tfjs: {} };
  for (const wl of [SMALL, largeWorkload()]) {
    const run = engine.createRun(wl.config);
    out.wasm[wl.name] = timeSteps(run, wl.steps, reps);
    log(`wasm ${wl.name}: ${out.wasm[wl.name].median.toFixed(1)} steps/s`);
    if (tf) {
      const d = run.data(false);
      const info = run.dataInfo();
      const setup = tfSetup(tf, {
        data: d,
        hidden: wl.config.layers,
        outputs: info.loss === 'ce' ? info.num_classes : 1,
        batch: wl.config.batch,
        lr: wl.config.lr,
        kind: info.loss === 'ce' ? 'ce' : 'bce',
      });
      // TF.js is much slower per step: fewer steps per repetition.
      out.tfjs[wl.name] = timeSteps(setup, Math.max(10, Math.round(wl.steps / 10)), Math.min(reps, 5));
      setup.dispose();
      log(`tfjs ${wl.name}: ${out.tfjs[wl.name].median.toFixed(1)} steps/s`);
    }
    run.dispose();
  }
  return out;
}
