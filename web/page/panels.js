// The panels that draw a run: the network picture(s) with the neuron card, the output,
// the charts, the histograms and the timeline, and for image data the receptive fields and
// the gallery of test inputs. Each draw function reads what to show through
// replay.frame(run): the newest snapshot, or the logged one the replay cursor points at
// (replay.js); the draw loop (draw-loop.js) decides when each one runs.
import { NetworkView } from '../views/network.js';
import { ChartsView } from '../views/charts.js';
import { HistogramsView } from '../views/histograms.js';
import { OutputView } from '../views/output.js';
import { TimelineView } from '../views/timeline.js';
import { NeuronCard } from '../views/neuron-card.js';
import { ReceptiveFieldsView } from '../views/receptive-fields.js';
import { GalleryView } from '../views/gallery.js';
import { imageShapeOf, classNamesOf, sampleReader } from '../image-data.js';
import { RUN_COLORS } from '../palette.js';
import { fmtNum, outputNote } from './status-text.js';
import { placeCard } from './card-place.js';

/**
 * $(id)          an element of this playground
 * runs()         the RunRecords; states() the engine's state table (state-table.js)
 * histView()     the histogram view setting
 * stepAxis()     the step axis setting of the charts and the timeline ('linear' | 'log')
 * notice(lines)
 * marks(run)     the units an intervention marked in run's network (interventions.js)
 * onUnitAction({l, i, wasDead})  the card asks for an intervention on one unit
 * replay         the replay cursor (replay.js createReplay): what each run's views show
 * onInputSelected(detail)  a gallery input was selected ({set, index, label, predicted}) or cleared (null)
 */
export function createPanels({ $, runs, states, histView, stepAxis, notice, marks = () => [], onUnitAction = () => {}, replay, onInputSelected = () => {} }) {
  const charts = new ChartsView($('charts'), { onSeek: (step) => replay.seek(step) });
  const histograms = new HistogramsView($('hists'));
  const output = new OutputView($('output'));
  const timeline = new TimelineView($('timeline'), $('timeline-summary'), undefined, replay);
  let networkViews = [];
  let selected = null; // { run, l, i }: the unit whose card is open
  let histStep = null; // the newest slice the histograms last drew (tests read it)

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
    onNeedTop: (l, i, k) => {
      const client = selectedRun()?.client;
      if (!client) return card.topFailed();
      client.topInputs(l, i, k).then((r) => card.setTop(r), (e) => {
        card.topFailed();
        notice([String(e.message)]);
      });
    },
    onNeedGrid: (l, i) => {
      selectedRun()?.client.neuronGrid(l, i, 32).then((m) => {
        if (selected && selected.l === m.layer && selected.i === m.neuron) card.drawGrid(m.res, m.values);
      }, (e) => notice([String(e.message)]));
    },
  });

  const imageShape = (run) => imageShapeOf(run?.client.data?.info);
  // The first run's receptive fields: a field opens its unit's card, as the network's neurons do.
  const fields = new ReceptiveFieldsView($('fields'), {
    onSelect: (i) => {
      const run = runs()[0];
      if (!run?.snap) return;
      const l = fieldsLayer(run);
      selected = { run: 0, l, i };
      card.open(l, i);
      const f = replay.frame(run);
      card.update(f.snap, twoD(run), states(), f.replay, cardImage(run, f));
      placeCard($('card'), $('fields'));
    },
  });
  let selectedInput = null;  // {set, index, label, predicted} of the gallery's selection
  const gallery = new GalleryView($('gallery'), {
    onSelect: (j) => {
      const main = runs()[0];
      const data = main?.client.data;
      const grid = replay.frame(main).grid;
      const names = classNamesOf(data?.info);
      if (j < 0 || !data) selectedInput = null;
      else {
        const p = grid?.set === 'test' ? grid.predictions[j] : undefined;
        selectedInput = { set: 'test', index: j, label: names[Math.round(data.test.y[j])], predicted: p === undefined ? null : names[Math.round(p)] };
      }
      onInputSelected(selectedInput && { ...selectedInput });
      drawGallery();
    },
  });
  const cardImage = (run, f) => {
    const shape = imageShape(run);
    return shape ? { shape, weights: f.weights, data: run.client.data, geometry: run.client.data?.geometry ?? null, maps: f.snap.maps ?? null } : null;
  };
  // The layer the fields panel draws: the first; in a convnet, the conv layer chosen in its list.
  const convLayers = (run) => (run?.client.data?.geometry?.units ?? []).flatMap((u, l) => (u.kind === 'conv' ? [l] : []));
  function fieldsLayer(run) {
    const conv = convLayers(run);
    const sel = $('fields-layer');
    $('fields-layer-box').hidden = conv.length === 0;
    $('fields-hint-conv').hidden = conv.length === 0;
    $('fields-hint-dense').hidden = conv.length > 0;
    $('h-fields').textContent = conv.length ? 'Filters' : 'What the first layer sees';
    if (!conv.length) return 0;
    const key = conv.join(',');
    if (sel.dataset.layers !== key) {
      sel.dataset.layers = key;
      sel.replaceChildren(...conv.map((l, k) => Object.assign(document.createElement('option'), { value: String(l), textContent: `${k + 1} (layer ${l + 1})` })));
    }
    return Number(sel.value) || conv[0];
  }

  /** New network pictures (one per run) after a restart; the timeline and the card start afresh. */
  function rebuild() {
    selectedInput = null;
    replay.live();
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
          const f = replay.frame(run);
          card.update(f.snap, twoD(run), states(), f.replay, cardImage(run, f));
          placeCard($('card'), canvas.closest('.network-panel') ?? canvas);
        },
      });
    });
  }

  // A convnet's picture: its shapes, and the input its snapshot's feature maps are of.
  function convOf(run, snap) {
    const data = run.client.data, geometry = data?.geometry;
    if (!geometry) return null;
    const m = snap.maps, set = m && data[m.set];
    return { geometry, input: set ? sampleReader(set, m.index, data.info.features) : null };
  }

  function drawNetworks() {
    runs().forEach((run, k) => {
      if (!run.snap) return;
      const sel = selected && selected.run === k ? selected : null;
      const { snap, weights, replay: past } = replay.frame(run);
      // An intervention's marks belong to the live run: none on a replayed picture.
      const info = run.client.data?.info;
      networkViews[k]?.draw(snap, weights, info?.features ?? 2, sel, states(), past ? [] : marks(run), info?.imageShape ?? null, convOf(run, snap));
      if (run.caption) {
        const dead = snap.layers.reduce((a, l) => a + l.counts.dead, 0);
        const n = snap.layers.reduce((a, l) => a + l.width, 0);
        run.caption.textContent = ` ${Math.round((100 * dead) / n)}% dead · loss ${fmtNum(snap.trainLoss)}${past ? ` · step ${snap.step}` : ''}`;
      }
    });
  }

  function drawOutput() {
    const main = runs()[0];
    const { snap, grid, replay: past } = replay.frame(main);
    output.draw(main.client.data, grid);
    $('output-note').textContent = (past ? `Step ${snap.step}: ` : '') + outputNote(main.client.data?.info, snap);
  }

  // Image data only: the panels show themselves when the main run's data are images.
  function showImagePanels(shape) {
    const on = !!shape;
    if ($('fields-panel').hidden === !on) return;
    $('fields-panel').hidden = !on;
    $('gallery-panel').hidden = !on;
  }

  function drawFields() {
    const main = runs()[0];
    const shape = imageShape(main);
    showImagePanels(shape);
    if (!shape) return;
    const { snap, weights, replay: past } = replay.frame(main);
    const l = fieldsLayer(main);
    const unit = main.client.data?.geometry?.units[l] ?? null;
    const layer = snap.layers[l];
    const sel = selected && selected.run === 0 && selected.l === l ? selected.i : -1;
    fields.draw(weights, layer, shape, states(), sel, snap.step, l, unit);
    const dead = layer.counts.dead;
    const what = unit?.kind === 'conv' ? `${layer.width} filters ${unit.kernel}×${unit.kernel}${unit.inChannels > 1 ? `×${unit.inChannels}` : ''}` : `${layer.width} units`;
    $('fields-note').textContent = `${past ? `Step ${snap.step}: ` : ''}${what}, ${dead} dead (${Math.round((100 * dead) / layer.width)}%)`;
  }

  function drawGallery() {
    const main = runs()[0];
    const shape = imageShape(main);
    if (!shape || !main.client.data?.test) return;
    const { snap, grid, replay: past } = replay.frame(main);
    const names = classNamesOf(main.client.data.info);
    gallery.draw(main.client.data, shape, grid, names);
    const wrong = JSON.parse($('gallery').dataset.wrong || '[]').length;
    const shown = Number($('gallery').dataset.shown);
    $('gallery-note').textContent = `${past ? `Step ${snap.step}: ` : ''}the first ${shown} of ${main.client.data.test.y.length}, ${wrong} misclassified`;
  }

  function drawCharts() {
    const list = runs().filter((r) => r.history);
    charts.update(list.map((r) => ({ label: r.label || 'run', layers: r.snap.layers.length, history: r.history, prelu: r.snap.layers.some((l) => l.activation === 'prelu') })), { marker: replay.step(), stepAxis: stepAxis() });
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
    const rings = replay.rings(main)[Number(sel.value) || 0];
    histograms.draw(rings, histView());
    histStep = rings?.pre.newest()?.step ?? null;
  }

  function drawTimeline() {
    const main = runs()[0];
    timeline.draw(main.snap.layers.length, main.snap.step, { cursor: replay.step(), kept: main.replay.entries.map((e) => e.step) }, stepAxis());
  }

  function updateCard() {
    const run = selected && runs()[selected.run];
    if (!run) return;
    const f = replay.frame(run);
    card.update(f.snap, twoD(run), states(), f.replay, cardImage(run, f));
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
      // Redrawn only for another map: a new one (the worker sends one at 10 Hz while flat out), or a replayed one.
      { id: 'output', every: 66, draw: drawOutput, stamp: () => (runs()[0] ? replay.frame(runs()[0]).grid : undefined) },
      { id: 'hist', every: 150, draw: drawHist },
      { id: 'timeline', every: 200, draw: drawTimeline },
      // The fields change with the weights: redrawn for other weights (a new snapshot's or a
      // replayed one's), at most 4 times a second (256 fields of 784 weights: ~200k pixels).
      { id: 'fields', every: 250, draw: drawFields, stamp: () => (runs()[0] ? replay.frame(runs()[0]).weights : undefined) },
      // The gallery changes with the predictions (the output read).
      { id: 'gallery', every: 250, draw: drawGallery, stamp: () => (runs()[0] ? replay.frame(runs()[0]).grid : undefined) },
    ],
    updateCard,
    closeCard,
    /** The gallery's selected input: {set: 'test', index, label, predicted}, or null. */
    selectedInput: () => (selectedInput ? { ...selectedInput } : null),
    /** Where unit i's receptive field is, in viewport coordinates (tests hover there). */
    fieldPoint(i) {
      const c = fields.fieldCentre(i);
      if (!c) return null;
      const r = $('fields').getBoundingClientRect();
      return { x: r.left + c.x, y: r.top + c.y };
    },
    /** The unit whose card is open: {run (index), l, i}, or null. */
    selection: () => (selected ? { ...selected } : null),
    /** New neuron events of the main run, for the timeline. */
    addEvents: (events) => timeline.add(events),
    /** Where unit i of hidden layer l sits in run k's network picture, in viewport coordinates (tests). */
    unitPoint(k, l, i) {
      const view = networkViews[k], p = view?.unitPoint(l, i);
      if (!p) return null;
      const r = view.canvas.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    /** The steps the views last drew (tests): each network picture, the histograms. */
    drawn: () => ({ networks: networkViews.map((v) => v.snapshot?.step ?? null), histograms: histStep }),
    timelinePoint(step) {
      const r = $('timeline').getBoundingClientRect();
      return timeline.X ? { x: r.left + timeline.X(step), y: r.top + r.height / 2 } : null;
    },
    timelineBuffers: () => ({ length: timeline.events.length, capacity: timeline.events.capacity, binWidth: timeline.events.binWidth }),
  };
}
