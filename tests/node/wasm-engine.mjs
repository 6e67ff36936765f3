// The real wasm module, loaded once per test file: from RELU_WASM_DIR, else build-wasm/, else dist/.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadEngine } from '../../web/engine.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export function wasmDir() {
  for (const d of [process.env.RELU_WASM_DIR, path.join(ROOT, 'build-wasm'), path.join(ROOT, 'dist')]) {
    if (d && fs.existsSync(path.join(d, 'relu_engine.wasm'))) return d;
  }
  throw new Error('relu_engine.wasm not found: build it (see bindings/README.md) or set RELU_WASM_DIR');
}

export const engine = await loadEngine({ moduleUrl: pathToFileURL(path.join(wasmDir(), 'relu_engine.js')) });
