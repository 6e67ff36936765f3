// What the network view needs of the weights, reduced once per weights object: the links of
// small layer pairs one by one, and for wide pairs only a summary (a wide pair is drawn as
// one band, so its matrix is never read link by link). The replay store keeps this model
// instead of the full parameters of a wide net (web/page/replay.js): one snapshot of a
// 784->512x3->10 net carries 3.7 MB of parameters, the model about 3 KB.

/** A layer with more units than this is drawn as a grid of cells (docs/limits.md). */
export const GRID_ABOVE = 32;
/**
 * A layer pair's links are drawn one by one when neither end is a grid, so at most
 * GRID_ABOVE x GRID_ABOVE = 1,024 links per pair; above that the pair is one band.
 */
export const MAX_PAIR_LINKS = GRID_ABOVE * GRID_ABOVE;
export const linksDrawn = (nIn, nOut) => nIn <= GRID_ABOVE && nOut <= GRID_ABOVE;

const cache = new WeakMap(); // weights object -> its model

/**
 * weights: {params, layers:[{in, out, wOffset, ...}]} as the worker sends it, or a model
 * already (from the replay store). Returns {pairs, maxAbs}: per layer pair {in, out,
 * lines (the W block, [i * out + o], copied; null for a band), meanAbs (mean |w| of the
 * pair), inputMeanAbs (per source unit, the mean |w| of its outgoing links: for a gridded
 * input layer only, else null)}; maxAbs: the largest finite |w| among the drawn lines.
 */
export function linkModel(weights) {
  if (!weights) return null;
  if (weights.pairs) return weights;
  const hit = cache.get(weights);
  if (hit) return hit;
  const { params, layers } = weights;
  let maxAbs = 1e-6;
  const pairs = layers.map((L, li) => {
    const n = L.in * L.out;
    const block = params.subarray(L.wOffset, L.wOffset + n);
    let sum = 0;
    let inputMeanAbs = null;
    if (li === 0 && L.in > GRID_ABOVE) {
      inputMeanAbs = new Float32Array(L.in);
      for (let i = 0; i < L.in; i++) {
        let s = 0;
        for (let o = 0, k = i * L.out; o < L.out; o++, k++) s += Math.abs(block[k]);
        inputMeanAbs[i] = s / L.out;
        sum += s;
      }
    } else {
      for (let k = 0; k < n; k++) sum += Math.abs(block[k]);
    }
    let lines = null;
    if (linksDrawn(L.in, L.out)) {
      lines = block.slice(); // a copy: the model must not hold the whole parameter buffer
      for (let k = 0; k < n; k++) {
        const a = Math.abs(lines[k]);
        if (a > maxAbs && Number.isFinite(a)) maxAbs = a;
      }
    }
    return { in: L.in, out: L.out, lines, meanAbs: n ? sum / n : 0, inputMeanAbs };
  });
  const model = { pairs, maxAbs };
  cache.set(weights, model);
  return model;
}

/** The typed arrays a model holds (the replay store counts their bytes). */
export function modelArrays(model) {
  const out = [];
  for (const p of model?.pairs ?? []) for (const a of [p.lines, p.inputMeanAbs]) if (a) out.push(a);
  return out;
}
