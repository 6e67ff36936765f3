// What the page has to say, in two places, always as text:
//   notice(lines)  the notice box under the presets (warnings, errors, confirmations);
//                  notice(lines, true) appends.
//   noteBy(find)   a note placed right after the control that caused it (a revive button, the
//                  neuron card's buttons), so an answer appears where the eye already is, on
//                  a phone too. find() returns that control (or the row it sits in); it is
//                  asked again whenever the note is shown, because a control can be rebuilt
//                  (the story's buttons are, on every live setting change).
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

/**
 * A note that sits right after an element. Returns {show(lines, find?), clear(), element}:
 * show() writes the lines (textContent) and (re)places the note after find()'s element;
 * a find() that returns nothing hides the note until it is shown again.
 * cls: an extra class (the stylesheet lays it out per place).
 * link: an optional button under the lines {label, onClick, wanted() (shown only when true)}.
 */
export function noteBy(find, cls = '', link = null) {
  const box = document.createElement('div');
  box.className = `action-note ${cls}`.trim();
  box.setAttribute('role', 'status');
  box.hidden = true;
  const text_ = document.createElement('div');
  box.append(text_);
  let button = null;
  if (link) {
    button = document.createElement('button');
    button.type = 'button';
    button.className = 'note-link';
    button.textContent = link.label;
    button.addEventListener('click', link.onClick);
    box.append(button);
  }
  let where = find;
  let text = [];
  function place() {
    const anchor = where?.();
    if (!anchor || !text.length) {
      box.hidden = true;
      return;
    }
    if (anchor.nextElementSibling !== box) anchor.after(box);
    box.hidden = false;
    if (button) button.hidden = !link.wanted();
  }
  return {
    element: box,
    show(lines, nextFind) {
      if (nextFind) where = nextFind;
      const same = lines.length === text.length && lines.every((l, k) => l === text[k]);
      text = lines.slice();
      if (!same) {
        text_.replaceChildren();
        for (const line of text) {
          const p = document.createElement('p');
          p.textContent = line;
          text_.append(p);
        }
      }
      place();
    },
    clear() {
      text = [];
      text_.replaceChildren();
      box.hidden = true;
    },
    /** The lines shown (tests). */
    get lines() {
      return box.hidden ? [] : text.slice();
    },
  };
}
