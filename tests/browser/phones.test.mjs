// Issue 12 §6–§7: the page on a phone (390×844) and the small things. One browser for the file.
//   phone: the network stays in view while the sticky bar's lr, activation, play and speed are
//          used; the card is at most half the screen; the chips say they scroll; no label is cut
//   wide:  compare values as separate fields and runs named "lr 1"; legends and captions do not
//          collide; Escape, number keys, the skip link; the hover card inside the window; the
//          PReLU chart only with PReLU; Seed under Training; header buttons alike; hide=charts
//          reflows; hide= mistakes go to the console and getWarnings(), not the notice
//   lab:   opens with the shipped results drawn, legends apart, "Run it again" recomputes
//   guide: the responsive iframe of the course page and docs/embedding.md
// Waits on conditions, never sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, ROOT } from './helpers.mjs';
import { PRESETS } from '../../web/presets.js';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const PHONE = { width: 390, height: 844 };

async function open(query, { width = 1440, height = 900, phone = false } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, isMobile: phone, hasTouch: phone });
  const page = await context.newPage();
  const problems = [];
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${env.base}${query}`);
  return { page, context, problems, warnings };
}
const ready = (page) => page.waitForFunction(() => window.__relu?.snapshots.length && window.__relu.snapshots.every((s) => s), null, { timeout: 30000 });

/** Rectangles of the elements matching sel (visible ones only). */
const rects = (page, sel) =>
  page.evaluate((sel) => [...document.querySelectorAll(sel)].filter((e) => e.offsetParent !== null || getComputedStyle(e).position === 'fixed').map((e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height, text: e.textContent.trim().slice(0, 40) };
  }), sel);
const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
function assertApart(list, what) {
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) assert.ok(!overlap(list[i], list[j]), `${what}: "${list[i].text}" overlaps "${list[j].text}"`);
}

// Text that does not fit its box: a label, button or caption cut (scrollWidth > clientWidth), or a
// select narrower than its chosen option's text (a select cuts without overflowing).
const TRUNCATED = () => {
  const cut = [];
  const ctx = document.createElement('canvas').getContext('2d');
  const shown = (e) => e.offsetParent !== null && e.getClientRects().length > 0;
  for (const e of document.querySelectorAll('label, legend, button, summary, figcaption, .preset, h1, h2, h3, .summary, .net-stat, .net-name, dt, dd')) {
    if (!shown(e) || !e.textContent.trim()) continue;
    if (e.scrollWidth > e.clientWidth + 1) cut.push(`${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}" ${e.scrollWidth} > ${e.clientWidth}`);
  }
  // A settings group wider than its column spills under the next panel (a fieldset grows to its content).
  const aside = document.querySelector('aside.controls');
  for (const f of aside.offsetParent ? aside.querySelectorAll('fieldset') : [])
    if (f.getBoundingClientRect().right > aside.getBoundingClientRect().right + 1) cut.push(`fieldset "${f.querySelector('legend').textContent}" wider than the settings column`);
  for (const s of document.querySelectorAll('select')) {
    if (!shown(s) || !s.selectedOptions[0]) continue;
    const cs = getComputedStyle(s);
    ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
    const need = ctx.measureText(s.selectedOptions[0].textContent).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 20; // 20: the arrow
    if (need > s.clientWidth + 1) cut.push(`select #${s.id} "${s.selectedOptions[0].textContent}" needs ${Math.ceil(need)} > ${s.clientWidth}`);
  }
  return cut;
};

test('phone: the network stays in view while the sticky bar changes lr, activation, speed and play; card ≤ half; chips scroll; nothing cut', { timeout: 90000 }, async () => {
  const { page, context, problems } = await open('?preset=high-lr&speed=max', { ...PHONE, phone: true });
  await ready(page);
  await page.evaluate(() => document.querySelector('#networks').scrollIntoView({ block: 'center' }));
  const inView = async (what) => {
    const [net] = await rects(page, '#networks canvas');
    const [bar] = await rects(page, '.transport');
    assert.ok(bar.top >= -0.5 && bar.top <= 1, `${what}: the bar sticks to the top (${bar.top})`);
    assert.ok(net.top >= bar.bottom - 0.5 && net.bottom <= PHONE.height, `${what}: network ${net.top}..${net.bottom} under the bar (${bar.bottom}) and inside the screen`);
  };
  await inView('scrolled to the network');
  // The controls are in the bar, on the screen.
  for (const sel of ['#play', '#speed', '#q-lr', '#q-activation']) {
    const [r] = await rects(page, sel);
    assert.ok(r && r.top >= 0 && r.bottom <= 120, `${sel} in the bar at the top: ${JSON.stringify(r)}`);
  }
  await page.fill('#q-lr', '0.5');
  await page.press('#q-lr', 'Enter');
  await page.waitForFunction(() => window.__relu.state.lr === 0.5);
  assert.equal(await page.inputValue('#c-lr'), '0.5', 'the form follows the bar');
  await inView('after lr');
  await page.selectOption('#q-activation', 'leaky_relu');
  await page.waitForFunction(() => window.__relu.snapshots[0].layers[0].activation === 'leaky_relu');
  await inView('after activation');
  const speeds = await page.evaluate(() => [...document.querySelectorAll('#speed option')].map((o) => o.value));
  await page.selectOption('#speed', speeds[0]);
  await page.waitForFunction((v) => String(window.__relu.state.speed) === v, speeds[0]);
  await inView('after speed');
  const playing = await page.evaluate(() => window.__relu.playing);
  await page.tap('#play');
  await page.waitForFunction((p) => window.__relu.playing === !p, playing);
  await inView('after play/pause');

  // The card: a bottom sheet of at most half the screen, closed by Escape.
  await page.focus('#networks canvas');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.getElementById('card').hidden);
  const [card] = await rects(page, '#card');
  assert.ok(card.height <= 0.5 * PHONE.height + 1, `card ${card.height} px tall on an ${PHONE.height} px screen`);
  assert.ok(card.top >= 0 && card.bottom <= PHONE.height && card.left >= 0 && card.right <= PHONE.width, `card inside the screen ${JSON.stringify(card)}`);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('card').hidden);

  // Chips: more to the right is shown (fade and arrow), and the arrow scrolls.
  await page.evaluate(() => window.scrollTo(0, 0));
  const chips = () => page.evaluate(() => {
    const nav = document.querySelector('.presets');
    const strip = nav.querySelector('.preset-buttons');
    return { overflow: nav.dataset.overflow, over: strip.scrollWidth > strip.clientWidth, next: getComputedStyle(nav.querySelector('.chips-next')).display, mask: getComputedStyle(strip).maskImage || getComputedStyle(strip).webkitMaskImage };
  });
  const c0 = await chips();
  assert.ok(c0.over, 'nine chips do not fit 390 px');
  assert.equal(c0.overflow, 'end');
  assert.notEqual(c0.next, 'none', 'the › arrow shows');
  assert.match(c0.mask, /gradient/, 'the strip fades out on the right');
  await page.tap('.chips-next');
  await page.waitForFunction(() => ['both', 'start'].includes(document.querySelector('.presets').dataset.overflow));

  // No label, button, caption or select is cut, the settings included.
  assert.deepEqual(await page.evaluate(TRUNCATED), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('compare: one field per value, runs named "lr 1", captions and legends apart', { timeout: 90000 }, async () => {
  const { page, context, problems } = await open('?autoplay=0&speed=max&layers=4,4', { width: 1440, height: 900 });
  await ready(page);
  await page.selectOption('#c-compare-key', 'lr');
  // Suggestions are placeholders: typing replaces nothing and appends to nothing.
  const fields = '#c-compare-values input';
  assert.deepEqual(await page.$$eval(fields, (l) => l.map((i) => i.value)), ['', '']);
  assert.deepEqual(await page.$$eval(fields, (l) => l.map((i) => i.placeholder)), ['1', '0.03']);
  await page.locator(fields).nth(0).type('1');
  await page.locator(fields).nth(1).type('0.1');
  await page.click('#c-compare-add');
  await page.keyboard.type('0.01');
  await page.click('#c-compare-apply');
  await page.waitForFunction(() => window.__relu.state.compare?.values.length === 3);
  assert.deepEqual(await page.evaluate(() => window.__relu.state.compare), { key: 'lr', values: [1, 0.1, 0.01] });
  await page.waitForFunction(() => window.__relu.snapshots.length === 3 && window.__relu.snapshots.every((s) => s));
  await page.evaluate(() => window.__reluApp.step(30));
  await page.waitForFunction(() => document.querySelectorAll('.net figcaption .net-stat').length === 3 && [...document.querySelectorAll('.net-stat')].every((e) => /dead/.test(e.textContent)));
  const names = await page.$$eval('.net figcaption .net-name', (l) => l.map((e) => e.textContent));
  assert.deepEqual(names, ['lr 1', 'lr 0.1', 'lr 0.01']);
  assert.match(await page.textContent('.net figcaption'), /^lr 1 \d+% dead · loss /);
  assert.deepEqual((await page.evaluate(() => window.__reluApp.getStats())).runs.map((r) => r.label), names);
  // The fields now hold the values; removing one and comparing gives two runs.
  assert.deepEqual(await page.$$eval(fields, (l) => l.map((i) => i.value)), ['1', '0.1', '0.01']);
  // Legends: no entry of any chart's legend overlaps another; captions are not cut.
  await page.waitForFunction(() => document.querySelectorAll('.u-legend .u-series').length >= 6);
  for (const chart of await page.$$('.chart')) {
    const entries = await chart.$$eval('.u-legend .u-series', (l) => l.filter((e) => e.offsetParent).map((e) => {
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, text: e.textContent.trim() };
    }));
    assertApart(entries, 'chart legend');
  }
  assertApart(await rects(page, '.net figcaption > span'), 'network captions');
  assert.deepEqual(await page.evaluate(TRUNCATED), []);
  await page.click('#c-compare-values .compare-value:nth-child(2) button');
  await page.click('#c-compare-apply');
  await page.waitForFunction(() => window.__relu.state.compare?.values.length === 2);
  assert.deepEqual(await page.evaluate(() => window.__relu.state.compare.values), [1, 0.01]);
  // One field holding "1|0.1" is refused with a message, nothing changes.
  await page.locator(fields).nth(0).fill('1|0.1');
  await page.click('#c-compare-apply');
  await page.waitForFunction(() => /one value per field/.test(document.getElementById('notice-text').textContent));
  assert.deepEqual(await page.evaluate(() => window.__relu.state.compare.values), [1, 0.01]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('wide: keys, skip link, hover card in the window, PReLU chart, Seed, header buttons', { timeout: 90000 }, async () => {
  const { page, context, problems } = await open('?preset=high-lr&autoplay=0', { width: 1440, height: 900 });
  await ready(page);
  // One Tab reaches the skip link; Enter puts the focus on the network picture.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-network');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.closest('#networks') !== null && document.activeElement.tagName), 'CANVAS');

  // The hover card: with the network low on the screen, the card still fits in the window.
  await page.evaluate(() => {
    const net = document.querySelector('#networks');
    window.scrollBy(0, net.getBoundingClientRect().bottom - innerHeight + 10);
  });
  const box = (await rects(page, '#networks canvas'))[0];
  for (let y = box.bottom - 12; y > box.top && (await page.evaluate(() => document.getElementById('card').hidden)); y -= 3)
    await page.mouse.move(box.left + 26 + (box.width - 52) / 7, y);
  const [card] = await rects(page, '#card');
  assert.ok(card, 'hovering a neuron opens its card');
  assert.ok(card.top >= 0 && card.bottom <= 900 && card.left >= 0 && card.right <= 1440, `hover card inside the window: ${JSON.stringify(card)}`);
  // Escape closes it (the focus is on the page, not in the card).
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('card').hidden);

  // Number keys pick presets (the chips' badges).
  await page.keyboard.press('3');
  await page.waitForFunction((id) => window.__relu.state.preset === id, PRESETS[2].id);
  assert.equal(await page.getAttribute('.preset[aria-pressed=true]', 'aria-keyshortcuts'), '3');

  // The PReLU chart: hidden while no layer is PReLU, shown with one.
  const slopeShown = () => page.evaluate(() => [...document.querySelectorAll('.chart')].find((f) => /PReLU/.test(f.textContent))?.offsetParent != null);
  await page.evaluate(() => window.__reluApp.set({ preset: '', activation: 'relu' }));
  await page.evaluate(() => window.__reluApp.step(20));
  assert.equal(await slopeShown(), false);
  await page.evaluate(() => window.__reluApp.set({ activation: 'prelu' }));
  await page.evaluate(() => window.__reluApp.step(20));
  await page.waitForFunction(() => [...document.querySelectorAll('.chart')].find((f) => /PReLU/.test(f.textContent))?.offsetParent != null);

  // Seed sits with Training; the two header buttons look alike.
  assert.equal(await page.evaluate(() => document.getElementById('c-seed').closest('fieldset').querySelector('legend').textContent), 'Training');
  const look = await page.evaluate(() => ['#share', '.exports > summary'].map((s) => {
    const e = document.querySelector(s);
    const c = getComputedStyle(e);
    return [c.borderTopWidth, c.borderTopColor, c.borderRadius, c.paddingLeft, c.fontSize, c.color, c.backgroundColor, Math.round(e.getBoundingClientRect().height)];
  }));
  assert.deepEqual(look[0], look[1]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hide=charts reflows; an unknown hide= name goes to the console and getWarnings(), not the notice', { timeout: 60000 }, async () => {
  const { page, context, problems, warnings } = await open('?autoplay=0&hide=charts,chart', { width: 1440, height: 900 });
  await ready(page);
  const layout = await page.evaluate(() => {
    const r = (s) => document.querySelector(s).getBoundingClientRect();
    return { cols: getComputedStyle(document.querySelector('.layout')).gridTemplateColumns.split(' ').length, net: r('.network-panel'), out: r('.output-panel'), charts: document.querySelector('.charts-panel').offsetParent };
  });
  assert.equal(layout.charts, null, 'charts hidden');
  assert.equal(layout.cols, 3);
  assert.ok(layout.out.left > layout.net.right && Math.abs(layout.out.top - layout.net.top) < 1, 'the output moved up into the freed column');
  assert.equal(await page.evaluate(() => document.getElementById('notice').hidden), true, 'no notice for the author mistake');
  assert.deepEqual(await page.evaluate(() => window.__reluApp.getWarnings().warnings), ['hide: nothing is called "chart"']);
  assert.ok(warnings.some((w) => /hide: nothing is called "chart"/.test(w)), `console: ${warnings}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('lab: shipped results drawn before any run, legends apart, Run it again recomputes', { timeout: 90000 }, async () => {
  const { page, context, problems } = await open('lab.html?study=lr-dead', { width: 1440, height: 900 });
  await page.waitForFunction(() => window.__lab?.shipped === 'lr-dead' && document.querySelector('#plot svg'), null, { timeout: 30000 });
  const shipped = JSON.parse(readFileSync(join(ROOT, 'docs', 'results', 'lr-dead.json'), 'utf8'));
  const before = await page.evaluate(() => ({ state: window.__lab.state, total: window.__lab.result.jobs_total, run: document.getElementById('run').textContent, paths: document.querySelectorAll('#plot svg path').length }));
  assert.deepEqual([before.state, before.total, before.run], ['idle', shipped.jobs_total, 'Run it again']);
  assert.ok(before.paths > 10, 'curves and error bars drawn');
  for (const study of ['lr-dead', 'born-dead']) {
    if (study !== 'lr-dead') {
      await page.selectOption('#study', study);
      await page.waitForFunction((s) => window.__lab.shipped === s, study);
    }
    const names = await page.$$eval('#plot svg text.legend-name', (l) => l.map((t) => {
      const b = t.getBoundingClientRect();
      return { top: b.top, bottom: b.bottom, left: b.left - 23, right: b.right, text: t.textContent };
    }));
    assert.ok(names.length >= 4, study);
    assertApart(names, `${study} legend`);
  }
  await page.selectOption('#study', 'lr-dead');
  await page.waitForFunction(() => window.__lab.shipped === 'lr-dead');
  await page.click('#run');
  await page.waitForFunction(() => window.__lab.done >= 1, null, { timeout: 60000, polling: 100 });
  await page.click('#cancel');
  await page.waitForFunction(() => window.__lab.state === 'cancelled', null, { timeout: 20000 });
  const again = await page.evaluate(() => ({ shipped: window.__lab.shipped, seeds: window.__lab.result.sweep.seeds, done: window.__lab.result.jobs_done }));
  assert.equal(again.shipped, null);
  assert.notEqual(again.seeds, shipped.sweep.seeds, 'recomputed on the browser grid');
  assert.ok(again.done >= 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('embedding guide: the course page frame is responsive (width 100%, most of a phone screen)', { timeout: 60000 }, async () => {
  const doc = readFileSync(join(ROOT, 'docs', 'embedding.md'), 'utf8');
  assert.match(doc, /\.playground-frame \{[^}]*width: 100%/);
  assert.match(doc, /Heights on phones/);
  for (const [vp, check] of [
    [{ width: 1280, height: 900 }, (f) => f.height >= 560 && Math.abs(f.height - (f.width * 10) / 16) < 2],
    [PHONE, (f) => Math.abs(f.height - 0.85 * PHONE.height) < 2],
  ]) {
    const { page, context } = await open('examples/course-page.html', vp);
    const f = await page.evaluate(() => {
      const e = document.getElementById('frame');
      const r = e.getBoundingClientRect();
      const p = e.parentElement.getBoundingClientRect();
      return { width: r.width, parent: p.width, height: r.height };
    });
    assert.ok(Math.abs(f.width - f.parent) < 1, `frame ${f.width} fills its column ${f.parent}`);
    assert.ok(check(f), JSON.stringify({ vp, f }));
    await context.close();
  }
});

test('phone: a first visit shows the story\'s first paragraph and the network on the first screen; the rest on request', { timeout: 60000 }, async () => {
  const { page, context, problems } = await open('', { ...PHONE, phone: true });
  await page.waitForFunction(() => window.__relu?.snapshots?.[0] && !document.querySelector('#story').hidden, null, { timeout: 30000 });
  const shown = () => page.evaluate(() => ({
    paragraphs: [...document.querySelectorAll('#story-text > p')].map((p) => getComputedStyle(p).display !== 'none'),
    networkTop: document.querySelector('#networks').getBoundingClientRect().top,
    more: document.querySelector('#story-more').textContent,
    expanded: document.querySelector('#story-more').getAttribute('aria-expanded'),
  }));
  const folded = await shown();
  assert.deepEqual(folded.paragraphs, [true, false], 'the first paragraph only');
  assert.ok(folded.networkTop < PHONE.height - 120, `the network starts on the first screen (top ${folded.networkTop})`);
  assert.equal(folded.expanded, 'false');
  await page.click('#story-more');
  const open_ = await shown();
  assert.deepEqual(open_.paragraphs, [true, true]);
  assert.deepEqual([open_.more, open_.expanded], ['Show less', 'true']);
  await context.close();
  // A wide screen has room: every paragraph, no button.
  const wide = await open('');
  await wide.page.waitForFunction(() => window.__relu?.snapshots?.[0] && !document.querySelector('#story').hidden, null, { timeout: 30000 });
  assert.deepEqual(await wide.page.evaluate(() => [[...document.querySelectorAll('#story-text > p')].map((p) => getComputedStyle(p).display !== 'none'), getComputedStyle(document.querySelector('#story-more')).display]), [[true, true], 'none']);
  await wide.context.close();
  assert.deepEqual([...problems, ...wide.problems], []);
});
