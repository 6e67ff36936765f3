// ConvNetJS 0.3.0 (npm convnetjs, benchmark only) on issue 14's w3: the same LeNet, SGD at the
// engine's rate, the same MNIST digits, timed as steps/s at batch 32.
//
// How the comparison is made fair: ConvNetJS has no batched forward; its Trainer runs forward and
// backward one example at a time, adds each example's gradients up, and updates the weights every
// batch_size examples (the sum / batch_size, i.e. the batch mean, as the engine). So one w3 step
// here is 32 trainer.train(digit, label) calls with batch_size 32: the same arithmetic and one
// update, as a batch-32 step of the engine. Plain SGD (its default momentum 0.9 set to 0), no decay.
// ConvNetJS computes in float64 (its Vols are Float64Array) and allocates its activations anew at
// every forward; that is how it runs in a browser too, so it is timed as it is.
import convnetjs from 'convnetjs';

// batches: [{ x: Float32Array (32 x 784), y: Uint8Array (32) }] (bench/mnist-batches.mjs).
// -> { step(count) }, timed by bench/w3_peers.mjs.
export function convnetjsLenet(batches, lr = 0.01) {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },  // 5x5 'same'
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'fc', num_neurons: 128, activation: 'relu' },
    { type: 'softmax', num_classes: 10 },  // fc 10 + softmax cross-entropy
  ]);
  const batch = batches[0].y.length;
  const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: lr, momentum: 0, l2_decay: 0, batch_size: batch });
  // The digits as ConvNetJS volumes, made once (a 1-channel Vol is the row-major image).
  const vols = batches.map(({ x, y }) =>
    Array.from(y, (label, i) => {
      const v = new convnetjs.Vol(28, 28, 1, 0.0);
      v.w.set(x.subarray(i * 784, (i + 1) * 784));
      return [v, label];
    }));
  let k = 0;
  return {
    step(count) {
      for (let s = 0; s < count; s++) for (const [v, label] of vols[k++ % vols.length]) trainer.train(v, label);
    },
  };
}
