// The whole Catch2 engine suite (tests/engine), built for wasm by bindings/wasm.cmake and
// run here: the science is checked in the build users run (its gemm kernel, libc++, the
// 16-byte heap of bindings/aligned_heap.c), not only natively.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUITE = join(ROOT, 'build-wasm', 'engine_tests.cjs');

// Every TEST_CASE in the sources: none may be compiled out of the wasm build.
function testCasesInSources() {
  const dir = join(ROOT, 'tests', 'engine');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpp'))
    .reduce((n, f) => n + (readFileSync(join(dir, f), 'utf8').match(/^\s*TEST_CASE\(/gm) || []).length, 0);
}

test('the engine suite passes in wasm, every test case included', () => {
  assert.ok(existsSync(SUITE), `${SUITE} is missing: run \`bash playground.sh wasm\``);
  let out;
  try {
    out = execFileSync(process.execPath, [SUITE, '--use-colour', 'no'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    assert.fail(`engine suite failed in wasm:\n${String(e.stdout).slice(-6000)}${e.stderr}`);
  }
  const m = /All tests passed \((\d+) assertions in (\d+) test cases\)/.exec(out);
  assert.ok(m, out.slice(-3000));
  assert.equal(Number(m[2]), testCasesInSources());
});
