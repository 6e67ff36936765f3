// A network spec as the page takes it (the setting `net`, a link's ?net=…), read before the
// engine exists so that a bad link is refused with a specific message and the previous state
// kept. The grammar is the engine's (engine/net_spec.h; the engine checks it again when the run
// is made):
//
//   conv2d(channels, kernel[, padding[, stride]][, norm][, activation])   padding same | valid | 0..;
//   maxpool(size), avgpool(size)                                          stride 1 | 2
//   dense(units[, norm][, activation])                                    norm batchnorm | layernorm
//
// (a norm, engine/layers/norm.h: BatchNorm per unit or channel, LayerNorm over a layer's units,
// read as {norm: 'batch' | 'layer' | null}, the engine's JSON "norm"), and the page's own
// limits (docs/limits.md): what a browser tab trains at a watchable rate. Pure: no DOM, no engine.

export const NET_LIMITS = Object.freeze({ layers: 10, channels: 64, kernel: 11, pad: 5, pool: 8, units: 512, text: 200 });
const TYPES = ['conv2d', 'maxpool', 'avgpool', 'dense'];

/**
 * Reads a spec. activations: the engine's activation names. Returns {layers, text} (text: the
 * spec written back canonically, as links carry it) or {error} naming the token and the fault.
 */
export function parseNet(source, activations) {
  const text = String(source ?? '').replace(/\s+/g, '').toLowerCase();
  if (text === '') return { layers: [], text: '' };
  if (text.length > NET_LIMITS.text) return { error: `net: longer than ${NET_LIMITS.text} characters` };
  const tokens = text.match(/[a-z0-9_]+\([^()]*\)|[^,]+/g) ?? [];
  if (tokens.join(',') !== text) return { error: 'net: write layers as name(arguments) separated by commas, e.g. conv2d(8,5,same),maxpool(2),dense(64)' };
  if (tokens.length > NET_LIMITS.layers) return { error: `net: at most ${NET_LIMITS.layers} layers (got ${tokens.length})` };
  const layers = [];
  for (let t = 0; t < tokens.length; t++) {
    const m = /^([a-z0-9_]+)\(([^()]*)\)$/.exec(tokens[t]);
    const where = `net: token ${t + 1} "${tokens[t].slice(0, 30)}"`;
    if (!m) return { error: `${where}: expected name(arguments)` };
    const [, type, argText] = m;
    if (!TYPES.includes(type)) return { error: `${where}: unknown layer type (one of ${TYPES.join(', ')})` };
    const args = argText === '' ? [] : argText.split(',');
    const layer = readToken(type, args, activations);
    if (typeof layer === 'string') return { error: `${where}: ${layer}` };
    layers.push(layer);
  }
  return { layers, text: layers.map(writeToken).join(',') };
}

const NORMS = { batchnorm: 'batch', layernorm: 'layer' };

// One token's arguments -> a layer, or a string saying what is wrong.
function readToken(type, args, activations) {
  const int = (s, lo, hi, what) => {
    if (!/^\d+$/.test(s ?? '')) return `${what} must be a whole number`;
    const v = Number(s);
    return v < lo || v > hi ? `${what} must be in ${lo}..${hi}` : v;
  };
  // A norm may stand anywhere among the trailing words, as the engine reads it.
  const norms = args.filter((a) => a in NORMS);
  if (norms.length && type !== 'conv2d' && type !== 'dense') return `${type} takes no norm`;
  if (norms.length > 1) return 'one norm per layer';
  const norm = norms.length ? NORMS[norms[0]] : null;
  args = args.filter((a) => !(a in NORMS));
  let activation = null;
  if (args.length && /^[a-z_]+$/.test(args[args.length - 1]) && !['same', 'valid'].includes(args[args.length - 1])) {
    activation = args.pop();
    if (type !== 'conv2d' && type !== 'dense') return `${type} takes no activation`;
    if (!activations.includes(activation)) return `unknown activation "${activation}"`;
  }
  if (type === 'dense') {
    if (args.length !== 1) return 'dense takes (units[, norm][, activation])';
    const units = int(args[0], 1, NET_LIMITS.units, 'units');
    return typeof units === 'string' ? units : { type, units, norm, activation };
  }
  if (type === 'maxpool' || type === 'avgpool') {
    if (args.length !== 1) return `${type} takes (size)`;
    const size = int(args[0], 1, NET_LIMITS.pool, 'size');
    return typeof size === 'string' ? size : { type, size };
  }
  if (args.length < 2 || args.length > 4) return 'conv2d takes (channels, kernel[, padding[, stride]][, norm][, activation])';
  const channels = int(args[0], 1, NET_LIMITS.channels, 'channels');
  if (typeof channels === 'string') return channels;
  const kernel = int(args[1], 1, NET_LIMITS.kernel, 'kernel');
  if (typeof kernel === 'string') return kernel;
  const padding = args[2] === undefined || args[2] === 'valid' ? 0 : args[2] === 'same' ? 'same' : int(args[2], 0, NET_LIMITS.pad, 'padding');
  if (typeof padding === 'string' && padding !== 'same') return padding;
  const stride = args[3] === undefined ? 1 : int(args[3], 1, 2, 'stride');
  if (typeof stride === 'string') return stride;
  if (padding === 'same' && stride !== 1) return 'padding same needs stride 1';
  return { type, channels, kernel, padding, stride, norm, activation };
}

function writeToken(L) {
  const act = (L.norm ? `,${L.norm}norm` : '') + (L.activation ? `,${L.activation}` : '');
  if (L.type === 'dense') return `dense(${L.units}${act})`;
  if (L.type !== 'conv2d') return `${L.type}(${L.size})`;
  const pad = L.padding === 'same' ? 'same' : L.padding === 0 ? 'valid' : String(L.padding);
  const tail = L.stride !== 1 ? `,${pad},${L.stride}` : pad === 'valid' ? '' : `,${pad}`;
  return `conv2d(${L.channels},${L.kernel}${tail}${act})`;
}

/** True when the spec has a convolution or pooling layer (it needs image inputs). */
export const hasImageLayers = (layers) => layers.some((L) => L.type !== 'dense');

/** The widths of the unit layers (conv channels, dense neurons): the setting `layers` of a net. */
export const netWidths = (layers) => layers.filter((L) => L.type === 'conv2d' || L.type === 'dense').map((L) => L.channels ?? L.units);

/**
 * Shapes through the net for [C,H,W] inputs (engine/layers/conv2d.h: ho = (h + pads - k) /
 * stride + 1; pooling floors, as PyTorch does; flatten before the first dense layer), and the
 * multiply-adds of one sample's forward. Returns {units: [{kind 'conv'|'dense', units,
 * positions, height, width, inChannels, kernel}] (one per unit layer, the output layer not
 * included), macs, firstMacs, outVolume} or {error}.
 */
export function netGeometry(layers, [C, H, W], outputs = 0) {
  let c = C, h = H, w = W, flat = false;
  const units = [];
  let macs = 0, firstMacs = 0;
  for (const [t, L] of layers.entries()) {
    const where = `net: layer ${t + 1} (${writeToken(L)})`;
    if (L.type === 'dense') {
      const inputs = flat ? c : c * h * w;
      const m = inputs * L.units;
      if (!units.length) firstMacs = m;
      macs += m;
      units.push({ kind: 'dense', units: L.units, positions: 1, height: 1, width: 1, inChannels: inputs, kernel: 1 });
      (c = L.units), (h = w = 1), (flat = true);
      continue;
    }
    if (flat) return { error: `${where}: comes after a dense layer; convolutions and pooling come first` };
    if (L.type === 'conv2d') {
      const lo = L.padding === 'same' ? (L.kernel - 1) >> 1 : L.padding;
      const pads = L.padding === 'same' ? L.kernel - 1 : 2 * L.padding;
      const ho = Math.floor((h + pads - L.kernel) / L.stride) + 1, wo = Math.floor((w + pads - L.kernel) / L.stride) + 1;
      if (!(lo >= 0) || ho < 1 || wo < 1) return { error: `${where}: a ${L.kernel}x${L.kernel} kernel does not fit a ${h}x${w} map` };
      const m = ho * wo * L.channels * c * L.kernel * L.kernel;
      if (!units.length) firstMacs = m;
      macs += m;
      units.push({ kind: 'conv', units: L.channels, positions: ho * wo, height: ho, width: wo, inChannels: c, kernel: L.kernel });
      (c = L.channels), (h = ho), (w = wo);
    } else {
      if (L.size > h || L.size > w) return { error: `${where}: a ${L.size}x${L.size} window does not fit a ${h}x${w} map` };
      (h = Math.floor(h / L.size)), (w = Math.floor(w / L.size));
    }
  }
  macs += (flat ? c : c * h * w) * outputs;
  return { units, macs, firstMacs, outVolume: [c, h, w] };
}
