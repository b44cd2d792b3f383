// Opening an area's popup and flying to an area, the same in every view; each view gives
// the popup's content.

import { loadArea } from '../data.js';
import { theMap } from '../mapview.js';
import { areaOf, geographyName } from '../state.js';

/**
 * Opens the popup `content(geoid)` at `lngLat` (or the area's demand point) and outlines
 * the area. `area` is the area as data.js holds it, when known.
 */
export function openAreaPopup(geoid, lngLat, content, area = areaOf(geoid)) {
  const gm = theMap();
  const p = area?.feature.properties;
  const at = lngLat || (p ? [p.demand_lon, p.demand_lat] : null);
  if (!gm || !at) return;
  gm.showPopup(at, content(geoid), { className: 'gm-popup' });
  gm.select(geoid);
}

/** Flies to an area, then opens its popup `content(geoid)`. */
export async function focusAreaPopup(geoid, content) {
  // A geography drawn from tiles has no areas in the page: ask for this one.
  const area = areaOf(geoid) || (await loadArea(geographyName(), geoid).catch(() => null));
  const gm = theMap();
  if (!area || !gm) return;
  gm.map.once('moveend', () => openAreaPopup(geoid, null, content, area));
  gm.flyToBox(area.bbox);
}
