// Opening an area's popup and flying to an area, the same in every view; each view gives
// the popup's content.

import { theMap } from '../mapview.js';
import { areaOf } from '../state.js';

/** Opens the popup `content(geoid)` at `lngLat` (or the area's demand point) and outlines the area. */
export function openAreaPopup(geoid, lngLat, content) {
  const area = areaOf(geoid);
  const gm = theMap();
  if (!area || !gm) return;
  const p = area.feature.properties;
  gm.showPopup(lngLat || [p.demand_lon, p.demand_lat], content(geoid), { className: 'gm-popup' });
  gm.select(geoid);
}

/** Flies to an area, then opens its popup `content(geoid)`. */
export function focusAreaPopup(geoid, content) {
  const area = areaOf(geoid);
  const gm = theMap();
  if (!area || !gm) return;
  gm.map.once('moveend', () => openAreaPopup(geoid, null, content));
  gm.flyToBox(area.bbox);
}
