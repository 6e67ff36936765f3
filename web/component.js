// <relu-playground>: the playground as a custom element, for course pages.
//
//   <script type="module" src="web/relu-playground.js"></script>
//   <relu-playground preset="high-lr" lr="0.5" hide="controls,histograms"></relu-playground>
//
// Attributes: every URL-state key (case-insensitive: biasinit = biasInit), plus preset
// (its settings first, explicit attributes override), hide, autoplay ("0" waits) and
// embed (default on: no title, share link or footer). Each element has its own shadow
// root (styles neither leak out nor in), its own state and its own Worker(s).
// Methods (the same as the iframe's message API): play(), pause(), step(n), reset(),
// set(state), getState(), getStats(); plus exportRun(), importRun(doc), statsCsv(),
// exportWeights(), pngBlob(id). Events: 'relu-ready' once the first snapshot is in.
// Changing an attribute after connection applies it like set({key: value}); a value that
// had to be clamped or was refused is reported in the element's notice.
import { mount } from './playground.js';
import { SETTINGS, FLAGS } from './state.js';

const KEY_BY_ATTR = Object.fromEntries([...SETTINGS.map((s) => s.name), ...FLAGS].map((k) => [k.toLowerCase(), k]));
const STYLE_URL = new URL('./app.css', import.meta.url);
let inlineCss = null; // the single-file build sets the CSS text instead of a file

export function setComponentCss(text) {
  inlineCss = text;
}

export class ReluPlayground extends HTMLElement {
  static get observedAttributes() {
    return SETTINGS.map((s) => s.name.toLowerCase());
  }
  #app = null;
  #ready = null;

  connectedCallback() {
    if (this.#app) return;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    shadow.replaceChildren();
    if (inlineCss !== null) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(inlineCss);
      shadow.adoptedStyleSheets = [sheet];
    } else {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = STYLE_URL.href;
      shadow.append(link);
    }
    const box = document.createElement('div');
    box.className = 'relu-app';
    shadow.append(box);
    const params = new URLSearchParams();
    if (!this.hasAttribute('embed')) params.set('embed', '1');
    for (const { name, value } of this.attributes) {
      const key = KEY_BY_ATTR[name.toLowerCase()];
      if (key) params.set(key, value);
    }
    this.#app = mount(box, { host: box, query: params.toString(), querySource: "the element's attributes" });
    this.#ready = this.#app.ready().then(() => {
      this.dispatchEvent(new CustomEvent('relu-ready', { bubbles: true, composed: true }));
      return true;
    });
  }

  disconnectedCallback() {
    // Moving the element in the DOM disconnects and reconnects it at once: keep it then.
    queueMicrotask(() => {
      if (this.isConnected || !this.#app) return;
      this.#app.destroy();
      this.#app = null;
      this.shadowRoot?.replaceChildren();
    });
  }

  attributeChangedCallback(name, old, value) {
    if (!this.#app || old === value || value === null) return;
    const key = KEY_BY_ATTR[name];
    if (!key) return;
    // Validated like set(): clamped, or (not a value of the setting at all) the setting is kept;
    // either way the element says so in its notice (as text).
    const { warnings } = this.#app.set({ [key]: value }, 'attributes');
    if (warnings.length) this.#app.notice([`The attribute ${name} was not taken as given:`, ...warnings]);
  }

  #need() {
    if (!this.#app) throw new Error('<relu-playground> is not connected to a document');
    return this.#app;
  }
  /** Resolves once the first snapshot has arrived. */
  ready() {
    this.#need();
    return this.#ready;
  }
  play() {
    return this.#need().play();
  }
  pause() {
    return this.#need().pause();
  }
  /** Pauses, trains n steps; resolves to the stats after them. */
  step(n = 1) {
    return this.#need().step(n);
  }
  reset() {
    return this.#need().reset();
  }
  /** Partial URL state, e.g. {lr: 0.5} or {preset: 'high-lr'}; returns {state, warnings}. */
  set(state) {
    return this.#need().set(state);
  }
  getState() {
    return this.#need().getState();
  }
  getStats() {
    return this.#need().getStats();
  }
  /** {warnings}: mistakes in hide= (and the other page flags), also logged to the console. */
  getWarnings() {
    return this.#need().getWarnings();
  }
  exportRun() {
    return this.#need().exportRun();
  }
  importRun(doc) {
    return this.#need().importRun(doc);
  }
  statsCsv() {
    return this.#need().statsCsv();
  }
  exportWeights() {
    return this.#need().exportWeights();
  }
  pngBlob(id) {
    return this.#need().pngBlob(id);
  }
  /** Read-only views for tests (state, snapshots, history). */
  get debug() {
    return this.#need().debug;
  }
}

if (!customElements.get('relu-playground')) customElements.define('relu-playground', ReluPlayground);
