// Where the neuron card opens. On a wide screen it is fixed beside the network (over the
// next column), at the height of the picture, and always inside the window: a card below
// the fold, or half off the screen, is a card nobody reads. On a phone it is a bottom sheet
// of at most half the screen (style.css), so nothing is placed here.
export const PHONE_QUERY = '(max-width: 820px)';
const MARGIN = 8;

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/** card: the card element (visible); anchor: the element it opens beside (the network panel). */
export function placeCard(card, anchor) {
  card.style.left = card.style.top = '';
  if (card.hidden || !anchor || matchMedia(PHONE_QUERY).matches) return;
  // A fixed element's containing block is the window, or the nearest ancestor with
  // containment (the <relu-playground> host): measure its origin by placing at 0,0.
  card.style.left = card.style.top = '0px';
  const origin = card.getBoundingClientRect();
  const a = anchor.getBoundingClientRect();
  const w = origin.width, h = origin.height;
  const right = a.right + MARGIN + w <= innerWidth - MARGIN;
  const x = right ? a.right + MARGIN : clamp(a.right - w - MARGIN, MARGIN, innerWidth - w - MARGIN);
  const y = clamp(a.top, MARGIN, Math.max(MARGIN, innerHeight - h - MARGIN));
  card.style.left = `${Math.round(x - origin.left)}px`;
  card.style.top = `${Math.round(y - origin.top)}px`;
}
