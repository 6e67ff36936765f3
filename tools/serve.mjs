// A small static file server for dist/: correct MIME types (application/wasm),
// loopback only, optional Content-Security-Policy header for the CSP test.
//   node tools/serve.mjs DIR [PORT] [--csp "policy"]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.csv': 'text/csv', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

export function startServer(dir, port = 8000, { csp = null, host = '127.0.0.1' } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let path = normalize(join(root, decodeURIComponent(url.pathname)));
      if (path !== root && !path.startsWith(root + sep)) throw Object.assign(new Error('outside root'), { code: 'ENOENT' });
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path);
      const headers = { 'Content-Type': TYPES[extname(path)] || 'application/octet-stream', 'Cache-Control': 'no-cache' };
      if (csp) headers['Content-Security-Policy'] = csp;
      res.writeHead(200, headers);
      res.end(body);
    } catch (err) {
      res.writeHead(err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 404 : 500, { 'Content-Type': 'text/plain' });
      res.end(err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 'not found' : 'server error');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = 'dist', port = '8000'] = process.argv.slice(2).filter((a, i, all) => a !== '--csp' && all[i - 1] !== '--csp');
  const cspAt = process.argv.indexOf('--csp');
  const csp = cspAt > 0 ? process.argv[cspAt + 1] : null;
  const server = await startServer(dir, Number(port), { csp });
  console.log(`serving ${resolve(dir)} on http://127.0.0.1:${server.address().port}/`);
}
