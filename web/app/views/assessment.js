// The chosen year's assessment as gapmap stores it: a version picker and its CSV, which
// uploads again unchanged (/api/v1/assessments/{year}?format=csv&version=N).

import { getBlob, query } from '../api.js';
import { $, h, replace } from '../dom.js';
import { save } from '../downloads.js';
import { assessment } from '../state.js';
import { showError, track } from '../status.js';

/** Lists the chosen year's versions, the current one first. */
export function fillAssessmentVersions() {
  const a = assessment();
  const sel = $('#dl-assessment-version');
  const button = $('#dl-assessment');
  if (!a) {
    replace(sel, h('option', { value: '', text: 'No assessment yet' }));
    sel.disabled = button.disabled = true;
    return;
  }
  const versions = Array.from({ length: a.version }, (_, i) => a.version - i);
  replace(
    sel,
    versions.map((v) => h('option', { value: String(v), text: `${a.year}, version ${v}${v === a.version ? ' (current)' : ''}` })),
  );
  sel.disabled = button.disabled = false;
}

async function download() {
  const a = assessment();
  const version = $('#dl-assessment-version').value;
  if (!a || !version) return;
  const button = $('#dl-assessment');
  button.disabled = true;
  try {
    const blob = await getBlob(`/api/v1/assessments/${a.year}${query({ format: 'csv', version })}`);
    save(blob, `assessment_${a.year}_v${version}.csv`);
    showError('assessment-csv', null);
  } catch (err) {
    showError('assessment-csv', `The assessment could not be downloaded: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

/** Wires the assessment download. */
export function initAssessmentDownload() {
  fillAssessmentVersions();
  $('#dl-assessment').addEventListener('click', () => track(download()));
  // `state.year` changes with the year menu; the versions follow it.
  $('#year').addEventListener('change', fillAssessmentVersions);
}
