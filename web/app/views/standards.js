// The Standards panel, reached from the button beside the need selector: each need as the
// program measures it (GET /api/v1/needs), a form that changes one as a whole or adds a
// new one (PUT /api/v1/needs/{code}, admins), each refused field's problem shown beside
// its input, and after a change the map and every list measured again with the new
// version of the standard.

import { getJSON, sendJSON } from '../api.js';
import { $, h, replace } from '../dom.js';
import { state } from '../state.js';
import { track } from '../status.js';
import { changesTable, renderError } from '../upload.js';
import { allServices, desertRules, indicatorNames } from '../vocabulary.js';

const NEW = '';
const RULE_KEYS = {
  cap_childcare: ['min_demand', 'max_ratio'],
  access: ['min_demand', 'threshold'],
  catchment: ['min_demand', 'strict_min'],
};

/** Called after a need was stored, with the fresh list: the views refill and measure again. */
let onChanged = () => Promise.resolve();

/** Wires the panel (once, at the start); `changed(code)` runs after a need was stored. */
export function initStandards(changed) {
  onChanged = changed;
  $('#open-standards').addEventListener('click', () => openStandards(state.needCode));
  $('#standards-close').addEventListener('click', () => $('#standards-dialog').close());
  $('#st-need').addEventListener('change', (e) => show(e.target.value));
  $('#st-rule').addEventListener('change', showRuleFields);
  $('#standards-form').addEventListener('submit', (e) => {
    e.preventDefault();
    track(save());
  });
}

/** Opens the panel on the need `code` (or a new one). */
export function openStandards(code) {
  const dialog = $('#standards-dialog');
  replace($('#st-result'));
  fillChoices();
  if (!dialog.open) dialog.showModal();
  show(code && state.needs.some((n) => n.code === code) ? code : NEW);
}

/** The line under the need selector: which version of the standard the map shows. */
export function renderStandardNote() {
  const el = $('#need-standard');
  const n = state.needs.find((x) => x.code === state.needCode);
  const v = state.gaps?.need === state.needCode ? state.gaps.need_version : n?.version;
  if (!n || v === undefined || v === null) {
    replace(el);
    return;
  }
  const when = n.updated_at && n.version === v ? `, stored ${n.updated_at.slice(0, 10)} by ${n.updated_by}` : '';
  replace(el, `Standard: version ${v}${when}.`);
  el.dataset.version = String(v);
}

function fillChoices() {
  replace(
    $('#st-need'),
    state.needs.map((n) => h('option', { value: n.code, text: `${n.label} (version ${n.version})` })),
    h('option', { value: NEW, text: 'New need…' }),
  );
  replace(
    $('#st-indicators'),
    indicatorNames().map((name) => h('option', { value: name })),
  );
  replace(
    $('#st-rule'),
    desertRules().map((r) => h('option', { value: r.code, title: r.description, text: r.label })),
  );
}

/** Fills the form with the need `code` as stored, or empty for a new one. */
function show(code) {
  const n = state.needs.find((x) => x.code === code) || null;
  $('#st-need').value = n ? code : NEW;
  clearErrors();
  replace($('#st-result'));
  const form = $('#standards-dialog');
  form.dataset.need = n ? n.code : '';
  replace($('#st-legend'), n ? `${n.label}: the standard` : 'A new need');
  replace(
    $('#st-version'),
    n
      ? `Version ${n.version}, stored ${(n.updated_at || '').slice(0, 10)} by ${n.updated_by || 'the bundled file'}.`
      : 'A need of the program’s own, such as infant-toddler care or WIC.',
  );
  const codeInput = $('#st-code');
  codeInput.value = n ? n.code : '';
  codeInput.readOnly = Boolean(n);
  $('#st-label').value = n ? n.label : '';
  $('#st-demand').value = n ? n.demand_indicator : '';
  const offered = new Set(n ? n.services : []);
  replace(
    $('#st-services'),
    h('legend', { text: 'Services that supply it' }),
    allServices().map((s) =>
      h(
        'div',
        { class: 'check' },
        h('input', { id: `st-svc-${s.code}`, type: 'checkbox', value: s.code, checked: offered.has(s.code) }),
        h('label', { for: `st-svc-${s.code}`, text: s.label }),
      ),
    ),
  );
  $('#st-supply').value = n ? n.supply : 'capacity';
  $('#st-supply-unit').value = n ? n.supply_unit : '';
  $('#st-default-capacity').value = n ? String(n.default_capacity) : '0';
  $('#st-radius').value = n ? String(n.radius_km) : '';
  $('#st-bands').value = n ? bandsText(n.bands) : '';
  $('#st-max-minutes').value = n?.max_minutes ?? '';
  $('#st-bands-minutes').value = n?.bands_minutes ? bandsText(n.bands_minutes) : '';
  $('#st-target').value = n ? String(n.target) : '';
  const rule = n ? n.desert_rule : { kind: 'access' };
  $('#st-rule').value = rule.kind;
  $('#st-min-demand').value = rule.min_demand ?? '';
  $('#st-max-ratio').value = rule.max_ratio ?? '';
  $('#st-threshold').value = rule.threshold ?? '';
  $('#st-strict-min').checked = Boolean(rule.strict_min);
  const hours = new Set(n?.filters?.hours || []);
  for (const input of document.querySelectorAll('#st-hours input')) input.checked = hours.has(input.value);
  const langs = n?.filters?.language || {};
  $('#st-languages').value = Object.entries(langs)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  showRuleFields();
}

function showRuleFields() {
  const kind = $('#st-rule').value;
  for (const el of document.querySelectorAll('#standards-form [data-rule]')) el.hidden = el.dataset.rule !== kind;
}

function bandsText(bands) {
  return bands.map(([upper, weight]) => `${upper}:${weight}`).join(', ');
}

/** `"1:1, 2:0.68"` as `[[1, 1], [2, 0.68]]`; a part that is not a pair of numbers stays as text for the server to name. */
function parseBands(text) {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [a, b, ...rest] = p.split(':').map((x) => x.trim());
      const upper = Number(a);
      const weight = Number(b);
      if (rest.length || a === '' || b === undefined || b === '' || Number.isNaN(upper) || Number.isNaN(weight)) return p;
      return [upper, weight];
    });
}

/** A number input's value, or null when it is empty (the server then says it is required). */
function numberOf(sel) {
  const raw = $(sel).value.trim();
  return raw === '' ? null : Number(raw);
}

/** The need the form describes, as PUT /api/v1/needs/{code} takes it. */
function body() {
  const kind = $('#st-rule').value;
  const rule = { kind };
  for (const key of RULE_KEYS[kind] || []) {
    if (key === 'strict_min') rule.strict_min = $('#st-strict-min').checked;
    else rule[key] = numberOf(`#st-${key.replace('_', '-')}`);
  }
  const language = {};
  for (const part of $('#st-languages')
    .value.split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [code, indicator] = part.split('=').map((x) => x.trim());
    language[code] = indicator || '';
  }
  const filters = {};
  const hours = [...document.querySelectorAll('#st-hours input:checked')].map((i) => i.value);
  if (hours.length) filters.hours = hours;
  if (Object.keys(language).length) filters.language = language;
  const out = {
    code: $('#st-code').value.trim(),
    label: $('#st-label').value.trim(),
    demand_indicator: $('#st-demand').value.trim(),
    services: [...document.querySelectorAll('#st-services input:checked')].map((i) => i.value),
    supply: $('#st-supply').value,
    supply_unit: $('#st-supply-unit').value.trim() || null,
    default_capacity: numberOf('#st-default-capacity'),
    radius_km: numberOf('#st-radius'),
    bands: parseBands($('#st-bands').value),
    target: numberOf('#st-target'),
    desert_rule: rule,
    filters,
  };
  const minutes = numberOf('#st-max-minutes');
  if (minutes !== null) out.max_minutes = minutes;
  const bandsMinutes = $('#st-bands-minutes').value.trim();
  if (bandsMinutes) out.bands_minutes = parseBands(bandsMinutes);
  const stored = state.needs.find((n) => n.code === $('#standards-dialog').dataset.need);
  // The version the change was made on: a change made meanwhile elsewhere is refused.
  out.version = stored ? stored.version : 0;
  return out;
}

function clearErrors() {
  for (const el of document.querySelectorAll('#standards-form [data-error-for]')) {
    el.hidden = true;
    replace(el);
  }
  for (const el of document.querySelectorAll('#standards-form [aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** The error line of an API field: `bands[1]` → bands, `desert_rule.threshold` → threshold, `filters.language.es` → language. */
function errorSlot(field) {
  const parts = field.split(/[.[]/);
  let key = parts[0];
  if (key === 'desert_rule') key = parts[1] || 'kind';
  else if (key === 'filters') key = parts[1] || 'language';
  return $(`#standards-form [data-error-for="${key}"]`);
}

function showErrors(details) {
  let first = null;
  for (const d of details) {
    const slot = d.field ? errorSlot(d.field) : null;
    if (!slot) continue;
    slot.hidden = false;
    slot.append(h('span', { dataset: { field: d.field }, text: `${slot.childNodes.length ? ' ' : ''}${d.message}` }));
    const input = document.querySelector(`[aria-describedby~="${slot.id}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      first ||= input;
    }
  }
  if (first) first.focus();
}

async function save() {
  const result = $('#st-result');
  clearErrors();
  const need = body();
  if (!need.code) {
    showErrors([{ field: 'code', message: 'Give the new need a code: lower-case letters, digits and _, such as infant_toddler_care.' }]);
    return;
  }
  replace(result, h('p', { class: 'result result-busy', role: 'status', text: 'Saving…' }));
  let report;
  try {
    report = await sendJSON('PUT', `/api/v1/needs/${encodeURIComponent(need.code)}`, need, $('#st-token').value.trim());
  } catch (err) {
    renderError(result, 'The standard', err);
    showErrors(err.details || []);
    return;
  }
  replace(
    result,
    h(
      'div',
      { class: 'result result-ok', role: 'status', dataset: { version: String(report.need.version) } },
      h('h3', { text: report.unchanged ? 'Nothing changed' : report.created ? 'Added' : 'Saved' }),
      h('p', { class: 'result-message', text: report.message }),
      changesTable(report.summary?.changes),
    ),
  );
  if (report.unchanged) return;
  state.needs = (await getJSON('/api/v1/needs')).needs || [];
  fillChoices();
  $('#st-need').value = report.need.code;
  $('#standards-dialog').dataset.need = report.need.code;
  const n = report.need;
  replace($('#st-version'), `Version ${n.version}, stored ${(n.updated_at || '').slice(0, 10)} by ${n.updated_by}.`);
  $('#st-code').readOnly = true;
  await onChanged(report.need.code);
}
