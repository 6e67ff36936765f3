// The worker's read cadence (web/read-cadence.js), seen from outside: training flat out, the
// real worker (dist/web/worker.js) posts a snapshot at most every flatOutMs and an output map
// at most every gridMs of its own clock (less often if reads would take more than their
// budget of the training time) (each message carries readAt, the worker's time of
// the read), while training goes on between reads. The page keeps the last map when a
// snapshot comes without one, so its output never goes blank. Bounds only: nothing here
// depends on how fast the machine is. (tests/node/read-cadence.test.mjs checks the rule itself;
// events.test.mjs that reading this way changes no event.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, waitForStep } from './helpers.mjs';
import { READ_CADENCE } from '../../web/read-cadence.js';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const CONFIG = { dataset: 'spiral', layers: [16, 16, 16, 16, 16, 16], activation: 'relu', optimizer: 'sgd', lr: 0.03, batch: 10, seed: 1 };

test('flat out, the worker reads at most every flatOutMs, the map at most every gridMs, and trains between', async () => {
  const { page, context, problems } = await openPage(env, 'autoplay=0');
  const seen = await page.evaluate(
    ({ config, count }) => {
      const w = new Worker(new URL('web/worker.js', location.href), { type: 'module' });
      const list = [];
      return new Promise((done, fail) => {
        w.onerror = (e) => fail(new Error(e.message));
        w.onmessage = ({ data: m }) => {
          if (m.type === 'error') return fail(new Error(m.message));
          if (m.type !== 'snapshot') return;
          list.push({ at: m.readAt, grid: !!m.grid?.values, step: m.snapshot.step, playing: m.run.playing });
          w.postMessage({ op: 'frame' }); // as the page does once it has drawn
          if (list.length < count) return;
          w.terminate();
          done(list);
        };
        // Acknowledging from the start (as the page does once it draws): the worker may then
        // leave the map out of snapshots, since none of its messages can be replaced unseen.
        w.postMessage({ op: 'frame' });
        w.postMessage({ op: 'create', config, runId: 1 });
        w.postMessage({ op: 'speed', stepsPerSecond: 'max' });
        w.postMessage({ op: 'play' });
      });
    },
    { config: CONFIG, count: 40 },
  );
  // The first snapshot answers the create, before play: skip it.
  const flat = seen.slice(1);
  assert.ok(flat.every((m) => m.playing), 'playing throughout');
  assert.ok(seen[0].grid, 'the first snapshot brings its map');
  for (let k = 1; k < flat.length; k++) {
    const gap = flat[k].at - flat[k - 1].at;
    assert.ok(gap >= READ_CADENCE.flatOutMs, `snapshots ${k - 1} and ${k} read ${gap.toFixed(1)} ms apart`);
    assert.ok(flat[k].step > flat[k - 1].step, `training went on between reads (steps ${flat[k - 1].step}, ${flat[k].step})`);
  }
  const maps = flat.filter((m) => m.grid);
  for (let k = 1; k < maps.length; k++) {
    const gap = maps[k].at - maps[k - 1].at;
    assert.ok(gap >= READ_CADENCE.gridMs, `maps ${k - 1} and ${k} computed ${gap.toFixed(1)} ms apart`);
  }
  // And not starved: maps keep coming (how many depends on how long a map takes here).
  assert.ok(maps.length >= 3, `${maps.length} maps in ${flat.length} snapshots`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('at speed max the page keeps drawing the output map between the snapshots that carry one', async () => {
  const { page, context, problems } = await openPage(env, 'dataset=spiral&layers=16,16,16&lr=0.03&seed=1&speed=max');
  await waitForStep(page, 500);
  // Sample the output canvas over many frames: each sample must show the map and the data.
  const blank = await page.evaluate(async () => {
    const canvas = document.querySelector('#output');
    const ctx = canvas.getContext('2d');
    const frame = () => new Promise((ok) => requestAnimationFrame(ok));
    let blankFrames = 0;
    for (let k = 0; k < 40; k++) {
      await frame();
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
      if (painted < (px.length / 4) / 4) blankFrames++;
    }
    return blankFrames;
  });
  assert.equal(blank, 0, 'frames where the output canvas was (nearly) empty');
  assert.deepEqual(problems, []);
  await context.close();
});
