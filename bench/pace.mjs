// Pacing benchmark (not a test; issue 12 §1): does each preset's key moment unfold on screen?
// For each preset, opens the page with that preset's link (?preset=ID: its default pace) in
// headless Chromium at 1440×900 and measures, in the page, by requestAnimationFrame:
//   first frame   ms from navigation to the first frame that draws a snapshot, and its step
//   key moment    the first frame whose snapshots satisfy the preset's key moment
//                 (web/presets.js `key`, read through window.__relu.keyMoment: the same
//                 definition tools/key-steps.mjs and the tests use), its step, and the
//                 seconds from the first frame
//   rescue        where the moment is at birth (step 0: it cannot unfold), the story action
//                 that can be watched instead is pressed on the first frame, and the seconds
//                 until its effect shows (presets.js `rescue`)
// Prints a table. Target: every key moment that is not at birth takes >= ~3 s.
// Usage: node bench/pace.mjs [preset-id ...]   (after `bash playground.sh build` or `dist`)
import { setup } from '../tests/browser/helpers.mjs';
import { PRESETS, PRESET_BY_ID } from '../web/presets.js';
import { speedLabel } from '../web/state.js';

const LIMIT_MS = 90000; // a moment later than this is reported as not reached
const ids = process.argv.slice(2).length ? process.argv.slice(2) : PRESETS.map((p) => p.id);

// In the page, every frame: the first snapshot on screen, then the first frame where the key
// moment (and the rescue, once its action was pressed) holds.
function watch({ rescueAction, limitMs }) {
  const out = (window.__pace = { first: null, key: null, rescue: null, pressed: null, done: false });
  const frame = () => {
    const now = performance.now();
    const m = window.__relu?.keyMoment;
    if (m) {
      if (!out.first) out.first = { t: now, step: m.step };
      if (!out.key && m.key.reached) out.key = { t: now, step: m.step };
      if (rescueAction && !out.pressed) {
        const button = [...document.querySelectorAll('#story-actions button')].find((b) => b.textContent === rescueAction);
        if (button) {
          button.click();
          out.pressed = { t: now, step: m.step };
        }
      } else if (rescueAction && !out.rescue && m.rescue?.reached) out.rescue = { t: now, step: m.step };
    }
    out.done = !!(out.key && (!rescueAction || out.rescue)) || (out.first && now - out.first.t > limitMs);
    if (!out.done) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

const env = await setup();
const rows = [];
try {
  for (const id of ids) {
    const p = PRESET_BY_ID[id];
    if (!p) throw new Error(`unknown preset "${id}"; one of ${PRESETS.map((q) => q.id).join(', ')}`);
    const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript(watch, { rescueAction: p.rescue?.action ?? null, limitMs: LIMIT_MS });
    await page.goto(`${env.base}?preset=${id}`);
    await page.waitForFunction(() => window.__pace?.done, null, { timeout: LIMIT_MS + 60000, polling: 250 });
    const r = await page.evaluate(() => ({ ...window.__pace, speed: window.__relu.state.speed }));
    await context.close();
    if (problems.length) throw new Error(`${id}: ${problems.join('; ')}`);
    const secs = (a, b) => (a && b ? ((b.t - a.t) / 1000).toFixed(1) : `> ${LIMIT_MS / 1000}`);
    rows.push({
      preset: id,
      pace: speedLabel(p.pace),
      first: `${Math.round(r.first.t)} ms, step ${r.first.step}`,
      moment: p.key.what,
      step: r.key ? String(r.key.step) : 'not reached',
      seconds: p.key.atBirth ? 'at birth: cannot unfold' : r.key && r.key.step - r.first.step <= 1 ? `${secs(r.first, r.key)} (one step: cannot unfold)` : secs(r.first, r.key),
    });
    if (p.rescue) {
      const action = p.actions.find((a) => a.label === p.rescue.action);
      rows.push({
        preset: `${id}: "${p.rescue.action}" at the first frame`,
        pace: speedLabel(action.speed ?? p.pace),
        first: `pressed at step ${r.pressed?.step}`,
        moment: p.rescue.what,
        step: r.rescue ? String(r.rescue.step) : 'not reached',
        seconds: secs(r.pressed, r.rescue),
      });
    }
    console.error(`${id}: done`);
  }
} finally {
  await env.close();
}
console.log('| preset | pace | first frame | key moment | step | seconds from first frame |');
console.log('|---|---:|---|---|---:|---:|');
for (const r of rows) console.log(`| ${r.preset} | ${r.pace} | ${r.first} | ${r.moment} | ${r.step} | ${r.seconds} |`);
