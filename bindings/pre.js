// --pre-js of relu_engine.js (runs inside the module factory, before the runtime's
// environment code). The glue is an ES module (-sEXPORT_ES6=1) that may run under node,
// and Emscripten 3.1.6's node branch reads __dirname and require, which ES modules do not
// have: derive __dirname from the module's own URL (_scriptDir = import.meta.url in this
// glue), and take require from the factory's options (engine.js passes one made with
// module.createRequire under node). In browsers neither is used.
var __dirname = (typeof _scriptDir == 'string' && _scriptDir.startsWith('file:'))
  ? decodeURIComponent(new URL('.', _scriptDir).pathname)
  : '';
var require = Module['nodeRequire'];
