// The community-assessment report of each stored year, organised by 45 CFR 1302.11(b)(1):
// the printable page (/reports/{year}) and the same report as an editable Word document
// (/reports/{year}?format=docx), listed newest first.

import { getBlob, token } from './api.js';
import { $, h, replace } from './dom.js';
import { save } from './downloads.js';
import { state } from './state.js';
import { showError } from './status.js';

/** Lists the reports of the stored years, or says why there are none (`error`: a message). */
export function renderReports(error = null) {
  const list = $('#report-list');
  if (error) {
    replace(list, h('li', { class: 'report-error', text: `The reports cannot be listed: ${error}` }));
    return;
  }
  if (!state.assessments.length) {
    replace(list, h('li', { class: 'muted', text: 'No assessment year yet: upload one (Upload data) to have its report.' }));
    return;
  }
  replace(
    list,
    [...state.assessments]
      .reverse()
      .map((a) =>
        h(
          'li',
          { dataset: { year: String(a.year) } },
          h('span', { class: 'report-year', text: String(a.year) }),
          ' ',
          link(`/reports/${a.year}`, 'Report (printable)', `report_${a.year}.html`, false),
          ' · ',
          link(`/reports/${a.year}?format=docx`, 'Editable (DOCX)', `report_${a.year}.docx`, true),
        ),
      ),
  );
}

/**
 * A link the browser follows (the page in a new tab, the DOCX as a download). Where reads
 * need a token, a link cannot carry it: the file is fetched with the tab's token and saved.
 */
function link(href, text, filename, download) {
  return h(
    'a',
    {
      href,
      class: download ? 'report-docx' : 'report-html',
      target: download ? null : '_blank',
      rel: 'noopener',
      download: download ? filename : null,
      on: { click: (e) => withToken(e, href, filename) },
    },
    text,
  );
}

async function withToken(e, href, filename) {
  if (!token()) return;
  e.preventDefault();
  try {
    save(await getBlob(href), filename);
    showError('report', null);
  } catch (err) {
    showError('report', `The report could not be fetched: ${err.message}`);
  }
}
