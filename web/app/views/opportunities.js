// Organisations worth approaching (/api/v1/opportunities), shown in the Siting view: the
// directory's places near deserts that do not supply the need yet and are not yet
// cooperating, ranked by the shortfall a new site of theirs would close. A row flies to
// the place and opens its popup; "Partner" opens the partner panel.

import { getBlob, getJSON, needsToken, query } from '../api.js';
import { $, h, replace } from '../dom.js';
import { save } from '../downloads.js';
import { formatNumber } from '../metrics.js';
import { openSignIn } from '../signin.js';
import { need, state, units } from '../state.js';
import { setBusy, showError, track } from '../status.js';
import { levelLabel } from '../vocabulary.js';
import { openPartner } from './partner.js';
import { focusSite } from './sites.js';

/** Rows shown at first, and added by "Show more". */
const PAGE = 10;
let shown = PAGE;
let doc = null;
let abort = null;

function params(format) {
  const n = need();
  if (!n || state.year === null) return null;
  return { year: state.year, need: n.code, format };
}

/** Loads the opportunities of the chosen need and year (in the Siting view only). */
export async function refreshOpportunities() {
  if (state.view !== 'siting') return;
  const note = $('#opportunities-note');
  const p = params();
  if (!p) {
    note.textContent = 'No assessment is stored yet: upload one (Upload data).';
    replace($('#opportunities-list'));
    return;
  }
  if (abort) abort.abort();
  const mine = new AbortController();
  abort = mine;
  setBusy('opportunities', 'Looking for organisations worth approaching…');
  note.textContent = 'Loading…';
  try {
    const answer = await getJSON(`/api/v1/opportunities${query(p)}`, { signal: mine.signal });
    if (mine.signal.aborted) return;
    doc = answer;
    shown = PAGE;
    render();
    showError('opportunities', null);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (needsToken(err)) openSignIn(err);
    doc = null;
    replace($('#opportunities-list'));
    note.textContent = 'No opportunities are available.';
    showError('opportunities', `The organisations worth approaching are not available: ${err.message}`, () =>
      track(refreshOpportunities()),
    );
  } finally {
    if (abort === mine) {
      abort = null;
      setBusy('opportunities', null);
    }
  }
}

function render() {
  const s = doc.summary;
  const unit = units().supply;
  $('#opportunities-note').textContent = doc.opportunities.length
    ? `${formatNumber(s.candidates, 'count')} of the ${formatNumber(s.sites, 'count')} places in the directory are within ${formatNumber(s.radius_km, 'km')} km of one of the ${formatNumber(s.deserts, 'count')} deserts, do not offer ${doc.label.toLowerCase()} and are not yet cooperating. Gain: what a new site of ${formatNumber(s.capacity)} ${unit} there would close.`
    : s.deserts
      ? `No place in the directory near the ${formatNumber(s.deserts, 'count')} deserts could take this up: each one already offers it or already cooperates.`
      : 'There is no desert for this need in this year, so no one to approach for it.';
  const list = $('#opportunities-list');
  replace(
    list,
    doc.opportunities.slice(0, shown).map((o) =>
      h(
        'li',
        { class: 'opportunity', dataset: { rank: String(o.rank), site: o.site_id, partner: o.partner_id } },
        h(
          'button',
          { type: 'button', class: 'rank-item opportunity-item', on: { click: () => focusSite(o.site_id) } },
          h('span', { class: 'rank-name', text: `${o.rank}. ${o.partner}${o.name !== o.partner ? ` · ${o.name}` : ''}` }),
          h(
            'span',
            { class: 'rank-value' },
            h('strong', { class: 'opportunity-gain', dataset: { value: String(o.gain) }, text: formatNumber(o.gain) }),
            ` ${unit} closed · ${formatNumber(o.deserts.length, 'count')} deserts in reach` +
              `${o.kind ? ` · ${o.kind}` : ''}${o.partnership_level ? ` · ${levelLabel(o.partnership_level)}` : ''}`,
          ),
        ),
        h('button', {
          type: 'button',
          class: 'small opportunity-partner',
          text: 'Partner',
          'aria-label': `Partner details: ${o.partner}`,
          on: { click: () => openPartner(o.partner_id) },
        }),
      ),
    ),
  );
  $('#opportunities-more').hidden = shown >= doc.opportunities.length;
}

/** Wires "Show more" and the CSV download. */
export function initOpportunities() {
  $('#opportunities-more').addEventListener('click', () => {
    if (!doc) return;
    shown += PAGE;
    render();
  });
  $('#opportunities-csv').addEventListener('click', async () => {
    const p = params('csv');
    if (!p) return;
    const button = $('#opportunities-csv');
    button.disabled = true;
    try {
      const blob = await getBlob(`/api/v1/opportunities${query(p)}`);
      save(blob, `gapmap_opportunities_${p.year}_${p.need}.csv`);
      showError('opportunities-csv', null);
    } catch (err) {
      showError('opportunities-csv', `The opportunities CSV could not be made: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
}
