// The page (index.html): one playground mounted into the document, its settings in
// the address bar. Everything else lives in web/playground.js (shared with the
// <relu-playground> element) and web/embed.js (the postMessage API for iframes).
import { mount } from './playground.js';
import { installMessageApi } from './embed.js';
import { startWorkerEarly } from './worker-client.js';

// The engine loads in the worker while mount() builds the page (the first snapshot comes sooner).
startWorkerEarly();
const query = location.search;
const embedded = /(^|[?&])embed=(1|true|yes|on)?(&|$)/.test(query);
const app = mount(document.body, {
  host: document.body,
  query,
  urlSync: true,
  keyboard: true,
  // A plain visit with no settings opens on the first preset. A link's preset (page or embed)
  // applies its settings first, then the link's other keys (mount's initialState).
  firstVisitPreset: !embedded,
});
installMessageApi(app, { origins: app.flags.origins });

// Test hook: read-only views of what the page shows.
window.__relu = app.debug;
// The same API the <relu-playground> element and the message API use (tests, the console).
window.__reluApp = app;
