// gapmap's map page: choose a need, year, metric and radius; see the gap as a choropleth
// with desert outlines, the partner sites, and the worst areas ranked; search, download
// what is on screen, and upload the next year's data.

import { getJSON, needsToken, query, setToken, token } from './api.js';
import { h, replace, $ } from './dom.js';
import {
  MAP_METRICS,
  POPUP_FIELDS,
  NO_DATA,
  classify,
  formatNumber,
  legendRows,
  metricInfo,
  rank,
  unitsFor,
} from './metrics.js';
import { AREA_COLUMNS, intersects, mapPNG, save, toCSV } from './downloads.js';
import { initUpload } from './upload.js';
import { initViews } from './views.js';
import { indicatorWords, levelLabel, partnershipStages, serviceColour, serviceLabel, setVocabulary, stageLabel } from './vocabulary.js';

const languageNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'language' }) : null;
const languageLabel = (code) => {
  try {
    return (languageNames && languageNames.of(code)) || code;
  } catch {
    return code;
  }
};
const RANK_LIMIT = 20;

const state = {
  config: null,
  needs: [],
  assessments: [],
  geographies: [],
  year: null,
  needCode: null,
  metric: 'shortfall',
  radius: null,
  needFilter: '',
  sites: [],
  sitesById: new Map(),
  areas: new Map(), // geography -> {features, byId: Map(geoid -> {feature, bbox})}
  assessmentValues: new Map(), // year -> Map(geoid -> values)
  gaps: null,
  rows: new Map(), // geoid -> gap row of the current view
  classes: null,
};
let gm = null;
// The Outreach and Compare views (views.js), once started.
let views = null;
let gapsAbort = null;
// Settles once the map has loaded its style and layers; drawing waits for it, loading does not.
let mapLoaded = false;
let resolveMap;
let rejectMap;
const mapReady = new Promise((resolve, reject) => {
  resolveMap = resolve;
  rejectMap = reject;
});
mapReady.catch(() => {});

// ---- status and errors -----------------------------------------------------------

const busy = new Map();
function setBusy(key, message) {
  if (message) busy.set(key, message);
  else busy.delete(key);
  const el = $('#status');
  const msgs = [...busy.values()];
  el.hidden = msgs.length === 0;
  replace(el, msgs.length ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null, msgs.join(' · '));
  document.body.toggleAttribute('aria-busy', msgs.length > 0);
}

function showError(key, message, retry) {
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

// ---- data ------------------------------------------------------------------------

function need() {
  return state.needs.find((n) => n.code === state.needCode) || null;
}

function assessment() {
  return state.assessments.find((a) => a.year === state.year) || null;
}

function geographyName() {
  const a = assessment();
  return a ? a.geography : state.geographies[0] ? state.geographies[0].name : null;
}

/** The indicator the gap uses as demand (a language filter can swap it). */
function demandIndicator() {
  const p = state.gaps && state.gaps.params;
  if (p && typeof p.demand_indicator === 'string') return p.demand_indicator;
  const n = need();
  if (!n) return null;
  const f = n.filters || {};
  if (state.needFilter.startsWith('language=') && f.language && typeof f.language === 'object' && !Array.isArray(f.language)) {
    const ind = f.language[state.needFilter.slice('language='.length)];
    if (ind) return ind;
  }
  return n.demand_indicator;
}

function units() {
  const indicator = demandIndicator();
  return unitsFor(need(), indicator ? indicatorWords(indicator) : null, state.radius);
}

function bboxOf(geometry) {
  let w = Infinity,
    s = Infinity,
    e = -Infinity,
    n = -Infinity;
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      if (c[0] < w) w = c[0];
      if (c[0] > e) e = c[0];
      if (c[1] < s) s = c[1];
      if (c[1] > n) n = c[1];
    } else c.forEach(walk);
  };
  if (geometry && geometry.coordinates) walk(geometry.coordinates);
  return [w, s, e, n];
}

async function loadAreas(geography) {
  if (state.areas.has(geography)) return state.areas.get(geography);
  setBusy('areas', 'Loading areas…');
  try {
    const fc = await getJSON(`/api/v1/geographies/${encodeURIComponent(geography)}/areas`);
    const byId = new Map();
    for (const f of fc.features) byId.set(f.properties.geoid, { feature: f, bbox: bboxOf(f.geometry) });
    const entry = { features: fc.features, byId };
    state.areas.set(geography, entry);
    showError('areas', null);
    return entry;
  } finally {
    setBusy('areas', null);
  }
}

async function loadAssessmentValues(year) {
  if (state.assessmentValues.has(year)) return state.assessmentValues.get(year);
  const doc = await getJSON(`/api/v1/assessments/${year}`);
  const m = new Map(doc.areas.map((a) => [a.geoid, a.values || {}]));
  state.assessmentValues.set(year, m);
  return m;
}

async function loadSites(started) {
  setBusy('sites', 'Loading partner sites…');
  try {
    const fc = await (started || getJSON('/api/v1/sites'));
    state.sites = fc.features;
    state.sitesById = new Map(fc.features.map((f) => [f.properties.id, f]));
    fillSiteFilters();
    showError('sites', null);
  } catch (err) {
    if (needsToken(err)) openSignIn(err);
    showError('sites', `Partner sites could not be loaded: ${err.message}`, () => track(loadSites().then(renderSites)));
  } finally {
    setBusy('sites', null);
  }
}

/** Fetches the gaps for the current choices and redraws everything that depends on them. */
async function refreshGaps() {
  const n = need();
  const geography = geographyName();
  if (!geography) {
    showError('gaps', 'No areas are stored yet: upload a geography and an assessment (Upload data).');
    return;
  }
  if (gapsAbort) gapsAbort.abort();
  const abort = new AbortController();
  gapsAbort = abort;
  // The areas (cached per geography) load alongside the gaps.
  const areasRequest = loadAreas(geography);
  areasRequest.catch(() => {});
  if (!n || state.year === null) {
    state.gaps = null;
    state.rows = new Map();
    try {
      const areas = await areasRequest;
      await mapReady;
      drawAreas(areas);
    } catch (err) {
      showError('areas', `The areas could not be loaded: ${err.message}`, refresh);
    } finally {
      if (gapsAbort === abort) gapsAbort = null;
    }
    return;
  }
  setBusy('gaps', `Computing ${n.label.toLowerCase()} gaps for ${state.year}…`);
  try {
    const params = { year: state.year, need: n.code };
    if (state.radius !== null && state.radius !== n.radius_km) params.radius_km = state.radius;
    if (state.needFilter) {
      const [k, v] = state.needFilter.split('=');
      params[k] = v;
    }
    const [gaps] = await Promise.all([
      getJSON(`/api/v1/gaps${query(params)}`, { signal: abort.signal }),
      // The popup's margins of error come from the assessment itself.
      loadAssessmentValues(state.year).catch(() => null),
    ]);
    if (abort.signal.aborted) return;
    state.gaps = gaps;
    state.rows = new Map(gaps.areas.map((a) => [a.geoid, a]));
    showError('gaps', null);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (needsToken(err)) openSignIn(err);
    state.gaps = null;
    state.rows = new Map();
    showError('gaps', `The gap analysis is not available: ${err.message}`, refresh);
  } finally {
    if (gapsAbort === abort) {
      gapsAbort = null;
      setBusy('gaps', null);
    }
  }
  let areas;
  try {
    areas = await areasRequest;
  } catch (err) {
    showError('areas', `The areas could not be loaded: ${err.message}`, refresh);
    return;
  }
  if (abort.signal.aborted) return;
  await mapReady;
  drawAreas(areas);
}

// ---- drawing -----------------------------------------------------------------------

function drawAreas(areas) {
  // The Compare view draws its own areas (views.js).
  if (state.view === 'compare') return;
  const features = areas.features.map((f) => {
    const row = state.rows.get(f.properties.geoid);
    return {
      type: 'Feature',
      geometry: f.geometry,
      properties: { ...(row || {}), geoid: f.properties.geoid, name: row && row.name ? row.name : f.properties.name },
    };
  });
  gm.setAreas({ type: 'FeatureCollection', features });
  restyle();
}

function restyle() {
  const metric = state.metric;
  const values = [...state.rows.values()].map((r) => r[metric]);
  state.classes = state.rows.size ? classify(values) : null;
  if (mapLoaded && state.view !== 'compare') gm.styleAreas(state.rows.size ? metric : null, state.classes);
  renderLegend();
  renderRanking();
}

function desertRuleText() {
  const n = need();
  const r = n && n.desert_rule;
  if (!r || typeof r !== 'object') return 'Desert (outlined)';
  const u = units();
  if (r.kind === 'cap_childcare') {
    return `Desert (outlined): more than ${formatNumber(r.min_demand)} ${u.demand.plural} and no licensed slot in the area, or more than ${formatNumber(r.max_ratio)} per slot`;
  }
  if (r.kind === 'access') {
    return `Desert (outlined): at least ${formatNumber(r.min_demand)} ${u.demand.plural} and no site within ${formatNumber(state.radius, 'km')} km, or E2SFCA access below ${formatNumber(r.threshold)}`;
  }
  return 'Desert (outlined), by the need’s rule';
}

function legendModel() {
  const info = metricInfo(state.metric, units());
  const rows = state.classes ? legendRows(state.classes, info.kind) : [];
  const hasNull = [...state.rows.values()].some((r) => typeof r[state.metric] !== 'number');
  const extra = [];
  if (hasNull || !state.rows.size) extra.push({ colour: NO_DATA, label: state.metric === 'nearest_km' ? 'No site at all' : 'No value' });
  extra.push({ colour: '#d6004c', label: desertRuleText(), outline: true });
  return {
    title: info.label,
    unit: info.unit,
    note: info.higher ? `Higher is ${info.higher}` : '',
    rows,
    extra,
  };
}

function renderLegend() {
  if (state.view === 'compare' && views) return views.renderCompareLegend();
  const el = $('#legend');
  const n = need();
  // The legend folds away (keyboard: its summary is a button); keep the reader's choice.
  const prev = el.querySelector('details');
  const open = prev ? prev.open : true;
  if (!state.rows.size) {
    replace(el, h('details', { open }, h('summary', { text: 'Legend' }), h('p', { class: 'muted', text: n ? 'No gap values to show.' : 'Choose a need.' })));
    return;
  }
  const lg = legendModel();
  const swatch = (colour, outline) => h('span', { class: outline ? 'swatch swatch-outline' : 'swatch', dataset: { colour } });
  const shownServices = siteServiceSet();
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
        lg.extra.map((r) => h('li', {}, swatch(r.colour, r.outline), h('span', { text: r.label }))),
      ),
      lg.note ? h('p', { class: 'muted', text: lg.note }) : null,
      $('#show-sites').checked && shownServices.length
        ? h(
            'ul',
            { class: 'legend-rows legend-sites', 'aria-label': 'Site colours' },
            shownServices.map((s) => h('li', {}, h('span', { class: 'dot', dataset: { colour: serviceColour(s) } }), h('span', { text: serviceLabel(s) }))),
            h('li', {}, h('span', { class: 'dot dot-cluster', dataset: { colour: '#263238' } }), h('span', { text: 'Several sites (number of sites)' })),
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
    h('dt', { text: info.label }),
    h('dd', {}, h('strong', { class: 'value', text: formatNumber(v, info.kind) }), ' ', h('span', { class: 'unit', text: info.unit })),
    h('dd', { class: 'explain', text: info.explain }),
  );
}

function areaPopupContent(geoid) {
  const geography = geographyName();
  const entry = state.areas.get(geography);
  const area = entry && entry.byId.get(geoid);
  const row = state.rows.get(geoid);
  const n = need();
  const u = units();
  const name = (row && row.name) || (area && area.feature.properties.name) || geoid;
  const parts = [
    h('h3', { class: 'popup-title', text: name }),
    h('p', { class: 'muted' }, 'GEOID ', h('code', { class: 'geoid', text: geoid })),
  ];
  if (!row) {
    parts.push(h('p', { text: n ? `No ${n.label.toLowerCase()} gap values for this area in ${state.year}.` : 'Choose a need to see its gap.' }));
    return h('div', { class: 'popup popup-area', dataset: { geoid } }, parts);
  }
  parts.push(
    h('p', { class: 'muted', text: `${n.label}, ${state.year}, radius ${formatNumber(state.radius, 'km')} km${state.needFilter ? `, ${state.needFilter.replace('=', ': ')}` : ''}` }),
    row.desert
      ? h('p', { class: 'badge badge-desert', dataset: { field: 'desert', value: 'true' } }, h('strong', { text: 'Desert. ' }), row.desert_reason || '')
      : h('p', { class: 'badge', dataset: { field: 'desert', value: 'false' }, text: `Not a desert${row.desert_reason ? `: ${row.desert_reason}` : ''}` }),
  );
  const values = state.assessmentValues.get(state.year);
  const indicator = demandIndicator();
  const moeKey = `${indicator}_moe`;
  const av = values && values.get(geoid);
  const hasMoeColumn = Boolean(values && [...values.values()].some((x) => moeKey in x));
  const lines = POPUP_FIELDS.map((f) => metricLine(f, row, u));
  // Demand carries its margin of error where the assessment gives one.
  const demandDd = lines[0].querySelector('dd');
  const moe = av ? av[moeKey] : null;
  if (typeof moe === 'number') {
    demandDd.append(' ', h('span', { class: 'moe', dataset: { moe: String(moe) }, text: `± ${formatNumber(moe, 'count')}` }));
    lines[0].querySelector('.explain').append(` (± margin of error, ${moeKey})`);
  } else {
    lines[0].querySelector('.explain').append(hasMoeColumn ? '; no margin of error for this area' : `; the ${state.year} assessment gives no margin of error`);
  }
  parts.push(h('dl', { class: 'metrics' }, lines));
  return h('div', { class: 'popup popup-area', dataset: { geoid } }, parts);
}

function openArea(geoid, lngLat) {
  const entry = state.areas.get(geographyName());
  const area = entry && entry.byId.get(geoid);
  if (!area) return;
  const p = area.feature.properties;
  const at = lngLat || [p.demand_lon, p.demand_lat];
  const content = state.view === 'compare' && views ? views.comparePopup(geoid) : areaPopupContent(geoid);
  gm.showPopup(at, content, { className: 'gm-popup' });
  gm.select(geoid);
}

function focusArea(geoid) {
  const entry = state.areas.get(geographyName());
  const area = entry && entry.byId.get(geoid);
  if (!area) return;
  gm.map.once('moveend', () => openArea(geoid));
  gm.flyToBox(area.bbox);
}

function sitePopupContent(f) {
  const p = f.properties;
  const cap = p.capacity || {};
  const notRecorded = h('span', { class: 'muted', text: 'not recorded' });
  const item = (label, value, field) => [h('dt', { text: label }), h('dd', { dataset: { field } }, value === null || value === undefined || value === '' ? notRecorded.cloneNode(true) : value)];
  const services = (p.services || []).map((s) => (typeof cap[s] === 'number' ? `${serviceLabel(s)} (capacity ${formatNumber(cap[s], 'count')})` : serviceLabel(s)));
  const langs = (p.languages || []).map(languageLabel);
  return h(
    'div',
    { class: 'popup popup-site', dataset: { site: p.id } },
    h('h3', { class: 'popup-title', text: p.name || p.id }),
    p.kind ? h('p', { class: 'muted', text: p.kind }) : null,
    h(
      'dl',
      { class: 'facts' },
      item('Partner', p.partner, 'partner'),
      item('Services', services.join('; '), 'services'),
      item('Capacity', Object.keys(cap).length ? Object.entries(cap).map(([s, c]) => `${formatNumber(c, 'count')} (${serviceLabel(s)})`).join('; ') : null, 'capacity'),
      item('Languages', langs.join(', '), 'languages'),
      item('Hours', p.hours, 'hours'),
      item('Partnership level', p.partnership_level ? levelLabel(p.partnership_level) : null, 'partnership_level'),
      item('Partnership stage', p.partnership_stage ? stageLabel(p.partnership_stage) : null, 'partnership_stage'),
      item('Address', p.address, 'address'),
    ),
  );
}

function openSite(id, coords) {
  const f = state.sitesById.get(id);
  if (!f) return;
  gm.showPopup(coords || f.geometry.coordinates, sitePopupContent(f), { className: 'gm-popup' });
}

// ---- sites and their filters ---------------------------------------------------------

function siteFilter() {
  const svc = $('#site-service').value;
  const lang = $('#site-language').value;
  const stage = $('#site-stage').value;
  const n = need();
  const wanted = svc === '' ? new Set(n ? n.services : []) : svc === '*' ? null : new Set([svc]);
  return (f) => {
    const p = f.properties;
    if (wanted && !(p.services || []).some((s) => wanted.has(s))) return false;
    if (lang && !(p.languages || []).includes(lang)) return false;
    if (stage === 'none' ? p.partnership_stage : stage && p.partnership_stage !== stage) return false;
    return true;
  };
}

function filteredSites() {
  return state.sites.filter(siteFilter());
}

function siteServiceSet() {
  const svc = $('#site-service').value;
  const n = need();
  if (svc === '') return n ? n.services : [];
  if (svc !== '*') return [svc];
  const all = new Set();
  for (const f of state.sites) for (const s of f.properties.services || []) all.add(s);
  return [...all].sort();
}

function siteColour(p, shown) {
  const s = (p.services || []).find((x) => shown.has(x)) || (p.services || [])[0];
  return serviceColour(s);
}

function renderSites() {
  if (!mapLoaded) return;
  const shown = new Set(siteServiceSet());
  const features = filteredSites().map((f) => ({
    type: 'Feature',
    geometry: f.geometry,
    properties: { ...f.properties, _colour: siteColour(f.properties, shown) },
  }));
  gm.setSites({ type: 'FeatureCollection', features });
  gm.setSitesVisible($('#show-sites').checked);
  $('#site-count').textContent = `${formatNumber(features.length, 'count')} of ${formatNumber(state.sites.length, 'count')} sites match`;
  renderLegend();
}

function fillSiteFilters() {
  const svcSel = $('#site-service');
  const keep = svcSel.value;
  const codes = new Set();
  const langs = new Set();
  for (const f of state.sites) {
    for (const s of f.properties.services || []) codes.add(s);
    for (const l of f.properties.languages || []) langs.add(l);
  }
  replace(
    svcSel,
    h('option', { value: '', text: 'Those that supply the need' }),
    h('option', { value: '*', text: 'All services' }),
    [...codes].sort().map((c) => h('option', { value: c, text: serviceLabel(c) })),
  );
  svcSel.value = [...svcSel.options].some((o) => o.value === keep) ? keep : '';
  const langSel = $('#site-language');
  const keepLang = langSel.value;
  replace(
    langSel,
    h('option', { value: '', text: 'Any language' }),
    [...langs].sort().map((l) => h('option', { value: l, text: `${languageLabel(l)} (${l})` })),
  );
  langSel.value = [...langSel.options].some((o) => o.value === keepLang) ? keepLang : '';
  $('#site-language-note').hidden = langs.size > 0;
}

// ---- ranking -------------------------------------------------------------------------

function renderRanking() {
  const list = $('#ranking-list');
  const note = $('#ranking-note');
  const n = need();
  if (!state.rows.size || !n) {
    replace(list);
    note.textContent = state.gaps === null ? 'The ranking appears when the gap analysis is available.' : '';
    return;
  }
  const desertsOnly = $('#deserts-only').checked;
  const rows = [...state.rows.values()].filter((r) => !desertsOnly || r.desert);
  const ranked = rank(rows, state.metric).slice(0, RANK_LIMIT);
  const info = metricInfo(state.metric, units());
  const deserts = [...state.rows.values()].filter((r) => r.desert).length;
  note.textContent = `${formatNumber(deserts, 'count')} of ${formatNumber(state.rows.size, 'count')} areas are ${n.label.toLowerCase()} deserts. ${desertsOnly ? 'Deserts' : 'Areas'} ranked by ${info.label.toLowerCase()} (${info.higher === 'better' ? 'lowest' : 'highest'} first):`;
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

// ---- search --------------------------------------------------------------------------

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

function initSearch() {
  const input = $('#search-input');
  const list = $('#search-results');
  let timer = null;
  const choose = (r) => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    if (r.kind === 'area') focusArea(r.id);
    else {
      const f = state.sitesById.get(r.id);
      if (!f) return;
      gm.map.once('moveend', () => openSite(r.id));
      gm.flyToPoint(f.geometry.coordinates, Math.max(gm.map.getZoom(), 15));
    }
  };
  const render = () => {
    const results = searchResults(input.value);
    replace(
      list,
      results.map((r) =>
        h(
          'li',
          {},
          h('button', { type: 'button', class: 'search-hit', dataset: { kind: r.kind, id: r.id }, on: { click: () => choose(r) } }, h('span', { class: 'hit-label', text: r.label }), h('span', { class: 'hit-detail', text: r.detail })),
        ),
      ),
    );
    if (input.value.trim().length >= 2 && !results.length) list.append(h('li', { class: 'muted no-hit', text: 'No area or partner matches.' }));
    const open = list.children.length > 0;
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
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
      input.setAttribute('aria-expanded', 'false');
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

// ---- downloads -----------------------------------------------------------------------

function fileStem() {
  const n = need();
  const r = state.radius !== null ? `_r${String(state.radius).replace('.', '-')}km` : '';
  const f = state.needFilter ? `_${state.needFilter.replace('=', '-')}` : '';
  return `gapmap_${n ? n.code : 'areas'}_${state.year ?? ''}${r}${f}`;
}

function visibleAreas() {
  const view = gm.viewBox();
  const entry = state.areas.get(geographyName());
  if (!entry) return [];
  return [...entry.byId.values()].filter((a) => intersects(a.bbox, view));
}

function visibleSites() {
  if (!$('#show-sites').checked) return [];
  const [w, s, e, n] = gm.viewBox();
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

function initDownloads() {
  $('#dl-csv').addEventListener('click', () => {
    const rows = visibleAreas().map(areaRecord);
    const n = need();
    const meta = rows.map((r) => ({ ...r, need: n ? n.code : '', year: state.year, radius_km: state.radius, filter: state.needFilter }));
    save(new Blob([toCSV([...AREA_COLUMNS, 'need', 'year', 'radius_km', 'filter'], meta)], { type: 'text/csv' }), `${fileStem()}.csv`);
  });
  $('#dl-geojson').addEventListener('click', () => {
    const n = need();
    const areas = visibleAreas().map((a) => ({ type: 'Feature', id: a.feature.properties.geoid, geometry: a.feature.geometry, properties: { layer: 'area', ...areaRecord(a) } }));
    const sites = visibleSites().map((f) => ({ type: 'Feature', id: f.properties.id, geometry: f.geometry, properties: { layer: 'site', ...f.properties } }));
    const doc = {
      type: 'FeatureCollection',
      gapmap: { need: n ? n.code : null, year: state.year, radius_km: state.radius, filter: state.needFilter || null, metric: state.metric, view: gm.viewBox() },
      features: [...areas, ...sites],
    };
    save(new Blob([JSON.stringify(doc)], { type: 'application/geo+json' }), `${fileStem()}.geojson`);
  });
  $('#dl-png').addEventListener('click', async () => {
    const n = need();
    await gm.whenIdle();
    const lg = legendModel();
    const title = n ? `${n.label}: ${lg.title.toLowerCase()}, ${state.year}` : 'gapmap';
    const sub = `Radius ${formatNumber(state.radius, 'km')} km${state.needFilter ? `, ${state.needFilter}` : ''} · gapmap`;
    try {
      save(await mapPNG(gm.canvas(), title, sub, lg), `${fileStem()}_${state.metric}.png`);
    } catch (err) {
      showError('png', `The PNG could not be made: ${err.message}`);
    }
  });
}

// ---- controls ------------------------------------------------------------------------

function fillNeedFilter() {
  const sel = $('#need-filter');
  const n = need();
  const f = (n && n.filters) || {};
  const opts = [h('option', { value: '', text: 'All that supply the need' })];
  if (Array.isArray(f.hours)) for (const x of f.hours) opts.push(h('option', { value: `hours=${x}`, text: `Open ${x === 'weekend' ? 'at weekends' : x === 'evening' ? 'in the evening' : x}` }));
  if (f.language && typeof f.language === 'object') {
    const codes = Array.isArray(f.language) ? f.language : Object.keys(f.language);
    for (const c of codes) opts.push(h('option', { value: `language=${c}`, text: `Serves ${languageLabel(c)}` }));
  }
  replace(sel, opts);
  sel.value = '';
  state.needFilter = '';
  $('#need-filter-row').hidden = opts.length === 1;
}

function fillYears() {
  const sel = $('#year');
  replace(
    sel,
    state.assessments.length
      ? [...state.assessments].reverse().map((a) => h('option', { value: String(a.year), title: `${a.year}: ${a.geography}, version ${a.version}`, text: String(a.year) }))
      : h('option', { value: '', text: 'No assessment yet' }),
  );
  if (state.year !== null) sel.value = String(state.year);
}

function readRadius() {
  const input = $('#radius');
  const v = Number(input.value);
  const ok = input.value !== '' && Number.isFinite(v) && v > 0 && v <= 100;
  input.setAttribute('aria-invalid', String(!ok));
  $('#radius-error').hidden = ok;
  return ok ? v : null;
}

function initControls() {
  const needSel = $('#need');
  replace(needSel, state.needs.map((n) => h('option', { value: n.code, text: n.label })));
  if (state.needCode) needSel.value = state.needCode;
  replace(
    $('#site-stage'),
    h('option', { value: '', text: 'Any stage' }),
    partnershipStages().map((t) => h('option', { value: t.code, title: t.description, text: t.label })),
    h('option', { value: 'none', text: 'Not recorded' }),
  );
  replace($('#metric'), MAP_METRICS.map((m) => h('option', { value: m, text: metricInfo(m, units()).label })));
  $('#metric').value = state.metric;
  fillYears();
  fillNeedFilter();
  $('#radius').value = state.radius ?? '';

  needSel.addEventListener('change', () => {
    state.needCode = needSel.value;
    const n = need();
    state.radius = n ? n.radius_km : null;
    $('#radius').value = state.radius ?? '';
    readRadius();
    fillNeedFilter();
    renderSites();
    refresh();
  });
  $('#year').addEventListener('change', (e) => {
    state.year = Number(e.target.value);
    refresh();
  });
  $('#metric').addEventListener('change', (e) => {
    state.metric = e.target.value;
    restyle();
  });
  $('#radius').addEventListener('change', () => {
    const v = readRadius();
    if (v === null) return;
    state.radius = v;
    refresh();
  });
  $('#radius-reset').addEventListener('click', () => {
    const n = need();
    if (!n) return;
    state.radius = n.radius_km;
    $('#radius').value = n.radius_km;
    readRadius();
    refresh();
  });
  $('#need-filter').addEventListener('change', (e) => {
    state.needFilter = e.target.value;
    refresh();
  });
  for (const id of ['#site-service', '#site-language', '#site-stage', '#show-sites']) $(id).addEventListener('change', renderSites);
  $('#deserts-only').addEventListener('change', renderRanking);
}

async function reloadAfterUpload(kind) {
  if (kind === 'areas') state.areas.clear();
  if (kind === 'indicators' || kind === 'areas') {
    state.assessmentValues.clear();
    const [assessments, geographies, vocabulary] = await Promise.all([getJSON('/api/v1/assessments'), getJSON('/api/v1/geographies'), getJSON('/api/v1/vocabulary')]);
    setVocabulary(vocabulary);
    state.assessments = assessments.assessments;
    state.geographies = geographies.geographies;
    if (state.year === null && state.assessments.length) state.year = state.assessments[state.assessments.length - 1].year;
    fillYears();
  }
  if (kind === 'partners' || kind === 'stops') {
    await loadSites();
    renderSites();
  }
  await refreshGaps();
  if (views) await views.refresh();
}

// ---- signing in (private reads) ---------------------------------------------------------

function openSignIn(err) {
  const dialog = $('#signin-dialog');
  const msg = $('#signin-error');
  // A stored token that the server refuses is dropped, so a reload asks again.
  const hadToken = Boolean(token());
  if (hadToken) setToken('');
  msg.hidden = !hadToken;
  msg.textContent = hadToken ? `The token was not accepted: ${err.message}` : '';
  if (!dialog.open) dialog.showModal();
  $('#signin-token').focus();
}

function initSignIn() {
  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('#signin-token').value.trim();
    if (!t) return;
    setToken(t);
    location.reload();
  });
  // Without data there is nothing behind the dialog to return to.
  $('#signin-dialog').addEventListener('cancel', (e) => e.preventDefault());
  const out = $('#sign-out');
  out.hidden = !token();
  out.addEventListener('click', () => {
    setToken('');
    location.reload();
  });
}

// ---- start ---------------------------------------------------------------------------

let pending = Promise.resolve();
/** Remembers a load in progress, so `window.gapmap.settled()` can wait for all of them. */
function track(p) {
  pending = Promise.allSettled([pending, p]);
  return p;
}

/** Fetches and redraws the gaps for the current choices (tracked). */
function refresh() {
  return track(refreshGaps().then(() => views && views.refresh()));
}

async function boot() {
  setBusy('boot', 'Loading…');
  initSignIn();
  const mapModule = import('./mapview.js');
  const lists = await Promise.allSettled([
    getJSON('/api/v1/config'),
    getJSON('/api/v1/needs'),
    getJSON('/api/v1/assessments'),
    getJSON('/api/v1/geographies'),
    getJSON('/api/v1/vocabulary'),
  ]);
  const refused = lists.find((r) => r.status === 'rejected' && needsToken(r.reason));
  if (refused) {
    setBusy('boot', null);
    openSignIn(refused.reason);
    return;
  }
  const [config, needs, assessments, geographies, vocabulary] = lists;
  state.config = config.status === 'fulfilled' ? config.value : { basemap_style: null };
  if (needs.status === 'fulfilled') state.needs = needs.value.needs || [];
  else showError('needs', `The list of needs is not available: ${needs.reason.message}`);
  if (assessments.status === 'fulfilled') state.assessments = assessments.value.assessments || [];
  else showError('assessments', `The assessments could not be listed: ${assessments.reason.message}`);
  if (geographies.status === 'fulfilled') state.geographies = geographies.value.geographies || [];
  // Without the vocabulary the page still works, showing codes instead of labels.
  if (vocabulary.status === 'fulfilled') setVocabulary(vocabulary.value);
  else showError('vocabulary', `The labels of services and indicators are not available: ${vocabulary.reason.message}`);
  state.year = state.assessments.length ? state.assessments[state.assessments.length - 1].year : null;
  state.needCode = state.needs.some((n) => n.code === 'childcare') ? 'childcare' : state.needs[0] ? state.needs[0].code : null;
  state.radius = need() ? need().radius_km : null;
  // The large answers start after the small ones, which would otherwise queue behind them.
  const sitesRequest = getJSON('/api/v1/sites');
  sitesRequest.catch(() => {});

  initControls();
  initSearch();
  initDownloads();
  views = initViews({
    state,
    need,
    units,
    map: () => gm,
    mapReady,
    loadAreas,
    setBusy,
    showError,
    focusArea,
    track,
    openSignIn,
    showGaps: async () => {
      const geography = geographyName();
      if (!geography) return;
      const areas = await loadAreas(geography);
      await mapReady;
      drawAreas(areas);
    },
  });
  initUpload({
    geographies: () => state.geographies.map((g) => g.name),
    current: geographyName,
    done: (kind) => track(reloadAfterUpload(kind)),
  });
  // Areas and gaps load while MapLibre starts; they are drawn once it has.
  const gapsDone = refreshGaps();
  const sitesDone = loadSites(sitesRequest).then(async () => {
    await mapReady;
    renderSites();
  });

  const geo = state.geographies.find((g) => g.name === geographyName());
  try {
    const { GapMap } = await mapModule;
    gm = new GapMap($('#map'), {
      basemapStyle: state.config.basemap_style,
      bounds: geo && geo.bbox ? geo.bbox : null,
      // Keep the areas clear of the legend in the top-left corner where there is room.
      padding: $('#map').clientWidth > 800 ? { top: 16, bottom: 16, left: 310, right: 56 } : 16,
      onAreaClick: (geoid, at) => openArea(geoid, at),
      onSiteClick: (id, at) => openSite(id, at),
    });
    await gm.loaded;
  } catch (err) {
    setBusy('boot', null);
    rejectMap(err);
    showError('map', `The map could not start: ${err.message}${state.config.basemap_style ? ' (is the basemap style reachable?)' : ''}`, () => location.reload());
    throw err;
  }
  mapLoaded = true;
  resolveMap(gm);
  await Promise.all([gapsDone, sitesDone]);
  setBusy('boot', null);
  await gm.whenIdle();
}

const ready = track(boot());
window.gapmap = {
  /** Resolves when the first view is drawn (after MapLibre's `idle`). */
  ready,
  /** Resolves when every queued load has finished and the map is idle again. */
  async settled() {
    let before;
    do {
      before = pending;
      await pending;
    } while (before !== pending);
    if (mapLoaded) await gm.whenIdle();
  },
  get map() {
    return gm && gm.map;
  },
  state,
};
