// The Gaps view: the chosen need's gap as a choropleth (/api/v1/gaps) with the deserts
// outlined, its legend, the worst areas ranked, an area's numbers in its popup, and the
// downloads of what is on screen.

import { getBlob, getJSON, needsToken, query } from '../api.js';
import { loadAreas, loadAssessmentValues } from '../data.js';
import { distanceUnit } from '../distance.js';
import { $, h, replace } from '../dom.js';
import { AREA_COLUMNS, intersects, mapPNG, save, toCSV } from '../downloads.js';
import { HATCH_COLOUR, mapReady, theMap } from '../mapview.js';
import {
  classify,
  distanceClasses,
  formatNumber,
  isTargetMetric,
  legendRows,
  metricInfo,
  NO_DATA,
  POPUP_FIELDS,
  rank,
  targetClasses,
} from '../metrics.js';
import { openSignIn } from '../signin.js';
import { areaOf, demandIndicator, geographyName, need, ruleKind, state, tiled, units } from '../state.js';
import { setBusy, showError, track } from '../status.js';
import { desertRuleWords, serviceColour, serviceLabel, targetMetScale } from '../vocabulary.js';
import { focusAreaPopup, openAreaPopup } from './areas.js';
import { chosenFilter, filterLabel, loadNeedFilters, needFilterParams } from './filters.js';
import { showLabels } from './labels.js';
import { filteredSites, renderSites, shownServices, sitesShown } from './sites.js';
import { travelParams, vehicleParams } from './travel.js';

const RANK_LIMIT = 20;
let gapsAbort = null;

/** Fetches the gaps for the current choices and redraws everything that depends on them. */
export async function refreshGaps() {
  const n = need();
  const geography = geographyName();
  if (!geography) {
    showError('gaps', 'No areas are stored yet: upload a geography and an assessment (Upload data).');
    return;
  }
  if (gapsAbort) gapsAbort.abort();
  const abort = new AbortController();
  gapsAbort = abort;
  // A large geography is drawn from vector tiles that carry the gap numbers themselves;
  // a smaller one loads its areas (cached per geography) alongside the gaps.
  const tiles = tiled(geography);
  const areasRequest = tiles ? null : loadAreas(geography);
  areasRequest?.catch(() => {});
  if (tiles) {
    await mapReady;
    drawTiles(geography, n && state.year !== null ? gapParams(n) : null);
  }
  if (!n || state.year === null) {
    if (tiles) return;
    state.gaps = null;
    state.rows = new Map();
    try {
      const areas = await areasRequest;
      await mapReady;
      drawAreas(areas);
    } catch (err) {
      showError('areas', `The areas could not be loaded: ${err.message}`, retry);
    } finally {
      if (gapsAbort === abort) gapsAbort = null;
    }
    return;
  }
  setBusy('gaps', `Computing ${n.label.toLowerCase()} gaps for ${state.year}…`);
  try {
    // Which of the need's filters the data answers, and the sites a chosen one keeps.
    // Drawn from tiles, the page never holds every site: the sites a filter keeps are not fetched.
    await loadNeedFilters({ signal: abort.signal, counted: !tiles });
    renderSites();
    const params = gapParams(n);
    // The area tiles carry km numbers (the tile endpoint takes no travel mode).
    if (tiles) drawTiles(geography, params);
    Object.assign(params, travelParams());
    const vp = tiles ? null : vehicleParams(state.year, n.code);
    // Drawn from tiles, the page asks only for the ranking's rows (with the whole
    // geography's summary); the tiles carry each area's numbers for its popup.
    const ranking = tiles ? rankingParams() : null;
    const [gaps, vehicle] = await Promise.all([
      getJSON(`/api/v1/gaps${query({ ...params, ...(ranking || {}) })}`, { signal: abort.signal }),
      // Carless families against families with cars, where both matrices exist; without
      // a share of households without a vehicle the metric stays empty.
      vp ? getJSON(`/api/v1/vehicle-access${query(vp)}`, { signal: abort.signal }).catch(() => null) : null,
      // The popup's margins of error come from the assessment itself (from the tiles' rows when tiled).
      tiles ? null : loadAssessmentValues(state.year).catch(() => null),
    ]);
    if (abort.signal.aborted) return;
    state.gaps = gaps;
    state.rows = new Map(gaps.areas.map((a) => [a.geoid, a]));
    state.ranking = ranking ? { key: rankingKey(), rows: gaps.areas } : null;
    state.vehicle = vehicle;
    for (const v of vehicle?.areas || []) {
      const row = state.rows.get(v.geoid);
      if (row) Object.assign(row, { carless_gap: v.carless_gap, access_carless: v.access_carless, access_car: v.access_car });
    }
    showError('gaps', null);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (needsToken(err)) openSignIn(err);
    state.gaps = null;
    state.rows = new Map();
    state.ranking = null;
    showError('gaps', `The gap analysis is not available: ${err.message}`, retry);
  } finally {
    if (gapsAbort === abort) {
      gapsAbort = null;
      setBusy('gaps', null);
    }
  }
  if (tiles) {
    if (!abort.signal.aborted) restyle();
    return;
  }
  let areas;
  try {
    areas = await areasRequest;
  } catch (err) {
    showError('areas', `The areas could not be loaded: ${err.message}`, retry);
    return;
  }
  if (abort.signal.aborted) return;
  await mapReady;
  drawAreas(areas);
}

/** The `/gaps` parameters of the current choices. */
function gapParams(n) {
  const params = { year: state.year, need: n.code, ...needFilterParams() };
  if (state.desertRule !== 'need') params.desert_rule = state.desertRule;
  if (state.radius !== null && state.radius !== n.radius_km) params.radius_km = state.radius;
  return params;
}

export { tiled };

/** The metrics the server ranks on (`/api/v1/gaps?sort=`). */
const SERVER_RANKED = new Set([
  'shortfall_in_area',
  'shortfall',
  'access_2sfca',
  'access_e2sfca',
  'demand',
  'nearest_km',
  'nearest_minutes',
]);

/** The ranking's `/gaps` parameters: the chosen metric worst first, the first rows only. */
function rankingParams() {
  return {
    sort: SERVER_RANKED.has(state.metric) ? state.metric : 'shortfall_in_area',
    limit: RANK_LIMIT,
    deserts_only: $('#deserts-only').checked ? 'true' : null,
  };
}

/** What a ranking answer was asked for: its whole query. */
function rankingKey() {
  const n = need();
  return n ? query({ ...gapParams(n), ...travelParams(), ...rankingParams() }) : '';
}

/** True once the gap analysis is in: every row, or (drawn from tiles) its summary and ranking. */
function hasGaps() {
  return tiled(geographyName()) ? state.gaps !== null : state.rows.size > 0;
}

/** Points the map's areas at the tiles of a geography, with the gap numbers of `params` (null: outlines only). */
function drawTiles(geography, params) {
  const url = `${location.origin}/tiles/areas/{z}/{x}/{y}.mvt${query({ geography, ...(params || {}) })}`;
  theMap().setAreaTiles(url);
  downloadWords(true);
}

/** The area downloads' words: a tiled geography's are all its areas, not the view's. */
function downloadWords(all) {
  $('#dl-csv').textContent = all ? 'All areas (CSV)' : 'Areas (CSV)';
  $('#dl-geojson').textContent = all ? 'All areas (GeoJSON)' : 'Areas and sites (GeoJSON)';
}

function drawAreas(areas) {
  // The Compare and Barriers views draw their own areas (compare.js, barriers.js).
  if (state.view === 'compare' || state.view === 'barriers') return;
  // The Outreach view may colour the areas by the children not served (outreach.js).
  const unserved = state.view === 'outreach' ? state.outreachAreas : null;
  const features = areas.features.map((f) => {
    const geoid = f.properties.geoid;
    const row = state.rows.get(geoid);
    const properties = { ...(row || {}), geoid, name: row?.name ? row.name : f.properties.name };
    if (unserved) properties.unserved = unserved.has(geoid) ? unserved.get(geoid) : null;
    return { type: 'Feature', geometry: f.geometry, properties };
  });
  theMap().setAreas({ type: 'FeatureCollection', features });
  downloadWords(false);
  showLabels(areas);
  restyle();
}

/** The metric the map is coloured by: the chosen one, or in the Outreach view the children not served. */
function shownMetric() {
  const unserved = state.view === 'outreach' && state.outreachLayer && state.outreachAreas && !tiled(geographyName());
  return unserved ? 'unserved' : state.metric;
}

/** The classes the chosen metric is coloured with (see metrics.js). */
function classesFor(metric) {
  if (metric === 'unserved') return classify([...state.outreachAreas.values()]);
  if (isTargetMetric(metric)) return targetClasses(targetMetScale());
  if (metric === 'nearest_km') return distanceClasses(state.radius);
  // Drawn from tiles, quantiles come from the areas of the tiles loaded.
  if (tiled(geographyName())) return classify(tileValues(metric));
  return classify([...state.rows.values()].map((r) => r[metric]));
}

let reclassify = false;
/** A metric's values in the area tiles loaded; with none loaded yet, the colours are redone once the map is idle. */
function tileValues(metric) {
  const gm = theMap();
  const values = gm ? gm.map.querySourceFeatures('areas', { sourceLayer: 'areas' }).map((f) => f.properties[metric]) : [];
  if (!values.length && gm && !reclassify) {
    reclassify = true;
    gm.map.once('idle', () => {
      reclassify = false;
      restyle();
    });
  }
  return values;
}

/** Recolours the areas by the chosen metric, with the legend and the ranking. */
export function restyle() {
  const metric = shownMetric();
  const has = hasGaps();
  state.classes = has ? classesFor(metric) : null;
  const gm = theMap();
  // A metric measured against the target is drawn by the share of the target met, on
  // the server's fixed scale: the colour the report gives the same area.
  const field = isTargetMetric(metric) ? 'target_met' : metric;
  // Drawn from tiles, the Compare and Barriers views keep the gaps' colours.
  const own = (state.view === 'compare' || state.view === 'barriers') && !tiled(geographyName());
  if (gm && !own) gm.styleAreas(has ? field : null, state.classes);
  renderLegend();
  renderRanking();
}

/** The desert rule applied, in words: its name and what it counts. */
function desertRuleText() {
  const n = need();
  const r = state.gaps?.params?.desert_rule || n?.desert_rule;
  if (!r || typeof r !== 'object') return 'Desert (outlined)';
  const u = units();
  const name = `Desert (outlined) by the rule “${desertRuleWords(r.kind).label}”`;
  if (r.kind === 'cap_childcare') {
    return `${name}: more than ${formatNumber(r.min_demand)} ${u.demand.plural} and no licensed slot in the area, or more than ${formatNumber(r.max_ratio)} per slot`;
  }
  if (r.kind === 'access') {
    return `${name}: at least ${formatNumber(r.min_demand)} ${u.demand.plural} and no site within ${formatNumber(state.radius, 'km')} ${distanceUnit()}, or E2SFCA access below ${formatNumber(r.threshold)}`;
  }
  if (r.kind === 'catchment') {
    return `${name}: ${r.strict_min ? 'more than' : 'at least'} ${formatNumber(r.min_demand)} ${u.demand.plural} and 2SFCA access within ${formatNumber(state.radius, 'km')} ${distanceUnit()} below the target ${formatNumber(u.target)}`;
  }
  return `${name}`;
}

/** The words of the Outreach view's colour: eligible children not enrolled. */
function unservedInfo() {
  const o = state.outreachWords || {};
  return {
    label: 'Not served: eligible, not enrolled',
    kind: 'count',
    higher: 'more to reach',
    unit: o.unit || 'eligible',
    explain: o.explain || '',
  };
}

/** What the colours mean, in one line under the legend's classes. */
function classNote(metric, info) {
  if (metric === 'unserved') {
    return `${info.explain ? `${info.explain}. ` : ''}Grey classes hold about equal numbers of areas (quantiles of these data). Higher is ${info.higher}.`;
  }
  const u = units();
  if (isTargetMetric(metric)) {
    const measure = {
      cap_childcare: `${u.supply} inside the area ÷ (${u.demand.plural} × ${formatNumber(u.target)})`,
      access: `E2SFCA access ÷ the target ${formatNumber(u.target)}`,
      catchment: `2SFCA access ÷ the target ${formatNumber(u.target)}`,
    }[ruleKind()];
    return `Coloured by the share of the target met${measure ? ` (${measure})` : ''}, as the desert rule measures supply: fixed classes, the same in every view and in the printed report. A desert never meets the target.`;
  }
  if (metric === 'nearest_km') return `Fixed classes at a quarter, half, once and twice the radius. Higher is ${info.higher}.`;
  return `Grey classes hold about equal numbers of areas (quantiles of these data). Higher is ${info.higher}.`;
}

function legendModel() {
  const metric = shownMetric();
  const info = metric === 'unserved' ? unservedInfo() : metricInfo(metric, units());
  const rows = state.classes ? legendRows(state.classes, info.kind) : [];
  const field = isTargetMetric(metric) ? 'target_met' : metric;
  const tiles = tiled(geographyName());
  const hasNull = tiles
    ? true
    : metric === 'unserved'
      ? state.rows.size > state.outreachAreas.size
      : [...state.rows.values()].some((r) => typeof r[field] !== 'number');
  const extra = [];
  if (isTargetMetric(metric) && !targetMetScale())
    extra.push({ colour: NO_DATA, label: 'The colour scale is not available: the vocabulary did not load' });
  if (hasNull || !hasGaps()) {
    const colour = isTargetMetric(metric) && state.classes?.missing ? state.classes.missing : NO_DATA;
    extra.push({ colour, label: metric === 'nearest_km' ? 'No site at all' : isTargetMetric(metric) ? 'No demand' : 'No value' });
  }
  extra.push({ colour: '#d6004c', label: desertRuleText(), outline: true });
  // The Siting view's suggestions, drawn over this choropleth.
  if (state.view === 'siting' && state.siting) {
    extra.push(
      { colour: '#111111', suggestion: true, label: 'Suggested new site (its rank)' },
      { colour: '#111111', dashed: true, label: 'An area a suggested site reaches (dashed)' },
    );
  }
  // Hatching means something only where the year gives the demand's margin of error.
  const all = [...state.rows.values()];
  const sum = state.gaps?.summary || {};
  if (tiles ? sum.deserts_certain + sum.deserts_uncertain > 0 : all.some((r) => r.desert_certainty)) {
    const uncertain = tiles ? sum.deserts_uncertain : all.filter((r) => r.desert && r.desert_certainty === 'uncertain').length;
    extra.push({
      colour: HATCH_COLOUR,
      hatch: true,
      label: `Uncertain desert (hatched, ${formatNumber(uncertain, 'count')}): a desert at the estimate, but not once its margin of error is taken off the demand`,
    });
  }
  // The sites' colours, as the page's legend lists them, so the PNG explains its dots too.
  const services = sitesShown() ? shownServices() : [];
  const sites = services.length
    ? [
        ...services.map((s) => ({ colour: serviceColour(s), dot: '#1a1a1a', label: serviceLabel(s) })),
        { colour: '#263238', dot: '#ffffff', label: clusterWords() },
      ]
    : [];
  return {
    title: info.label,
    // The classes of a metric measured against the target are shares of it, whatever the
    // metric's own unit (slots missing, slots per child): the legend says so in its title.
    unit: isTargetMetric(metric) ? 'share of the target met' : info.unit,
    note: classNote(metric, info),
    rows,
    extra,
    sites,
  };
}

/** What a dark circle means: MapLibre's clusters carry their number, the server's (tiles) their size. */
function clusterWords() {
  return tiled(geographyName())
    ? 'Several sites (sized by their number, written on them closer in; click for it)'
    : 'Several sites (number of sites)';
}

/** The legend of the choropleth and of the site colours (the Compare and Barriers views draw their own). */
export function renderLegend() {
  if (state.view === 'compare' || state.view === 'barriers') return;
  const el = $('#legend');
  const n = need();
  // The legend folds away (keyboard: its summary is a button); keep the reader's choice.
  const prev = el.querySelector('details');
  const open = prev ? prev.open : true;
  if (!hasGaps()) {
    replace(
      el,
      h(
        'details',
        { open },
        h('summary', { text: 'Legend' }),
        h('p', { class: 'muted', text: n ? 'No gap values to show.' : 'Choose a need.' }),
      ),
    );
    return;
  }
  const lg = legendModel();
  const swatch = (colour, outline, hatch, r = {}) =>
    r.suggestion
      ? h('span', { class: 'dot dot-suggest' })
      : r.dashed
        ? h('span', { class: 'swatch swatch-dashed' })
        : h('span', {
            class: hatch ? 'swatch swatch-hatch' : outline ? 'swatch swatch-outline' : 'swatch',
            dataset: hatch ? {} : { colour },
          });
  const services = shownServices();
  replace(
    el,
    h(
      'details',
      { open },
      h('summary', {}, h('strong', { text: lg.title }), ' ', h('span', { class: 'unit', text: `(${lg.unit})` })),
      h(
        'ul',
        { class: 'legend-rows' },
        lg.rows.map((r) => h('li', {}, swatch(r.colour), h('span', { text: r.label }))),
        lg.extra.map((r) =>
          h(
            'li',
            {
              dataset: r.hatch ? { legend: 'uncertain' } : r.suggestion ? { legend: 'suggestion' } : r.dashed ? { legend: 'reached' } : {},
            },
            swatch(r.colour, r.outline, r.hatch, r),
            h('span', { text: r.label }),
          ),
        ),
      ),
      lg.note ? h('p', { class: 'muted legend-note', text: lg.note }) : null,
      h(
        'p',
        { class: 'muted' },
        h('a', { href: '/methods#colour', target: '_blank', rel: 'noopener', text: 'What the colours and numbers mean' }),
      ),
      sitesShown() && services.length
        ? h(
            'ul',
            { class: 'legend-rows legend-sites', 'aria-label': 'Site colours' },
            services.map((s) =>
              h('li', {}, h('span', { class: 'dot', dataset: { colour: serviceColour(s) } }), h('span', { text: serviceLabel(s) })),
            ),
            h('li', {}, h('span', { class: 'dot dot-cluster', dataset: { colour: '#263238' } }), h('span', { text: clusterWords() })),
          )
        : null,
    ),
  );
  // Colours are set through the CSSOM: the policy forbids inline style attributes.
  for (const s of el.querySelectorAll('[data-colour]')) {
    if (s.classList.contains('swatch-outline')) s.style.borderColor = s.dataset.colour;
    else s.style.backgroundColor = s.dataset.colour;
  }
}

function metricLine(field, row, u) {
  const info = metricInfo(field, u);
  const v = row[field];
  return h(
    'div',
    { class: 'metric', dataset: { field, value: v === null || v === undefined ? '' : String(v) } },
    h('dt', {}, h('a', { href: `/methods#${field}`, target: '_blank', rel: 'noopener', class: 'method-link', text: info.label })),
    h('dd', {}, h('strong', { class: 'value', text: formatNumber(v, info.kind) }), ' ', h('span', { class: 'unit', text: info.unit })),
    h('dd', { class: 'explain', text: info.explain }),
  );
}

function areaPopupContent(geoid) {
  const area = areaOf(geoid);
  const row = state.rows.get(geoid);
  const n = need();
  const u = units();
  const name = row?.name || area?.feature.properties.name || geoid;
  const parts = [
    h('h3', { class: 'popup-title', text: name }),
    h('p', { class: 'muted' }, 'GEOID ', h('code', { class: 'geoid', text: geoid })),
  ];
  if (!row) {
    parts.push(
      h('p', { text: n ? `No ${n.label.toLowerCase()} gap values for this area in ${state.year}.` : 'Choose a need to see its gap.' }),
    );
    return h('div', { class: 'popup popup-area', dataset: { geoid } }, parts);
  }
  parts.push(
    h('p', {
      class: 'muted',
      text: `${n.label}, ${state.year}, radius ${formatNumber(state.radius, 'km')} ${distanceUnit()}${chosenFilter() ? `, ${filterLabel(chosenFilter()).toLowerCase()}` : ''}`,
    }),
    row.desert
      ? h(
          'p',
          { class: 'badge badge-desert', dataset: { field: 'desert', value: 'true' } },
          h('strong', { text: 'Desert. ' }),
          row.desert_reason || '',
        )
      : h('p', {
          class: 'badge',
          dataset: { field: 'desert', value: 'false' },
          text: `Not a desert${row.desert_reason ? `: ${row.desert_reason}` : ''}`,
        }),
  );
  if (row.desert_certainty) {
    const certain = row.desert_certainty === 'certain';
    parts.push(
      h('p', {
        class: certain ? 'certainty' : 'certainty certainty-uncertain',
        dataset: { field: 'desert_certainty', value: row.desert_certainty },
        text: certain
          ? `Certain: the answer is the same with the demand at ± its margin of error (${formatNumber(row.demand_moe, 'count')}).`
          : `Uncertain: within the demand's margin of error (± ${formatNumber(row.demand_moe, 'count')}) the area ${row.desert ? 'may not be' : 'may be'} a desert.`,
      }),
    );
  }
  const values = state.assessmentValues.get(state.year);
  const indicator = demandIndicator();
  const moeKey = `${indicator}_moe`;
  // Drawn from tiles, the row itself carries the margin (the page holds no assessment).
  const tiles = tiled(geographyName());
  const av = tiles ? { [moeKey]: row.demand_moe } : values?.get(geoid);
  const hasMoeColumn = tiles
    ? (state.gaps?.summary?.deserts_without_margin ?? 0) < (state.gaps?.summary?.deserts ?? 0) || typeof row.demand_moe === 'number'
    : Boolean(values && [...values.values()].some((x) => moeKey in x));
  // Minutes on a matrix come beside the straight-line distance.
  const extra = ['nearest_minutes', 'carless_gap'].filter((f) => f in row);
  const fields = POPUP_FIELDS.flatMap((f) => (f === 'nearest_km' ? [f, ...extra] : [f]));
  const lines = fields.map((f) => metricLine(f, row, u));
  // Demand carries its margin of error where the assessment gives one.
  const demandDd = lines[0].querySelector('dd');
  const moe = av ? av[moeKey] : null;
  if (typeof moe === 'number') {
    demandDd.append(' ', h('span', { class: 'moe', dataset: { moe: String(moe) }, text: `± ${formatNumber(moe, 'count')}` }));
    lines[0].querySelector('.explain').append(` (± margin of error, ${moeKey})`);
  } else {
    lines[0]
      .querySelector('.explain')
      .append(hasMoeColumn ? '; no margin of error for this area' : `; the ${state.year} assessment gives no margin of error`);
  }
  parts.push(
    h('dl', { class: 'metrics' }, lines),
    h(
      'p',
      { class: 'muted' },
      'Each name links to its definition and formula on the ',
      h('a', { href: '/methods#metrics', target: '_blank', rel: 'noopener', text: 'methods page' }),
      '.',
    ),
  );
  return h('div', { class: 'popup popup-area', dataset: { geoid } }, parts);
}

/**
 * Opens an area's popup with its gap numbers, at `lngLat` or at its demand point. Drawn
 * from tiles, the clicked feature's `properties` are its row (the tile carries the same
 * fields as `/gaps`, nulls left out).
 */
export function openArea(geoid, lngLat, properties) {
  if (properties && state.gaps && tiled(geographyName()) && typeof properties.demand === 'number') {
    state.rows.set(geoid, { ...properties });
  }
  openAreaPopup(geoid, lngLat, areaPopupContent);
}

/** Flies to an area and opens its popup. */
export async function focusArea(geoid) {
  // Drawn from tiles, the page holds only the ranked and clicked areas' rows: an area
  // found by search has its row asked for (`/gaps?…&geoid=`), so that its popup shows
  // the same numbers as its tile.
  const n = need();
  if (n && state.year !== null && state.gaps && tiled(geographyName()) && !state.rows.has(geoid)) {
    setBusy('area', 'Loading the area’s gaps…');
    try {
      const doc = await getJSON(`/api/v1/gaps${query({ ...gapParams(n), ...travelParams(), geoid })}`);
      for (const r of doc.areas) state.rows.set(r.geoid, r);
      showError('area', null);
    } catch (err) {
      if (needsToken(err)) openSignIn(err);
      showError('area', `The area’s gaps could not be loaded: ${err.message}`);
    } finally {
      setBusy('area', null);
    }
  }
  await focusAreaPopup(geoid, areaPopupContent);
}

// ---- ranking -------------------------------------------------------------------------

/** The worst areas on the chosen metric (deserts only, if ticked). */
export function renderRanking() {
  const list = $('#ranking-list');
  const note = $('#ranking-note');
  const n = need();
  if (!hasGaps() || !n) {
    replace(list);
    note.textContent = state.gaps === null ? 'The ranking appears when the gap analysis is available.' : '';
    return;
  }
  const desertsOnly = $('#deserts-only').checked;
  const tiles = tiled(geographyName());
  // Drawn from tiles, the server ranks (`/gaps?sort=&limit=`): asked again when the metric
  // or the deserts-only choice changed.
  if (tiles && state.ranking?.key !== rankingKey()) {
    track(loadRanking());
    return;
  }
  if (tiles && !SERVER_RANKED.has(state.metric)) {
    replace(list, h('li', { class: 'muted', text: 'This metric is not ranked for a geography this large.' }));
    note.textContent = '';
    return;
  }
  const rows = tiles ? state.ranking.rows : [...state.rows.values()].filter((r) => !desertsOnly || r.desert);
  const ranked = rank(rows, state.metric).slice(0, RANK_LIMIT);
  const info = metricInfo(state.metric, units());
  const deserts = tiles ? state.gaps.summary.deserts : [...state.rows.values()].filter((r) => r.desert).length;
  const total = tiles ? state.gaps.summary.areas : state.rows.size;
  note.textContent = `${formatNumber(deserts, 'count')} of ${formatNumber(total, 'count')} areas are ${n.label.toLowerCase()} deserts. ${desertsOnly ? 'Deserts' : 'Areas'} ranked by ${info.label.toLowerCase()} (${info.higher === 'better' ? 'lowest' : 'highest'} first):`;
  replace(
    list,
    ranked.map((r) =>
      h(
        'li',
        {},
        h(
          'button',
          { type: 'button', class: 'rank-item', dataset: { geoid: r.geoid }, on: { click: () => focusArea(r.geoid) } },
          h('span', { class: 'rank-name', text: r.name || r.geoid }),
          h('span', { class: 'rank-value' }, h('strong', { text: formatNumber(r[state.metric], info.kind) }), ` ${info.unit}`),
          r.desert ? h('span', { class: 'tag', text: 'desert' }) : null,
        ),
      ),
    ),
  );
  if (!ranked.length) list.append(h('li', { class: 'muted', text: desertsOnly ? 'No deserts for these choices.' : 'No areas to rank.' }));
}

/** Asks the server for the ranking of the current choices (a geography drawn from tiles), then shows it. */
async function loadRanking() {
  const n = need();
  const key = rankingKey();
  if (!n || state.year === null) return;
  setBusy('ranking', 'Ranking the areas…');
  try {
    const doc = await getJSON(`/api/v1/gaps${key}`);
    if (key !== rankingKey()) return;
    state.ranking = { key, rows: doc.areas };
    for (const r of doc.areas) state.rows.set(r.geoid, r);
    showError('ranking', null);
  } catch (err) {
    if (needsToken(err)) openSignIn(err);
    state.ranking = { key, rows: [] };
    showError('ranking', `The ranking is not available: ${err.message}`, () => {
      state.ranking = null;
      renderRanking();
    });
  } finally {
    setBusy('ranking', null);
  }
  renderRanking();
}

function fileStem() {
  const n = need();
  const r = state.radius !== null ? `_r${String(state.radius).replace('.', '-')}km` : '';
  const f = state.needFilter ? `_${state.needFilter.replace('=', '-')}` : '';
  return `gapmap_${n ? n.code : 'areas'}_${state.year ?? ''}${r}${f}`;
}

/**
 * For a tiled geography, saves the whole `/gaps` answer in `format` (the page holds no
 * area geometry to cut the view from) and returns true; false otherwise.
 */
async function savedFromServer(format) {
  const n = need();
  if (!n || state.year === null || !tiled(geographyName())) return false;
  try {
    const blob = await getBlob(`/api/v1/gaps${query({ ...gapParams(n), format })}`);
    save(blob, `${fileStem()}_all.${format}`);
    showError('png', null);
  } catch (err) {
    showError('png', `The ${format.toUpperCase()} could not be made: ${err.message}`);
  }
  return true;
}

function visibleAreas() {
  const view = theMap().viewBox();
  const entry = state.areas.get(geographyName());
  if (!entry) return [];
  return [...entry.byId.values()].filter((a) => intersects(a.bbox, view));
}

function visibleSites() {
  if (!sitesShown()) return [];
  const [w, s, e, n] = theMap().viewBox();
  return filteredSites().filter((f) => {
    const [x, y] = f.geometry.coordinates;
    return x >= w && x <= e && y >= s && y <= n;
  });
}

function areaRecord(a) {
  const geoid = a.feature.properties.geoid;
  const row = state.rows.get(geoid) || {};
  const rec = { geoid, name: row.name || a.feature.properties.name };
  for (const c of AREA_COLUMNS.slice(2)) rec[c] = row[c] ?? null;
  return rec;
}

/** Wires the download buttons: the areas (and sites) in view, and the map as a PNG. */
export function initDownloads() {
  $('#dl-csv').addEventListener('click', async () => {
    // A tiled geography's areas are not in the page: the server writes all of them.
    if (await savedFromServer('csv')) return;
    const rows = visibleAreas().map(areaRecord);
    const n = need();
    const meta = rows.map((r) => ({ ...r, need: n ? n.code : '', year: state.year, radius_km: state.radius, filter: state.needFilter }));
    save(new Blob([toCSV([...AREA_COLUMNS, 'need', 'year', 'radius_km', 'filter'], meta)], { type: 'text/csv' }), `${fileStem()}.csv`);
  });
  $('#dl-geojson').addEventListener('click', async () => {
    if (await savedFromServer('geojson')) return;
    const n = need();
    const areas = visibleAreas().map((a) => ({
      type: 'Feature',
      id: a.feature.properties.geoid,
      geometry: a.feature.geometry,
      properties: { layer: 'area', ...areaRecord(a) },
    }));
    const sites = visibleSites().map((f) => ({
      type: 'Feature',
      id: f.properties.id,
      geometry: f.geometry,
      properties: { layer: 'site', ...f.properties },
    }));
    const doc = {
      type: 'FeatureCollection',
      gapmap: {
        need: n ? n.code : null,
        year: state.year,
        radius_km: state.radius,
        filter: state.needFilter || null,
        metric: state.metric,
        view: theMap().viewBox(),
      },
      features: [...areas, ...sites],
    };
    save(new Blob([JSON.stringify(doc)], { type: 'application/geo+json' }), `${fileStem()}.geojson`);
  });
  $('#dl-png').addEventListener('click', async () => {
    const n = need();
    const gm = theMap();
    await gm.whenIdle();
    const lg = legendModel();
    const title = n ? `${n.label}: ${lg.title.toLowerCase()}, ${state.year}` : 'gapmap';
    const sub = `Radius ${formatNumber(state.radius, 'km')} ${distanceUnit()}${state.needFilter ? `, ${state.needFilter}` : ''} · gapmap`;
    try {
      save(await mapPNG(gm.canvas(), title, sub, lg), `${fileStem()}_${state.metric}.png`);
    } catch (err) {
      showError('png', `The PNG could not be made: ${err.message}`);
    }
  });
}

/** Tries the gaps again after a failure. */
function retry() {
  return track(refreshGaps());
}

/** Draws the Gaps choropleth and legend again from what is loaded (after another view). */
export async function showGaps() {
  const geography = geographyName();
  if (!geography) return;
  if (tiled(geography)) {
    await mapReady;
    const n = need();
    drawTiles(geography, n && state.year !== null ? gapParams(n) : null);
    restyle();
    return;
  }
  const areas = await loadAreas(geography);
  await mapReady;
  drawAreas(areas);
}
