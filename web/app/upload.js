// The upload panel: areas, an assessment year, the partner directory, with the token.
// Refusals are listed row by row (file, row, field, message); successes say what changed.

import { query, upload } from './api.js';
import { $, h, replace } from './dom.js';
import { formatNumber } from './metrics.js';
import { geographyName, state } from './state.js';
import { reloadAfterUpload } from './views/index.js';

const UNITS = {
  areas: ['area', 'areas'],
  indicators: ['area row', 'area rows'],
  partners: ['site', 'sites'],
  stops: ['transit stop', 'transit stops'],
  records: ['record', 'records'],
  travel_times: ['pair', 'pairs'],
};
const TITLES = {
  areas: 'Areas',
  indicators: 'Assessment',
  partners: 'Partner directory',
  stops: 'Transit stops',
  records: 'Program records',
  travel_times: 'Travel times',
};

/** The error as a readable list: the message, then a table of file, row, field, problem. */
export function renderError(target, what, err) {
  const details = err.details || [];
  replace(
    target,
    h(
      'div',
      { class: 'result result-error', role: 'alert' },
      h('h3', { text: `${what} was not stored` }),
      h('p', { class: 'result-message', text: err.message }),
      err.code ? h('p', { class: 'muted' }, 'Error code: ', h('code', { text: err.code })) : null,
      details.length
        ? h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'problems' },
              h('caption', { text: `${details.length} problem${details.length === 1 ? '' : 's'}; nothing from this upload was stored.` }),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col', text: 'File' }),
                  h('th', { scope: 'col', text: 'Row' }),
                  h('th', { scope: 'col', text: 'Field' }),
                  h('th', { scope: 'col', text: 'Problem' }),
                ),
              ),
              h(
                'tbody',
                {},
                details.map((d) =>
                  h(
                    'tr',
                    {},
                    h('td', { text: d.file ?? '—' }),
                    h('td', { text: d.row ?? '—' }),
                    h('td', { text: d.field ?? '—' }),
                    h('td', { text: d.message ?? '' }),
                  ),
                ),
              ),
            ),
          )
        : null,
    ),
  );
}

/** A warning `{file, row, field, message}` as one line: where (what is known of it), then what. */
export function warningText(w) {
  if (typeof w === 'string') return w;
  const where = [w.file, w.row ? `row ${w.row}` : null, w.field].filter(Boolean).join(', ');
  return where ? `${where}: ${w.message}` : w.message;
}

/** A field's value in a change list: lists joined, capacities as `code=n`, empty as —. */
function valueText(v) {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.join('; ');
  if (typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `${k}=${x}`)
      .join('; ');
  return String(v);
}

/** What a write changed in stored records, field by field: `[{record, id, fields: [{field, before, after}], cleared}]`. */
export function changesTable(changes, notListed = 0) {
  if (!changes?.length) return null;
  const rows = changes.flatMap((c) =>
    c.fields.map((f) =>
      h(
        'tr',
        { dataset: { record: c.record, id: c.id, field: f.field } },
        h('td', { text: `${c.record} ${c.id}` }),
        h('td', {}, h('code', { text: f.field })),
        h('td', { text: valueText(f.before) }),
        h('td', {
          class: c.cleared.includes(f.field) ? 'cleared' : null,
          text: c.cleared.includes(f.field) ? 'cleared' : valueText(f.after),
        }),
      ),
    ),
  );
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'changes' },
      h('caption', { text: `Changed fields${notListed ? ` (${notListed} more records not listed)` : ''}` }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', text: 'Record' }),
          h('th', { scope: 'col', text: 'Field' }),
          h('th', { scope: 'col', text: 'Before' }),
          h('th', { scope: 'col', text: 'After' }),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/** The import report: files read, then added / changed / removed / unchanged. */
export function renderReport(target, report) {
  const [one, many] = UNITS[report.kind] || ['row', 'rows'];
  const s = report.summary || {};
  const count = (n) => `${formatNumber(n ?? 0, 'count')} ${(n ?? 0) === 1 ? one : many}`;
  replace(
    target,
    h(
      'div',
      { class: 'result result-ok', role: 'status' },
      h('h3', { text: `${TITLES[report.kind] || 'Upload'} ${report.unchanged ? 'unchanged' : 'stored'}` }),
      h(
        'p',
        {},
        `Read ${count(report.rows)} from `,
        (report.files || []).map((f, i) => [i ? ', ' : '', h('code', { text: f })]),
      ),
      h(
        'dl',
        { class: 'summary' },
        h('dt', { text: 'Added' }),
        h('dd', { dataset: { field: 'added' }, text: count(s.added) }),
        h('dt', { text: 'Changed' }),
        h('dd', { dataset: { field: 'changed' }, text: count(s.changed) }),
        h('dt', { text: 'Removed' }),
        h('dd', { dataset: { field: 'removed' }, text: count(s.removed) }),
        h('dt', { text: 'Unchanged' }),
        h('dd', { dataset: { field: 'unchanged' }, text: count(s.unchanged) }),
      ),
      s.partners
        ? h('p', {
            dataset: { field: 'partners' },
            text: `Partners: ${s.partners.added} added, ${s.partners.changed} changed, ${s.partners.removed} removed, ${s.partners.unchanged} unchanged.`,
          })
        : null,
      changesTable(s.changes, s.changes_not_listed),
      report.indicators?.length
        ? h(
            'p',
            {},
            `Indicators (${report.indicators.length}): `,
            report.indicators.map((x, i) => [i ? ', ' : '', h('code', { text: x })]),
          )
        : null,
      report.version && !report.unchanged
        ? h('p', { class: 'muted', text: `Stored as version ${report.version} of that year; earlier versions stay retrievable.` })
        : null,
      // An upload that holds exactly what is stored writes nothing; the server says so.
      report.unchanged
        ? h('p', { class: 'result-unchanged', text: `Nothing changed: ${report.message.replace(/^nothing changed: /, '')}` })
        : h('p', { class: 'muted', text: `Data version ${s.data_version ?? '?'}. The map reloads with it.` }),
      report.warnings?.length
        ? h(
            'div',
            { class: 'warnings-block' },
            h('p', { text: `Stored with ${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'} worth a look:` }),
            h(
              'ul',
              { class: 'warnings' },
              report.warnings.map((w) => h('li', { dataset: { row: w.row ?? '', field: w.field ?? '' }, text: warningText(w) })),
            ),
          )
        : null,
    ),
  );
}

/** Wires the upload dialog; after a stored upload the views reload what it changed. */
export function initUpload() {
  const dialog = $('#upload-dialog');
  const token = $('#upload-token');

  function fillGeographies() {
    const current = geographyName();
    for (const sel of [$('#up-assessment-geography'), $('#up-travel-geography')]) {
      replace(
        sel,
        state.geographies.map((g) => h('option', { value: g.name, text: g.name })),
      );
      if (current) sel.value = current;
    }
    const name = $('#up-geography-name');
    if (!name.value && current) name.value = current;
  }

  $('#open-upload').addEventListener('click', () => {
    fillGeographies();
    dialog.showModal();
  });
  $('#upload-close').addEventListener('click', () => dialog.close());

  async function send(form, what, method, path) {
    // Each form shows its own outcome right under its button.
    const result = $(`#${form.id}-result`);
    const files = [...form.querySelectorAll('input[type=file]')].flatMap((i) => [...i.files]);
    if (files.length === 0) {
      renderError(result, what, { message: 'Choose a file first.', details: [] });
      return;
    }
    const body = new FormData();
    for (const f of files) body.append('file', f, f.name);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    replace(
      result,
      h('p', { class: 'result result-busy', role: 'status', text: `Checking and storing ${files.map((f) => f.name).join(', ')}…` }),
    );
    let report = null;
    try {
      report = await upload(method, path, body, token.value.trim());
      renderReport(result, report);
      form.reset();
      fillGeographies();
    } catch (err) {
      renderError(result, what, err);
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
      result.scrollIntoView({ block: 'nearest' });
    }
    // The map reloads what changed while the reader looks at the summary.
    if (report && !report.unchanged) await reloadAfterUpload(report.kind);
  }

  $('#up-geography').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('#up-geography-name').value.trim();
    if (!name)
      return renderError($('#up-geography-result'), 'The areas', { message: 'Name the geography (e.g. tracts-2020).', details: [] });
    send(e.target, 'The areas', 'PUT', `/api/v1/geographies/${encodeURIComponent(name)}`);
  });
  $('#up-assessment').addEventListener('submit', (e) => {
    e.preventDefault();
    const year = $('#up-assessment-year').value.trim();
    const geography = $('#up-assessment-geography').value;
    if (!/^\d{4}$/.test(year))
      return renderError($('#up-assessment-result'), 'The assessment', {
        message: 'Give the assessment year as four digits, e.g. 2025.',
        details: [],
      });
    // gapmap's own CSV is the server's default; only Census tables need saying.
    const source = new FormData(e.target).get('source') === 'census' ? 'census' : null;
    send(e.target, 'The assessment', 'PUT', `/api/v1/assessments/${year}${query({ geography, source })}`);
  });
  $('#up-records').addEventListener('submit', (e) => {
    e.preventDefault();
    const year = $('#up-records-year').value.trim();
    if (!/^\d{4}$/.test(year))
      return renderError($('#up-records-result'), 'The program records', {
        message: 'Give the assessment year as four digits, e.g. 2025.',
        details: [],
      });
    send(e.target, 'The program records', 'PUT', `/api/v1/assessments/${year}/records`);
  });
  $('#up-travel').addEventListener('submit', (e) => {
    e.preventDefault();
    const mode = $('#up-travel-mode').value;
    const params = {
      geography: $('#up-travel-geography').value,
      tool: $('#up-travel-tool').value.trim() || null,
      date: $('#up-travel-date').value.trim() || null,
      departure: $('#up-travel-departure').value.trim() || null,
    };
    send(e.target, 'The travel times', 'PUT', `/api/v1/travel-times/${mode}${query(params)}`);
  });
  $('#up-partners').addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(e.target);
    const mode = data.get('mode') || 'merge';
    // Sent only when ticked (an unticked box is null): refusing is the server's default.
    const params = { mode, untracked_services: data.get('untracked_services') };
    send(e.target, 'The partner directory', 'POST', `/api/v1/partners${query(params)}`);
  });
}
