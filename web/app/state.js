// What the page shows and what it has loaded, shared by the views, with the answers
// derived from it (the chosen need, its geography, its units). Nothing here fetches or
// draws.

import { unitsFor } from './metrics.js';
import { indicatorWords } from './vocabulary.js';

export const state = {
  config: null,
  needs: [],
  assessments: [],
  geographies: [],
  view: 'gaps',
  year: null,
  needCode: null,
  metric: 'shortfall_in_area',
  desertRule: 'need', // 'need' (the need's own rule) or 'catchment' (2SFCA below the target)
  radius: null,
  matrices: [], // GET /api/v1/travel-times: the stored travel-time matrices
  travelMode: null, // with a matrix: measure minutes by this mode instead of km
  maxMinutes: 30, // the reach in minutes when measuring minutes
  vehicle: null, // the last /vehicle-access answer merged into the rows
  needFilter: '', // the need's own site filter, `hours=evening` or `language=es`, or ''
  needFilters: null, // /api/v1/needs/{code}/filters of the chosen need and year
  countedSites: null, // Set of the ids of the sites the chosen filter keeps, or null
  sites: [],
  sitesById: new Map(),
  areas: new Map(), // geography -> {features, byId: Map(geoid -> {feature, bbox})}
  assessmentValues: new Map(), // year -> Map(geoid -> values)
  gaps: null,
  rows: new Map(), // geoid -> gap row of the Gaps view (drawn from tiles: the ranked and clicked areas only)
  ranking: null, // drawn from tiles: {key, rows} of the server's ranking (/gaps?sort=&limit=)
  classes: null,
  compare: null, // the last /compare answer drawn
  siting: null, // the last /siting answer drawn (Siting view)
  barriers: null, // the last /barriers answer drawn (Barriers view)
  barrierRows: new Map(), // geoid -> its row of that answer
  outreachLayer: true, // the Outreach view colours the map by the children not served
  outreachAreas: null, // Map(geoid -> unserved) of the last outreach ranking
  outreachWords: null, // {unit, explain} of that ranking's target and enrolled
};

/** The chosen need, or null. */
export function need() {
  return state.needs.find((n) => n.code === state.needCode) || null;
}

/** The kind of the desert rule applied: the need's own (`cap_childcare`, `access`) or `catchment`. */
export function ruleKind() {
  if (state.desertRule === 'catchment') return 'catchment';
  const n = need();
  return n?.desert_rule ? n.desert_rule.kind : null;
}

/** The chosen year's assessment, or null. */
export function assessment() {
  return state.assessments.find((a) => a.year === state.year) || null;
}

/** The geography of the chosen year (else the first stored one), or null. */
export function geographyName() {
  const a = assessment();
  return a ? a.geography : state.geographies[0] ? state.geographies[0].name : null;
}

/**
 * True when a geography has more areas than the server's `tile_threshold`: one GeoJSON
 * document of them (or of every site) would be tens of MB, so the map draws areas and
 * sites from `/tiles/…` and asks the server for the rows it shows.
 */
export function tiled(geography) {
  const g = state.geographies.find((x) => x.name === geography);
  const limit = state.config?.tile_threshold;
  return Boolean(g && Number.isFinite(limit) && g.areas > limit);
}

/** An area of that geography, once loaded: `{feature, bbox}`. */
export function areaOf(geoid) {
  const entry = state.areas.get(geographyName());
  return entry?.byId.get(geoid) || null;
}

/** The indicator the gap uses as demand (a language filter can swap it). */
export function demandIndicator() {
  const p = state.gaps?.params;
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

/** The units of the current choices, in the server's words (metrics.js `unitsFor`). */
export function units() {
  const indicator = demandIndicator();
  const u = unitsFor(need(), indicator ? indicatorWords(indicator) : null, state.radius);
  if (state.travelMode) u.minutes = { reach: state.maxMinutes, mode: state.travelMode };
  return u;
}
