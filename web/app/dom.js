// Building DOM without HTML strings: text always goes through text nodes, so a partner
// named "<img src=x onerror=…>" stays a name. Nothing in the page uses innerHTML.

/**
 * Creates an element. `props`: `class`, `text`, `dataset` (object), `on` (event → handler)
 * and any other attribute (strings; `true` sets a boolean attribute; false/null skips it).
 * Children are nodes or strings (strings become text nodes); null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** `$('#id')`. */
export const $ = (sel, root = document) => root.querySelector(sel);
