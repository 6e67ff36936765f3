// TensorFlow.js 4.22 (benchmark only) on issue 14's w3: the same LeNet with tf.layers, SGD at the
// engine's rate, softmax cross-entropy, on the same MNIST digits (NHWC; one channel, so the
// image's row-major pixels as they are). Batches are tensors made once and cycled, so what is
// timed is forward + backward + update, as bench/tfjs_bench.mjs does for the dense workloads.
//
// Whether a backend can train it at all is found out, not assumed: tryLenet runs one step and
// returns the error the backend throws (TF.js 4.22's wasm backend registers no
// Conv2DBackpropFilter kernel, so it fails at the first gradient of a conv filter).

function lenet(tf, { trainConvs = true } = {}) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu', trainable: trainConvs }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu', trainable: trainConvs }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}

// batches: [{ x: Float32Array (32 x 784), y: Uint8Array }] (bench/mnist-batches.mjs); the caller
// has set the backend. trainConvs false freezes both conv layers (only the dense head learns, so
// no gradient of a conv is needed). -> { step(count), dispose() }, timed by bench/w3_peers.mjs.
export function tfjsLenet(tf, batches, { lr = 0.01, trainConvs = true } = {}) {
  const tensors = batches.map(({ x, y }) => [
    tf.tensor4d(x, [y.length, 28, 28, 1]),
    tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), 10).toFloat(),
  ]);
  const model = lenet(tf, { trainConvs });
  const optimizer = tf.train.sgd(lr);
  // The layers' own trainable weights: a layer made with trainable: false keeps its tf.Variables
  // trainable, and minimize without a list would still differentiate them.
  const varList = model.trainableWeights.map((w) => w.read());
  let k = 0;
  return {
    step(count) {
      let last = null;
      for (let i = 0; i < count; i++) {
        const [xb, yb] = tensors[k++ % tensors.length];
        if (last) last.dispose();
        last = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb)), true, varList);
      }
      const v = last.dataSync()[0];  // waits for the queued work
      last.dispose();
      return v;
    },
    dispose() {
      for (const [a, b] of tensors) (a.dispose(), b.dispose());
      model.dispose();
      optimizer.dispose();
    },
  };
}

// One training step on the current backend: null if it trains, else the error's first line.
export function tryLenet(tf, batches, options) {
  let setup = null;
  try {
    setup = tfjsLenet(tf, batches.slice(0, 1), options);
    setup.step(1);
    return null;
  } catch (e) {
    return String(e?.message ?? e).split('\n')[0];
  } finally {
    setup?.dispose();
  }
}
