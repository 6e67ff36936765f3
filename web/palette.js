// Okabe–Ito colours (safe for the common colour-vision deficiencies).
// How each neuron state looks, keyed by the engine's state names (engine.info().states; a
// snapshot's numeric state code is the index into that list). What each state means is in
// the words of engine/monitor.h. Listed in the legend's order: from the common to the alarming.
export const STATE_LOOK = {
  healthy: { color: '#009E73', help: 'everything else' },
  mostly_silent: { color: '#E69F00', help: 'active on fewer inputs than the silent threshold, but not on none: it still learns' },
  dead: { color: '#3a3a3a', help: 'active on no input of the evaluation set: its gradient is zero, it cannot learn' },
  always_on: { color: '#0072B2', help: 'active on every input: it acts like a linear unit' },
  saturated: { color: '#CC79A7', help: 'a non-rectifier stuck in its flat region on more than 90% of inputs' },
};
// The legend lists the states in STATE_LOOK's order (not a second list of the engine's names).
export const LEGEND_ORDER = Object.freeze(Object.keys(STATE_LOOK));
const UNKNOWN_LOOK = { color: '#999999', help: 'a state this page has no description for' };

/**
 * The engine's states as the page draws them: byCode[code] = {code, name, label, color, help}
 * and code[name] = numeric code. names: engine.info().states (index = code).
 */
export function stateTable(names) {
  const byCode = names.map((name, code) => ({ code, name, label: name.replace(/_/g, ' '), ...(STATE_LOOK[name] ?? UNKNOWN_LOOK) }));
  return { byCode, code: Object.fromEntries(names.map((n, k) => [n, k])) };
}

export const POSITIVE = '#0072B2'; // weights > 0
export const NEGATIVE = '#D55E00'; // weights < 0
export const SERIES = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C6D1F', '#7F7F7F', '#B15928'];
export const RUN_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'];
export const RUN_DASH = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

// Marks of an intervention in the network view (page/interventions.js): a glow behind the unit,
// plus a dashed ring when a revive did not hold. Yellow for a revive, sky blue for freeze and
// ablate (both Okabe–Ito); a light vermilion glow and a dashed vermilion ring for a unit dead again.
export const MARK_LOOK = {
  revived: { glow: '#F0E442' },
  'died-again': { glow: '#F7BC94', ring: '#D55E00' },
  'stayed-dead': { glow: '#F7BC94', ring: '#D55E00' },
  frozen: { glow: '#56B4E9' },
  unfrozen: { glow: '#56B4E9' },
  ablated: { glow: '#56B4E9' },
  restored: { glow: '#56B4E9' },
};
