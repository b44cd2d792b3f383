// The Siting view: where k new sites of a given capacity would close the most shortfall
// (/api/v1/siting), drawn over the Gaps choropleth as numbered discs with the areas each
// reaches outlined, and listed best first with their gain.

import { getJSON, needsToken, query } from '../api.js';
import { distanceUnit } from '../distance.js';
import { $, h, replace } from '../dom.js';
import { theMap } from '../mapview.js';
import { formatNumber } from '../metrics.js';
import { openSignIn } from '../signin.js';
import { areaOf, need, state, units } from '../state.js';
import { setBusy, showError, track } from '../status.js';
import { renderLegend, showGaps } from './gaps.js';

let sitingAbort = null;
let shownQuery = null;

function readInt(id, min, max) {
  const input = $(id);
  const v = Number(input.value);
  const ok = input.value !== '' && Number.isInteger(v) && v >= min && v <= max;
  input.setAttribute('aria-invalid', String(!ok));
  return ok ? v : null;
}

function readCapacity() {
  const input = $('#siting-capacity');
  if (input.value === '') {
    input.setAttribute('aria-invalid', 'false');
    return { ok: true, value: null };
  }
  const v = Number(input.value);
  const ok = Number.isFinite(v) && v > 0;
  input.setAttribute('aria-invalid', String(!ok));
  return { ok, value: ok ? v : null };
}

const EXPLAIN = {
  demand_points:
    "Each suggestion is an area's population centre: a new site there, with its capacity shared among everyone within the need's radius (2SFCA), closes the shortfall shown. Picked one at a time, best first.",
  assets:
    "Each suggestion is a real place in the directory that is worth approaching (within the need's reach of a desert, not offering the need yet, not yet cooperating or collaborating): a new site of the need there, with its capacity shared among everyone within the need's radius (2SFCA), closes the shortfall shown. The existing sites stay; picked one at a time, best first.",
};

function sitingParams() {
  const n = need();
  const k = readInt('#siting-k', 1, 100);
  const capacity = readCapacity();
  const candidates = $('#siting-candidates').value;
  $('#siting-error').hidden = k !== null && capacity.ok;
  if (k === null || !capacity.ok || !n || state.year === null) return null;
  return { year: state.year, need: n.code, k, capacity: capacity.value, candidates: candidates === 'assets' ? 'assets' : null };
}

/** Where a suggestion is, in words: the place and its partner, or the area's demand point. */
function placeWords(g) {
  if (!g.site_id) return `At ${g.name || g.geoid}`;
  const partner = g.partner && g.partner !== g.site_name ? ` (${g.partner})` : '';
  return `At ${g.site_name || g.site_id}${partner}`;
}

/** Clears the suggestions from the map (leaving the Siting view). */
export function clearSiting() {
  const gm = theMap();
  if (gm) gm.setSuggestions(null);
}

/** Suggests new sites for the current choices (in the Siting view only). */
export async function refreshSiting(redrawGaps = false) {
  if (redrawGaps) await showGaps();
  if (state.view !== 'siting') return;
  const note = $('#siting-note');
  const p = sitingParams();
  if (!p) {
    note.textContent =
      state.year === null ? 'No assessment is stored yet: upload one (Upload data).' : 'Give the number of sites and their capacity.';
    return;
  }
  if (sitingAbort) sitingAbort.abort();
  const abort = new AbortController();
  sitingAbort = abort;
  setBusy('siting', `Looking for the best ${p.k} new sites…`);
  try {
    const doc = await getJSON(`/api/v1/siting${query(p)}`, { signal: abort.signal });
    if (abort.signal.aborted || state.view !== 'siting') return;
    state.siting = doc;
    shownQuery = query(p);
    renderSiting(doc);
    showError('siting', null);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (needsToken(err)) openSignIn(err);
    state.siting = null;
    shownQuery = null;
    replace($('#siting-list'));
    note.textContent = 'No suggestions are available.';
    clearSiting();
    showError('siting', `The siting suggestions are not available: ${err.message}`, () => track(refreshSiting()));
  } finally {
    if (sitingAbort === abort) {
      sitingAbort = null;
      setBusy('siting', null);
    }
  }
  renderLegend();
}

function unitOf(doc) {
  const u = units();
  return doc.params.supply === 'sites' ? 'sites' : u.supply;
}

function renderSiting(doc) {
  const s = doc.summary;
  const p = doc.params;
  const unit = unitOf(doc);
  const source =
    { given: 'as given', one_site: 'one per site', median_of_sites: "the median of the need's sites" }[p.capacity_source] || '';
  $('#siting-capacity').placeholder = `${formatNumber(p.capacity)} (${source})`;
  const assets = p.candidates === 'assets';
  $('#siting-note').textContent =
    `${formatNumber(s.suggestions, 'count')} new sites of ${formatNumber(p.capacity)} ${unit} each (${source}), within ${formatNumber(p.radius_km, 'km')} ${distanceUnit()}, ` +
    `would close ${formatNumber(s.gain_total)} of the ${formatNumber(s.shortfall_before)} ${unit} of shortfall (2SFCA), leaving ${formatNumber(s.shortfall_after)}.` +
    (assets ? ` Chosen among the ${formatNumber(s.candidates, 'count')} places worth approaching.` : '') +
    (s.suggestions < p.k
      ? ` Fewer than ${p.k}: ${assets && s.suggestions === s.candidates ? 'no other place qualifies' : 'nothing more could be covered'}.`
      : '');
  replace(
    $('#siting-list'),
    doc.suggestions.map((g) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'rank-item siting-item',
            dataset: { rank: String(g.rank), geoid: g.geoid, site: g.site_id || '' },
            on: { click: () => focusSuggestion(g.rank) },
          },
          h('span', { class: 'rank-name', text: `${g.rank}. ${placeWords(g)}` }),
          h(
            'span',
            { class: 'rank-value' },
            h('strong', { class: 'siting-gain', dataset: { value: String(g.gain) }, text: formatNumber(g.gain) }),
            ` ${unit} closed (${formatNumber(g.cumulative_gain)} with those above), ${formatNumber(g.areas.length, 'count')} areas reached`,
          ),
        ),
      ),
    ),
  );
  if (!doc.suggestions.length) $('#siting-list').append(h('li', { class: 'muted', text: 'No new site would close any shortfall.' }));
  const gm = theMap();
  if (!gm) return;
  const reached = [...new Set(doc.suggestions.flatMap((g) => g.areas))];
  gm.setSuggestions(
    {
      type: 'FeatureCollection',
      features: doc.suggestions.map((g) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [g.lon, g.lat] },
        properties: { rank: g.rank, gain: g.gain, geoid: g.geoid, name: g.name },
      })),
    },
    reached,
  );
}

function suggestionPopup(g, doc) {
  const unit = unitOf(doc);
  return h(
    'div',
    { class: 'popup popup-siting', dataset: { rank: String(g.rank) } },
    h('h3', { class: 'popup-title', text: `Suggested site ${g.rank}` }),
    h('p', {
      class: 'muted',
      dataset: { site: g.site_id || '' },
      text: g.site_id
        ? `${placeWords(g)}${g.kind ? `, ${g.kind}` : ''}: a place in the directory worth approaching, in ${g.name || g.geoid} (GEOID ${g.geoid})`
        : `At the demand point of ${g.name || g.geoid} (GEOID ${g.geoid})`,
    }),
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'Gain' }),
      h('dd', { dataset: { field: 'gain', value: String(g.gain) } }, `${formatNumber(g.gain)} ${unit} of shortfall closed`),
      h('dt', { text: 'With the sites above it' }),
      h('dd', { text: `${formatNumber(g.cumulative_gain)} ${unit}` }),
      h('dt', { text: 'Areas reached' }),
      h('dd', {
        text: `${formatNumber(g.areas.length, 'count')} (outlined), with a demand of ${formatNumber(g.catchment_demand, 'count')}`,
      }),
    ),
    h('p', {
      class: 'muted',
      text: 'The gain is how much the 2SFCA shortfall falls with this site added, given the sites ranked before it.',
    }),
  );
}

/** Opens a suggestion's popup (a click on its disc). */
export function openSuggestion(rank) {
  const doc = state.siting;
  const g = doc?.suggestions.find((x) => x.rank === rank);
  const gm = theMap();
  if (!g || !gm) return;
  gm.showPopup([g.lon, g.lat], suggestionPopup(g, doc), { className: 'gm-popup' });
}

/** Flies to a suggestion and the areas it reaches, then opens its popup. */
function focusSuggestion(rank) {
  const g = state.siting?.suggestions.find((x) => x.rank === rank);
  const gm = theMap();
  if (!g || !gm) return;
  const box = [g.lon, g.lat, g.lon, g.lat];
  for (const geoid of g.areas) {
    const a = areaOf(geoid);
    if (!a) continue;
    box[0] = Math.min(box[0], a.bbox[0]);
    box[1] = Math.min(box[1], a.bbox[1]);
    box[2] = Math.max(box[2], a.bbox[2]);
    box[3] = Math.max(box[3], a.bbox[3]);
  }
  gm.map.once('moveend', () => openSuggestion(rank));
  gm.flyToBox(box);
}

/** Wires the Siting controls. */
export function initSiting() {
  const again = () => {
    const p = sitingParams();
    if (p && query(p) === shownQuery) return;
    track(refreshSiting());
  };
  $('#siting-k').addEventListener('change', again);
  $('#siting-candidates').addEventListener('change', () => {
    $('#siting-explain').textContent = EXPLAIN[$('#siting-candidates').value] || EXPLAIN.demand_points;
    again();
  });
  $('#siting-capacity').addEventListener('change', again);
}
