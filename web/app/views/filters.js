// The chosen need's own site filters (open in the evening, serves Spanish …), as the data
// can answer them (/api/v1/needs/{code}/filters): a filter no site's data supports is
// offered disabled, with the server's reason and how to add what is missing; a chosen
// one fetches the sites it keeps (/api/v1/sites?need=&hours=), so that only those are
// drawn.

import { getJSON, query } from '../api.js';
import { $, h, replace } from '../dom.js';
import { need, state } from '../state.js';
import { languageLabel } from '../vocabulary.js';

let loadedFor = null; // `${need}|${year}` of state.needFilters

/** The words of a filter option of /api/v1/needs/{code}/filters. */
export function filterLabel(f) {
  if (f.param === 'language') return `Serves ${languageLabel(f.value)}`;
  return f.label || `${f.param}: ${f.value}`;
}

/** The chosen filter as query parameters (`{hours: 'evening'}`), or `{}`. */
export function needFilterParams() {
  if (!state.needFilter) return {};
  const [k, v] = state.needFilter.split('=');
  return { [k]: v };
}

/** The chosen filter's option, or null. */
export function chosenFilter() {
  if (!state.needFilter || !state.needFilters) return null;
  return state.needFilters.filters.find((f) => `${f.param}=${f.value}` === state.needFilter) || null;
}

function render() {
  const sel = $('#need-filter');
  const note = $('#need-filter-note');
  const doc = state.needFilters;
  const n = need();
  const declared = Boolean(n?.filters && (n.filters.hours?.length || Object.keys(n.filters.language || {}).length));
  $('#need-filter-row').hidden = !declared;
  if (!doc) {
    replace(sel, h('option', { value: '', text: 'All that supply the need' }));
    replace(note);
    note.hidden = true;
    return;
  }
  replace(
    sel,
    h('option', { value: '', text: 'All that supply the need' }),
    doc.filters.map((f) =>
      h('option', {
        value: `${f.param}=${f.value}`,
        disabled: !f.available,
        dataset: { available: String(f.available) },
        text: f.available ? filterLabel(f) : `${filterLabel(f)} (not in the data)`,
      }),
    ),
  );
  sel.value = state.needFilter;
  const missing = doc.filters.filter((f) => !f.available);
  // Filters missing the same data share one line.
  const byReason = new Map();
  for (const f of missing) {
    const key = f.reason || '';
    if (!byReason.has(key)) byReason.set(key, []);
    byReason.get(key).push(f);
  }
  replace(
    note,
    missing.length ? h('span', { text: 'Not offered, since the data cannot answer them:' }) : null,
    missing.length
      ? h(
          'ul',
          { class: 'filter-reasons' },
          [...byReason].map(([reason, fs]) =>
            h(
              'li',
              { dataset: { filter: fs.map((f) => `${f.param}=${f.value}`).join(' ') } },
              h('strong', { text: `${fs.map(filterLabel).join('; ')}: ` }),
              reason,
            ),
          ),
        )
      : null,
  );
  note.hidden = missing.length === 0;
}

/**
 * Loads the chosen need's filters for the chosen year (once per need and year), drops a
 * chosen filter the data no longer answers, and fetches the sites the chosen one keeps
 * into `state.countedSites` (null without a filter).
 */
export async function loadNeedFilters({ signal, counted = true } = {}) {
  const n = need();
  const key = n && state.year !== null ? `${n.code}|${state.year}` : null;
  if (key !== loadedFor) {
    state.needFilters = null;
    loadedFor = null;
    if (key) {
      try {
        state.needFilters = await getJSON(`/api/v1/needs/${encodeURIComponent(n.code)}/filters${query({ year: state.year })}`, {
          signal,
        });
        loadedFor = key;
      } catch (err) {
        if (err.name === 'AbortError') throw err;
        // Without the list, no filter is offered: none can be trusted.
        state.needFilters = { filters: [] };
      }
    }
  }
  const chosen = chosenFilter();
  if (state.needFilter && !chosen?.available) state.needFilter = '';
  render();
  state.countedSites = null;
  // `counted: false` (a geography drawn from tiles): the page does not list the sites.
  if (state.needFilter && n && counted) {
    const fc = await getJSON(`/api/v1/sites${query({ need: n.code, ...needFilterParams() })}`, { signal });
    state.countedSites = new Set(fc.features.map((f) => f.properties.id));
  }
}

/** Forgets the loaded filters (after an upload changed the sites or the indicators). */
export function forgetNeedFilters() {
  loadedFor = null;
}
