// The playground's markup: ONE copy, inserted by mount() (web/playground.js) into the
// page's <body> (index.html) or into a <relu-playground> shadow root. Static text only:
// no inline scripts, styles or handlers (the page runs under a strict CSP).
// data-part names what `hide=` can hide (see docs/embedding.md); setting rows are
// hidden by their setting name (e.g. hide=lr), fieldsets by their group name.
export const MARKUP = `
  <a class="skip-link" id="skip-network" href="#h-network">Skip to the network</a>

  <header class="top" data-part="header">
    <div class="brand" data-part="title">
      <h1>ReLU Playground</h1>
      <p class="tagline">Why do ReLU neurons die, and what brings them back? <a href="lab.html" data-part="lab-link">Open the lab: sweeps and curves</a></p>
    </div>
    <div class="transport" role="toolbar" aria-label="Training" data-part="transport">
      <button type="button" id="play" class="primary" aria-keyshortcuts="Space" data-part="play">Play</button>
      <button type="button" id="step" data-part="step">Step</button>
      <button type="button" id="reset" data-part="reset">Reset</button>
      <label class="inline" data-part="speed">Speed <select id="speed" aria-label="Speed, training steps per second"></select></label>
      <output id="rate" aria-live="off" data-part="rate">0 steps/s</output>
      <output id="stepcount" aria-live="off" data-part="stepcount">step 0</output>
      <span id="data-progress" class="pace-note" role="status" data-part="stepcount" hidden></span>
      <span id="pace-note" class="pace-note" role="status" data-part="speed" hidden></span>
      <span id="replay" class="replay-badge" role="status" hidden><span id="replay-text">Replay</span> <button type="button" id="live" class="small">Back to live</button></span>
      <span class="quick" role="group" aria-label="Quick settings" data-part="quick controls">
        <label class="inline" data-part="quick-lr lr">lr <input id="q-lr" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" aria-label="Learning rate"></label>
        <label class="inline" data-part="quick-activation activation">Activation <select id="q-activation" aria-label="Activation"></select></label>
      </span>
    </div>
    <div class="share" data-part="share">
      <button type="button" id="share">Share link</button>
      <span id="share-status" role="status"></span>
      <details class="exports" data-part="export">
        <summary>Export / import</summary>
        <div class="exports-menu">
          <button type="button" id="export-csv">Stats history (CSV)</button>
          <button type="button" id="export-run">Whole run (JSON)</button>
          <button type="button" id="export-weights">Weights (JSON, CLI format)</button>
          <span class="exports-png">
            <select id="png-target" aria-label="Picture to save"></select>
            <button type="button" id="export-png">Save PNG</button>
          </span>
          <label class="file-button">Import run or weights (JSON) <input type="file" id="import-file" accept=".json,application/json"></label>
        </div>
      </details>
    </div>
  </header>

  <nav class="presets" aria-label="Presets" data-part="presets" data-overflow="none">
    <span class="presets-label">Presets:</span>
    <div class="chips">
      <div id="preset-buttons" class="preset-buttons"></div>
      <button type="button" class="chips-arrow chips-prev" tabindex="-1" aria-hidden="true" title="Earlier presets">‹</button>
      <button type="button" class="chips-arrow chips-next" tabindex="-1" aria-hidden="true" title="More presets">›</button>
    </div>
  </nav>

  <div id="notice" class="notice" role="alert" data-part="notice" hidden>
    <div id="notice-text"></div>
    <button type="button" id="notice-close" class="icon" aria-label="Dismiss the notice">×</button>
  </div>

  <div id="diverged" class="notice diverged" role="alert" hidden>
    <div id="diverged-text"></div>
    <button type="button" id="rollback">Roll back</button>
  </div>

  <section id="story" class="story" aria-live="polite" data-part="story" hidden>
    <h2 id="story-title" data-part="story-title"></h2>
    <div id="story-text" data-part="story-text"></div>
    <button type="button" id="story-more" class="story-more" aria-expanded="false" aria-controls="story-text" data-part="story-text">Read the whole story</button>
    <div id="story-actions" class="story-actions" data-part="story-actions"></div>
    <p id="outcome" class="outcome" data-ok="pending" data-part="outcome"></p>
  </section>

  <main class="layout">
    <aside class="controls" aria-label="Settings" data-part="controls">
      <form id="controls" novalidate></form>
    </aside>

    <section class="panel network-panel" aria-labelledby="h-network" data-part="network">
      <div class="panel-head">
        <h2 id="h-network">Network</h2>
        <span id="summary" class="summary"></span>
      </div>
      <div id="networks" class="networks"></div>
      <ul id="legend" class="legend" aria-label="Neuron states" data-part="legend"></ul>
      <p class="hint" data-part="hints network-hint">Hover or tap a neuron (or focus the picture and use the arrow keys and Enter) to open its card. Links: <span class="pos">blue</span> positive weight, <span class="neg">orange</span> negative, thicker = larger |w|. A layer of more than 32 units is a grid, one cell per unit (Page Up/Down: a row); its links are one grey band, darker for larger mean |w| from more live units.</p>
    </section>

    <section class="panel output-panel" aria-labelledby="h-output" data-part="output">
      <div class="panel-head"><h2 id="h-output">Output</h2><span id="output-note" class="summary"></span></div>
      <canvas id="output" role="img" aria-label="the network's output"></canvas>
      <div id="card" class="card" role="dialog" aria-label="Neuron card" hidden></div>
    </section>

    <section class="panel fields-panel" aria-labelledby="h-fields" data-part="fields" id="fields-panel" hidden>
      <div class="panel-head"><h2 id="h-fields">What the first layer sees</h2><label class="inline" id="fields-layer-box" hidden>Conv layer <select id="fields-layer"></select></label><span id="fields-note" class="summary"></span></div>
      <canvas id="fields" role="img" aria-label="receptive fields: every first-layer unit's incoming weights as an image, dead units crossed out"></canvas>
      <p class="hint" data-part="hints fields-hint" id="fields-hint-dense">Each square is one unit's incoming weights laid out as the image (blue +, orange −, white 0; each scaled to its own largest weight). Dead units are greyed and crossed out in red: no input wakes them, so their weights stopped learning. Hover or tap one for its card.</p>
      <p class="hint" data-part="hints fields-hint" id="fields-hint-conv" hidden>Each square is one channel's filter (blue +, orange −, white 0; each scaled to its own largest weight): for a layer above the first, one small square per channel it reads. A dead channel, greyed and crossed out in red, outputs 0 at every position of every image, so its filter gets no gradient and stops learning. Hover or tap one for its card.</p>
    </section>

    <section class="panel gallery-panel" aria-labelledby="h-gallery" data-part="gallery" id="gallery-panel" hidden>
      <div class="panel-head"><h2 id="h-gallery">Test inputs</h2><span id="gallery-note" class="summary"></span></div>
      <canvas id="gallery" role="img" aria-label="test inputs with their predicted classes; misclassified ones framed in red"></canvas>
      <p class="hint" data-part="hints gallery-hint">Under each image: its class, or in red "predicted≠true" when the network gets it wrong. Click one to select it.</p>
    </section>

    <section class="panel charts-panel" aria-labelledby="h-charts" data-part="charts">
      <div class="panel-head"><h2 id="h-charts">Charts</h2><span id="charts-note" class="summary"></span><label class="inline step-axis" data-part="step-axis" title="Spread the first steps out: a log step axis on the charts and the timeline (step 0 at the left edge)"><input type="checkbox" id="step-axis"> Log step axis</label></div>
      <div id="charts" class="charts"></div>
    </section>

    <section class="panel hist-panel" aria-labelledby="h-hist" data-part="histograms">
      <div class="panel-head">
        <h2 id="h-hist">Histograms over time</h2>
        <label class="inline">Layer <select id="hist-layer"></select></label>
        <label class="inline">View <select id="hist-view"></select></label>
      </div>
      <div id="hists" class="hists"></div>
      <p class="hint" data-part="hints hist-hint">Dashed orange line: zero. Pre-activations that pile up left of it belong to units that are off; a unit that is off on every input is dead.</p>
    </section>

    <section class="panel timeline-panel" aria-labelledby="h-timeline" data-part="timeline">
      <div class="panel-head"><h2 id="h-timeline">Deaths and revivals</h2><span id="timeline-hint" class="summary" data-part="hints timeline-hint">Press or drag to replay a step; ←/→ step, Esc back to live</span><button type="button" id="timeline-live" class="small" hidden>Back to live</button></div>
      <canvas id="timeline" role="img" aria-label="timeline of neuron deaths and revivals"></canvas>
      <p id="timeline-summary" class="summary" aria-live="polite">No deaths or revivals yet.</p>
    </section>
  </main>
  <footer class="foot" data-part="footer">
    <p>"Dead" here means one thing: a ReLU unit that is active (z &gt; 0) on no input of the evaluation set, so its gradient is zero everywhere. Training runs in a Web Worker (C++ engine compiled to WebAssembly); nothing leaves your browser.</p>
  </footer>
`;
