// Wires the buttons in the lesson's text to the playgrounds: each button names its
// playground (data-target), an action (play, pause, step, reset, set) and its argument
// (data-n, data-state as JSON). A readout under each shows its live stats.
await customElements.whenDefined('relu-playground');

for (const b of document.querySelectorAll('button[data-target]')) {
  b.addEventListener('click', async () => {
    const pg = document.getElementById(b.dataset.target);
    const action = b.dataset.action;
    try {
      if (action === 'set') await pg.set(JSON.parse(b.dataset.state));
      else if (action === 'step') await pg.step(Number(b.dataset.n));
      else await pg[action]();
    } catch (e) {
      console.warn(`${b.dataset.target}.${action}: ${e.message}`);
    }
  });
}

function describe(s) {
  const units = s.layers.reduce((a, l) => a + l.width, 0);
  const dead = s.layers.reduce((a, l) => a + l.counts.dead, 0);
  const loss = Number.isFinite(s.trainLoss) ? s.trainLoss.toFixed(3) : 'n/a';
  return `step ${s.step} · ${dead} of ${units} units dead (${Math.round((100 * dead) / units)}%) · per layer ${s.layers
    .map((l) => `${Math.round(100 * l.fractionDead)}%`)
    .join(' / ')} · train loss ${loss}${s.playing ? ' · training' : ''}`;
}

for (const out of document.querySelectorAll('output[data-stats-for]')) {
  const pg = document.getElementById(out.dataset.statsFor);
  const tick = async () => {
    if (pg.isConnected) out.textContent = describe(await pg.getStats());
    setTimeout(tick, 500);
  };
  pg.ready().then(tick);
}
