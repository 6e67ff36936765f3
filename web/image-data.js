// Image datasets seen from the page and the worker: the shape a dataset's inputs have as a
// picture, and the two ways they are drawn (inputs in grey, weights in a diverging palette).
// Inputs are pixel/255 in [0, 1], samples as columns in (C, H, W) row-major order
// (pixel index = c*H*W + y*W + x); the worker sends them as their bytes (worker.js compactSet).

/** [C, H, W] when the data are images (dataInfo().imageShape), else null. */
export function imageShapeOf(info) {
  const s = info?.imageShape ?? info?.image_shape ?? null;
  return Array.isArray(s) && s.length === 3 && s.every((v) => Number.isInteger(v) && v > 0) ? s : null;
}

/** The names of the K classes: the data's own (digits, species, a CSV's labels), else 0..K-1. */
export function classNamesOf(info) {
  const K = info?.task === 'binary' ? 2 : info?.num_classes ?? 0;
  const names = info?.classNames ?? info?.class_names;
  return names?.length === K ? names.map(String) : Array.from({ length: K }, (_, k) => String(k));
}

// Diverging palette for weights, the links' colours (blue positive, orange negative), white at 0.
const POS = [0, 114, 178];
const NEG = [213, 94, 0];

/**
 * Writes one image (C x H x W values read by at(p), p the pixel index) into rgba (an
 * ImageData's data) at (ox, oy) of an image `stride` pixels wide. Several channels: their mean.
 * kind 'input': grey, 0 white to 1 black (ink on paper, as the digits were written);
 * kind 'weight': diverging around 0, t = value / scale clamped to [-1, 1].
 */
export function paintImage(rgba, stride, ox, oy, [C, H, W], at, kind, scale = 1) {
  const plane = H * W;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let v = 0;
      for (let c = 0; c < C; c++) v += at(c * plane + y * W + x);
      v /= C;
      const o = 4 * ((oy + y) * stride + ox + x);
      if (kind === 'input') {
        const g = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
        rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
      } else {
        const t = Math.max(-1, Math.min(1, v / scale));
        const col = t >= 0 ? POS : NEG;
        const a = Math.abs(t);
        rgba[o] = Math.round(255 + (col[0] - 255) * a);
        rgba[o + 1] = Math.round(255 + (col[1] - 255) * a);
        rgba[o + 2] = Math.round(255 + (col[2] - 255) * a);
      }
      rgba[o + 3] = 255;
    }
}

/** Sample j of a set the worker sent ({pixels} or {x}) as a reader of its values in [0, 1]. */
export function sampleReader(set, j, features) {
  const base = j * features;
  if (set.pixels) return (p) => set.pixels[base + p] / 255;
  return (p) => set.x[base + p];
}

/**
 * Unit i's incoming weights in layer l of weights ({params, layers}: run.weights()), as a
 * reader of weight j, and its largest |w| (the scale its picture is drawn at). Weight j of unit
 * i sits at wOffset + i unitStep + j tapStep (engine/layers/unit_layer.h: a dense W is (out x
 * in) column-major, a conv filter is contiguous in PyTorch's [in][kh][kw] order).
 */
export function unitWeights(weights, i, l = 0) {
  const L = weights.layers[l];
  const p = weights.params;
  const base = L.wOffset + i * (L.unitStep ?? 1), tap = L.tapStep ?? L.out;
  const at = (k) => p[base + k * tap];
  let max = 0;
  for (let k = 0; k < L.in; k++) max = Math.max(max, Math.abs(at(k)));
  return { at, max: max || 1 };
}

/**
 * How a unit's incoming weights are drawn: {shape [C,H,W], at (pixel -> weight), max}, or null
 * when they are not a picture (a dense layer above the first). A first dense layer's weights
 * are the input image's shape; a conv filter (unit: geometry.units[l]) is its in-channels'
 * k x k slices in a grid, ceil(sqrt(in)) slices a row, one white pixel between slices.
 */
export function unitPicture(weights, l, i, imageShape, unit = null) {
  if (!weights?.layers?.[l]) return null;
  if (unit?.kind !== 'conv') return l === 0 && imageShape ? { shape: imageShape, ...unitWeights(weights, i, 0) } : null;
  const { at, max } = unitWeights(weights, i, l);
  const { kernel: k, inChannels: cin } = unit;
  const cols = Math.ceil(Math.sqrt(cin)), rows = Math.ceil(cin / cols);
  const W = cols * (k + 1) - 1, H = rows * (k + 1) - 1;
  const pixel = (p) => {
    const y = Math.floor(p / W), x = p % W;
    const sy = Math.floor(y / (k + 1)), sx = Math.floor(x / (k + 1)), c = sy * cols + sx;
    const iy = y % (k + 1), ix = x % (k + 1);
    return iy === k || ix === k || c >= cin ? 0 : at((c * k + iy) * k + ix);
  };
  return { shape: [1, H, W], at: pixel, max };
}
