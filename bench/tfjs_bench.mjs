// TensorFlow.js (wasm backend, SIMD) on the same networks, batch, optimiser and data
// as the engine's workloads. Works in node and in the browser: pass the tf namespace.
//
// Model: tf.layers.dense stack with relu, output sigmoid+BCE (small, binary spiral) or
// logits + softmax cross-entropy (large); SGD with the same learning rate; glorot/he
// initialisation does not matter for throughput. Batches are pre-made tensors cycled
// in order, so what is timed is forward + backward + update.

function makeModel(tf, inputs, hidden, outputs) {
  const model = tf.sequential();
  hidden.forEach((w, i) => {
    model.add(tf.layers.dense({ units: w, activation: 'relu', inputShape: i === 0 ? [inputs] : undefined, kernelInitializer: 'heNormal' }));
  });
  model.add(tf.layers.dense({ units: outputs, activation: 'linear' }));
  return model;
}

// data: { x: Float32Array (features x n, column-major, as engine run.data() gives),
//         y: Float32Array, features, n }; kind: 'bce' | 'ce'
export function tfSetup(tf, { data, hidden, outputs, batch, lr, kind }) {
  const { features } = data;
  const n = data.y.length;
  const rows = new Float32Array(n * features);  // column-major (features x n) is row-major (n x features)
  rows.set(data.x);
  const batches = [];
  for (let off = 0; off + batch <= n; off += batch) {
    const xb = tf.tensor2d(rows.subarray(off * features, (off + batch) * features), [batch, features]);
    const labels = data.y.subarray(off, off + batch);
    const yb = kind === 'ce'
      ? tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), outputs).toFloat()
      : tf.tensor2d(labels, [batch, 1]);
    batches.push([xb, yb]);
  }
  const model = makeModel(tf, features, hidden, outputs);
  const optimizer = tf.train.sgd(lr);
  const lossFn = kind === 'ce'
    ? (logits, y) => tf.losses.softmaxCrossEntropy(y, logits)
    : (logits, y) => tf.losses.sigmoidCrossEntropy(y, logits);
  let k = 0;
  const step = (count) => {
    let last = null;
    for (let i = 0; i < count; i++) {
      const [xb, yb] = batches[k++ % batches.length];
      if (last) last.dispose();
      last = optimizer.minimize(() => lossFn(model.apply(xb), yb), true);
    }
    const v = last.dataSync()[0];  // waits for the queued work
    last.dispose();
    return v;
  };
  const dispose = () => {
    for (const [a, b] of batches) (a.dispose(), b.dispose());
    model.dispose?.();
    optimizer.dispose();
  };
  return { step, dispose };
}

