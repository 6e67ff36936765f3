// The notice box: the last lines the page has to say (warnings, errors, confirmations),
// always as text. notice(lines) replaces them, notice(lines, true) appends.
const SHOWN = 8;

export function createNotices($) {
  let lines = [];
  function notice(next, append = false) {
    lines = (append ? [...lines, ...next] : next).slice(-SHOWN);
    const box = $('notice-text');
    box.replaceChildren();
    for (const line of lines) {
      const p = document.createElement('p');
      p.textContent = line;
      box.append(p);
    }
    $('notice').hidden = lines.length === 0;
  }
  $('notice-close').addEventListener('click', () => notice([]));
  return { notice, count: () => lines.length };
}
