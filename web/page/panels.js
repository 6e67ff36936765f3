// The panels that draw a run: the network picture(s) with the neuron card, the output,
// the charts, the histograms and the timeline. Each draw function reads the newest
// snapshots through runs(); the draw loop (draw-loop.js) decides when each one runs.
import { NetworkView } from '../views/network.js';
import { ChartsView } from '../views/charts.js';
import { HistogramsView } from '../views/histograms.js';
import { OutputView } from '../views/output.js';
import { TimelineView } from '../views/timeline.js';
import { NeuronCard } from '../views/neuron-card.js';
import { RUN_COLORS } from '../palette.js';
import { fmtNum, outputNote } from './status-text.js';
import { placeCard } from './card-place.js';

/**
 * $(id)          an element of this playground
 * runs()         the RunRecords; states() the engine's state table (state-table.js)
 * histView()     the histogram view setting
 * notice(lines)
 * marks(run)     the units an intervention marked in run's network (interventions.js)
 * onUnitAction({l, i, wasDead})  the card asks for an intervention on one unit
 */
export function createPanels({ $, runs, states, histView, notice, marks = () => [], onUnitAction = () => {} }) {
  const charts = new ChartsView($('charts'));
  const histograms = new HistogramsView($('hists'));
  const output = new OutputView($('output'));
  const timeline = new TimelineView($('timeline'), $('timeline-summary'));
  let networkViews = [];
  let selected = null; // { run, l, i }: the unit whose card is open

  const selectedRun = () => runs()[selected?.run ?? 0];
  const twoD = (run) => run?.client.data?.info?.features === 2;
  const card = new NeuronCard($('card'), {
    onClose: () => closeCard(),
    onAction: (kind, l, i) => {
      const run = selectedRun();
      const layer = run?.snap?.layers[l];
      if (!layer) return;
      onUnitAction({ l, i, wasDead: layer.states[i] === states()?.code.dead });
      if (kind === 'revive') run.client.neuron('reviveNeuron', l, i);
      if (kind === 'freeze') run.client.neuron('setFrozen', l, i, !layer.frozen[i]);
      if (kind === 'ablate') run.client.neuron('setAblated', l, i, !layer.ablated[i]);
    },
    onNeedGrid: (l, i) => {
      selectedRun()?.client.neuronGrid(l, i, 32).then((m) => {
        if (selected && selected.l === m.layer && selected.i === m.neuron) card.drawGrid(m.res, m.values);
      }, (e) => notice([String(e.message)]));
    },
  });

  /** New network pictures (one per run) after a restart; the timeline and the card start afresh. */
  function rebuild() {
    timeline.clear();
    selected = null;
    card.close();
    const box = $('networks');
    box.replaceChildren();
    const list = runs();
    box.dataset.count = String(list.length);
    networkViews = list.map((run, k) => {
      const fig = document.createElement('figure');
      fig.className = 'net';
      if (list.length > 1) {
        const cap = document.createElement('figcaption');
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.backgroundColor = RUN_COLORS[k];
        const t = document.createElement('span');
        t.className = 'net-name';
        t.textContent = run.label;
        run.caption = document.createElement('span');
        run.caption.className = 'net-stat';
        cap.append(sw, t, run.caption);
        fig.append(cap);
      }
      const canvas = document.createElement('canvas');
      canvas.setAttribute('aria-label', `network${run.label ? ' ' + run.label : ''}: neurons coloured by state`);
      fig.append(canvas);
      box.append(fig);
      return new NetworkView(canvas, {
        compact: list.length > 2,
        onSelect: (l, i) => {
          selected = { run: k, l, i };
          card.open(l, i);
          card.update(run.snap, twoD(run), states());
          placeCard($('card'), canvas.closest('.network-panel') ?? canvas);
        },
      });
    });
  }

  function drawNetworks() {
    runs().forEach((run, k) => {
      if (!run.snap) return;
      const sel = selected && selected.run === k ? selected : null;
      networkViews[k]?.draw(run.snap, run.weights, run.client.data?.info?.features ?? 2, sel, states(), marks(run));
      if (run.caption) {
        const dead = run.snap.layers.reduce((a, l) => a + l.counts.dead, 0);
        const n = run.snap.layers.reduce((a, l) => a + l.width, 0);
        run.caption.textContent = ` ${Math.round((100 * dead) / n)}% dead · loss ${fmtNum(run.snap.trainLoss)}`;
      }
    });
  }

  function drawOutput() {
    const main = runs()[0];
    output.draw(main.client.data, main.grid);
    $('output-note').textContent = outputNote(main.client.data?.info, main.snap);
  }

  function drawCharts() {
    const list = runs().filter((r) => r.history);
    charts.update(list.map((r) => ({ label: r.label || 'run', layers: r.snap.layers.length, history: r.history, prelu: r.snap.layers.some((l) => l.activation === 'prelu') })));
  }

  // Histograms: the chosen layer of the first run.
  function drawHist() {
    const main = runs()[0];
    const sel = $('hist-layer');
    if (sel.options.length !== main.snap.layers.length) {
      const keep = Math.min(Number(sel.value) || 0, main.snap.layers.length - 1);
      sel.replaceChildren();
      main.snap.layers.forEach((l, k) => {
        const o = document.createElement('option');
        o.value = String(k);
        o.textContent = `${k + 1} (${l.activation})`;
        sel.append(o);
      });
      sel.value = String(Math.max(0, keep));
    }
    histograms.draw(main.hist[Number(sel.value) || 0], histView());
  }

  function drawTimeline() {
    const main = runs()[0];
    timeline.draw(main.snap.layers.length, main.snap.step);
  }

  function updateCard() {
    if (selected) card.update(runs()[selected.run]?.snap, twoD(runs()[selected.run]), states());
  }

  /** Escape, or the card's × : the card closes and no unit stays selected. */
  function closeCard() {
    selected = null;
    card.close();
  }

  return {
    rebuild,
    /** The heavy panels, for the draw loop: id, how often (ms), draw(). */
    views: [
      { id: 'network', every: 33, draw: drawNetworks },
      { id: 'charts', every: 100, draw: drawCharts },
      { id: 'output', every: 66, draw: drawOutput },
      { id: 'hist', every: 150, draw: drawHist },
      { id: 'timeline', every: 200, draw: drawTimeline },
    ],
    updateCard,
    closeCard,
    /** The unit whose card is open: {run (index), l, i}, or null. */
    selection: () => (selected ? { ...selected } : null),
    /** New neuron events of the main run, for the timeline. */
    addEvents: (events) => timeline.add(events),
    timelineBuffers: () => ({ length: timeline.events.length, capacity: timeline.events.capacity, binWidth: timeline.events.binWidth }),
  };
}
