// The partner panel, reached from a site's popup and from search: the partner, its sites,
// how its partnership level and stage have moved (a timeline, newest first), and for
// editors a form that sends only the fields changed in it (PATCH /api/v1/partners/{id}).

import { getJSON, needsToken, sendJSON } from '../api.js';
import { $, h, replace } from '../dom.js';
import { formatNumber } from '../metrics.js';
import { state } from '../state.js';
import { track } from '../status.js';
import { changesTable, renderError } from '../upload.js';
import {
  languageLabel,
  levelLabel,
  partnershipLevels,
  partnershipStages,
  readinessQuestions,
  serviceLabel,
  stageLabel,
} from '../vocabulary.js';
import { reloadAfterUpload } from './index.js';
import { focusSite } from './sites.js';

/** The partner on show: `{partner, sites}` as GET /api/v1/partners/{id} answers. */
let current = null;
/** The id asked for last, so that a slow answer for an earlier one is dropped. */
let asked = null;

const FIELD_WORDS = { partnership_level: 'Level', partnership_stage: 'Stage' };

/** Wires the panel's buttons and form (once, at the start). */
export function initPartnerPanel() {
  $('#partner-close').addEventListener('click', () => $('#partner-dialog').close());
  $('#partner-form').addEventListener('submit', (e) => {
    e.preventDefault();
    track(save());
  });
}

/** Opens the panel on partner `id` and loads it (tracked). */
export function openPartner(id) {
  const dialog = $('#partner-dialog');
  replace($('#pf-result'));
  if (!dialog.open) dialog.showModal();
  return track(load(id));
}

async function load(id) {
  asked = id;
  const status = $('#partner-status');
  $('#partner-body').hidden = true;
  replace($('#partner-title'), 'Partner');
  status.setAttribute('role', 'status');
  replace(status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading the partner…');
  const path = `/api/v1/partners/${encodeURIComponent(id)}`;
  let doc;
  let history;
  try {
    [doc, history] = await Promise.all([getJSON(path), getJSON(`${path}/history`)]);
  } catch (err) {
    if (asked !== id) return;
    status.setAttribute('role', 'alert');
    replace(
      status,
      h('p', { class: 'field-error', text: `The partner could not be loaded: ${err.message}` }),
      needsToken(err) ? null : h('button', { type: 'button', text: 'Try again', on: { click: () => track(load(id)) } }),
    );
    return;
  }
  if (asked !== id) return;
  current = doc;
  replace(status);
  render(doc, history.history || []);
  $('#partner-body').hidden = false;
}

function render(doc, history) {
  const p = doc.partner;
  const notRecorded = () => h('span', { class: 'muted', text: 'not recorded' });
  const item = (label, value, field) => [
    h('dt', { text: label }),
    h('dd', { dataset: { field } }, value === null || value === undefined || value === '' ? notRecorded() : value),
  ];
  const c = p.contact || {};
  const contact = [c.name, c.email, c.phone].filter(Boolean).join(' · ');
  const needLabel = (code) => state.needs.find((n) => n.code === code)?.label || code;
  const agreement = p.agreement_start || p.agreement_end ? `${p.agreement_start || '…'} to ${p.agreement_end || '…'}` : null;
  replace($('#partner-title'), p.name);
  $('#partner-dialog').dataset.partner = p.id;
  replace(
    $('#partner-facts'),
    item('Kind', p.kind, 'kind'),
    item('Partnership level', p.partnership_level ? levelLabel(p.partnership_level) : null, 'partnership_level'),
    item('Partnership stage', p.partnership_stage ? stageLabel(p.partnership_stage) : null, 'partnership_stage'),
    item('Agreement', agreement, 'agreement'),
    item('Contact', contact, 'contact'),
    item('Needs addressed', (p.needs || []).map(needLabel).join(', '), 'needs'),
    item('Notes', p.notes, 'notes'),
  );
  const readiness = p.readiness || {};
  replace(
    $('#partner-readiness'),
    readinessQuestions().map((q) => {
      const a = readiness[q.code];
      return [
        h('dt', { text: q.question }),
        h(
          'dd',
          { dataset: { field: `readiness_${q.code}` } },
          a ? [h('span', { class: 'answer', text: a.text }), ' ', h('span', { class: 'muted when', text: `(${a.date})` })] : notRecorded(),
        ),
      ];
    }),
  );
  renderSites(doc.sites.features);
  renderHistory(history);
  fillForm(p);
}

function renderSites(features) {
  const list = $('#partner-sites');
  if (!features.length) {
    replace(list, h('li', { class: 'muted', text: 'This partner has no site.' }));
    return;
  }
  replace(
    list,
    features.map((f) => {
      const s = f.properties;
      const cap = s.capacity || {};
      const services = (s.services || []).map((x) =>
        typeof cap[x] === 'number' ? `${serviceLabel(x)} (capacity ${formatNumber(cap[x], 'count')})` : serviceLabel(x),
      );
      const langs = (s.languages || []).map(languageLabel).join(', ');
      return h(
        'li',
        { dataset: { site: s.id } },
        h('span', { class: 'site-name', text: s.name }),
        ' ',
        h('button', {
          type: 'button',
          class: 'small',
          text: 'Show on map',
          on: {
            click: () => {
              $('#partner-dialog').close();
              focusSite(s.id);
            },
          },
        }),
        h('div', { class: 'muted', dataset: { field: 'services' }, text: services.join('; ') }),
        s.address ? h('div', { class: 'muted', dataset: { field: 'address' }, text: s.address }) : null,
        langs || s.hours ? h('div', { class: 'muted', text: [langs, s.hours].filter(Boolean).join(' · ') }) : null,
      );
    }),
  );
}

function renderHistory(history) {
  const list = $('#partner-history');
  if (!history.length) {
    replace(list, h('li', { class: 'muted empty', text: 'No level or stage has been recorded for this partner yet.' }));
    return;
  }
  const words = (field, v) => (v ? (field === 'partnership_level' ? levelLabel(v) : stageLabel(v)) : 'not recorded');
  replace(
    list,
    history.map((e) =>
      h(
        'li',
        { dataset: { field: e.field, from: e.from ?? '', to: e.to ?? '' } },
        h('div', { class: 'when', text: `${e.at.slice(0, 10)} · ${e.by} · ${e.via}` }),
        h('div', { class: 'move', text: `${FIELD_WORDS[e.field] || e.field}: ${words(e.field, e.from)} → ${words(e.field, e.to)}` }),
        e.note ? h('div', { class: 'note', text: e.note }) : null,
      ),
    ),
  );
}

function fillForm(p) {
  replace(
    $('#pf-level'),
    h('option', { value: '', text: 'Not recorded' }),
    partnershipLevels().map((t) => h('option', { value: t.code, title: t.description, text: t.label })),
  );
  replace(
    $('#pf-stage'),
    h('option', { value: '', text: 'Not recorded' }),
    partnershipStages().map((t) => h('option', { value: t.code, title: t.description, text: t.label })),
  );
  $('#pf-level').value = p.partnership_level || '';
  $('#pf-stage').value = p.partnership_stage || '';
  $('#pf-note').value = '';
  $('#pf-start').value = p.agreement_start || '';
  $('#pf-end').value = p.agreement_end || '';
  const c = p.contact || {};
  $('#pf-contact-name').value = c.name || '';
  $('#pf-contact-email').value = c.email || '';
  $('#pf-contact-phone').value = c.phone || '';
  $('#pf-notes').value = p.notes || '';
  const readiness = p.readiness || {};
  replace(
    $('#pf-readiness'),
    h('legend', { text: 'Readiness (each answer is kept with its date; empty the text to clear it)' }),
    readinessQuestions().map((q) => {
      const a = readiness[q.code];
      return h(
        'div',
        { class: 'field-row' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: `pf-r-${q.code}`, text: q.question }),
          h('textarea', { id: `pf-r-${q.code}`, rows: '2', text: a ? a.text : '' }),
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: `pf-r-${q.code}-date`, text: 'Answered on' }),
          h('input', { id: `pf-r-${q.code}-date`, type: 'date', value: a ? a.date : '' }),
        ),
      );
    }),
  );
  const needs = new Set(p.needs || []);
  replace(
    $('#pf-needs'),
    h('legend', { text: 'Needs the partnership addresses' }),
    state.needs.map((n) =>
      h(
        'div',
        { class: 'check' },
        h('input', { id: `pf-need-${n.code}`, type: 'checkbox', value: n.code, checked: needs.has(n.code) }),
        h('label', { for: `pf-need-${n.code}`, text: n.label }),
      ),
    ),
  );
}

/** The fields the form changed, as the PATCH body names them (empty: nothing changed). */
function changedFields(p) {
  const body = {};
  const text = (sel) => $(sel).value.trim() || null;
  const put = (key, value, stored) => {
    if ((value ?? null) !== (stored ?? null)) body[key] = value;
  };
  put('partnership_level', text('#pf-level'), p.partnership_level);
  put('partnership_stage', text('#pf-stage'), p.partnership_stage);
  put('agreement_start', text('#pf-start'), p.agreement_start);
  put('agreement_end', text('#pf-end'), p.agreement_end);
  put('notes', text('#pf-notes'), p.notes);
  const c = p.contact || {};
  const contact = {};
  for (const [key, sel] of [
    ['name', '#pf-contact-name'],
    ['email', '#pf-contact-email'],
    ['phone', '#pf-contact-phone'],
  ]) {
    if ((text(sel) ?? null) !== (c[key] ?? null)) contact[key] = text(sel);
  }
  if (Object.keys(contact).length) body.contact = contact;
  const needs = [...document.querySelectorAll('#pf-needs input:checked')].map((i) => i.value);
  const stored = p.needs || [];
  if (needs.length !== stored.length || needs.some((n) => !stored.includes(n))) body.needs = needs.length ? needs : null;
  const readiness = {};
  for (const q of readinessQuestions()) {
    const stored = p.readiness?.[q.code] || null;
    const answer = text(`#pf-r-${q.code}`);
    const date = text(`#pf-r-${q.code}-date`);
    if (!answer) {
      if (stored) readiness[q.code] = null;
    } else if (!stored || stored.text !== answer || (date && stored.date !== date)) {
      // A new or rewritten answer whose date was not changed is dated today by the server.
      const dateChanged = date && (!stored || date !== stored.date);
      readiness[q.code] = dateChanged ? { text: answer, date } : { text: answer };
    }
  }
  if (Object.keys(readiness).length) body.readiness = readiness;
  const note = text('#pf-note');
  if (note) body.note = note;
  return body;
}

async function save() {
  if (!current) return;
  const p = current.partner;
  const result = $('#pf-result');
  const body = changedFields(p);
  if (!Object.keys(body).length) {
    replace(result, h('p', { class: 'result result-unchanged', role: 'status', text: 'Nothing to save: no field was changed.' }));
    return;
  }
  replace(result, h('p', { class: 'result result-busy', role: 'status', text: 'Saving…' }));
  let report;
  try {
    report = await sendJSON('PATCH', `/api/v1/partners/${encodeURIComponent(p.id)}`, body, $('#pf-token').value.trim());
  } catch (err) {
    renderError(result, 'The change', err);
    return;
  }
  replace(
    result,
    h(
      'div',
      { class: 'result result-ok', role: 'status' },
      h('h3', { text: report.unchanged ? 'Nothing changed' : 'Saved' }),
      h('p', { class: 'result-message', text: report.message }),
      changesTable(report.summary?.changes),
    ),
  );
  if (!report.unchanged) {
    await load(p.id);
    // The sites on the map carry their partner's level and stage.
    await reloadAfterUpload('partners');
  }
}
