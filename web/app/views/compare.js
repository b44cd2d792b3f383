// The Compare view: a diverging choropleth of the change between two assessment years
// (/api/v1/compare), with a summary, a legend and each area's two years in its popup.

import { getBlob, getJSON, needsToken, query } from '../api.js';
import { loadAreas } from '../data.js';
import { $, h, replace } from '../dom.js';
import { save } from '../downloads.js';
import { mapReady, theMap } from '../mapview.js';
import { CHANGE_METRICS, changeInfo, colourExpression, divergingClasses, divergingRows, formatNumber, NO_DATA } from '../metrics.js';
import { openSignIn } from '../signin.js';
import { geographyName, need, state, tiled, units } from '../state.js';
import { setBusy, showError, track } from '../status.js';
import { focusAreaPopup, openAreaPopup } from './areas.js';
import { showLabels } from './labels.js';

let compareAbort = null;
const again = () => track(refreshCompare());

function years() {
  return state.assessments.map((a) => a.year).sort((a, b) => a - b);
}

function fillCompareYears() {
  const ys = years();
  const from = $('#compare-from');
  const to = $('#compare-to');
  const keepF = Number(from.value);
  const keepT = Number(to.value);
  replace(
    from,
    ys.map((y) => h('option', { value: String(y), text: String(y) })),
  );
  replace(
    to,
    [...ys].reverse().map((y) => h('option', { value: String(y), text: String(y) })),
  );
  if (ys.length) {
    to.value = String(ys.includes(keepT) ? keepT : ys[ys.length - 1]);
    const before = ys.filter((y) => y < Number(to.value));
    from.value = String(ys.includes(keepF) && keepF !== Number(to.value) ? keepF : before.length ? before[before.length - 1] : ys[0]);
  }
  from.disabled = to.disabled = ys.length < 2;
}

/** Compares the two chosen years for the chosen need (in the Compare view only). */
export async function refreshCompare() {
  if (state.view !== 'compare') return;
  fillCompareYears();
  const ys = years();
  const note = $('#compare-note');
  const n = need();
  if (compareAbort) compareAbort.abort();
  state.compare = null;
  replace($('#compare-summary'));
  renderFlipped(null);
  // The change map colours every area from the whole comparison, which a geography drawn
  // from tiles is too large to load: the map keeps the gaps, the downloads still work.
  const shown = geographyName();
  if (tiled(shown)) {
    const g = state.geographies.find((x) => x.name === shown);
    note.dataset.tiled = 'true';
    note.textContent = `The change map needs a smaller geography: ${shown} has ${formatNumber(g?.areas, 'count')} areas (more than ${formatNumber(state.config.tile_threshold, 'count')}), so the map is drawn from tiles and keeps the gap colours here.`;
    return;
  }
  delete note.dataset.tiled;
  if (ys.length < 2 || !n) {
    note.textContent = !n
      ? 'Choose a need to compare.'
      : ys.length
        ? `Only one assessment year (${ys[0]}) is stored, so there is nothing to compare yet. Upload another year’s assessment (Upload data) to see what changed.`
        : 'No assessment is stored yet: upload two years to compare them.';
    await drawCompare();
    return;
  }
  const from = Number($('#compare-from').value);
  const to = Number($('#compare-to').value);
  if (from === to) {
    note.textContent = 'Pick two different years.';
    await drawCompare();
    return;
  }
  const abort = new AbortController();
  compareAbort = abort;
  setBusy('compare', `Comparing ${n.label.toLowerCase()} ${from} → ${to}…`);
  try {
    const doc = await getJSON(`/api/v1/compare${query({ need: n.code, from, to })}`, { signal: abort.signal });
    if (abort.signal.aborted || state.view !== 'compare') return;
    state.compare = doc;
    renderCompareSummary(doc);
    renderFlipped(doc);
    showError('compare', null);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (needsToken(err)) openSignIn(err);
    note.textContent = 'The comparison is not available.';
    showError('compare', `The comparison is not available: ${err.message}`, again);
  } finally {
    if (compareAbort === abort) {
      compareAbort = null;
      setBusy('compare', null);
    }
  }
  if (state.view === 'compare') await drawCompare();
}

function renderCompareSummary(doc) {
  const s = doc.summary || {};
  const p = doc.params || {};
  const u = units();
  const n = need();
  $('#compare-note').textContent =
    `${n.label}, ${p.from} → ${p.to}: ${formatNumber(s.areas_in_both, 'count')} areas in both years` +
    (s.areas_only_from || s.areas_only_to
      ? `, ${formatNumber(s.areas_only_from, 'count')} only in ${p.from}, ${formatNumber(s.areas_only_to, 'count')} only in ${p.to}`
      : '') +
    '. Both years use today’s partner directory, so changes come from the assessments.';
  const signed = (v, kind) => (typeof v === 'number' && v > 0 ? '+' : '') + formatNumber(v, kind);
  const item = (label, value) => [h('dt', { text: label }), h('dd', { text: value })];
  replace(
    $('#compare-summary'),
    item(
      'Demand',
      `${formatNumber(s.demand_total_from, 'count')} → ${formatNumber(s.demand_total_to, 'count')} ${u.demand.plural} (${signed(s.demand_total_change, 'count')})`,
    ),
    item(
      'Shortfall',
      `${formatNumber(s.shortfall_total_from)} → ${formatNumber(s.shortfall_total_to)} ${u.supply} (${signed(s.shortfall_total_change)})`,
    ),
    item(
      'Deserts',
      `${formatNumber(s.deserts_from, 'count')} → ${formatNumber(s.deserts_to, 'count')} (${formatNumber(s.became_desert, 'count')} new, ${formatNumber(s.no_longer_desert, 'count')} no longer)`,
    ),
  );
}

/** The areas that became deserts or stopped being ones, each flying to its area. */
function renderFlipped(doc) {
  const list = $('#flipped-list');
  const note = $('#flipped-note');
  const buttons = [$('#compare-csv'), $('#compare-geojson')];
  for (const b of buttons) b.disabled = !doc;
  if (!doc) {
    replace(list);
    note.textContent = 'The areas whose desert status changed appear once two years are compared.';
    return;
  }
  const p = doc.params;
  const flipped = doc.areas.filter((a) => a.desert_flipped);
  const became = flipped.filter((a) => a.desert_flipped === 'became_desert');
  note.textContent = flipped.length
    ? `${formatNumber(became.length, 'count')} became deserts in ${p.to} (outlined in red), ${formatNumber(flipped.length - became.length, 'count')} are no longer deserts (dashed):`
    : `No area’s desert status changed between ${p.from} and ${p.to}.`;
  // Those that became deserts first, then by the change in shortfall.
  flipped.sort(
    (x, y) =>
      (x.desert_flipped === 'became_desert' ? 0 : 1) - (y.desert_flipped === 'became_desert' ? 0 : 1) ||
      Math.abs(y.shortfall_change ?? 0) - Math.abs(x.shortfall_change ?? 0) ||
      String(x.geoid).localeCompare(String(y.geoid)),
  );
  replace(
    list,
    flipped.map((a) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'rank-item flipped-item',
            dataset: { geoid: a.geoid, flipped: a.desert_flipped },
            on: { click: () => focusArea(a.geoid) },
          },
          h('span', { class: 'rank-name', text: a.name || a.geoid }),
          h('span', {
            class: 'rank-value',
            text: a.desert_flipped === 'became_desert' ? `became a desert in ${p.to}` : `no longer a desert in ${p.to}`,
          }),
        ),
      ),
    ),
  );
}

/** Saves the comparison as the API writes it, `csv` or `geojson`. */
async function download(format) {
  const doc = state.compare;
  if (!doc) return;
  const p = doc.params;
  const button = $(`#compare-${format}`);
  button.disabled = true;
  try {
    const blob = await getBlob(`/api/v1/compare${query({ need: p.need, from: p.from, to: p.to, format })}`);
    save(blob, `gapmap_compare_${p.need}_${p.from}_${p.to}.${format}`);
    showError('compare-download', null);
  } catch (err) {
    showError('compare-download', `The comparison could not be downloaded: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

function compareRows() {
  const doc = state.compare;
  return doc ? new Map(doc.areas.map((a) => [a.geoid, a])) : new Map();
}

async function drawCompare() {
  const doc = state.compare;
  const to = doc?.params ? doc.params.to : Number($('#compare-to').value) || state.year;
  const a = state.assessments.find((x) => x.year === to);
  const geography = doc?.params?.geography_to || a?.geography || state.geographies[0]?.name;
  let areas = null;
  if (geography) {
    try {
      areas = await loadAreas(geography);
    } catch (err) {
      showError('areas', `The areas could not be loaded: ${err.message}`);
    }
  }
  await mapReady;
  if (state.view !== 'compare') return;
  const rows = compareRows();
  const gm = theMap();
  if (areas) {
    gm.setAreas({
      type: 'FeatureCollection',
      features: areas.features.map((f) => {
        const row = rows.get(f.properties.geoid);
        return {
          type: 'Feature',
          geometry: f.geometry,
          properties: { ...(row || {}), desert: false, geoid: f.properties.geoid, name: row?.name ? row.name : f.properties.name },
        };
      }),
    });
  }
  if (areas) showLabels(areas);
  drawCompareStyle();
  renderCompareLegend();
}

function compareClasses() {
  const field = $('#compare-metric').value;
  const info = changeInfo(field, units());
  const values = state.compare ? state.compare.areas.map((a) => a[field]) : [];
  return { field, info, cls: divergingClasses(values, info.higherIsWorse) };
}

function drawCompareStyle() {
  const gm = theMap();
  if (!gm || state.view !== 'compare') return;
  const { field, cls } = compareClasses();
  gm.map.setPaintProperty('areas-fill', 'fill-color', state.compare && cls.colours.length ? colourExpression(field, cls) : NO_DATA);
}

/** The legend of the change, or why there is none. */
export function renderCompareLegend() {
  const el = $('#legend');
  if (state.view !== 'compare') return;
  const prev = el.querySelector('details');
  const open = prev ? prev.open : true;
  const doc = state.compare;
  if (!doc) {
    replace(
      el,
      h(
        'details',
        { open },
        h('summary', { text: 'Legend' }),
        h('p', { class: 'muted', text: $('#compare-note').textContent || 'No change to show.' }),
      ),
    );
    return;
  }
  const { info, cls } = compareClasses();
  const p = doc.params;
  const swatch = (colour) => h('span', { class: 'swatch', dataset: { colour } });
  const rows = divergingRows(cls, info.kind);
  replace(
    el,
    h(
      'details',
      { open, class: 'legend-compare' },
      h(
        'summary',
        {},
        h('strong', { text: `${info.label}, ${p.from} → ${p.to}` }),
        ' ',
        h('span', { class: 'unit', text: `(${info.unit}; ${p.to} minus ${p.from})` }),
      ),
      h(
        'ul',
        { class: 'legend-rows' },
        [...rows].reverse().map((r) => h('li', {}, swatch(r.colour), h('span', { text: r.label }))),
        h('li', {}, swatch(NO_DATA), h('span', { text: `No value or not in both years` })),
        h(
          'li',
          { dataset: { legend: 'became' } },
          h('span', { class: 'swatch swatch-outline' }),
          h('span', { text: `Became a desert in ${p.to} (${formatNumber(doc.summary.became_desert, 'count')})` }),
        ),
        h(
          'li',
          { dataset: { legend: 'no-longer' } },
          h('span', { class: 'swatch swatch-dashed' }),
          h('span', { text: `No longer a desert in ${p.to} (${formatNumber(doc.summary.no_longer_desert, 'count')})` }),
        ),
      ),
      h('p', { class: 'muted', text: `Orange: worse in ${p.to}; purple: better.` }),
    ),
  );
  for (const s of el.querySelectorAll('[data-colour]')) s.style.backgroundColor = s.dataset.colour;
}

/** A popup's content for an area in the Compare view. */
function comparePopup(geoid) {
  const doc = state.compare;
  const row = compareRows().get(geoid);
  const u = units();
  if (!doc || !row)
    return h(
      'div',
      { class: 'popup popup-compare', dataset: { geoid } },
      h('p', { text: doc ? `No comparison for ${geoid}: it is not in both years.` : 'Nothing to compare yet.' }),
    );
  const p = doc.params;
  const line = (label, base, kind, unit) =>
    h(
      'div',
      { class: 'metric', dataset: { field: `${base}_change`, value: String(row[`${base}_change`] ?? '') } },
      h('dt', { text: label }),
      h(
        'dd',
        {},
        `${formatNumber(row[`${base}_from`], kind)} → ${formatNumber(row[`${base}_to`], kind)} `,
        h('span', { class: 'unit', text: unit }),
        ` (${typeof row[`${base}_change`] === 'number' && row[`${base}_change`] > 0 ? '+' : ''}${formatNumber(row[`${base}_change`], kind)})`,
      ),
    );
  const flip =
    row.desert_flipped === 'became_desert'
      ? `Became a desert in ${p.to}`
      : row.desert_flipped === 'no_longer_desert'
        ? `No longer a desert in ${p.to}`
        : row.desert_to
          ? 'A desert in both years'
          : 'Not a desert in either year';
  return h(
    'div',
    { class: 'popup popup-compare', dataset: { geoid } },
    h('h3', { class: 'popup-title', text: row.name || geoid }),
    h('p', { class: 'muted' }, 'GEOID ', h('code', { text: geoid }), ` · ${p.from} → ${p.to}`),
    h('p', {
      class: row.desert_to ? 'badge badge-desert' : 'badge',
      text: row.present_in === 'both' ? flip : `Only in ${row.present_in === 'from' ? p.from : p.to}`,
    }),
    h(
      'dl',
      { class: 'metrics' },
      line('Demand', 'demand', 'count', u.demand.plural),
      line('Shortfall', 'shortfall', 'auto', u.supply),
      line('Access (2SFCA)', 'access_2sfca', 'auto', `${u.supply} per ${u.demand.singular}`),
    ),
  );
}

/** Opens an area's popup with its change, at `lngLat` or at its demand point. */
export function openArea(geoid, lngLat) {
  openAreaPopup(geoid, lngLat, comparePopup);
}

/** Flies to an area and opens its popup. */
export function focusArea(geoid) {
  focusAreaPopup(geoid, comparePopup);
}

/** Wires the Compare controls. */
export function initCompare() {
  replace(
    $('#compare-metric'),
    CHANGE_METRICS.map((m) => h('option', { value: m, text: changeInfo(m, units()).label })),
  );
  $('#compare-metric').value = 'shortfall_change';
  $('#compare-from').addEventListener('change', again);
  $('#compare-to').addEventListener('change', again);
  $('#compare-csv').addEventListener('click', () => track(download('csv')));
  $('#compare-geojson').addEventListener('click', () => track(download('geojson')));
  $('#compare-metric').addEventListener('change', () => {
    drawCompareStyle();
    renderCompareLegend();
  });
}
