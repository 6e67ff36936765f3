// The postMessage API of an embedded page (an iframe of index.html?embed=1).
//
//   in:  {type: 'relu-playground', action, requestId, ...}
//        action: play | pause | step {n} | reset | set {state} | getState | getStats | getWarnings
//   out: {type: 'relu-playground', requestId, ok: true, result} | {…, ok: false, error}
//        sent to the sender (event.source), addressed to its origin.
//
// If the embedder restricted the origins (origins=https://a.example,... in the iframe's
// URL) a message from any other origin is refused: it changes nothing and gets only
// {ok: false, error: 'origin not allowed'}. Malformed or unknown messages get an error
// reply; no message can make this code throw.
export const MESSAGE_TYPE = 'relu-playground';
export const ACTIONS = ['play', 'pause', 'step', 'reset', 'set', 'getState', 'getStats', 'getWarnings'];

/**
 * Pure validation of one incoming message (data, the sender's origin, the allowed origins
 * as a Set or null). Never throws. Returns one of
 *   {ignore: true}                          a reply (ours or another playground's): never answered
 *   {reply: {type, requestId, ok: false, error}}   refused: the error reply to send
 *   {requestId, action, msg}                a well-formed request for one of ACTIONS
 */
export function checkMessage(msg, origin, allowed = null) {
  try {
    const isObj = msg !== null && typeof msg === 'object' && !Array.isArray(msg);
    if (isObj && msg.type === MESSAGE_TYPE && 'ok' in msg) return { ignore: true };
    const requestId = isObj && (typeof msg.requestId === 'string' || typeof msg.requestId === 'number') ? msg.requestId : null;
    const refuse = (error) => ({ reply: { type: MESSAGE_TYPE, requestId, ok: false, error } });
    if (allowed && !allowed.has(origin)) return refuse('origin not allowed');
    if (!isObj) return refuse(`malformed message: expected {type: '${MESSAGE_TYPE}', action, requestId}`);
    if (msg.type !== MESSAGE_TYPE) return refuse(`malformed message: type must be '${MESSAGE_TYPE}'`);
    if (typeof msg.action !== 'string') return refuse('malformed message: action must be a string');
    if (!ACTIONS.includes(msg.action)) return refuse(`unknown action ${JSON.stringify(msg.action.slice(0, 40))}; one of ${ACTIONS.join(', ')}`);
    return { requestId, action: msg.action, msg };
  } catch {
    // Only a hostile object (a throwing getter) gets here; structured clones never do.
    return { reply: { type: MESSAGE_TYPE, requestId: null, ok: false, error: 'malformed message' } };
  }
}

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
        return app.set(msg.state, 'message');
      case 'getState':
        return app.getState();
      case 'getStats':
        return app.getStats();
      case 'getWarnings':
        return app.getWarnings();
      default:
        throw new Error(`unknown action ${JSON.stringify(String(action).slice(0, 40))}; one of ${ACTIONS.join(', ')}`);
    }
  }
  async function onMessage(e) {
    const source = e.source;
    if (!source || source === target) return; // only other windows (parent, opener, frames) drive the page
    const checked = checkMessage(e.data, e.origin, allowed);
    if (checked.ignore) return;
    const reply = (body) => {
      try {
        // An opaque origin ("null", e.g. a file:// page) can only be addressed with '*'.
        source.postMessage(body, e.origin && e.origin !== 'null' ? e.origin : '*');
      } catch {
        // the sender went away
      }
    };
    if (checked.reply) return reply(checked.reply);
    const { requestId, action, msg } = checked;
    try {
      const result = await run(action, msg);
      reply({ type: MESSAGE_TYPE, requestId, ok: true, result: JSON.parse(JSON.stringify(result ?? null)) });
    } catch (err) {
      reply({ type: MESSAGE_TYPE, requestId, ok: false, error: String(err?.message ?? err) });
    }
  }
  const handler = (e) => {
    onMessage(e).catch(() => {});
  };
  target.addEventListener('message', handler);
  return () => target.removeEventListener('message', handler);
}
