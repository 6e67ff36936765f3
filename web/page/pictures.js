// Pictures: the canvases a PNG can be made of, and the PNG itself.

/** root (querySelectorAll), $(id), runs() */
export function createPictures({ root, $, runs }) {
  /** [{ id, label, canvas }] */
  function pictures() {
    const list = [];
    root.querySelectorAll('#networks canvas').forEach((c, k) => list.push({ id: `network${k ? k + 1 : ''}`, label: `Network${runs()[k]?.label ? ' ' + runs()[k].label : ''}`, canvas: c }));
    list.push({ id: 'output', label: 'Output', canvas: $('output') });
    root.querySelectorAll('#charts .uplot').forEach((u, k) => {
      const c = u.querySelector('canvas');
      if (c) list.push({ id: `chart${k + 1}`, label: `Chart: ${u.querySelector('.u-title')?.textContent || k + 1}`, canvas: c });
    });
    root.querySelectorAll('#hists canvas').forEach((c, k) => list.push({ id: `histogram${k + 1}`, label: `Histogram ${k + 1}`, canvas: c }));
    list.push({ id: 'timeline', label: 'Deaths and revivals', canvas: $('timeline') });
    return list;
  }

  function pngBlob(id) {
    const pic = pictures().find((p) => p.id === id);
    if (!pic) return Promise.reject(new Error(`no picture "${id}"; one of ${pictures().map((p) => p.id).join(', ')}`));
    return new Promise((ok, fail) => pic.canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the canvas is empty'))), 'image/png'));
  }

  /** The export menu's list of pictures (filled when the menu opens: the charts come and go). */
  function fillTargets() {
    const sel = $('png-target');
    const keep = sel.value;
    sel.replaceChildren();
    for (const p of pictures()) {
      const o = document.createElement('option');
      o.value = p.id;
      o.textContent = p.label;
      sel.append(o);
    }
    if (keep) sel.value = keep;
  }

  return { ids: () => pictures().map((p) => p.id), pngBlob, fillTargets };
}
