// Where the network view puts wide layers (web/views/network-layout.js, pure geometry): a
// layer above GRID_ABOVE units is a grid with one cell per unit, an image input ([C,H,W])
// its own W x C*H picture, every grid inside the canvas, and cellAt inverts cellCentre.
// Which pairs keep their links one by one (web/views/network-links.js linksDrawn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkLayout, cellCentre, cellAt } from '../../web/views/network-layout.js';
import { GRID_ABOVE, linksDrawn } from '../../web/views/network-links.js';

const inside = (g, n, w, h) => g.x0 >= 0 && g.y0 >= 0 && g.x0 + g.cell * g.cols <= w + 1e-9 && g.y0 + g.cell * Math.ceil(n / g.cols) <= h + 1e-9;

test('784 image inputs are a 28 x 28 picture; hidden 512s are grids with a cell per unit; small columns stay nodes', () => {
  for (const [w, h] of [[1000, 250], [350, 420], [560, 150]]) {
    const { columns } = networkLayout(w, h, [784, 512, 512, 512, 10], [1, 28, 28]);
    assert.deepEqual(columns.map((c) => (c.grid ? (c.grid.image ? 'image' : 'grid') : 'nodes')), ['image', 'grid', 'grid', 'grid', 'nodes']);
    assert.equal(columns[0].grid.cols, 28);
    assert.equal(columns[0].grid.rows, 28);
    for (const c of columns.slice(0, 4)) {
      assert.ok(c.grid.cols * c.grid.rows >= c.n, 'room for every unit');
      assert.ok(c.grid.cols * (c.grid.rows - 1) < c.n, 'no empty row');
      assert.ok(inside(c.grid, c.n, w, h), `grid inside the ${w}x${h} canvas`);
    }
    assert.equal(columns[4].pos.length, 10, 'every output node');
    // Grids do not overlap their neighbours.
    for (let c = 1; c < 4; c++) assert.ok(columns[c].grid.x0 > columns[c - 1].grid.x0 + columns[c - 1].grid.cell * columns[c - 1].grid.cols);
  }
});

test('a shape that does not describe the inputs, or none, gives a square-ish grid; 32 units stay a column', () => {
  const a = networkLayout(800, 300, [784, 32, 2], [1, 28, 27]).columns;
  assert.equal(a[0].grid.image, false);
  assert.equal(a[1].grid, null);
  assert.equal(a[1].pos.length, GRID_ABOVE);
  const b = networkLayout(800, 300, [3, 33, 1]).columns;
  assert.ok(b[1].grid, '33 units: a grid');
  // 3-channel images stack their channels.
  const c = networkLayout(800, 300, [3 * 8 * 8, 4, 1], [3, 8, 8]).columns;
  assert.deepEqual([c[0].grid.cols, c[0].grid.rows, c[0].grid.image], [8, 24, true]);
});

test('cellAt finds the unit whose cell centre it is given, and nothing outside the grid', () => {
  const { columns } = networkLayout(900, 260, [2, 300, 1]);
  const g = columns[1].grid;
  for (const i of [0, 1, g.cols - 1, g.cols, 150, 299]) {
    const p = cellCentre(g, i);
    assert.equal(cellAt(g, 300, p.x, p.y), i);
  }
  assert.equal(cellAt(g, 300, g.x0 - 1, g.y0 + 1), -1);
  const last = cellCentre(g, 299);
  if (300 % g.cols) assert.equal(cellAt(g, 300, last.x + g.cell, last.y), -1, 'past the last unit of a partial row');
});

test('links are drawn one by one only when both ends have at most 32 units', () => {
  assert.equal(linksDrawn(32, 32), true);
  assert.equal(linksDrawn(2, 33), false);
  assert.equal(linksDrawn(784, 8), false);
  assert.equal(linksDrawn(8, 10), true);
});
