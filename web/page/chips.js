// The preset chips: on a narrow screen they scroll sideways, and say so. The strip's
// scroll position sets data-overflow on the nav (none | start | end | both: the sides
// that have more chips), which style.css turns into a fade and an arrow on those sides.
const EDGE = 2; // px of slack: sub-pixel widths must not count as overflow

/** nav: the .presets element; listen(target, type, fn) registers a listener mount() removes. */
export function watchChips(nav, listen) {
  const strip = nav.querySelector('.preset-buttons');
  const update = () => {
    const max = strip.scrollWidth - strip.clientWidth;
    const before = strip.scrollLeft > EDGE;
    const after = strip.scrollLeft < max - EDGE;
    nav.dataset.overflow = max <= EDGE ? 'none' : before && after ? 'both' : before ? 'start' : 'end';
  };
  listen(strip, 'scroll', update);
  const sizes = new ResizeObserver(update);
  sizes.observe(strip);
  for (const [cls, dir] of [['.chips-prev', -1], ['.chips-next', 1]])
    listen(nav.querySelector(cls), 'click', () => strip.scrollBy({ left: dir * 0.8 * strip.clientWidth, behavior: 'smooth' }));
  update();
  return { update, stop: () => sizes.disconnect() };
}
