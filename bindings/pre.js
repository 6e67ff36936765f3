// --pre-js of relu_engine.js (runs inside the module factory, before the runtime's
// environment code). The glue is an ES module (-sEXPORT_ES6=1) that may run under node,
// and Emscripten 3.1.6's node branch reads __dirname, which ES modules do not have:
// derive it from the module's own URL (_scriptDir = import.meta.url in this glue).
// Under node, engine.js passes wasmBinary, so nothing is read from that directory.
var __dirname = (typeof _scriptDir == 'string' && _scriptDir.startsWith('file:'))
  ? decodeURIComponent(new URL('.', _scriptDir).pathname)
  : '';
