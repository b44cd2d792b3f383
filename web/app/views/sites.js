// The partner sites on the map, shared by the Gaps and Outreach views: loading them, the
// service, language and stage filters, their colours and their popup.

import { getJSON, query } from '../api.js';
import { $, h, replace } from '../dom.js';
import { theMap } from '../mapview.js';
import { formatNumber } from '../metrics.js';
import { geographyName, need, state, tiled } from '../state.js';
import { setBusy, showError } from '../status.js';
import {
  allServices,
  languageLabel,
  levelLabel,
  partnershipLevels,
  partnershipStages,
  serviceColour,
  serviceLabel,
  stageLabel,
} from '../vocabulary.js';
import { openPartner } from './partner.js';

/** Loads every site into `state` (or takes the request `started` already); throws what the API refused. */
export async function loadSites(started) {
  // A geography drawn from tiles draws its sites from tiles too: none is loaded here.
  if (!started && sitesTiled()) {
    state.sites = [];
    state.sitesById = new Map();
    fillSiteFilters();
    showError('sites', null);
    return;
  }
  setBusy('sites', 'Loading partner sites…');
  try {
    const fc = await (started || getJSON('/api/v1/sites'));
    state.sites = fc.features;
    state.sitesById = new Map(fc.features.map((f) => [f.properties.id, f]));
    fillSiteFilters();
    showError('sites', null);
  } finally {
    setBusy('sites', null);
  }
}

/** Fills the partnership level and stage filters from the vocabulary (once, at the start). */
export function initSiteFilters() {
  replace(
    $('#site-level'),
    h('option', { value: '', text: 'Any level' }),
    partnershipLevels().map((t) => h('option', { value: t.code, title: t.description, text: t.label })),
    h('option', { value: 'none', text: 'Not recorded' }),
  );
  replace(
    $('#site-stage'),
    h('option', { value: '', text: 'Any stage' }),
    partnershipStages().map((t) => h('option', { value: t.code, title: t.description, text: t.label })),
    h('option', { value: 'none', text: 'Not recorded' }),
  );
}

/** True when the sites are drawn from `/tiles/sites/…` (the geography shown is drawn from tiles). */
export function sitesTiled() {
  return tiled(geographyName());
}

function fillSiteFilters() {
  const svcSel = $('#site-service');
  const keep = svcSel.value;
  const codes = new Set();
  const langs = new Set();
  // Without the sites in the page, the menu offers every service the vocabulary names.
  if (sitesTiled()) for (const s of allServices()) codes.add(s.code);
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
  $('#site-language-note').hidden = langs.size > 0 || sitesTiled();
}

function siteFilter() {
  const svc = $('#site-service').value;
  const lang = $('#site-language').value;
  const stage = $('#site-stage').value;
  const level = $('#site-level').value;
  const n = need();
  const wanted = svc === '' ? new Set(n ? n.services : []) : svc === '*' ? null : new Set([svc]);
  // With the need's own filter on (open in the evening …), its sites that the filter
  // leaves out are not drawn: the map shows the sites the gaps count.
  const counted = state.countedSites;
  const needServices = new Set(n ? n.services : []);
  return (f) => {
    const p = f.properties;
    if (wanted && !(p.services || []).some((s) => wanted.has(s))) return false;
    if (counted && !counted.has(p.id) && (p.services || []).some((s) => needServices.has(s))) return false;
    if (lang && !(p.languages || []).includes(lang)) return false;
    if (stage === 'none' ? p.partnership_stage : stage && p.partnership_stage !== stage) return false;
    if (level === 'none' ? p.partnership_level : level && p.partnership_level !== level) return false;
    return true;
  };
}

/** The sites the filters let through. */
export function filteredSites() {
  return state.sites.filter(siteFilter());
}

/** True when the sites are shown on the map. */
export function sitesShown() {
  return $('#show-sites').checked;
}

/** The services whose colours the map shows, in legend order. */
export function shownServices() {
  const svc = $('#site-service').value;
  const n = need();
  if (svc === '') return n ? n.services : [];
  if (svc !== '*') return [svc];
  const all = new Set();
  if (sitesTiled()) for (const s of allServices()) all.add(s.code);
  for (const f of state.sites) for (const s of f.properties.services || []) all.add(s);
  return [...all].sort();
}

function siteColour(p, shown) {
  const s = (p.services || []).find((x) => shown.has(x)) || (p.services || [])[0];
  return serviceColour(s);
}

/** A comma-separated list as MapLibre tests a member of it: `,a,b,`. */
const listed = (key) => ['concat', ',', ['coalesce', ['get', key], ''], ','];

/**
 * Draws the sites from `/tiles/sites/…`: the service filter goes to the server (its
 * clusters count the sites offering one of the services), the language and partnership
 * filters and the colours apply to each site drawn (MVT lists are comma-separated).
 */
function renderSiteTiles(gm) {
  const svc = $('#site-service').value;
  const n = need();
  const services = svc === '*' ? null : svc === '' ? (n ? n.services : []) : [svc];
  const url = `${location.origin}/tiles/sites/{z}/{x}/{y}.mvt${query({ service: services?.length ? services.join(',') : null })}`;
  const lang = $('#site-language').value;
  const stage = $('#site-stage').value;
  const level = $('#site-level').value;
  const tests = [];
  if (lang) tests.push(['in', `,${lang},`, listed('languages')]);
  for (const [key, v] of [
    ['partnership_stage', stage],
    ['partnership_level', level],
  ]) {
    if (v === 'none') tests.push(['!', ['has', key]]);
    else if (v) tests.push(['==', ['get', key], v]);
  }
  const shown = shownServices();
  const colour = shown.length
    ? ['case', ...shown.flatMap((s) => [['in', `,${s},`, listed('services')], serviceColour(s)]), serviceColour(shown[0])]
    : serviceColour(null);
  gm.setSiteTiles(url, { filter: tests.length ? ['all', ...tests] : null, colour });
  gm.setSitesVisible(sitesShown());
  $('#site-count').textContent =
    'Sites are drawn from map tiles: farther out, sites close together are one circle with their number (counted by service); ' +
    (tests.length ? 'the language and partnership filters apply to the single sites, drawn closer in.' : 'closer in, each site.');
}

/** Draws the filtered sites (once the map has loaded) and says how many match. */
export function renderSites() {
  const gm = theMap();
  if (!gm) return;
  if (sitesTiled()) {
    renderSiteTiles(gm);
    return;
  }
  const shown = new Set(shownServices());
  const features = filteredSites().map((f) => ({
    type: 'Feature',
    geometry: f.geometry,
    properties: { ...f.properties, _colour: siteColour(f.properties, shown) },
  }));
  gm.setSites({ type: 'FeatureCollection', features });
  gm.setSitesVisible(sitesShown());
  $('#site-count').textContent =
    `${formatNumber(features.length, 'count')} of ${formatNumber(state.sites.length, 'count')} sites match` +
    (state.countedSites ? ` (only the need's sites that its filter keeps)` : '');
}

function sitePopupContent(f) {
  const p = f.properties;
  const cap = p.capacity || {};
  const notRecorded = h('span', { class: 'muted', text: 'not recorded' });
  const item = (label, value, field) => [
    h('dt', { text: label }),
    h('dd', { dataset: { field } }, value === null || value === undefined || value === '' ? notRecorded.cloneNode(true) : value),
  ];
  const services = (p.services || []).map((s) =>
    typeof cap[s] === 'number' ? `${serviceLabel(s)} (capacity ${formatNumber(cap[s], 'count')})` : serviceLabel(s),
  );
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
      item(
        'Capacity',
        Object.keys(cap).length
          ? Object.entries(cap)
              .map(([s, c]) => `${formatNumber(c, 'count')} (${serviceLabel(s)})`)
              .join('; ')
          : null,
        'capacity',
      ),
      item('Languages', langs.join(', '), 'languages'),
      item('Hours', p.hours, 'hours'),
      item('Partnership level', p.partnership_level ? levelLabel(p.partnership_level) : null, 'partnership_level'),
      item('Partnership stage', p.partnership_stage ? stageLabel(p.partnership_stage) : null, 'partnership_stage'),
      item('Address', p.address, 'address'),
    ),
    p.partner_id
      ? h('button', {
          type: 'button',
          class: 'small partner-open',
          dataset: { partner: p.partner_id },
          text: 'Partner details, history and edits',
          on: { click: () => openPartner(p.partner_id) },
        })
      : null,
  );
}

/**
 * The site `id` drawn at `coords` from a tile, asked of the server with the few tile units
 * around it (`/api/v1/sites?bbox=`): the tile's position is rounded to its grid.
 */
async function siteNear(id, [lon, lat], zoom) {
  const unit = 360 / (4096 * 2 ** Math.max(0, Math.min(14, Math.floor(zoom))));
  const d = 3 * unit + 1e-5;
  const fc = await getJSON(`/api/v1/sites${query({ bbox: [lon - d, lat - d, lon + d, lat + d].join(',') })}`);
  return fc.features.find((f) => f.properties.id === id) || null;
}

/** Opens a site's popup, at `coords` or at the site. */
export async function openSite(id, coords) {
  const gm = theMap();
  let f = state.sitesById.get(id);
  if (!f && coords && gm && sitesTiled()) {
    try {
      f = await siteNear(id, coords, gm.map.getZoom());
      showError('site', null);
    } catch (err) {
      showError('site', `The site could not be loaded: ${err.message}`);
      return;
    }
  }
  if (!f || !gm) return;
  gm.showPopup(coords || f.geometry.coordinates, sitePopupContent(f), { className: 'gm-popup' });
}

/**
 * A cluster of the server's (sites drawn from tiles): how many sites, their capacity, and
 * a button that zooms in until they come apart.
 */
export function openCluster(p, coords) {
  const gm = theMap();
  if (!gm) return;
  const unknown = p.capacity_unknown || 0;
  const content = h(
    'div',
    { class: 'popup popup-cluster', dataset: { count: String(p.point_count), capacity: String(p.capacity ?? 0) } },
    h('h3', { class: 'popup-title', text: `${formatNumber(p.point_count, 'count')} sites` }),
    h('p', {
      text: `Capacity ${formatNumber(p.capacity ?? 0, 'count')}${unknown ? ` (${formatNumber(unknown, 'count')} of them record none)` : ''}.`,
    }),
    h('button', {
      type: 'button',
      class: 'small',
      text: 'Zoom in',
      on: {
        click: () => {
          gm.closePopup();
          gm.flyToPoint(coords, Math.min(gm.map.getZoom() + 2, 16));
        },
      },
    }),
  );
  gm.showPopup(coords, content, { className: 'gm-popup' });
}

/**
 * Flies to a site and opens its popup there. Drawn from tiles, the page holds no sites:
 * `coords` (from the server's search) say where it is, and the popup asks for it there.
 */
export function focusSite(id, coords) {
  const f = state.sitesById.get(id);
  const gm = theMap();
  const at = f ? f.geometry.coordinates : coords;
  if (!at || !gm) return;
  gm.map.once('moveend', () => openSite(id, f ? undefined : at));
  gm.flyToPoint(at, Math.max(gm.map.getZoom(), 15));
}
