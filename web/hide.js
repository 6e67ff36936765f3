// hide=a,b,...: what an embedder can hide. A name is one of
//   - a part of the page: an element with data-part="… name …" (web/markup.js), e.g.
//     header, title, transport, play, step, reset, speed, share, presets, story, controls,
//     network, legend, hints, output, charts, step-axis, histograms, timeline, footer, export
//   - a setting (its row in the settings form), e.g. lr, activation, seed
//   - a group of settings: group-data, group-network, group-training, group-regularisation,
//     group-what-counts-as-dead, group-interventions, group-compare
// Hidden elements get the class `part-hidden` (display: none in style.css).
// Returns warnings for names that match nothing (shown as a notice, never thrown).
export function applyHide(root, names = []) {
  const warnings = [];
  for (const name of names) {
    if (!/^[A-Za-z][\w-]{0,40}$/.test(name)) {
      warnings.push(`hide: "${name.slice(0, 40)}" is not a name of a part or a setting`);
      continue;
    }
    const found = [...root.querySelectorAll(`[data-part~="${name}"], .row-${name}`)];
    for (const e of found) e.classList.add('part-hidden');
    if (!found.length) warnings.push(`hide: nothing is called "${name}"`);
  }
  return warnings;
}

/** Every name hide= accepts in this mounted playground (for docs and error messages). */
export function hideableNames(root) {
  const names = new Set();
  for (const e of root.querySelectorAll('[data-part]')) for (const n of e.dataset.part.split(/\s+/)) names.add(n);
  for (const e of root.querySelectorAll('[class*="row-"]')) for (const c of e.classList) if (c.startsWith('row-')) names.add(c.slice(4));
  return [...names];
}
