// The Barriers view: per area, how many of the four barriers a family-partnership asset
// map looks for (child care, English proficiency, non-traditional hours, transportation)
// are deserts there (/api/v1/barriers), on the vocabulary's fixed 0–4 scale; each area's
// popup lists every barrier with its need's status, and a barrier the data cannot
// measure says so instead of counting as none.

import { getBlob, getJSON, needsToken, query } from '../api.js';
import { loadAreas } from '../data.js';
import { distanceUnit } from '../distance.js';
import { $, h, replace } from '../dom.js';
import { save } from '../downloads.js';
import { mapReady, theMap } from '../mapview.js';
import { formatNumber, NO_DATA } from '../metrics.js';
import { openSignIn } from '../signin.js';
import { state, tiled } from '../state.js';
import { setBusy, showError, track } from '../status.js';
import { barrierCountScale } from '../vocabulary.js';
import { focusAreaPopup, openAreaPopup } from './areas.js';
import { showLabels } from './labels.js';

const LIST_LIMIT = 20;
let barriersAbort = null;
const again = () => track(refreshBarriers());

/** The geography of the year shown (else the first stored one). */
function geographyOf(year) {
  const a = state.assessments.find((x) => x.year === year);
  return state.barriers?.geography || a?.geography || state.geographies[0]?.name || null;
}

/** Fetches the barriers of the chosen year and draws them (in the Barriers view only). */
export async function refreshBarriers() {
  if (state.view !== 'barriers') return;
  const note = $('#barriers-note');
  if (barriersAbort) barriersAbort.abort();
  state.barriers = null;
  state.barrierRows = new Map();
  // The counts colour every area from the whole answer, which a geography drawn from
  // tiles is too large to load: the map keeps the gaps, the download still works.
  const shown = geographyOf(state.year);
  if (shown && tiled(shown)) {
    const g = state.geographies.find((x) => x.name === shown);
    note.dataset.tiled = 'true';
    note.textContent = `The barriers map needs a smaller geography: ${shown} has ${formatNumber(g?.areas, 'count')} areas (more than ${formatNumber(state.config.tile_threshold, 'count')}), so the map is drawn from tiles and keeps the gap colours here.`;
    renderMeasured(null);
    renderWorst(null);
    return;
  }
  delete note.dataset.tiled;
  if (state.year === null) {
    note.textContent = 'No assessment is stored yet: upload one (Upload data).';
    renderMeasured(null);
    renderWorst(null);
    await drawBarriers();
    return;
  }
  const abort = new AbortController();
  barriersAbort = abort;
  setBusy('barriers', `Counting the barriers of ${state.year}…`);
  try {
    const doc = await getJSON(`/api/v1/barriers${query({ year: state.year })}`, { signal: abort.signal });
    if (abort.signal.aborted || state.view !== 'barriers') return;
    state.barriers = doc;
    state.barrierRows = new Map(doc.areas.map((a) => [a.geoid, a]));
    showError('barriers', null);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (needsToken(err)) openSignIn(err);
    note.textContent = 'The barriers are not available.';
    showError('barriers', `The barriers are not available: ${err.message}`, again);
  } finally {
    if (barriersAbort === abort) {
      barriersAbort = null;
      setBusy('barriers', null);
    }
  }
  if (state.view !== 'barriers') return;
  renderNote(state.barriers);
  renderMeasured(state.barriers);
  renderWorst(state.barriers);
  await drawBarriers();
}

function measured(doc) {
  return doc ? doc.barriers.filter((b) => b.measured) : [];
}

function renderNote(doc) {
  if (!doc) return;
  const m = measured(doc);
  const byCount = doc.areas_by_count || [];
  const some = byCount.slice(1).reduce((a, b) => a + b, 0);
  $('#barriers-note').textContent =
    `${doc.year}: ${formatNumber(some, 'count')} of ${formatNumber(doc.areas.length, 'count')} areas meet at least one barrier` +
    ` (${m.length} of the 4 barriers measured).`;
}

/** Each barrier: how many areas it is a desert in, or why the data cannot measure it. */
function renderMeasured(doc) {
  const list = $('#barriers-measured');
  if (!doc) {
    replace(list);
    $('#barriers-csv').disabled = true;
    return;
  }
  $('#barriers-csv').disabled = false;
  replace(
    list,
    doc.barriers.map((b) =>
      h(
        'li',
        { class: b.measured ? 'barrier' : 'barrier barrier-unmeasured', dataset: { barrier: b.code, measured: String(b.measured) } },
        h('strong', { text: `${b.label}: ` }),
        h('span', {
          class: 'barrier-status',
          text: b.measured ? `a desert in ${formatNumber(b.deserts, 'count')} areas` : 'not measured',
        }),
        b.measured ? null : h('span', { class: 'muted', text: ` (${b.reason || 'the data cannot measure it'})` }),
      ),
    ),
  );
}

/** The areas with the most barriers (then the largest child-care shortfall), flying to each. */
function renderWorst(doc) {
  const list = $('#barriers-list');
  if (!doc) {
    replace(list);
    return;
  }
  const total = (a) =>
    Object.values(a.barriers)
      .filter((s) => s?.desert)
      .reduce((sum, s) => sum + s.shortfall, 0);
  const worst = doc.areas
    .filter((a) => a.count > 0)
    .sort((x, y) => y.count - x.count || total(y) - total(x) || String(x.geoid).localeCompare(String(y.geoid)))
    .slice(0, LIST_LIMIT);
  const labels = new Map(doc.barriers.map((b) => [b.code, b.label]));
  replace(
    list,
    worst.map((a) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'rank-item barriers-item',
            dataset: { geoid: a.geoid, count: String(a.count) },
            on: { click: () => focusArea(a.geoid) },
          },
          h('span', { class: 'rank-name', text: a.name || a.geoid }),
          h(
            'span',
            { class: 'rank-value' },
            h('strong', { text: formatNumber(a.count, 'count') }),
            ` ${a.count === 1 ? 'barrier' : 'barriers'}: `,
            Object.entries(a.barriers)
              .filter(([, s]) => s?.desert)
              .map(([code]) => labels.get(code) || code)
              .join(', '),
          ),
        ),
      ),
    ),
  );
  if (!worst.length) list.append(h('li', { class: 'muted', text: 'No area meets any of the barriers measured.' }));
}

async function drawBarriers() {
  const geography = geographyOf(state.year);
  let areas = null;
  if (geography) {
    try {
      areas = await loadAreas(geography);
    } catch (err) {
      showError('areas', `The areas could not be loaded: ${err.message}`);
    }
  }
  await mapReady;
  if (state.view !== 'barriers') return;
  const gm = theMap();
  if (areas) {
    gm.setAreas({
      type: 'FeatureCollection',
      features: areas.features.map((f) => {
        const row = state.barrierRows.get(f.properties.geoid);
        return {
          type: 'Feature',
          geometry: f.geometry,
          properties: {
            geoid: f.properties.geoid,
            name: row?.name || f.properties.name,
            desert: false,
            barrier_count: row ? row.count : null,
          },
        };
      }),
    });
    showLabels(areas);
  }
  const scale = barrierCountScale();
  gm.map.setPaintProperty(
    'areas-fill',
    'fill-color',
    state.barriers && scale ? ['match', ['get', 'barrier_count'], ...scale.colours.flatMap((colour, n) => [n, colour]), NO_DATA] : NO_DATA,
  );
  renderBarriersLegend();
}

/** The legend: one row per count 0–4 with its areas, and the barriers not measured. */
export function renderBarriersLegend() {
  if (state.view !== 'barriers') return;
  const el = $('#legend');
  const prev = el.querySelector('details');
  const open = prev ? prev.open : true;
  const doc = state.barriers;
  const scale = barrierCountScale();
  if (!doc || !scale) {
    replace(
      el,
      h(
        'details',
        { open },
        h('summary', { text: 'Legend' }),
        h('p', { class: 'muted', text: doc ? 'The colour scale is not available: the vocabulary did not load.' : 'No barriers to show.' }),
      ),
    );
    return;
  }
  const m = measured(doc);
  const unmeasured = doc.barriers.filter((b) => !b.measured);
  const swatch = (colour) => h('span', { class: 'swatch', dataset: { colour } });
  const byCount = doc.areas_by_count || [];
  replace(
    el,
    h(
      'details',
      { open, class: 'legend-barriers' },
      h('summary', {}, h('strong', { text: `Barriers per area, ${doc.year}` }), ' ', h('span', { class: 'unit', text: '(of 4)' })),
      h(
        'ul',
        { class: 'legend-rows' },
        [...scale.colours.keys()].reverse().map((n) =>
          h(
            'li',
            { dataset: { count: String(n) } },
            swatch(scale.colours[n]),
            h('span', {
              text:
                n > m.length
                  ? `${scale.labels[n]} (not possible: ${m.length} measured)`
                  : `${scale.labels[n]} (${formatNumber(byCount[n] ?? 0, 'count')} ${byCount[n] === 1 ? 'area' : 'areas'})`,
            }),
          ),
        ),
        h('li', {}, swatch(NO_DATA), h('span', { text: 'Not assessed' })),
      ),
      unmeasured.length
        ? h(
            'p',
            { class: 'muted legend-unmeasured' },
            `Not measured, so counted in no area: ${unmeasured.map((b) => b.label).join(', ')}. `,
            'An area’s count is of the measured barriers only.',
          )
        : null,
      h(
        'p',
        { class: 'muted' },
        h('a', { href: '/methods#barriers', target: '_blank', rel: 'noopener', text: 'How the barriers are measured' }),
      ),
    ),
  );
  for (const s of el.querySelectorAll('[data-colour]')) s.style.backgroundColor = s.dataset.colour;
}

/** The supply unit of a need (its words from /api/v1/needs). */
function supplyUnit(code) {
  return state.needs.find((n) => n.code === code)?.supply_unit || 'supply';
}

/** A popup's section listing each barrier with its need's status (desert, shortfall, nearest). */
export function barrierSection(row, doc) {
  return h(
    'ul',
    { class: 'barrier-list popup-barriers' },
    doc.barriers.map((b) => {
      const s = row?.barriers?.[b.code];
      if (!b.measured || !s)
        return h(
          'li',
          { class: 'barrier barrier-unmeasured', dataset: { barrier: b.code, status: 'unmeasured' } },
          h('strong', { text: `${b.label}: ` }),
          h('span', { class: 'barrier-status', text: 'not measured' }),
          h('span', { class: 'muted', text: ` (${b.reason || 'the data cannot measure it here'})` }),
        );
      const unit = supplyUnit(b.need);
      return h(
        'li',
        { class: 'barrier', dataset: { barrier: b.code, status: s.desert ? 'desert' : 'none', shortfall: String(s.shortfall) } },
        h('strong', { text: `${b.label}: ` }),
        h('span', { class: 'barrier-status', text: s.desert ? 'a desert' : 'not a desert' }),
        `; shortfall ${formatNumber(s.shortfall)} ${unit}; nearest site `,
        s.nearest_km === null || s.nearest_km === undefined
          ? 'none'
          : h('span', { dataset: { nearest: String(s.nearest_km) }, text: `${formatNumber(s.nearest_km, 'km')} ${distanceUnit()}` }),
      );
    }),
  );
}

function barriersPopup(geoid) {
  const doc = state.barriers;
  const row = state.barrierRows.get(geoid);
  if (!doc || !row)
    return h(
      'div',
      { class: 'popup popup-barriers-area', dataset: { geoid } },
      h('p', { text: doc ? `${geoid} is not in the ${doc.year} assessment.` : 'No barriers to show yet.' }),
    );
  const m = measured(doc).length;
  return h(
    'div',
    { class: 'popup popup-barriers-area', dataset: { geoid, count: String(row.count) } },
    h('h3', { class: 'popup-title', text: row.name || geoid }),
    h('p', { class: 'muted' }, 'GEOID ', h('code', { text: geoid }), ` · ${doc.year}`),
    h('p', {
      class: row.count ? 'badge badge-desert' : 'badge',
      text: `${row.count} of the ${m} measured barriers${m < 4 ? ` (${4 - m} not measured)` : ''}`,
    }),
    barrierSection(row, doc),
  );
}

/** Opens an area's barriers popup, at `lngLat` or at its demand point. */
export function openArea(geoid, lngLat) {
  openAreaPopup(geoid, lngLat, barriersPopup);
}

/** Flies to an area and opens its barriers popup. */
export function focusArea(geoid) {
  focusAreaPopup(geoid, barriersPopup);
}

/** Wires the Barriers controls. */
export function initBarriers() {
  $('#barriers-csv').addEventListener('click', () => track(download()));
}

async function download() {
  const doc = state.barriers;
  if (!doc) return;
  const button = $('#barriers-csv');
  button.disabled = true;
  try {
    const blob = await getBlob(`/api/v1/barriers${query({ year: doc.year, format: 'csv' })}`);
    save(blob, `gapmap_barriers_${doc.year}.csv`);
    showError('barriers-download', null);
  } catch (err) {
    showError('barriers-download', `The barriers could not be downloaded: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}
