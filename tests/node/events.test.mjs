// Reading is pure: the same seed and settings give the same death/revival event list
// (step, layer, unit, kind) from the native CLI and from the wasm engine through
// web/engine.js, however the page reads it: a snapshot after every step, every 97 steps,
// once at the end, paused (several snapshots with no step between) and single-stepped
// without reads. Before the monitor became pure, snapshot() evaluated the monitor and
// stamped events at the step of the read, so "every step" and "every 97 steps" dated the
// same deaths differently (and saw flickers the cadence does not).
//
// The CLI is RELU_LAB, else build/relu-lab; the test is skipped when neither exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, engine } from './wasm-engine.mjs';

const CLI = [process.env.RELU_LAB, path.join(ROOT, 'build/relu-lab')].find((p) => p && fs.existsSync(p));
const STEPS = 600;
// Units die and come back (deeper layers) at a high rate; revive every 150 steps adds revivals.
// xor: its generator uses no libm, so native and wasm train bit-identically (the spiral's
// sin/cos may differ in the last place between glibc and musl; see tests/engine/test_golden.cpp).
const CFG = { dataset: 'xor', layers: [12, 12, 12], activation: 'relu', optimizer: 'sgd', lr: 0.3, batch: 10,
  seed: 1, bias_init: -3, monitor_every: 10, revive_every: 150, steps: STEPS };

const KIND = { died: 0, revived: 1 };
const asRows = (events) => events.map((e) => [e.step, e.layer, e.neuron, KIND[e.kind]]);

function nativeEvents() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relu-events-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(CFG));
  const out = JSON.parse(execFileSync(CLI, ['train', '--config', file, '--quiet', '--log-every', '7'], { encoding: 'utf8' }));
  fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(out.events_total <= 4096, 'the list is complete (nothing dropped)');
  return out.events;
}

// Runs the config in wasm; read(step) says whether to take a snapshot after that step.
function wasmEvents({ chunk, read, pauseReads = 0 }) {
  const run = engine.createRun(CFG);
  const events = [];
  try {
    while (run.status().step < STEPS) {
      run.step(Math.min(chunk, STEPS - run.status().step));
      const step = run.status().step;
      if (read(step)) {
        events.push(...run.snapshot().events);
        for (let i = 0; i < pauseReads; i++) events.push(...run.snapshot().events);  // paused: reads only
      }
    }
    events.push(...run.snapshot().events);
  } finally {
    run.dispose();
  }
  return asRows(events);
}

test('the event list does not depend on how the page reads (native CLI = wasm, every read pattern)', { skip: CLI ? false : 'no native CLI (set RELU_LAB or build build/relu-lab)' }, () => {
  const native = nativeEvents();
  assert.ok(native.length >= 10, `the config produces events (got ${native.length})`);
  assert.ok(native.some((e) => e[3] === 1 && e[0] % 150 !== 0), 'some revivals happen between revive points (upstream change)');
  // Stamped on the cadence only: multiples of monitor_every (revive_every is one too) or the last step.
  for (const [step] of native) assert.ok(step % 10 === 0 || step === STEPS, `event at step ${step} is off the cadence`);

  const patterns = {
    'read every step': { chunk: 1, read: () => true },
    'read every 97 steps': { chunk: 97, read: () => true },
    'read once at the end': { chunk: STEPS, read: () => false },
    'paused: several reads between steps': { chunk: 13, read: () => true, pauseReads: 3 },
    'single-stepped, read every 50th step': { chunk: 1, read: (s) => s % 50 === 0 },
  };
  for (const [name, p] of Object.entries(patterns)) {
    assert.deepEqual(wasmEvents(p), native, name);
  }
});
