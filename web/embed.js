// The postMessage API of an embedded page (an iframe of index.html?embed=1).
//
//   in:  {type: 'relu-playground', action, requestId, ...}
//        action: play | pause | step {n} | reset | set {state} | getState | getStats
//   out: {type: 'relu-playground', requestId, ok: true, result} | {…, ok: false, error}
//        sent to the sender (event.source), addressed to its origin.
//
// If the embedder restricted the origins (origins=https://a.example,... in the iframe's
// URL) a message from any other origin is refused: it changes nothing and gets only
// {ok: false, error: 'origin not allowed'}. Malformed or unknown messages get an error
// reply; no message can make this code throw.
export const MESSAGE_TYPE = 'relu-playground';
export const ACTIONS = ['play', 'pause', 'step', 'reset', 'set', 'getState', 'getStats'];

export function installMessageApi(app, { origins = null, target = window } = {}) {
  const allowed = origins ? new Set(origins) : null;
  async function run(action, msg) {
    switch (action) {
      case 'play':
        return { playing: app.play() };
      case 'pause':
        return { playing: app.pause() };
      case 'step':
        return app.step(msg.n ?? 1);
      case 'reset':
        return app.reset();
      case 'set':
        return app.set(msg.state);
      case 'getState':
        return app.getState();
      case 'getStats':
        return app.getStats();
      default:
        throw new Error(`unknown action ${JSON.stringify(String(action).slice(0, 40))}; one of ${ACTIONS.join(', ')}`);
    }
  }
  async function onMessage(e) {
    const source = e.source;
    if (!source || source === target) return; // only other windows (parent, opener, frames) drive the page
    const msg = e.data;
    // Replies (ours or another playground's) are never answered: no ping-pong.
    if (msg && typeof msg === 'object' && msg.type === MESSAGE_TYPE && 'ok' in msg) return;
    const requestId = msg && typeof msg === 'object' && (typeof msg.requestId === 'string' || typeof msg.requestId === 'number') ? msg.requestId : null;
    const reply = (body) => {
      try {
        // An opaque origin ("null", e.g. a file:// page) can only be addressed with '*'.
        source.postMessage({ type: MESSAGE_TYPE, requestId, ...body }, e.origin && e.origin !== 'null' ? e.origin : '*');
      } catch {
        // the sender went away
      }
    };
    if (allowed && !allowed.has(e.origin)) return reply({ ok: false, error: 'origin not allowed' });
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return reply({ ok: false, error: `malformed message: expected {type: '${MESSAGE_TYPE}', action, requestId}` });
    if (msg.type !== MESSAGE_TYPE) return reply({ ok: false, error: `malformed message: type must be '${MESSAGE_TYPE}'` });
    if (typeof msg.action !== 'string') return reply({ ok: false, error: 'malformed message: action must be a string' });
    try {
      const result = await run(msg.action, msg);
      reply({ ok: true, result: JSON.parse(JSON.stringify(result ?? null)) });
    } catch (err) {
      reply({ ok: false, error: String(err?.message ?? err) });
    }
  }
  const handler = (e) => {
    onMessage(e).catch(() => {});
  };
  target.addEventListener('message', handler);
  return () => target.removeEventListener('message', handler);
}
