// Your own data through the real .wasm: a CSV's last column read as classes or numbers
// (engine/dataset.h csv_targets), the names dataInfo() gives the page, the default test split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine } from './wasm-engine.mjs';

const SPECIES = ['setosa', 'versicolor', 'virginica'];
const rows = (header, n, row) => [header, ...Array.from({ length: n }, (_, i) => row(i).join(','))].join('\n');
const THREE = rows('petal_length,petal_width,species', 60, (i) => [(1.5 + 2.2 * (i % 3) + Math.sin(i) * 0.6).toFixed(3), (0.3 + 0.8 * (i % 3)).toFixed(3), SPECIES[i % 3]]);
const BINARY = rows('a,b,label', 40, (i) => [Math.cos(i).toFixed(3), Math.sin(i * 1.3).toFixed(3), i % 2]);

test('text labels: softmax over 3 classes, names from the header, a quarter held out', () => {
  const run = engine.createRun({ dataset: 'csv', csv_text: THREE, layers: [6], seed: 2 });
  try {
    const info = run.dataInfo();
    assert.equal(info.task, 'multiclass');
    assert.equal(info.num_classes, 3);
    assert.equal(info.loss, 'ce');
    assert.deepEqual(info.class_names, SPECIES);
    assert.deepEqual(info.feature_names, ['petal_length', 'petal_width']);
    assert.equal(info.target_name, 'species');
    assert.equal(info.test_samples, 15);
    assert.equal(info.train_samples, 45);
    // Targets are class indices 0..2 in order of first appearance.
    assert.deepEqual([...new Set(run.data(false).y)].sort(), [0, 1, 2]);
    run.step(20);
    const s = run.snapshot();
    assert.ok(Number.isFinite(s.testLoss), `test loss ${s.testLoss}`);
    assert.ok(s.testAccuracy >= 0 && s.testAccuracy <= 1);
    assert.equal(run.predict(run.data(true).x).length, 3 * 15, 'three outputs per row');
  } finally {
    run.dispose();
  }
});

test('0/1 labels: sigmoid and bce; task regression and loss mse read numbers', () => {
  const bin = engine.createRun({ dataset: 'csv', csv_text: BINARY, layers: [4] });
  assert.equal(bin.dataInfo().task, 'binary');
  assert.equal(bin.dataInfo().loss, 'bce');
  assert.deepEqual(bin.dataInfo().class_names, ['0', '1']);
  bin.dispose();
  for (const cfg of [{ task: 'regression' }, { loss: 'mse' }]) {
    const reg = engine.createRun({ dataset: 'csv', csv_text: BINARY, layers: [4], ...cfg });
    assert.equal(reg.dataInfo().task, 'regression', JSON.stringify(cfg));
    assert.deepEqual(reg.dataInfo().class_names, []);
    reg.dispose();
  }
});

test('a task that does not fit the column throws the engine message', () => {
  assert.throws(() => engine.createRun({ dataset: 'csv', csv_text: THREE, task: 'regression' }), /CSV line 2, column 3: "setosa" is not a number \(regression needs a number/);
  assert.throws(() => engine.createRun({ dataset: 'csv', csv_text: 'x,y\n1,0.5\n2,1.5\n', task: 'classification' }), /"0\.5" is not a whole number/);
  assert.throws(() => engine.createRun({ dataset: 'csv', csv_text: 'x,y\n1,2\n3,abc\n' }), /CSV line 3, column 2: "abc" is not a number$/);
  assert.throws(() => engine.createRun({ dataset: 'spiral', task: 'regression' }), /task regression does not apply to dataset "spiral"/);
});
