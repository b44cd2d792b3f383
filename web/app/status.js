// The status line, the error list and the loads in progress. Each message has a key, so
// a later success can clear the error it replaces.

import { $, h, replace } from './dom.js';

const busy = new Map();

/** Shows (or with no message, clears) what is loading under `key`. */
export function setBusy(key, message) {
  if (message) busy.set(key, message);
  else busy.delete(key);
  const el = $('#status');
  const msgs = [...busy.values()];
  el.hidden = msgs.length === 0;
  replace(el, msgs.length ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null, msgs.join(' · '));
  document.body.toggleAttribute('aria-busy', msgs.length > 0);
  // While what the map draws is loading, the map itself says so (the status line above
  // speaks to screen readers; this one is for the eye).
  const overlay = $('#map-loading');
  const drawing = ['boot', 'areas', 'gaps', 'compare', 'siting', 'outreach'].filter((k) => busy.has(k));
  if (overlay) {
    overlay.hidden = drawing.length === 0;
    overlay.textContent = drawing.length ? `${busy.get(drawing[0]).replace(/…$/, '')}: the map will appear when it is ready…` : '';
  }
}

/** Shows (or with no message, clears) the error under `key`, with a "Try again" button when `retry` is given. */
export function showError(key, message, retry) {
  const box = $('#errors');
  let item = box.querySelector(`[data-key="${key}"]`);
  if (!message) {
    if (item) item.remove();
    box.hidden = box.children.length === 0;
    return;
  }
  if (!item) {
    item = h('div', { class: 'error-item', dataset: { key } });
    box.append(item);
  }
  replace(item, h('p', { text: message }), retry ? h('button', { type: 'button', text: 'Try again', on: { click: retry } }) : null);
  box.hidden = false;
}

let pending = Promise.resolve();

/** Remembers a load in progress, so `settled()` can wait for all of them. */
export function track(p) {
  pending = Promise.allSettled([pending, p]);
  return p;
}

/** Resolves when every tracked load has finished, including those started meanwhile. */
export async function settled() {
  let before;
  do {
    before = pending;
    await pending;
  } while (before !== pending);
}
