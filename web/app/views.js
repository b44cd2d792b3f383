// The Outreach and Compare views. Outreach: areas ranked by eligible-but-not-enrolled
// (/api/v1/outreach), with an export. Compare: a diverging choropleth of the change between
// two assessment years (/api/v1/compare). Everything from the API is written with text
// nodes only (dom.js).

import { getBlob, getJSON, needsToken, query } from './api.js';
import { h, replace, $ } from './dom.js';
import { CHANGE_METRICS, NO_DATA, changeInfo, colourExpression, divergingClasses, divergingRows, formatNumber } from './metrics.js';
import { indicatorWords } from './vocabulary.js';
import { save } from './downloads.js';

/**
 * `ctx` gives what main.js owns: state, need(), units(), map() (the GapMap or null),
 * mapReady, loadAreas(geography), setBusy, showError, focusArea(geoid), track(promise),
 * openSignIn(err), showGaps() (redraws the Gaps choropleth and legend).
 */
export function initViews(ctx) {
  const { state } = ctx;
  state.view = 'gaps';
  state.compare = null; // the last /compare answer drawn
  let outreachAbort = null;
  let compareAbort = null;
  const indicatorsByYear = new Map();

  // ---- switcher -------------------------------------------------------------------

  const tabs = [...document.querySelectorAll('.view-tab')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => setView(tab.dataset.view));
    // Arrow keys move along the switcher, as in a toolbar.
    tab.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(tab);
      const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length : -1;
      if (j >= 0) {
        e.preventDefault();
        tabs[j].focus();
      }
    });
  }

  function setView(view) {
    if (view === state.view) return ctx.track(Promise.resolve());
    const leaving = state.view;
    state.view = view;
    document.body.dataset.view = view;
    for (const t of tabs) t.setAttribute('aria-pressed', String(t.dataset.view === view));
    const m = ctx.map();
    if (m) m.closePopup();
    ctx.setBusy('outreach', null);
    ctx.setBusy('compare', null);
    if (view === 'outreach') return ctx.track(refreshOutreach(leaving === 'compare'));
    if (view === 'compare') return ctx.track(refreshCompare());
    return ctx.track(ctx.showGaps());
  }

  // ---- outreach ---------------------------------------------------------------------

  async function indicators(year) {
    if (indicatorsByYear.has(year)) return indicatorsByYear.get(year);
    const doc = await getJSON(`/api/v1/assessments/${year}`);
    const list = Array.isArray(doc.indicators) ? doc.indicators.filter((i) => !i.endsWith('_moe')) : [];
    indicatorsByYear.set(year, list);
    return list;
  }

  function indicatorLabel(code) {
    return `${indicatorWords(code).label} (${code})`;
  }

  async function fillIndicators() {
    const list = await indicators(state.year);
    const tSel = $('#outreach-target');
    const eSel = $('#outreach-enrolled');
    const keepT = tSel.value;
    const keepE = eSel.value;
    replace(tSel, list.map((c) => h('option', { value: c, text: indicatorLabel(c) })));
    replace(eSel, h('option', { value: '', text: 'None (count 0 enrolled)' }), list.map((c) => h('option', { value: c, text: indicatorLabel(c) })));
    const n = ctx.need();
    const prefer = [keepT, 'children_under_5_poverty', n && n.demand_indicator, list[0]];
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
    const n = ctx.need();
    return {
      year: state.year,
      target: $('#outreach-target').value,
      enrolled: $('#outreach-enrolled').value,
      limit: readLimit(),
      need: n ? n.code : '',
      format,
    };
  }

  async function refreshOutreach(redrawGaps = false) {
    if (redrawGaps) await ctx.showGaps();
    if (state.view !== 'outreach') return;
    const note = $('#outreach-note');
    const list = $('#outreach-list');
    if (state.year === null) {
      replace(list);
      note.textContent = 'No assessment is stored yet: upload one (Upload data).';
      return;
    }
    if (outreachAbort) outreachAbort.abort();
    const abort = new AbortController();
    outreachAbort = abort;
    ctx.setBusy('outreach', `Ranking areas for outreach in ${state.year}…`);
    try {
      const inds = await fillIndicators();
      if (!inds.length) {
        replace(list);
        note.textContent = `The ${state.year} assessment has no indicators to rank by.`;
        return;
      }
      const p = outreachParams();
      if (p.limit === null) return;
      const doc = await getJSON(`/api/v1/outreach${query(p)}`, { signal: abort.signal });
      if (abort.signal.aborted || state.view !== 'outreach') return;
      renderOutreach(doc, p);
      ctx.showError('outreach', null);
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (needsToken(err)) ctx.openSignIn(err);
      replace(list);
      note.textContent = 'The outreach ranking is not available.';
      ctx.showError('outreach', `The outreach ranking is not available: ${err.message}`, () => ctx.track(refreshOutreach()));
    } finally {
      if (outreachAbort === abort) {
        outreachAbort = null;
        ctx.setBusy('outreach', null);
      }
    }
  }

  function renderOutreach(doc, p) {
    const list = $('#outreach-list');
    const s = doc.summary || {};
    const unit = indicatorWords(p.target).unit;
    const n = ctx.need();
    const enrolledText = p.enrolled ? `minus ${indicatorWords(p.enrolled).label.toLowerCase()} (${p.enrolled})` : 'with no enrolment indicator (0 enrolled everywhere)';
    $('#outreach-note').textContent =
      `${formatNumber(s.unserved_total, 'count')} ${unit} not served in ${formatNumber(s.areas, 'count')} areas (${p.target} ${enrolledText}). ` +
      `The ${formatNumber(doc.areas.length, 'count')} with the most, ${state.year}:`;
    replace(
      list,
      doc.areas.map((a) => {
        const deserts = Object.entries(a.deserts || {}).filter(([, v]) => v).map(([k]) => k);
        const isDesert = n ? Boolean(a.deserts && a.deserts[n.code]) : deserts.length > 0;
        const sites = (a.nearest_sites || []).map((x) => `${x.partner || x.name} (${formatNumber(x.distance_km, 'km')} km)`);
        return h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'rank-item outreach-item', dataset: { geoid: a.geoid }, on: { click: () => ctx.focusArea(a.geoid) } },
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

  const again = () => ctx.track(refreshOutreach());
  $('#outreach-target').addEventListener('change', again);
  $('#outreach-enrolled').addEventListener('change', again);
  $('#outreach-limit').addEventListener('change', again);
  $('#outreach-csv').addEventListener('click', async () => {
    const p = outreachParams('csv');
    if (p.limit === null || !p.target) return;
    const button = $('#outreach-csv');
    button.disabled = true;
    try {
      const blob = await getBlob(`/api/v1/outreach${query(p)}`);
      save(blob, `gapmap_outreach_${p.year}_${p.target}${p.enrolled ? `_minus_${p.enrolled}` : ''}.csv`);
      ctx.showError('outreach-csv', null);
    } catch (err) {
      ctx.showError('outreach-csv', `The outreach CSV could not be made: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });

  // ---- compare ----------------------------------------------------------------------

  function years() {
    return state.assessments.map((a) => a.year).sort((a, b) => a - b);
  }

  function fillCompareYears() {
    const ys = years();
    const from = $('#compare-from');
    const to = $('#compare-to');
    const keepF = Number(from.value);
    const keepT = Number(to.value);
    replace(from, ys.map((y) => h('option', { value: String(y), text: String(y) })));
    replace(to, [...ys].reverse().map((y) => h('option', { value: String(y), text: String(y) })));
    if (ys.length) {
      to.value = String(ys.includes(keepT) ? keepT : ys[ys.length - 1]);
      const before = ys.filter((y) => y < Number(to.value));
      from.value = String(ys.includes(keepF) && keepF !== Number(to.value) ? keepF : before.length ? before[before.length - 1] : ys[0]);
    }
    from.disabled = to.disabled = ys.length < 2;
  }

  replace($('#compare-metric'), CHANGE_METRICS.map((m) => h('option', { value: m, text: changeInfo(m, ctx.units()).label })));
  $('#compare-metric').value = 'shortfall_change';
  const compareAgain = () => ctx.track(refreshCompare());
  $('#compare-from').addEventListener('change', compareAgain);
  $('#compare-to').addEventListener('change', compareAgain);
  $('#compare-metric').addEventListener('change', () => {
    drawCompareStyle();
    renderCompareLegend();
  });

  async function refreshCompare() {
    if (state.view !== 'compare') return;
    fillCompareYears();
    const ys = years();
    const note = $('#compare-note');
    const n = ctx.need();
    if (compareAbort) compareAbort.abort();
    state.compare = null;
    replace($('#compare-summary'));
    if (ys.length < 2 || !n) {
      note.textContent = !n
        ? 'Choose a need to compare.'
        : ys.length
          ? `Only one assessment year (${ys[0]}) is stored, so there is nothing to compare yet. Upload another year’s assessment (Upload data) to see what changed.`
          : 'No assessment is stored yet: upload two years to compare them.';
      await drawCompare();
      return;
    }
    const from = Number($('#compare-from').value);
    const to = Number($('#compare-to').value);
    if (from === to) {
      note.textContent = 'Pick two different years.';
      await drawCompare();
      return;
    }
    const abort = new AbortController();
    compareAbort = abort;
    ctx.setBusy('compare', `Comparing ${n.label.toLowerCase()} ${from} → ${to}…`);
    try {
      const doc = await getJSON(`/api/v1/compare${query({ need: n.code, from, to })}`, { signal: abort.signal });
      if (abort.signal.aborted || state.view !== 'compare') return;
      state.compare = doc;
      renderCompareSummary(doc);
      ctx.showError('compare', null);
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (needsToken(err)) ctx.openSignIn(err);
      note.textContent = 'The comparison is not available.';
      ctx.showError('compare', `The comparison is not available: ${err.message}`, compareAgain);
    } finally {
      if (compareAbort === abort) {
        compareAbort = null;
        ctx.setBusy('compare', null);
      }
    }
    if (state.view === 'compare') await drawCompare();
  }

  function renderCompareSummary(doc) {
    const s = doc.summary || {};
    const p = doc.params || {};
    const u = ctx.units();
    const n = ctx.need();
    $('#compare-note').textContent =
      `${n.label}, ${p.from} → ${p.to}: ${formatNumber(s.areas_in_both, 'count')} areas in both years` +
      (s.areas_only_from || s.areas_only_to ? `, ${formatNumber(s.areas_only_from, 'count')} only in ${p.from}, ${formatNumber(s.areas_only_to, 'count')} only in ${p.to}` : '') +
      '. Both years use today’s partner directory, so changes come from the assessments.';
    const signed = (v, kind) => (typeof v === 'number' && v > 0 ? '+' : '') + formatNumber(v, kind);
    const item = (label, value) => [h('dt', { text: label }), h('dd', { text: value })];
    replace(
      $('#compare-summary'),
      item('Demand', `${formatNumber(s.demand_total_from, 'count')} → ${formatNumber(s.demand_total_to, 'count')} ${u.demand.plural} (${signed(s.demand_total_change, 'count')})`),
      item('Shortfall', `${formatNumber(s.shortfall_total_from)} → ${formatNumber(s.shortfall_total_to)} ${u.supply} (${signed(s.shortfall_total_change)})`),
      item('Deserts', `${formatNumber(s.deserts_from, 'count')} → ${formatNumber(s.deserts_to, 'count')} (${formatNumber(s.became_desert, 'count')} new, ${formatNumber(s.no_longer_desert, 'count')} no longer)`),
    );
  }

  function compareRows() {
    const doc = state.compare;
    return doc ? new Map(doc.areas.map((a) => [a.geoid, a])) : new Map();
  }

  async function drawCompare() {
    const doc = state.compare;
    const to = doc && doc.params ? doc.params.to : Number($('#compare-to').value) || state.year;
    const a = state.assessments.find((x) => x.year === to);
    const geography = (doc && doc.params && doc.params.geography_to) || (a && a.geography) || (state.geographies[0] && state.geographies[0].name);
    let areas = null;
    if (geography) {
      try {
        areas = await ctx.loadAreas(geography);
      } catch (err) {
        ctx.showError('areas', `The areas could not be loaded: ${err.message}`);
      }
    }
    await ctx.mapReady;
    if (state.view !== 'compare') return;
    const rows = compareRows();
    const gm = ctx.map();
    if (areas) {
      gm.setAreas({
        type: 'FeatureCollection',
        features: areas.features.map((f) => {
          const row = rows.get(f.properties.geoid);
          return {
            type: 'Feature',
            geometry: f.geometry,
            properties: { ...(row || {}), desert: false, geoid: f.properties.geoid, name: row && row.name ? row.name : f.properties.name },
          };
        }),
      });
    }
    drawCompareStyle();
    renderCompareLegend();
  }

  function compareClasses() {
    const field = $('#compare-metric').value;
    const info = changeInfo(field, ctx.units());
    const values = state.compare ? state.compare.areas.map((a) => a[field]) : [];
    return { field, info, cls: divergingClasses(values, info.higherIsWorse) };
  }

  function drawCompareStyle() {
    const gm = ctx.map();
    if (!gm || state.view !== 'compare') return;
    const { field, cls } = compareClasses();
    gm.map.setPaintProperty('areas-fill', 'fill-color', state.compare && cls.colours.length ? colourExpression(field, cls) : NO_DATA);
  }

  function renderCompareLegend() {
    const el = $('#legend');
    if (state.view !== 'compare') return;
    const prev = el.querySelector('details');
    const open = prev ? prev.open : true;
    const doc = state.compare;
    if (!doc) {
      replace(el, h('details', { open }, h('summary', { text: 'Legend' }), h('p', { class: 'muted', text: $('#compare-note').textContent || 'No change to show.' })));
      return;
    }
    const { info, cls } = compareClasses();
    const p = doc.params;
    const swatch = (colour) => h('span', { class: 'swatch', dataset: { colour } });
    const rows = divergingRows(cls, info.kind);
    replace(
      el,
      h(
        'details',
        { open, class: 'legend-compare' },
        h('summary', {}, h('strong', { text: `${info.label}, ${p.from} → ${p.to}` }), ' ', h('span', { class: 'unit', text: `(${info.unit}; ${p.to} minus ${p.from})` })),
        h(
          'ul',
          { class: 'legend-rows' },
          [...rows].reverse().map((r) => h('li', {}, swatch(r.colour), h('span', { text: r.label }))),
          h('li', {}, swatch(NO_DATA), h('span', { text: `No value or not in both years` })),
        ),
        h('p', { class: 'muted', text: `Orange: worse in ${p.to}; purple: better.` }),
      ),
    );
    for (const s of el.querySelectorAll('[data-colour]')) s.style.backgroundColor = s.dataset.colour;
  }

  /** A popup's content for an area in the Compare view. */
  function comparePopup(geoid) {
    const doc = state.compare;
    const row = compareRows().get(geoid);
    const u = ctx.units();
    if (!doc || !row) return h('div', { class: 'popup popup-compare', dataset: { geoid } }, h('p', { text: doc ? `No comparison for ${geoid}: it is not in both years.` : 'Nothing to compare yet.' }));
    const p = doc.params;
    const line = (label, base, kind, unit) =>
      h('div', { class: 'metric', dataset: { field: `${base}_change`, value: String(row[`${base}_change`] ?? '') } }, h('dt', { text: label }), h('dd', {}, `${formatNumber(row[`${base}_from`], kind)} → ${formatNumber(row[`${base}_to`], kind)} `, h('span', { class: 'unit', text: unit }), ` (${typeof row[`${base}_change`] === 'number' && row[`${base}_change`] > 0 ? '+' : ''}${formatNumber(row[`${base}_change`], kind)})`));
    const flip = row.desert_flipped === 'became_desert' ? `Became a desert in ${p.to}` : row.desert_flipped === 'no_longer_desert' ? `No longer a desert in ${p.to}` : row.desert_to ? 'A desert in both years' : 'Not a desert in either year';
    return h(
      'div',
      { class: 'popup popup-compare', dataset: { geoid } },
      h('h3', { class: 'popup-title', text: row.name || geoid }),
      h('p', { class: 'muted' }, 'GEOID ', h('code', { text: geoid }), ` · ${p.from} → ${p.to}`),
      h('p', { class: row.desert_to ? 'badge badge-desert' : 'badge', text: row.present_in === 'both' ? flip : `Only in ${row.present_in === 'from' ? p.from : p.to}` }),
      h('dl', { class: 'metrics' }, line('Demand', 'demand', 'count', u.demand.plural), line('Shortfall', 'shortfall', 'auto', u.supply), line('Access (2SFCA)', 'access_2sfca', 'auto', `${u.supply} per ${u.demand.singular}`)),
    );
  }

  return {
    setView,
    /** After an upload or a need/year change: redo what the current view shows. */
    refresh() {
      if (state.view === 'outreach') return refreshOutreach();
      if (state.view === 'compare') return refreshCompare();
      return Promise.resolve();
    },
    comparePopup,
    renderCompareLegend,
  };
}
