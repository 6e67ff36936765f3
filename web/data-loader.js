// Lazy loading of the packed datasets (mnist, mnist14, iris: tools/pack-datasets.mjs) for a
// worker's engine. The bytes are fetched only when a run asks for one of them, from
// data/NAME.bin beside web/ (dist/data/, relative to this script, so any static host under any
// sub-path works), or taken from the single-file build's embedded copies (gzip + base64,
// decoded with DecompressionStream: no network). Each is handed to engine.provideData once;
// the engine keeps it, so later runs in this worker (a new seed, a compare run) load nothing.
//
//   const loader = createDataLoader({ engine, onProgress: (name, loaded, total) => ... });
//   if (loader.needs(config.dataset)) await loader.load(config.dataset);   // then createRun
//
// Failures reject with a message naming the dataset and what went wrong; nothing is
// registered, so the worker keeps its previous run and a later attempt fetches again.

export const PACKED_DATASETS = Object.freeze(['mnist', 'mnist14', 'iris']);
const PROGRESS_MS = 100;  // at most ten progress messages a second

function dataUrl(name) {
  return new URL(`../data/${name}.bin`, import.meta.url);
}

async function readWithProgress(response, report) {
  const total = Number(response.headers.get('content-length')) || 0;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.length, total || bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    const now = Date.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      report(loaded, total);
    }
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  report(loaded, total || loaded);
  return bytes;
}

async function gunzipBase64(text, report) {
  const packed = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
  return readWithProgress(new Response(stream), report);
}

/**
 * engine: the worker's engine (provideData, hasData). embedded: { name: base64 of the gzipped
 * file } (single-file builds), or null to fetch. onProgress(name, loaded, total): total 0 when
 * the size is unknown.
 */
export function createDataLoader({ engine, embedded = null, onProgress = () => {} }) {
  const loading = new Map();  // name -> Promise, while a load is in flight
  const needs = (name) => PACKED_DATASETS.includes(name) && !engine.hasData(name);

  async function fetchBytes(name, report) {
    if (embedded) {
      if (!embedded[name])
        throw new Error(`dataset ${name} is not in this single-file build (it carries ${Object.keys(embedded).join(', ') || 'no datasets'}); open the playground from its site or dist/, or the single file that carries ${name}`);
      return gunzipBase64(embedded[name], report);
    }
    const url = dataUrl(name);
    let response;
    try {
      response = await fetch(url, { credentials: 'same-origin' });
    } catch (err) {
      throw new Error(`dataset ${name}: could not download ${url.pathname} (${err?.message ?? err})`);
    }
    if (!response.ok) throw new Error(`dataset ${name}: could not download ${url.pathname} (HTTP ${response.status})`);
    return readWithProgress(response, report);
  }

  function load(name) {
    if (!needs(name)) return Promise.resolve();
    if (!loading.has(name)) {
      const report = (loaded, total) => onProgress(name, loaded, total);
      const p = fetchBytes(name, report)
        .then((bytes) => engine.provideData(name, bytes))
        .finally(() => loading.delete(name));
      loading.set(name, p);
    }
    return loading.get(name);
  }

  return { needs, load };
}
