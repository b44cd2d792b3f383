// Search: areas by GEOID or name and partners by name, from what the page has loaded;
// a hit flies to the area or site and opens its popup, or opens a partner's panel.

import { $, h, replace } from './dom.js';
import { geographyName, state } from './state.js';
import { focusArea } from './views/index.js';
import { openPartner } from './views/partner.js';
import { focusSite } from './views/sites.js';

function searchResults(text) {
  const q = text.trim().toLowerCase();
  if (q.length < 2) return [];
  const out = [];
  const entry = state.areas.get(geographyName());
  if (entry) {
    for (const [geoid, a] of entry.byId) {
      const name = String(a.feature.properties.name || '');
      if (geoid.toLowerCase().includes(q) || name.toLowerCase().includes(q)) {
        out.push({ kind: 'area', id: geoid, label: name || geoid, detail: `Area · GEOID ${geoid}` });
        if (out.length >= 8) break;
      }
    }
  }
  // Partners by name, once each, with how many sites they have.
  const found = new Map();
  for (const f of state.sites) {
    const p = f.properties;
    if (
      !p.partner_id ||
      !String(p.partner || '')
        .toLowerCase()
        .includes(q)
    )
      continue;
    const hit = found.get(p.partner_id);
    if (hit) hit.sites += 1;
    else if (found.size < 8) found.set(p.partner_id, { name: String(p.partner), sites: 1 });
  }
  for (const [id, hit] of found) {
    out.push({
      kind: 'partner',
      id,
      label: hit.name,
      detail: `Partner · ${hit.sites} site${hit.sites === 1 ? '' : 's'} · details and history`,
    });
  }
  let partners = 0;
  for (const f of state.sites) {
    const p = f.properties;
    const partner = String(p.partner || '');
    const site = String(p.name || '');
    if (partner.toLowerCase().includes(q) || site.toLowerCase().includes(q)) {
      out.push({ kind: 'site', id: p.id, label: partner || site, detail: `Partner site · ${site}` });
      if (++partners >= 8) break;
    }
  }
  return out;
}

/** Wires the search box: areas by GEOID or name, partners by partner or site name. */
export function initSearch() {
  const input = $('#search-input');
  const list = $('#search-results');
  let timer = null;
  const choose = (r) => {
    list.hidden = true;
    if (r.kind === 'area') focusArea(r.id);
    else if (r.kind === 'partner') openPartner(r.id);
    else focusSite(r.id);
  };
  const render = () => {
    const results = searchResults(input.value);
    replace(
      list,
      results.map((r) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'search-hit', dataset: { kind: r.kind, id: r.id }, on: { click: () => choose(r) } },
            h('span', { class: 'hit-label', text: r.label }),
            h('span', { class: 'hit-detail', text: r.detail }),
          ),
        ),
      ),
    );
    if (input.value.trim().length >= 2 && !results.length)
      list.append(h('li', { class: 'muted no-hit', text: 'No area or partner matches.' }));
    // A list of buttons under the box (no combobox role: the hits are plain buttons, reached
    // with Tab or the arrow keys), and how many there are for screen readers.
    list.hidden = list.children.length === 0;
    $('#search-count').textContent =
      input.value.trim().length >= 2 ? `${results.length} ${results.length === 1 ? 'match' : 'matches'}` : '';
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(render, 120);
  });
  $('#search').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    render();
    const first = list.querySelector('button');
    if (first) first.click();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      const first = list.querySelector('button');
      if (first) {
        e.preventDefault();
        first.focus();
      }
    } else if (e.key === 'Escape') {
      list.hidden = true;
    }
  });
  list.addEventListener('keydown', (e) => {
    const buttons = [...list.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && i < buttons.length - 1) {
      e.preventDefault();
      buttons[i + 1].focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      (i > 0 ? buttons[i - 1] : input).focus();
    } else if (e.key === 'Escape') {
      list.hidden = true;
      input.focus();
    }
  });
}
