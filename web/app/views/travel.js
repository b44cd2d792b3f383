// Minutes on a travel-time matrix: where the chosen geography has matrices
// (GET /api/v1/travel-times), the Gaps view offers "distance" or "minutes by <mode>" and
// the reach in minutes, and adds `mode` and `max_minutes` to the gaps it asks for.
// Without a matrix the choice stays hidden and everything is in km.

import { $, h, replace } from '../dom.js';
import { MODE_PHRASES } from '../metrics.js';
import { geographyName, state } from '../state.js';

/** The modes the geography in view has a matrix of. */
export function modesHere() {
  const geography = geographyName();
  return (state.matrices || []).filter((m) => m.geography === geography).map((m) => m.mode);
}

/** The `mode` and `max_minutes` of the gaps request, or nothing when measuring km. */
export function travelParams() {
  return state.travelMode ? { mode: state.travelMode, max_minutes: state.maxMinutes } : {};
}

/** Fills the choice from the stored matrices; a mode no longer there falls back to km. */
export function fillMeasure() {
  const modes = modesHere();
  if (state.travelMode && !modes.includes(state.travelMode)) state.travelMode = null;
  $('#measure-field').hidden = modes.length === 0;
  replace($('#measure'), [
    h('option', { value: '', text: 'distance (straight line)' }),
    ...modes.map((m) => h('option', { value: m, text: `minutes ${MODE_PHRASES[m] || m}` })),
  ]);
  $('#measure').value = state.travelMode || '';
  $('#max-minutes-field').hidden = !state.travelMode;
  $('#max-minutes').value = String(state.maxMinutes);
  $('#max-minutes-error').hidden = true;
}

/** Wires the choice; `changed` redraws with it. */
export function initMeasure(changed) {
  fillMeasure();
  $('#measure').addEventListener('change', (e) => {
    state.travelMode = e.target.value || null;
    fillMeasure();
    changed();
  });
  $('#max-minutes').addEventListener('change', (e) => {
    const v = Number(e.target.value);
    const ok = e.target.value !== '' && Number.isFinite(v) && v > 0 && v <= 240;
    e.target.setAttribute('aria-invalid', String(!ok));
    $('#max-minutes-error').hidden = ok;
    if (!ok) return;
    state.maxMinutes = v;
    changed();
  });
}
