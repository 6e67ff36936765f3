// A convnet's feature maps as the worker sends them: what each conv channel outputs, position
// by position, for one input (engine.js run.activations: one forward of one sample).
//
// A map travels as bytes, value / scale x 255 rounded, with one scale per layer (its largest
// output on this input): the network view and the card draw maps in 256 greys anyway, a
// snapshot's maps are a quarter of the floats (the replay store keeps hundreds), and a dead
// channel's map is exactly 0 everywhere (its outputs are all 0, which stays 0). Activations
// below 0 (leaky ReLU, ELU, tanh) are drawn as 0: the map shows where a channel fires.

/**
 * input: {set: 'test' | 'train', index}. Returns {set, index, layers: [per unit layer: {bytes
 * (Uint8Array units x positions), scale, height, width} for a conv layer, null otherwise]}.
 */
export function featureMaps(run, geometry, input) {
  const acts = run.activations(input.index, input.set === 'test');
  return { set: input.set, index: input.index, layers: geometry.units.map((u, l) => (u.kind === 'conv' ? quantise(acts[l], u) : null)) };
}

/**
 * Channel `neuron` of conv layer l on each of the training inputs `indices`: {bytes
 * (indices.length x positions), scale (the largest over all of them), height, width}.
 */
export function channelMaps(run, geometry, l, neuron, indices) {
  const u = geometry.units[l];
  const out = new Float32Array(indices.length * u.positions);
  indices.forEach((j, k) => out.set(run.activations(j, false)[l].subarray(neuron * u.positions, (neuron + 1) * u.positions), k * u.positions));
  return quantise(out, u);
}

// Floats -> bytes on one scale; a non-finite value (a diverged run) draws as 0.
function quantise(values, u) {
  let scale = 0;
  for (const v of values) if (v > scale && Number.isFinite(v)) scale = v;
  const bytes = new Uint8Array(values.length);
  if (scale > 0) for (let k = 0; k < values.length; k++) bytes[k] = values[k] > 0 && Number.isFinite(values[k]) ? Math.round((values[k] / scale) * 255) : 0;
  return { bytes, scale, height: u.height, width: u.width };
}
