// The views together: the switcher (Gaps, Outreach, Compare), the choices they share
// (need, year, radius), what follows a change or an upload, and which view answers a
// click on an area. Calls go one way: here → the views → map and api.

import { getJSON, needsToken } from '../api.js';
import { forgetAssessments, reloadLists } from '../data.js';
import { distanceUnit, fromKm, setDistanceUnit, toKm } from '../distance.js';
import { $, h, replace } from '../dom.js';
import { mapReady, theMap } from '../mapview.js';
import { mapMetrics, metricInfo } from '../metrics.js';
import { renderReports } from '../reports.js';
import { openSignIn } from '../signin.js';
import { geographyName, need, ruleKind, state, units } from '../state.js';
import { setBusy, showError, track } from '../status.js';
import { desertRuleWords, setVocabulary } from '../vocabulary.js';
import { fillAssessmentVersions, initAssessmentDownload } from './assessment.js';
import * as barriers from './barriers.js';
import * as compare from './compare.js';
import { forgetNeedFilters } from './filters.js';
import * as gaps from './gaps.js';
import { initOpportunities, refreshOpportunities } from './opportunities.js';
import * as outreach from './outreach.js';
import { initSiteFilters, loadSites, openCluster, openSite, renderSites } from './sites.js';
import * as siting from './siting.js';
import { initStandards, renderStandardNote } from './standards.js';
import { fillMeasure, initMeasure, vehicleAware } from './travel.js';

/** Wires the switcher and every control; call once the lists and the vocabulary are in. */
export function initViews() {
  initSwitcher();
  initControls();
  initSiteFilters();
  outreach.initOutreach();
  siting.initSiting();
  initOpportunities();
  compare.initCompare();
  barriers.initBarriers();
  initMeasure(() => {
    fillMetrics();
    refresh();
  });
  gaps.initDownloads();
  initAssessmentDownload();
  initStandards(needsChanged);
}

/** After a need's standard was stored (`state.needs` holds the new list): refills the need
 * selector and measures everything again with the new version (tracked). */
function needsChanged(code) {
  const needSel = $('#need');
  replace(
    needSel,
    state.needs.map((n) => h('option', { value: n.code, text: n.label })),
  );
  if (!state.needs.some((n) => n.code === state.needCode)) state.needCode = state.needs[0]?.code ?? null;
  if (state.needCode) needSel.value = state.needCode;
  if (code === state.needCode) {
    // The need's own radius may have changed: the map follows it.
    state.radius = need()?.radius_km ?? null;
    showRadius();
    readRadius();
  }
  forgetNeedFilters();
  fillRules();
  fillMetrics();
  drawSites();
  return refresh();
}

/** Fetches and redraws the gaps for the current choices, then the current view (tracked). */
export function refresh() {
  return track(
    gaps.refreshGaps().then(() => {
      renderStandardNote();
      return refreshCurrentView();
    }),
  );
}

/** Redoes what the current view shows beyond the gaps. */
function refreshCurrentView() {
  if (state.view === 'outreach') return outreach.refreshOutreach();
  if (state.view === 'siting') return Promise.all([siting.refreshSiting(), refreshOpportunities()]);
  if (state.view === 'compare') return compare.refreshCompare();
  if (state.view === 'barriers') return barriers.refreshBarriers();
  return Promise.resolve();
}

/** Opens the current view's popup for an area (a click on the map). */
export function openArea(geoid, lngLat, properties) {
  // A geography drawn from tiles shows the gaps in every view (Compare and Barriers need a smaller one).
  const tiles = gaps.tiled(geographyName());
  if (state.view === 'compare' && !tiles) compare.openArea(geoid, lngLat);
  else if (state.view === 'barriers' && !tiles) barriers.openArea(geoid, lngLat);
  else gaps.openArea(geoid, lngLat, properties);
}

/** Flies to an area and opens the current view's popup (search). */
export function focusArea(geoid) {
  if (state.view === 'compare') compare.focusArea(geoid);
  else if (state.view === 'barriers') barriers.focusArea(geoid);
  else gaps.focusArea(geoid);
}

/** Opens a site's popup, or a cluster's of the server's (a click on the map). */
export { openCluster, openSite };

/** Opens a suggested new site's popup (a click on the map). */
export const openSuggestion = siting.openSuggestion;

/** Loads the partner sites (or takes the request `started`) and draws them with their legend once the map is there. */
export async function showSites(started) {
  try {
    await loadSites(started);
  } catch (err) {
    if (needsToken(err)) openSignIn(err);
    showError('sites', `Partner sites could not be loaded: ${err.message}`, () => track(showSites()));
  }
  await mapReady;
  drawSites();
}

function drawSites() {
  renderSites();
  gaps.renderLegend();
}

/** After a stored upload of `kind`: reloads what it changed and redraws (tracked). */
export function reloadAfterUpload(kind) {
  return track(reload(kind));
}

async function reload(kind) {
  if (kind === 'areas') state.areas.clear();
  if (kind === 'indicators' || kind === 'areas') {
    forgetAssessments();
    // New indicators bring new words.
    const [vocabulary] = await Promise.all([getJSON('/api/v1/vocabulary'), reloadLists()]);
    setVocabulary(vocabulary);
    if (state.year === null && state.assessments.length) state.year = state.assessments[state.assessments.length - 1].year;
    fillYears();
    fillAssessmentVersions();
    renderReports();
  }
  if (kind === 'travel_times' || kind === 'areas') {
    state.matrices = (await getJSON('/api/v1/travel-times')).matrices || [];
    fillMeasure();
    fillMetrics();
  }
  // New sites or indicators may answer a filter that could not be answered before.
  forgetNeedFilters();
  if (kind === 'partners' || kind === 'stops') await showSites();
  await gaps.refreshGaps();
  await refreshCurrentView();
}

// ---- switcher ----------------------------------------------------------------------

function tabs() {
  return [...document.querySelectorAll('.view-tab')];
}

function initSwitcher() {
  for (const tab of tabs()) {
    tab.addEventListener('click', () => setView(tab.dataset.view));
    // Arrow keys move along the switcher, as in a toolbar.
    tab.addEventListener('keydown', (e) => {
      const all = tabs();
      const i = all.indexOf(tab);
      const j = e.key === 'ArrowRight' ? (i + 1) % all.length : e.key === 'ArrowLeft' ? (i + all.length - 1) % all.length : -1;
      if (j >= 0) {
        e.preventDefault();
        all[j].focus();
      }
    });
  }
}

/** Shows one view: `gaps`, `outreach`, `siting`, `compare` or `barriers` (tracked). */
export function setView(view) {
  if (view === state.view) return track(Promise.resolve());
  const leaving = state.view;
  state.view = view;
  document.body.dataset.view = view;
  for (const t of tabs()) t.setAttribute('aria-pressed', String(t.dataset.view === view));
  const gm = theMap();
  if (gm) gm.closePopup();
  setBusy('outreach', null);
  setBusy('compare', null);
  setBusy('siting', null);
  setBusy('barriers', null);
  if (leaving === 'siting') {
    siting.clearSiting();
    state.siting = null;
  }
  if (view === 'outreach') return track(outreach.refreshOutreach(leaving === 'compare' || leaving === 'barriers'));
  // The Siting view draws over the Gaps choropleth: put it back after Compare's change
  // map, the Barriers counts or Outreach's children not served, so its legend and colours
  // are the gaps' own.
  const redraw = leaving === 'compare' || leaving === 'barriers' || leaving === 'outreach';
  if (view === 'siting') return track(Promise.all([siting.refreshSiting(redraw), refreshOpportunities()]));
  if (view === 'compare') return track(compare.refreshCompare());
  if (view === 'barriers') return track(barriers.refreshBarriers());
  return track(gaps.showGaps());
}

// ---- the shared choices ------------------------------------------------------------

function fillYears() {
  const sel = $('#year');
  replace(
    sel,
    state.assessments.length
      ? [...state.assessments]
          .reverse()
          .map((a) =>
            h('option', { value: String(a.year), title: `${a.year}: ${a.geography}, version ${a.version}`, text: String(a.year) }),
          )
      : h('option', { value: '', text: 'No assessment yet' }),
  );
  if (state.year !== null) sel.value = String(state.year);
}

/** The desert rules of the chosen need: its own and the catchment rule, with the chosen one explained. */
function fillRules() {
  const n = need();
  const own = n?.desert_rule?.kind;
  const options = [];
  if (own) options.push(h('option', { value: 'need', text: `${desertRuleWords(own).label} (the need’s rule)` }));
  if (own !== 'catchment') options.push(h('option', { value: 'catchment', text: desertRuleWords('catchment').label }));
  replace($('#desert-rule'), options);
  $('#desert-rule').value = state.desertRule;
  $('#desert-rule-help').textContent = desertRuleWords(ruleKind()).description;
}

/** The metrics the applied rule can be coloured by; `reset` picks the rule's own measure. */
function fillMetrics(reset = false) {
  const metrics = mapMetrics(ruleKind(), Boolean(state.travelMode), vehicleAware());
  if (reset || !metrics.includes(state.metric)) state.metric = metrics[0];
  replace(
    $('#metric'),
    metrics.map((m) => h('option', { value: m, text: metricInfo(m, units()).label })),
  );
  $('#metric').value = state.metric;
}

/** The radius box in the reader's distance unit; the API and `state.radius` speak km. */
function showRadius() {
  const input = $('#radius');
  input.value = state.radius === null ? '' : String(Number(fromKm(state.radius).toFixed(2)));
  const unit = distanceUnit();
  $('#radius-unit').textContent = unit;
  input.min = String(Number(fromKm(0.1).toFixed(2)));
  input.max = String(Number(fromKm(100).toFixed(1)));
  $('#radius-error').textContent = `Give a radius between ${input.min} and ${input.max} ${unit}.`;
}

/** The radius typed, in km, or null when it is not one. */
function readRadius() {
  const input = $('#radius');
  const v = toKm(Number(input.value));
  const ok = input.value !== '' && Number.isFinite(v) && v > 0 && v <= 100 + 1e-9;
  input.setAttribute('aria-invalid', String(!ok));
  $('#radius-error').hidden = ok;
  return ok ? Math.min(v, 100) : null;
}

const DISTANCE_KEY = 'gapmap.distance';

/** The reader's distance unit, kept in this browser: `km` or `mi`. */
export function loadDistanceUnit() {
  try {
    setDistanceUnit(localStorage.getItem(DISTANCE_KEY) || 'km');
  } catch {
    setDistanceUnit('km');
  }
}

function changeDistanceUnit(u) {
  setDistanceUnit(u);
  try {
    localStorage.setItem(DISTANCE_KEY, distanceUnit());
  } catch {
    // Storage disabled: the choice lasts until the page is left.
  }
  showRadius();
  const gm = theMap();
  if (gm) gm.setDistanceUnit(distanceUnit());
  gaps.restyle();
  return track(refreshCurrentView());
}

function initControls() {
  const needSel = $('#need');
  replace(
    needSel,
    state.needs.map((n) => h('option', { value: n.code, text: n.label })),
  );
  if (state.needCode) needSel.value = state.needCode;
  fillRules();
  fillMetrics();
  fillYears();
  $('#distance-unit').value = distanceUnit();
  showRadius();

  needSel.addEventListener('change', () => {
    state.needCode = needSel.value;
    const n = need();
    state.radius = n ? n.radius_km : null;
    showRadius();
    readRadius();
    state.needFilter = '';
    state.desertRule = 'need';
    // A capacity is in the need's own units: the next need starts from its median.
    $('#siting-capacity').value = '';
    fillRules();
    fillMetrics(true);
    drawSites();
    refresh();
  });
  $('#year').addEventListener('change', (e) => {
    state.year = Number(e.target.value);
    refresh();
  });
  $('#distance-unit').addEventListener('change', (e) => changeDistanceUnit(e.target.value));
  $('#desert-rule').addEventListener('change', (e) => {
    state.desertRule = e.target.value;
    fillRules();
    // The rule's own measure becomes the colour, so that no desert looks like enough.
    fillMetrics(true);
    refresh();
  });
  $('#metric').addEventListener('change', (e) => {
    state.metric = e.target.value;
    gaps.restyle();
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
    showRadius();
    readRadius();
    refresh();
  });
  $('#need-filter').addEventListener('change', (e) => {
    state.needFilter = e.target.value;
    refresh();
  });
  for (const id of ['#site-service', '#site-language', '#site-level', '#site-stage', '#show-sites'])
    $(id).addEventListener('change', drawSites);
  $('#deserts-only').addEventListener('change', gaps.renderRanking);
}
