// The wasm build's matrix products (engine/gemm.cpp's SIMD kernel) against the naive
// reference: runs build-wasm/gemm_check.cjs, the cases of tests/engine/gemm_cases.h.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHECK = join(ROOT, 'build-wasm', 'gemm_check.cjs');

test('wasm gemm kernel agrees with the naive reference on all 192 cases', () => {
  assert.ok(existsSync(CHECK), `${CHECK} is missing: run \`bash playground.sh wasm\``);
  let out;
  try {
    out = execFileSync(process.execPath, [CHECK], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`gemm_check failed:\n${e.stdout}${e.stderr}`);
  }
  const m = /gemm_check: (\d+) cases, (\d+) failed, .* kernel workspace (\d+) floats/.exec(out);
  assert.ok(m, out);
  assert.equal(Number(m[1]), 192);
  assert.equal(Number(m[2]), 0);
  // A workspace means the kernel (not Eigen) did the float products.
  assert.equal(Number(m[3]), 8 * 1024);
});
