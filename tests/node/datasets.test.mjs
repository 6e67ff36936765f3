// The packed datasets (tools/pack-datasets.mjs -> engine/packed_data.cpp): packing is
// deterministic, the checksum field is FNV-1a 64 of the rest, the build's files are those
// bytes, and the wasm engine loads them into the same data as the native CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, engine } from './wasm-engine.mjs';
import { packAll, fnv1a64, pool2x2 } from '../../tools/pack-datasets.mjs';

const NAMES = ['mnist', 'mnist14', 'iris'];
const DATA = path.join(ROOT, 'build', 'data');
const CLI = [process.env.RELU_LAB, path.join(ROOT, 'build/relu-lab')].find((p) => p && fs.existsSync(p));

// FNV-1a 64 the obvious way (BigInt per byte), to check the packer's two-halves version.
function fnvReference(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}

const first = packAll();

test('packing twice gives identical bytes, and the build packed the same', () => {
  const second = packAll();
  for (const name of NAMES) {
    assert.ok(first[name].equals(second[name]), `${name}: two packs differ`);
    const built = path.join(DATA, `${name}.bin`);
    assert.ok(fs.existsSync(built), `${built} is missing: run bash playground.sh data`);
    assert.ok(fs.readFileSync(built).equals(first[name]), `${built} is not what tools/pack-datasets.mjs packs now`);
  }
});

test("the trailing checksum is FNV-1a 64 of every byte before it", () => {
  for (const name of NAMES) {
    const b = first[name];
    const stored = b.readBigUInt64LE(b.length - 8);
    assert.equal(fnv1a64(b.subarray(0, b.length - 8)), stored, name);
  }
  const iris = first.iris;
  assert.equal(fnvReference(iris.subarray(0, iris.length - 8)), iris.readBigUInt64LE(iris.length - 8));
  assert.equal(fnv1a64(Buffer.from('a')), 0xaf63dc4c8601ec8cn);  // the published FNV-1a 64 of "a"
});

test('mnist14 pools with rounding half up', () => {
  const image = new Uint8Array(784);
  image.set([1, 2], 0);
  image.set([3, 4], 28);   // mean 2.5 -> 3
  image.set([0, 1], 2);
  image.set([0, 0], 30);   // mean 0.25 -> 0
  const pooled = pool2x2(image);
  assert.equal(pooled[0], 3);
  assert.equal(pooled[1], 0);
});

test('wasm loads the packed bytes into the same data as the native CLI', () => {
  for (const name of NAMES) engine.provideData(name, new Uint8Array(first[name]));
  const prints = {};
  for (const name of NAMES) {
    const run = engine.createRun({ dataset: name, layers: [4], seed: 1 });
    const info = run.dataInfo();
    prints[name] = run.dataFingerprint();
    run.dispose();
    assert.equal(info.num_classes, name === 'iris' ? 3 : 10);
    assert.deepEqual(info.imageShape, { mnist: [1, 28, 28], mnist14: [1, 14, 14], iris: null }[name]);
    assert.deepEqual(info.classNames, name === 'iris' ? ['setosa', 'versicolor', 'virginica'] : [...'0123456789']);
    assert.equal(info.train_samples, name === 'iris' ? 120 : 8000);
    assert.equal(info.test_samples, name === 'iris' ? 30 : 2000);
  }
  if (!CLI) return;
  for (const name of NAMES) {
    const out = JSON.parse(execFileSync(CLI, ['train', '--dataset', name, '--layers', '4', '--steps', '0', '--quiet'],
                                        { encoding: 'utf8', maxBuffer: 1 << 26 }));
    assert.equal(out.data_fingerprint, prints[name], `${name}: native ${out.data_fingerprint} vs wasm ${prints[name]}`);
  }
});

test('provideData refuses damaged bytes with the reason and keeps what it had', () => {
  const bad = new Uint8Array(first.iris);
  bad[bad.length - 20] ^= 1;
  assert.throws(() => engine.provideData('iris', bad), /dataset iris: checksum mismatch/);
  assert.throws(() => engine.provideData('iris', new Uint8Array(10)), /not a packed dataset/);
  assert.throws(() => engine.provideData('mnist', new Uint8Array(first.iris)), /is dataset "iris", not "mnist"/);
  assert.throws(() => engine.provideData('spiral', new Uint8Array(first.iris)), /"spiral" is not a packed dataset/);
  assert.ok(engine.hasData('iris'));
  const run = engine.createRun({ dataset: 'iris', layers: [4] });
  assert.equal(run.dataInfo().train_samples, 120);
  run.dispose();
});

test('the CLI names the missing file and how to build it', { skip: CLI ? false : 'no native CLI' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relu-nodata-'));
  try {
    execFileSync(CLI, ['train', '--dataset', 'mnist', '--data-dir', dir, '--steps', '1', '--quiet'], { encoding: 'utf8', stdio: 'pipe' });
    assert.fail('the CLI trained without its data');
  } catch (e) {
    assert.match(String(e.stderr), new RegExp(`"${dir}/mnist.bin" cannot be read; build the packed files with "node tools/pack-datasets.mjs DIR"`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
