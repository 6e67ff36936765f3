// Sizes a canvas's backing store to its CSS box at the device pixel ratio (only when
// that changed, since resizing clears it) and scales the context so that drawing
// uses CSS pixels. Returns the CSS size.
export function fitCanvas(canvas, ctx = canvas.getContext('2d')) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { w, h };
}
