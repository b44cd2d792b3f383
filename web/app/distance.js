// Distances as the reader likes them: kilometres or miles (the API always speaks km, in
// fields ending in _km). Pure (no DOM), so the browser test can import it; the choice is
// kept per browser by views/index.js.

/** Kilometres in a mile (international mile). */
export const KM_PER_MILE = 1.609344;

let unit = 'km';

/** `km` or `mi`. */
export function distanceUnit() {
  return unit;
}

/** Chooses `km` or `mi` (anything else is km). */
export function setDistanceUnit(u) {
  unit = u === 'mi' ? 'mi' : 'km';
}

/** A distance in km in the chosen unit. */
export function fromKm(km) {
  return unit === 'mi' ? km / KM_PER_MILE : km;
}

/** A distance in the chosen unit back in km. */
export function toKm(v) {
  return unit === 'mi' ? v * KM_PER_MILE : v;
}
