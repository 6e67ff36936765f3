// Okabe–Ito colours (safe for the common colour-vision deficiencies). The engine's
// NeuronState numbering: Dead=0, Saturated=1, AlwaysOn=2, MostlySilent=3, Healthy=4.
export const STATE_COLORS = ['#3a3a3a', '#CC79A7', '#0072B2', '#E69F00', '#009E73'];
export const STATE_LABELS = ['dead', 'saturated', 'always on', 'mostly silent', 'healthy'];
// What each state means, in the words of engine/monitor.h.
export const STATE_HELP = [
  'active on no input of the evaluation set: its gradient is zero, it cannot learn',
  'a non-rectifier stuck in its flat region on more than 90% of inputs',
  'active on every input: it acts like a linear unit',
  'active on fewer inputs than the silent threshold, but not on none: it still learns',
  'everything else',
];
export const POSITIVE = '#0072B2'; // weights > 0
export const NEGATIVE = '#D55E00'; // weights < 0
export const SERIES = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C6D1F', '#7F7F7F', '#B15928'];
export const RUN_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'];
export const RUN_DASH = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
