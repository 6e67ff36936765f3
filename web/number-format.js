// Number formats shared by the stories and the neuron card.

/**
 * A gradient-sized number in scientific notation with three significant digits ("3.42e-7"),
 * and exactly "0" for zero: a dead unit's |∂L/∂z| is exactly 0, a mostly-silent unit's can be
 * 1e-7, and a fixed-point "0.000" would show both alike. "—" for a non-finite value.
 */
export function sci(x) {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  return x.toExponential(2).replace('e+', 'e');
}
