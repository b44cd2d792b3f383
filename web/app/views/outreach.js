// The Outreach view: areas ranked by eligible-but-not-enrolled (/api/v1/outreach) over
// the Gaps choropleth, each flying to its area, with a CSV export.

import { getBlob, getJSON, needsToken, query } from '../api.js';
import { loadIndicators } from '../data.js';
import { distanceUnit } from '../distance.js';
import { $, h, replace } from '../dom.js';
import { save } from '../downloads.js';
import { formatNumber } from '../metrics.js';
import { openSignIn } from '../signin.js';
import { geographyName, need, state } from '../state.js';
import { setBusy, showError, track } from '../status.js';
import { indicatorWords } from '../vocabulary.js';
import { focusArea, showGaps, tiled } from './gaps.js';

let outreachAbort = null;
// The query of the ranking on screen: a control's change that asks the same again (the
// limit box fires `change` once more when it loses focus) leaves the list, and the focus
// in it, alone.
let shownQuery = null;

function indicatorLabel(code) {
  return `${indicatorWords(code).label} (${code})`;
}

async function fillIndicators() {
  const list = await loadIndicators(state.year);
  const tSel = $('#outreach-target');
  const eSel = $('#outreach-enrolled');
  const keepT = tSel.value;
  const keepE = eSel.value;
  replace(
    tSel,
    list.map((c) => h('option', { value: c, text: indicatorLabel(c) })),
  );
  replace(
    eSel,
    h('option', { value: '', text: 'None (count 0 enrolled)' }),
    list.map((c) => h('option', { value: c, text: indicatorLabel(c) })),
  );
  const n = need();
  const prefer = [keepT, 'children_under_5_poverty', n?.demand_indicator, list[0]];
  tSel.value = prefer.find((c) => c && list.includes(c)) || '';
  eSel.value = keepE && list.includes(keepE) ? keepE : list.find((c) => /enrol/i.test(c) && c !== tSel.value) || '';
  return list;
}

function readLimit() {
  const input = $('#outreach-limit');
  const v = Number(input.value);
  const ok = Number.isInteger(v) && v >= 1 && v <= 1000;
  input.setAttribute('aria-invalid', String(!ok));
  $('#outreach-limit-error').hidden = ok;
  return ok ? v : null;
}

function outreachParams(format) {
  const n = need();
  return {
    year: state.year,
    target: $('#outreach-target').value,
    enrolled: $('#outreach-enrolled').value,
    limit: readLimit(),
    need: n ? n.code : '',
    format,
  };
}

/**
 * Ranks the areas for outreach with the chosen indicators (in the Outreach view only);
 * `redrawGaps` first puts the Gaps choropleth back under the list (coming from Compare).
 */
export async function refreshOutreach(redrawGaps = false) {
  if (redrawGaps) await showGaps();
  if (state.view !== 'outreach') return;
  // Tiles carry the gap numbers, not the children not served: say so rather than colour.
  const tiles = tiled(geographyName());
  $('#outreach-layer').disabled = tiles;
  $('#outreach-layer-note').hidden = !tiles;
  const note = $('#outreach-note');
  const list = $('#outreach-list');
  if (state.year === null) {
    replace(list);
    shownQuery = null;
    note.textContent = 'No assessment is stored yet: upload one (Upload data).';
    return;
  }
  if (outreachAbort) outreachAbort.abort();
  const abort = new AbortController();
  outreachAbort = abort;
  setBusy('outreach', `Ranking areas for outreach in ${state.year}…`);
  try {
    const inds = await fillIndicators();
    if (!inds.length) {
      replace(list);
      shownQuery = null;
      note.textContent = `The ${state.year} assessment has no indicators to rank by.`;
      return;
    }
    const p = outreachParams();
    if (p.limit === null) return;
    // Every area, for the map; the list shows the first `limit` of the same ranking.
    const doc = await getJSON(`/api/v1/outreach${query({ ...p, limit: undefined })}`, { signal: abort.signal });
    if (abort.signal.aborted || state.view !== 'outreach') return;
    renderOutreach({ ...doc, areas: doc.areas.slice(0, p.limit) }, p);
    shownQuery = query(p);
    state.outreachAreas = new Map(doc.areas.map((a) => [a.geoid, a.unserved]));
    state.outreachWords = {
      unit: indicatorWords(p.target).unit,
      explain: `${indicatorWords(p.target).label} (${p.target})${p.enrolled ? ` minus ${indicatorWords(p.enrolled).label.toLowerCase()} (${p.enrolled})` : ', none counted as enrolled'}, at least 0`,
    };
    showError('outreach', null);
    await showGaps();
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (needsToken(err)) openSignIn(err);
    replace(list);
    shownQuery = null;
    note.textContent = 'The outreach ranking is not available.';
    showError('outreach', `The outreach ranking is not available: ${err.message}`, () => track(refreshOutreach()));
  } finally {
    if (outreachAbort === abort) {
      outreachAbort = null;
      setBusy('outreach', null);
    }
  }
}

function renderOutreach(doc, p) {
  const list = $('#outreach-list');
  const s = doc.summary || {};
  const unit = indicatorWords(p.target).unit;
  const n = need();
  const enrolledText = p.enrolled
    ? `minus ${indicatorWords(p.enrolled).label.toLowerCase()} (${p.enrolled})`
    : 'with no enrolment indicator (0 enrolled everywhere)';
  $('#outreach-note').textContent =
    `${formatNumber(s.unserved_total, 'count')} ${unit} not served in ${formatNumber(s.areas, 'count')} areas (${p.target} ${enrolledText}). ` +
    `The ${formatNumber(doc.areas.length, 'count')} with the most, ${state.year}:`;
  replace(
    list,
    doc.areas.map((a) => {
      const deserts = Object.entries(a.deserts || {})
        .filter(([, v]) => v)
        .map(([k]) => k);
      const isDesert = n ? Boolean(a.deserts?.[n.code]) : deserts.length > 0;
      const sites = (a.nearest_sites || []).map((x) => `${x.partner || x.name} (${formatNumber(x.distance_km, 'km')} ${distanceUnit()})`);
      return h(
        'li',
        {},
        h(
          'button',
          { type: 'button', class: 'rank-item outreach-item', dataset: { geoid: a.geoid }, on: { click: () => focusArea(a.geoid) } },
          h('span', { class: 'rank-name', text: a.name || a.geoid }),
          h(
            'span',
            { class: 'rank-value' },
            h('strong', { class: 'outreach-unserved', dataset: { value: String(a.unserved) }, text: formatNumber(a.unserved, 'count') }),
            ` not served of ${formatNumber(a.target, 'count')}${a.enrolled === null || a.enrolled === undefined ? '' : `, ${formatNumber(a.enrolled, 'count')} enrolled`}`,
          ),
          isDesert ? h('span', { class: 'tag', text: 'desert' }) : null,
          sites.length ? h('span', { class: 'outreach-sites', text: `Nearest partners: ${sites.join('; ')}` }) : null,
        ),
      );
    }),
  );
  if (!doc.areas.length) list.append(h('li', { class: 'muted', text: 'No areas to rank.' }));
}

/** Wires the Outreach controls and its export. */
export function initOutreach() {
  const again = () => {
    const p = outreachParams();
    if (p.limit !== null && query(p) === shownQuery) return;
    track(refreshOutreach());
  };
  $('#outreach-target').addEventListener('change', again);
  $('#outreach-enrolled').addEventListener('change', again);
  $('#outreach-limit').addEventListener('change', again);
  $('#outreach-layer').addEventListener('change', (e) => {
    state.outreachLayer = e.target.checked;
    track(showGaps());
  });
  $('#outreach-csv').addEventListener('click', async () => {
    const p = outreachParams('csv');
    if (p.limit === null || !p.target) return;
    const button = $('#outreach-csv');
    button.disabled = true;
    try {
      const blob = await getBlob(`/api/v1/outreach${query(p)}`);
      save(blob, `gapmap_outreach_${p.year}_${p.target}${p.enrolled ? `_minus_${p.enrolled}` : ''}.csv`);
      showError('outreach-csv', null);
    } catch (err) {
      showError('outreach-csv', `The outreach CSV could not be made: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
}
