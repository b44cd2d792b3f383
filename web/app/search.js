// Search: areas by GEOID or name and partners by name, from what the page has loaded;
// a geography drawn from tiles has nothing loaded, so there the server searches
// (`/api/v1/search`). A hit flies to the area or site and opens its popup, or opens a
// partner's panel.

import { getJSON, needsToken, query } from './api.js';
import { $, h, replace } from './dom.js';
import { formatNumber } from './metrics.js';
import { openSignIn } from './signin.js';
import { geographyName, state, tiled } from './state.js';
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

const sitesWord = (n) => `${formatNumber(n, 'count')} site${n === 1 ? '' : 's'}`;

/** The server's hits for `text` in the shown geography, as the page's own search gives them, with how many it found. */
async function serverResults(text, signal) {
  const doc = await getJSON(`/api/v1/search${query({ q: text.trim(), geography: geographyName() })}`, { signal });
  const results = [
    ...doc.areas.map((a) => ({ kind: 'area', id: a.geoid, label: a.name || a.geoid, detail: `Area · GEOID ${a.geoid}` })),
    ...doc.partners.map((p) => ({
      kind: 'partner',
      id: p.id,
      label: p.name,
      detail: `Partner · ${sitesWord(p.sites)} · details and history`,
    })),
    ...doc.sites.map((x) => ({
      kind: 'site',
      id: x.id,
      label: x.partner || x.name,
      detail: `Partner site · ${x.name}`,
      coords: [x.lon, x.lat],
    })),
  ];
  // What the limit left out, said under the hits: a national geography has thousands of "Census Tract 1…".
  const more = [
    [doc.areas_found - doc.areas.length, 'area'],
    [doc.partners_found - doc.partners.length, 'partner'],
    [doc.sites_found - doc.sites.length, 'site'],
  ]
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${formatNumber(n, 'count')} more ${what}${n === 1 ? '' : 's'}`);
  return { results, more };
}

/** Wires the search box: areas by GEOID or name, partners by partner or site name. */
export function initSearch() {
  const input = $('#search-input');
  const list = $('#search-results');
  let timer = null;
  let asking = null;
  const choose = (r) => {
    list.hidden = true;
    if (r.kind === 'area') focusArea(r.id);
    else if (r.kind === 'partner') openPartner(r.id);
    else focusSite(r.id, r.coords);
  };
  const show = (...items) => {
    replace(list, items);
    list.hidden = false;
  };
  const render = async () => {
    const text = input.value;
    if (asking) asking.abort();
    asking = null;
    let results;
    let more = [];
    if (tiled(geographyName()) && text.trim().length >= 2) {
      const abort = new AbortController();
      asking = abort;
      show(h('li', { class: 'muted searching', text: 'Searching…' }));
      try {
        ({ results, more } = await serverResults(text, abort.signal));
      } catch (err) {
        if (err.name === 'AbortError') return;
        if (needsToken(err)) openSignIn(err);
        show(h('li', { class: 'muted search-error', text: `Search is not available: ${err.message}` }));
        $('#search-count').textContent = 'Search is not available';
        return;
      } finally {
        if (asking === abort) asking = null;
      }
      if (input.value !== text) return;
    } else {
      results = searchResults(text);
    }
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
    if (text.trim().length >= 2 && !results.length) list.append(h('li', { class: 'muted no-hit', text: 'No area or partner matches.' }));
    if (more.length) list.append(h('li', { class: 'muted more-hits', text: `And ${more.join(', ')}: type more to narrow.` }));
    // A list of buttons under the box (no combobox role: the hits are plain buttons, reached
    // with Tab or the arrow keys), and how many there are for screen readers.
    list.hidden = list.children.length === 0;
    $('#search-count').textContent = text.trim().length >= 2 ? `${results.length} ${results.length === 1 ? 'match' : 'matches'}` : '';
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(render, 120);
  });
  $('#search').addEventListener('submit', async (e) => {
    e.preventDefault();
    clearTimeout(timer);
    await render();
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
