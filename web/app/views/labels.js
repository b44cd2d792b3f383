// Place names drawn from the data, for orientation: each area's own name close in, and at
// city zoom the places the areas belong to, where the names say so. A name written
// "Census Tract 101, Rogers Park" (as the Census's NAMELSAD with a place appended, or the
// demo's) is the area "Census Tract 101" in the place "Rogers Park"; the place's label sits
// at the middle of its areas' demand points. Names without a comma are area names only.

import { theMap } from '../mapview.js';

let drawnFor = null;

/** The label points of a geography's areas (`{features}` of data.js's `loadAreas`). */
export function labelFeatures(areas) {
  const out = [];
  const places = new Map();
  for (const f of areas.features) {
    const p = f.properties;
    const name = String(p.name || '').trim();
    if (!name || typeof p.demand_lon !== 'number') continue;
    const comma = name.indexOf(', ');
    const own = comma > 0 ? name.slice(0, comma) : name;
    const place = comma > 0 ? name.slice(comma + 2).trim() : '';
    out.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.demand_lon, p.demand_lat] },
      properties: { kind: 'area', label: own, weight: 1 },
    });
    if (place) {
      const e = places.get(place) || { lon: 0, lat: 0, n: 0 };
      e.lon += p.demand_lon;
      e.lat += p.demand_lat;
      e.n += 1;
      places.set(place, e);
    }
  }
  for (const [label, e] of places) {
    out.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [e.lon / e.n, e.lat / e.n] },
      properties: { kind: 'place', label, weight: e.n },
    });
  }
  return { type: 'FeatureCollection', features: out };
}

/** Draws the labels of these areas (once per set of areas). */
export function showLabels(areas) {
  const gm = theMap();
  if (!gm || drawnFor === areas) return;
  drawnFor = areas;
  gm.setLabels(labelFeatures(areas));
}
