// PNG export of svgplot.js's figures without loading the SVG as an image: a strict CSP
// (default-src 'self') blocks blob: and data: images, so this draws the few SVG
// elements svgplot.js emits (g translate, rect, line, path, circle, text) onto a canvas.
// Path2D takes the SVG path syntax as it is.

function num(el, name, fallback = 0) {
  const v = el.getAttribute(name);
  return v === null ? fallback : Number.parseFloat(v);
}

function applyTransform(ctx, t) {
  if (!t) return;
  for (const m of t.matchAll(/(translate|rotate)\(([^)]*)\)/g)) {
    const a = m[2].split(/[ ,]+/).map(Number);
    if (m[1] === 'translate') ctx.translate(a[0] || 0, a[1] || 0);
    else ctx.rotate(((a[0] || 0) * Math.PI) / 180);
  }
}

function paint(ctx, el, inherited) {
  const style = {
    fill: el.getAttribute('fill') ?? inherited.fill,
    stroke: el.getAttribute('stroke') ?? inherited.stroke,
    fontSize: el.getAttribute('font-size') ?? inherited.fontSize,
    fontFamily: el.getAttribute('font-family') ?? inherited.fontFamily,
    fontWeight: el.getAttribute('font-weight') ?? inherited.fontWeight,
  };
  ctx.save();
  applyTransform(ctx, el.getAttribute('transform'));
  ctx.globalAlpha = Number.parseFloat(el.getAttribute('fill-opacity') ?? '1');
  ctx.lineWidth = num(el, 'stroke-width', 1);
  const dash = el.getAttribute('stroke-dasharray');
  ctx.setLineDash(dash ? dash.split(/[ ,]+/).map(Number) : []);
  const fillStroke = (path) => {
    if (style.fill && style.fill !== 'none') {
      ctx.fillStyle = style.fill;
      ctx.fill(path);
    }
    if (style.stroke && style.stroke !== 'none') {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = style.stroke;
      ctx.stroke(path);
    }
  };
  switch (el.tagName) {
    case 'svg':
    case 'g':
      for (const c of el.children) paint(ctx, c, style);
      break;
    case 'rect': {
      const p = new Path2D();
      p.rect(num(el, 'x'), num(el, 'y'), num(el, 'width'), num(el, 'height'));
      fillStroke(p);
      break;
    }
    case 'circle': {
      const p = new Path2D();
      p.arc(num(el, 'cx'), num(el, 'cy'), num(el, 'r'), 0, 2 * Math.PI);
      fillStroke(p);
      break;
    }
    case 'line': {
      const p = new Path2D();
      p.moveTo(num(el, 'x1'), num(el, 'y1'));
      p.lineTo(num(el, 'x2'), num(el, 'y2'));
      fillStroke(p);
      break;
    }
    case 'path':
      fillStroke(new Path2D(el.getAttribute('d') ?? ''));
      break;
    case 'text': {
      const size = Number.parseFloat(style.fontSize ?? '11');
      ctx.font = `${style.fontWeight === 'bold' ? 'bold ' : ''}${size}px ${style.fontFamily ?? 'sans-serif'}`;
      const anchor = el.getAttribute('text-anchor');
      ctx.textAlign = anchor === 'middle' ? 'center' : anchor === 'end' ? 'right' : 'left';
      ctx.textBaseline = el.getAttribute('dy') ? 'middle' : 'alphabetic';
      ctx.fillStyle = style.fill && style.fill !== 'none' ? style.fill : '#222';
      ctx.fillText(el.textContent, num(el, 'x'), num(el, 'y'));
      break;
    }
    default:
      break;
  }
  ctx.restore();
}

/** Draws an svgplot.js SVG string onto a new canvas, scale x its size; resolves to a PNG Blob. */
export function svgToPng(svgText, scale = 2) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.tagName !== 'svg') throw new Error('not an SVG document');
  const w = num(svg, 'width', 600);
  const h = num(svg, 'height', 400);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * scale);
  canvas.height = Math.round(h * scale);
  const ctx = canvas.getContext('2d');
  ctx.scale(scale, scale);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  paint(ctx, svg, { fill: '#000', stroke: null, fontSize: '11', fontFamily: 'sans-serif', fontWeight: null });
  return new Promise((ok, bad) => canvas.toBlob((b) => (b ? ok(b) : bad(new Error('canvas.toBlob failed'))), 'image/png'));
}
