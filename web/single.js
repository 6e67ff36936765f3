// Entry of the single-file build (dist/relu-playground.html, assembled by web/build.mjs):
// the page with the worker, the engine glue and the wasm inlined. The worker runs from a
// blob: URL made of the text web/build.mjs put in window.RELU_INLINE.worker (it carries
// the glue and the wasm bytes itself), so the file works from file:// with no server.
import { setWorkerUrl } from './worker-client.js';

const inline = window.RELU_INLINE;
setWorkerUrl(URL.createObjectURL(new Blob([inline.worker], { type: 'text/javascript' })), 'classic');
await import('./app.js');
