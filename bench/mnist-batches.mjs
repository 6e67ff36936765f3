// The packed MNIST training digits (build/data/mnist.bin, tools/pack-datasets.mjs's format) as
// batches for the w3 peers in node (ConvNetJS, TF.js): the same 28x28x1 digits, pixel/255, in the
// file's order, that the engine trains on. Only the header fields the peers need are read; the
// engine's reader (engine/packed_data.cpp) checks the rest.
import fs from 'node:fs';

// -> { x: Float32Array (count x 784, digit after digit, row-major 28x28), y: Uint8Array, count }
export function readMnistTrain(file) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== 'RELUDATA') throw new Error(`${file}: not a packed dataset`);
  const header = v.getUint32(12, true), samples = v.getUint32(16, true), features = v.getUint32(20, true);
  const [c, h, w] = [v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true)];
  const train = v.getUint32(40, true), encoding = v.getUint32(44, true);
  if (features !== 784 || c !== 1 || h !== 28 || w !== 28 || encoding !== 1) throw new Error(`${file}: not 1x28x28 uint8 MNIST`);
  const x = new Float32Array(train * features);
  for (let i = 0; i < x.length; i++) x[i] = bytes[header + i] / 255;
  const y = bytes.slice(header + samples * features, header + samples * features + train);
  return { x, y, count: train };
}

// Consecutive whole batches of `batch` digits: [{ x: Float32Array (batch x 784), y: Uint8Array }].
export function mnistBatches(data, batch, limit = Infinity) {
  const out = [];
  for (let off = 0; off + batch <= data.count && out.length < limit; off += batch)
    out.push({ x: data.x.subarray(off * 784, (off + batch) * 784), y: data.y.subarray(off, off + batch) });
  return out;
}
