// gapmap's map page: choose a need, year, metric and radius; see the gap as a choropleth
// with desert outlines, the partner sites, and the worst areas ranked; search, download
// what is on screen, and upload the next year's data.
//
// This module starts the page: it reads the lists and the vocabulary, wires the views
// (views/), the search and the upload panel, and starts the map. The views draw on the
// map (mapview.js) and read the API (api.js); nothing calls back up into this module.

import { getJSON, needsToken } from './api.js';
import { distanceUnit } from './distance.js';
import { $ } from './dom.js';
import { loadMapLibre, startMap, theMap } from './mapview.js';
import { renderReports } from './reports.js';
import { initSearch } from './search.js';
import { initSignIn, openSignIn } from './signin.js';
import { geographyName, need, state, tiled } from './state.js';
import { setBusy, settled, showError, track } from './status.js';
import { initUpload } from './upload.js';
import { refreshGaps } from './views/gaps.js';
import { initViews, loadDistanceUnit, openArea, openCluster, openSite, openSuggestion, showSites } from './views/index.js';
import { initPartnerPanel } from './views/partner.js';
import { renderStandardNote } from './views/standards.js';
import { setVocabulary } from './vocabulary.js';

async function boot() {
  setBusy('boot', 'Loading…');
  loadDistanceUnit();
  initSignIn();
  // MapLibre loads while the lists do.
  loadMapLibre().catch(() => {});
  const lists = await Promise.allSettled([
    getJSON('/api/v1/config'),
    getJSON('/api/v1/needs'),
    getJSON('/api/v1/assessments'),
    getJSON('/api/v1/geographies'),
    getJSON('/api/v1/vocabulary'),
    getJSON('/api/v1/travel-times'),
  ]);
  const refused = lists.find((r) => r.status === 'rejected' && needsToken(r.reason));
  if (refused) {
    setBusy('boot', null);
    openSignIn(refused.reason);
    return;
  }
  const [config, needs, assessments, geographies, vocabulary, matrices] = lists;
  // Without the list of matrices the page measures km, as it does without a matrix.
  state.matrices = matrices.status === 'fulfilled' ? matrices.value.matrices || [] : [];
  state.config = config.status === 'fulfilled' ? config.value : { basemap_style: null };
  if (needs.status === 'fulfilled') state.needs = needs.value.needs || [];
  else showError('needs', `The list of needs is not available: ${needs.reason.message}`);
  if (assessments.status === 'fulfilled') state.assessments = assessments.value.assessments || [];
  else showError('assessments', `The assessments could not be listed: ${assessments.reason.message}`);
  renderReports(assessments.status === 'fulfilled' ? null : assessments.reason.message);
  if (geographies.status === 'fulfilled') state.geographies = geographies.value.geographies || [];
  // Without the vocabulary the page still works, showing codes instead of labels.
  if (vocabulary.status === 'fulfilled') setVocabulary(vocabulary.value);
  else showError('vocabulary', `The labels of services and indicators are not available: ${vocabulary.reason.message}`);
  state.year = state.assessments.length ? state.assessments[state.assessments.length - 1].year : null;
  state.needCode = state.needs.some((n) => n.code === 'childcare') ? 'childcare' : state.needs[0] ? state.needs[0].code : null;
  state.radius = need() ? need().radius_km : null;
  // The large answers start after the small ones, which would otherwise queue behind them.
  // A geography drawn from tiles draws its sites from tiles too (views/sites.js).
  const sitesRequest = tiled(geographyName()) ? null : getJSON('/api/v1/sites');
  sitesRequest?.catch(() => {});

  initViews();
  initSearch();
  initUpload();
  initPartnerPanel();
  // Areas and gaps load while MapLibre starts; they are drawn once it has.
  const gapsDone = refreshGaps().then(renderStandardNote);
  const sitesDone = showSites(sitesRequest);

  const geo = state.geographies.find((g) => g.name === geographyName());
  let gm;
  try {
    gm = await startMap($('#map'), {
      basemapStyle: state.config.basemap_style,
      bounds: geo?.bbox ? geo.bbox : null,
      // Keep the areas clear of the legend in the top-left corner where there is room.
      padding: $('#map').clientWidth > 800 ? { top: 16, bottom: 16, left: 310, right: 56 } : 16,
      onAreaClick: openArea,
      onSiteClick: openSite,
      onClusterClick: openCluster,
      onSuggestionClick: openSuggestion,
      distanceUnit: distanceUnit(),
    });
  } catch (err) {
    setBusy('boot', null);
    showError(
      'map',
      `The map could not start: ${err.message}${state.config.basemap_style ? ' (is the basemap style reachable?)' : ''}`,
      () => location.reload(),
    );
    throw err;
  }
  await Promise.all([gapsDone, sitesDone]);
  setBusy('boot', null);
  await gm.whenIdle();
}

const ready = track(boot());
window.gapmap = {
  /** Resolves when the first view is drawn (after MapLibre's `idle`). */
  ready,
  /** Resolves when every queued load has finished and the map is idle again. */
  async settled() {
    await settled();
    const gm = theMap();
    if (gm) await gm.whenIdle();
  },
  get map() {
    const gm = theMap();
    return gm?.map;
  },
  state,
};
