// The large answers the views share, loaded once: a geography's areas and a year's
// assessment.

import { getJSON } from './api.js';
import { state } from './state.js';
import { setBusy, showError } from './status.js';

function bboxOf(geometry) {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      if (c[0] < w) w = c[0];
      if (c[0] > e) e = c[0];
      if (c[1] < s) s = c[1];
      if (c[1] > n) n = c[1];
    } else c.forEach(walk);
  };
  if (geometry?.coordinates) walk(geometry.coordinates);
  return [w, s, e, n];
}

/** A geography's areas as `{features, byId: Map(geoid -> {feature, bbox})}` (cached). */
export async function loadAreas(geography) {
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

const oneArea = new Map(); // `${geography}\u001f${geoid}` -> Promise of {feature, bbox}

/** One area of a geography as `{feature, bbox}`, asked for by itself (for a geography drawn from tiles). */
export function loadArea(geography, geoid) {
  const key = `${geography}\u001f${geoid}`;
  if (!oneArea.has(key)) {
    const request = getJSON(`/api/v1/geographies/${encodeURIComponent(geography)}/areas?geoid=${encodeURIComponent(geoid)}`).then((fc) => {
      const feature = fc.features[0];
      return { feature, bbox: bboxOf(feature.geometry) };
    });
    request.catch(() => oneArea.delete(key));
    oneArea.set(key, request);
  }
  return oneArea.get(key);
}

// One request per year serves both the values (the popup's margins of error) and the
// indicator list (the Outreach menus).
const assessmentRequests = new Map(); // year -> Promise of /api/v1/assessments/{year}

function assessmentDoc(year) {
  if (!assessmentRequests.has(year)) {
    const request = getJSON(`/api/v1/assessments/${year}`);
    // A failed request is asked again next time.
    request.catch(() => assessmentRequests.delete(year));
    assessmentRequests.set(year, request);
  }
  return assessmentRequests.get(year);
}

/** A year's indicator values as `Map(geoid -> {name: value})` (cached in `state`). */
export async function loadAssessmentValues(year) {
  if (state.assessmentValues.has(year)) return state.assessmentValues.get(year);
  const doc = await assessmentDoc(year);
  const m = new Map(doc.areas.map((a) => [a.geoid, a.values || {}]));
  state.assessmentValues.set(year, m);
  return m;
}

/** A year's indicators, margins of error left out. */
export async function loadIndicators(year) {
  const doc = await assessmentDoc(year);
  return Array.isArray(doc.indicators) ? doc.indicators.filter((i) => !i.endsWith('_moe')) : [];
}

/** Forgets the loaded assessments (after an upload changed them). */
export function forgetAssessments() {
  assessmentRequests.clear();
  state.assessmentValues.clear();
}

/** The stored assessments and geographies, listed again (after an upload). */
export async function reloadLists() {
  const [assessments, geographies] = await Promise.all([getJSON('/api/v1/assessments'), getJSON('/api/v1/geographies')]);
  state.assessments = assessments.assessments;
  state.geographies = geographies.geographies;
}
