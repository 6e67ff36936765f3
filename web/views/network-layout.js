// Where the network view puts each unit. A layer of at most GRID_ABOVE units is a column of
// round nodes, as it always was; a wider one is a grid of square cells, one per unit, in
// unit order row by row: an image input ([C,H,W]) as its W x (C*H) picture, anything else
// square-ish, fitted to its slot. A conv layer (tiled[c]) is always a grid: one tile per channel,
// big enough to show the channel's feature map. Pure geometry (no canvas): computed once per
// size and shape.
import { GRID_ABOVE } from './network-links.js';

/**
 * w, h: the canvas's CSS size; widths: units per column (inputs, hidden..., outputs);
 * imageShape: [C,H,W] of the inputs or null; compact: the small pictures of a comparison.
 * Returns {r, columns: [{n, x, grid, pos}]}: grid {x0, y0, cell, cols, rows, image} or null;
 * pos: the node centres of a column ([] for a grid); r: the node radius.
 */
export function networkLayout(w, h, widths, imageShape = null, compact = false, tiled = []) {
  const cols = widths.length;
  const padX = compact ? 14 : 26, padTop = compact ? 8 : 22, padBottom = 8;
  const avail = h - padTop - padBottom;
  const gridded = widths.map((n, c) => n > GRID_ABOVE || !!tiled[c]);
  const anyGrid = gridded.some(Boolean);
  // Without grids: the columns from edge to edge, as before. With grids: each column centred
  // in its own slot, so that a grid at either end stays inside the canvas; a grid's slot is
  // twice a column of nodes' (the grid needs the room, the nodes only their links).
  // Tiles (feature maps) get three: a map needs more pixels than a state-coloured cell.
  const weight = gridded.map((g, c) => (tiled[c] ? 3 : g ? 2 : 1));
  const unit = (w - 2 * padX) / (anyGrid ? weight.reduce((a, b) => a + b, 0) : Math.max(1, cols - 1));
  const starts = weight.map((_, c) => weight.slice(0, c).reduce((a, b) => a + b, 0) * unit);
  const colX = (c) => (anyGrid ? padX + starts[c] + (weight[c] * unit) / 2 : padX + unit * c);
  const colMax = Math.max(1, ...widths.filter((n, c) => !gridded[c]));
  const gap = avail / colMax;
  const r = Math.max(2.5, Math.min(compact ? 7 : 11, gap * 0.36));
  const image = validShape(imageShape, widths[0]);
  const columns = widths.map((n, c) => {
    const x = colX(c);
    if (!gridded[c]) {
      const span = gap * (n - 1);
      const y0 = padTop + (avail - span) / 2;
      const pos = Array.from({ length: n }, (_, i) => ({ x, y: n === 1 ? padTop + avail / 2 : y0 + gap * i }));
      return { n, x, grid: null, pos };
    }
    // The grid's box: most of the slot, leaving room for the bands between grids.
    const boxW = Math.max(8, weight[c] * unit * 0.78), boxH = Math.max(8, avail);
    let gc, gr;
    if (c === 0 && image) {
      gc = image[2];
      gr = image[0] * image[1];
    } else {
      gc = Math.max(1, Math.min(n, Math.ceil(Math.sqrt((n * boxW) / boxH))));
      gr = Math.ceil(n / gc);
    }
    const cell = Math.min(boxW / gc, boxH / gr);
    const gw = cell * gc, gh = cell * gr;
    return { n, x, grid: { x0: x - gw / 2, y0: padTop + (avail - gh) / 2, cell, cols: gc, rows: gr, image: c === 0 && !!image, tiles: !!tiled[c] }, pos: [] };
  });
  return { r, columns, padTop };
}

// [C,H,W] when it describes exactly n inputs, else null (then the grid is square-ish).
function validShape(shape, n) {
  if (!Array.isArray(shape) || shape.length !== 3) return null;
  const [C, H, W] = shape.map(Number);
  return [C, H, W].every((v) => Number.isInteger(v) && v > 0) && C * H * W === n ? [C, H, W] : null;
}

/** The centre of unit i of a grid column. */
export function cellCentre(grid, i) {
  const row = Math.floor(i / grid.cols), col = i % grid.cols;
  return { x: grid.x0 + (col + 0.5) * grid.cell, y: grid.y0 + (row + 0.5) * grid.cell };
}

/** The unit of a grid column at (x, y), or -1. */
export function cellAt(grid, n, x, y) {
  const col = Math.floor((x - grid.x0) / grid.cell), row = Math.floor((y - grid.y0) / grid.cell);
  if (col < 0 || col >= grid.cols || row < 0 || row >= grid.rows) return -1;
  const i = row * grid.cols + col;
  return i < n ? i : -1;
}
