// The map: areas coloured by a metric, desert outlines, partner sites clustered where
// dense, and popups built from DOM nodes (never HTML strings). The page has one map; the
// views draw on it through `theMap()` once `startMap` has loaded it.

import { token } from './api.js';
import { colourExpression, NO_DATA } from './metrics.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
// MapLibre's own clusters (GeoJSON), labelled with their number.
const CLUSTER_RADIUS = ['step', ['get', 'point_count'], 9, 10, 12, 50, 15, 200, 19];
const CLUSTER_COUNT_MINZOOM = 6;

// MapLibre (about 1 MB) is imported when asked for, so that the page's first requests
// need not wait for it.
let maplibreModule = null;
let maplibregl = null;

/** Starts loading MapLibre (index.html preloads it); `startMap` waits for it. */
export function loadMapLibre() {
  if (!maplibreModule) maplibreModule = import('/vendor/maplibre-gl/maplibre-gl.mjs');
  return maplibreModule;
}

let current = null;
let resolveReady;
let rejectReady;
/** Settles once the map has loaded its style and layers; drawing waits for it, loading does not. */
export const mapReady = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});
mapReady.catch(() => {});

/** The page's map once it has loaded, else null. */
export function theMap() {
  return current;
}

/** Creates the page's map (see `GapMap`) and resolves with it once loaded. */
export async function startMap(container, opts) {
  try {
    maplibregl = await loadMapLibre();
    const gm = new GapMap(container, opts);
    await gm.loaded;
    current = gm;
  } catch (err) {
    rejectReady(err);
    throw err;
  }
  resolveReady(current);
  return current;
}

/** True when the reader asked for less motion: camera moves then jump. */
export function reducedMotion() {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** The style without a basemap: a plain background, so the page works offline. */
function offlineStyle() {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef0f2' } }],
  };
}

/**
 * Draws a cluster's count as an image: the offline style has no glyphs, so counts are
 * rendered on a canvas instead of with text-field.
 */
function countImage(text, colour = '#ffffff') {
  const ratio = 2;
  const font = `600 ${11 * ratio}px system-ui, sans-serif`;
  const c = document.createElement('canvas');
  const ctx = c.getContext('2d');
  ctx.font = font;
  const w = Math.ceil(ctx.measureText(text).width) + 4 * ratio;
  const hgt = 14 * ratio;
  c.width = w;
  c.height = hgt;
  ctx.font = font;
  ctx.fillStyle = colour;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, w / 2, hgt / 2 + ratio / 2);
  return { image: ctx.getImageData(0, 0, w, hgt), pixelRatio: ratio };
}

/**
 * Draws a place name as an image, dark text in a white halo: the offline style has no
 * glyphs, so labels are images too (the text goes through fillText only, never markup).
 */
function labelImage(text, strong) {
  const ratio = 2;
  const font = `${strong ? 700 : 500} ${(strong ? 12 : 11) * ratio}px system-ui, sans-serif`;
  const c = document.createElement('canvas');
  const ctx = c.getContext('2d');
  ctx.font = font;
  const w = Math.ceil(ctx.measureText(text).width) + 8 * ratio;
  const hgt = (strong ? 17 : 15) * ratio;
  c.width = w;
  c.height = hgt;
  ctx.font = font;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3 * ratio;
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.92)';
  ctx.strokeText(text, w / 2, hgt / 2);
  ctx.fillStyle = '#1a1a1a';
  ctx.fillText(text, w / 2, hgt / 2);
  return { image: ctx.getImageData(0, 0, w, hgt), pixelRatio: ratio };
}

/**
 * The hatch drawn over uncertain deserts: dark diagonal lines on a clear ground, so the
 * choropleth's colour stays readable underneath (and in grey print).
 */
export const HATCH_COLOUR = '#1a1a1a';
function hatchImage() {
  const ratio = 2;
  const size = 8 * ratio;
  const c = document.createElement('canvas');
  c.width = size;
  c.height = size;
  const ctx = c.getContext('2d');
  ctx.strokeStyle = HATCH_COLOUR;
  ctx.globalAlpha = 0.75;
  ctx.lineWidth = 1.5 * ratio;
  // One diagonal and its two corner pieces tile seamlessly.
  for (const [x0, y0, x1, y1] of [
    [0, size, size, 0],
    [-size / 2, size / 2, size / 2, -size / 2],
    [size / 2, size * 1.5, size * 1.5, size / 2],
  ]) {
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }
  return { image: ctx.getImageData(0, 0, size, size), pixelRatio: ratio };
}

/** Twice the signed area of a ring in lon/lat (positive: counter-clockwise). */
function ringArea(ring) {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a;
}

/**
 * A feature with its polygons wound as RFC 7946 asks (exterior rings counter-clockwise,
 * holes clockwise), whatever the upload did: a line offset then falls on the same side,
 * inside the area, for every area.
 */
function rewound(f) {
  const g = f.geometry;
  if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return f;
  const polygon = (rings) => rings.map((r, i) => (ringArea(r) > 0 === (i === 0) ? r : [...r].reverse()));
  const coordinates = g.type === 'Polygon' ? polygon(g.coordinates) : g.coordinates.map(polygon);
  return { ...f, geometry: { type: g.type, coordinates } };
}

class GapMap {
  /**
   * @param {HTMLElement} container
   * @param {{basemapStyle: string|null, bounds: number[]|null, padding, onAreaClick, onSiteClick}} opts
   *   `onAreaClick(geoid, [lon, lat])` and `onSiteClick(id, [lon, lat])` say what was clicked;
   *   `onClusterClick(properties, [lon, lat])` a cluster of the server's (sites drawn from tiles).
   */
  constructor(container, opts) {
    this.opts = opts;
    this.hasBasemap = Boolean(opts.basemapStyle);
    this.map = new maplibregl.Map({
      container,
      style: opts.basemapStyle || offlineStyle(),
      bounds: opts.bounds || [-87.94, 41.64, -87.52, 42.03],
      fitBoundsOptions: { padding: opts.padding || 16 },
      // Keeps the last frame readable for the PNG download and the browser test. No
      // multisampling (MapLibre's default): its lines are smoothed by their own shaders,
      // and without a GPU multisampling made every frame of a national map take ~1 s
      // (zoom 9 drawn in 5.5-7 s instead of 1.2-1.5 s, docs/measure-national-map.sh).
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
      attributionControl: { compact: true },
      dragRotate: false,
      pitchWithRotate: false,
      // Tiles are read like the API: with the tab's token where reads need one.
      transformRequest: (url) => {
        const t = token();
        return t && url.startsWith(`${location.origin}/tiles/`) ? { url, headers: { Authorization: `Bearer ${t}` } } : { url };
      },
      maxPitch: 0,
      // Labels appear at once instead of fading in: each fade step is a frame drawn again,
      // and while tiles arrive those frames made a national view seconds slower.
      fadeDuration: 0,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.scale = new maplibregl.ScaleControl({ unit: opts.distanceUnit === 'mi' ? 'imperial' : 'metric' });
    this.map.addControl(this.scale, 'bottom-right');
    this.popup = null;
    this.selected = null;
    // Escape closes a popup, wherever the focus is.
    container.ownerDocument.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.popup) this.closePopup();
    });
    this.loaded = new Promise((resolve, reject) => {
      this.map.once('load', () => {
        this.addLayers();
        resolve();
      });
      this.map.once('error', (e) => {
        // Only a failure before the first load is fatal (e.g. the basemap style is unreachable).
        if (!this.map.loaded()) reject(e.error || new Error('the map could not load'));
      });
    });
    this.map.setMissingStyleImageResolver((id) => {
      if (id.startsWith('count-') && !this.map.hasImage(id)) {
        const { image, pixelRatio } = countImage(id.slice('count-'.length));
        this.map.addImage(id, image, { pixelRatio });
      }
      // Place and area names.
      for (const [prefix, strong] of [
        ['place:', true],
        ['area:', false],
      ]) {
        if (id.startsWith(prefix) && !this.map.hasImage(id)) {
          const { image, pixelRatio } = labelImage(id.slice(prefix.length), strong);
          this.map.addImage(id, image, { pixelRatio });
        }
      }
      // A suggested site's rank, dark on its white disc.
      if (id.startsWith('rank-') && !this.map.hasImage(id)) {
        const { image, pixelRatio } = countImage(id.slice('rank-'.length), '#111111');
        this.map.addImage(id, image, { pixelRatio });
      }
    });
  }

  addLayers() {
    const m = this.map;
    m.addSource('areas', { type: 'geojson', data: EMPTY, promoteId: 'geoid' });
    m.addSource('sites', {
      type: 'geojson',
      data: EMPTY,
      promoteId: 'id',
      cluster: true,
      clusterRadius: 36,
      clusterMaxZoom: 13,
    });
    m.addLayer({
      id: 'areas-fill',
      type: 'fill',
      source: 'areas',
      paint: { 'fill-color': NO_DATA, 'fill-opacity': this.hasBasemap ? 0.72 : 0.92 },
    });
    // Outlines from zoom 6: below it areas are specks a few pixels wide, whose outlines
    // would only wash out their colour (and cost a national map's every frame).
    m.addLayer({
      id: 'areas-line',
      type: 'line',
      source: 'areas',
      minzoom: 6,
      paint: { 'line-color': '#ffffff', 'line-width': 0.4, 'line-opacity': 0.6 },
    });
    // Uncertain deserts (a desert at the estimate, not at demand − its margin of error):
    // hatched, under the outline every desert has.
    const hatch = hatchImage();
    m.addImage('hatch-uncertain', hatch.image, { pixelRatio: hatch.pixelRatio });
    m.addLayer({
      id: 'deserts-uncertain',
      type: 'fill',
      source: 'areas',
      filter: ['all', ['==', ['get', 'desert'], true], ['==', ['get', 'desert_certainty'], 'uncertain']],
      paint: { 'fill-pattern': 'hatch-uncertain' },
    });
    // Deserts: a white casing under a dark line reads on every viridis colour. Mitred
    // joins: round ones made these two layers most of a frame's cost without a GPU (a
    // national zoom-9 frame 404 ms with round joins, 201 ms with mitred ones).
    m.addLayer({
      id: 'deserts-casing',
      type: 'line',
      source: 'areas',
      filter: ['==', ['get', 'desert'], true],
      layout: { 'line-join': 'miter' },
      // Drawn just inside each desert (its rings wound as RFC 7946 says, see `setAreas`),
      // so that neighbouring deserts keep a gap between their outlines when most areas are
      // deserts.
      paint: {
        'line-color': '#ffffff',
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 2, 14, 5],
        'line-offset': ['interpolate', ['linear'], ['zoom'], 9, 1, 14, 2.5],
      },
    });
    m.addLayer({
      id: 'deserts-line',
      type: 'line',
      source: 'areas',
      filter: ['==', ['get', 'desert'], true],
      layout: { 'line-join': 'miter' },
      paint: {
        'line-color': '#d6004c',
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1, 14, 2.5],
        'line-offset': ['interpolate', ['linear'], ['zoom'], 9, 1, 14, 2.5],
      },
    });
    // The Compare view's areas whose desert status flipped: became a desert (the desert
    // colour) or no longer one (dark, dashed).
    m.addLayer({
      id: 'flipped-became',
      type: 'line',
      source: 'areas',
      filter: ['==', ['get', 'desert_flipped'], 'became_desert'],
      layout: { 'line-join': 'miter' },
      paint: { 'line-color': '#d6004c', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.5, 14, 3.5] },
    });
    m.addLayer({
      id: 'flipped-no-longer',
      type: 'line',
      source: 'areas',
      filter: ['==', ['get', 'desert_flipped'], 'no_longer_desert'],
      layout: { 'line-join': 'miter' },
      paint: { 'line-color': '#111111', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.5, 14, 3.5], 'line-dasharray': [2, 1] },
    });
    // The areas the suggested new sites reach (the Siting view): a dark dashed outline.
    m.addLayer({
      id: 'reached-line',
      type: 'line',
      source: 'areas',
      filter: ['in', ['get', 'geoid'], ['literal', []]],
      layout: { 'line-join': 'miter' },
      paint: { 'line-color': '#111111', 'line-width': 2.5, 'line-dasharray': [2, 1.5] },
    });
    m.addLayer({
      id: 'areas-selected',
      type: 'line',
      source: 'areas',
      filter: ['==', ['get', 'geoid'], ''],
      paint: { 'line-color': '#000000', 'line-width': 3 },
    });
    m.addLayer({
      id: 'sites-clusters',
      type: 'circle',
      source: 'sites',
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': '#263238',
        'circle-opacity': 0.85,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
        'circle-radius': CLUSTER_RADIUS,
      },
    });
    // Counts are written on clusters from zoom 6. Each distinct count is drawn as its own
    // image (no glyphs offline), and the hundreds of counts of a country view cost the
    // browser seconds (12.4 s instead of 4.8 s for the national map); below zoom 6 a
    // cluster's size and its popup tell its count.
    m.addLayer({
      id: 'sites-cluster-count',
      type: 'symbol',
      source: 'sites',
      minzoom: CLUSTER_COUNT_MINZOOM,
      filter: ['has', 'point_count'],
      layout: {
        'icon-image': ['concat', 'count-', ['get', 'point_count_abbreviated']],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
    });
    m.addLayer({
      id: 'sites-points',
      type: 'circle',
      source: 'sites',
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': ['get', '_colour'],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 4, 15, 7],
        'circle-stroke-color': '#1a1a1a',
        'circle-stroke-width': 1,
      },
    });

    // Place names from the data: the places areas belong to at city zoom, the areas'
    // own names closer in (views/labels.js). Labels that would collide are left out.
    m.addSource('labels', { type: 'geojson', data: EMPTY });
    m.addLayer({
      id: 'labels-place',
      type: 'symbol',
      source: 'labels',
      filter: ['==', ['get', 'kind'], 'place'],
      maxzoom: 13,
      layout: { 'icon-image': ['concat', 'place:', ['get', 'label']], 'icon-padding': 4, 'symbol-sort-key': ['-', 0, ['get', 'weight']] },
    });
    m.addLayer({
      id: 'labels-area',
      type: 'symbol',
      source: 'labels',
      filter: ['==', ['get', 'kind'], 'area'],
      minzoom: 13,
      layout: { 'icon-image': ['concat', 'area:', ['get', 'label']], 'icon-padding': 2 },
    });
    // Suggested new sites: white discs with their rank, above everything else.
    m.addSource('suggestions', { type: 'geojson', data: EMPTY, promoteId: 'rank' });
    m.addLayer({
      id: 'suggestions-points',
      type: 'circle',
      source: 'suggestions',
      paint: { 'circle-color': '#ffffff', 'circle-radius': 11, 'circle-stroke-color': '#111111', 'circle-stroke-width': 3 },
    });
    m.addLayer({
      id: 'suggestions-rank',
      type: 'symbol',
      source: 'suggestions',
      layout: {
        'icon-image': ['concat', 'rank-', ['to-string', ['get', 'rank']]],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
    });

    for (const layer of ['areas-fill', 'sites-points', 'sites-clusters', 'suggestions-points']) {
      m.on('mouseenter', layer, () => (m.getCanvas().style.cursor = 'pointer'));
      m.on('mouseleave', layer, () => (m.getCanvas().style.cursor = ''));
    }
    m.on('click', (e) => this.onClick(e));
  }

  async onClick(e) {
    const m = this.map;
    const hits = m.queryRenderedFeatures(e.point, { layers: ['suggestions-points', 'sites-points', 'sites-clusters', 'areas-fill'] });
    const suggestion = hits.find((f) => f.layer.id === 'suggestions-points');
    if (suggestion && this.opts.onSuggestionClick) return this.opts.onSuggestionClick(suggestion.properties.rank);
    const site = hits.find((f) => f.layer.id === 'sites-points');
    if (site) return this.opts.onSiteClick(site.properties.id, site.geometry.coordinates);
    const cluster = hits.find((f) => f.layer.id === 'sites-clusters');
    if (cluster) {
      // The server's clusters (tiles) open two zoom levels closer; MapLibre's own to where they split.
      if (m.getSource('sites').type === 'vector' && this.opts.onClusterClick) {
        return this.opts.onClusterClick(cluster.properties, cluster.geometry.coordinates);
      }
      const zoom = await m.getSource('sites').getClusterExpansionZoom(cluster.properties.cluster_id);
      m.easeTo({ center: cluster.geometry.coordinates, zoom: Math.min(zoom, 16), duration: reducedMotion() ? 0 : 500 });
      return;
    }
    const area = hits.find((f) => f.layer.id === 'areas-fill');
    // The clicked feature's properties go along: drawn from tiles, they are the area's row.
    if (area) this.opts.onAreaClick(area.properties.geoid, [e.lngLat.lng, e.lngLat.lat], area.properties);
    else this.closePopup();
  }

  /** Replaces the areas (features with the gap fields as properties); they come from GeoJSON again. */
  setAreas(fc) {
    this.useAreaSource({ type: 'geojson', data: EMPTY, promoteId: 'geoid' });
    this.map.getSource('areas').setData({ ...fc, features: fc.features.map(rewound) });
  }

  /**
   * Draws the areas from vector tiles (`/tiles/areas/{z}/{x}/{y}.mvt?…`, whose features
   * carry the same properties as the GeoJSON ones), for geographies too large for one
   * document. Only the URL changes while the source stays tiled.
   */
  setAreaTiles(url) {
    const source = this.map.getSource('areas');
    if (source?.type === 'vector') {
      if (this.areaTilesUrl !== url) source.setTiles([url]);
    } else {
      this.useAreaSource({ type: 'vector', tiles: [url], minzoom: 0, maxzoom: 16, promoteId: 'geoid' });
    }
    this.areaTilesUrl = url;
  }

  /** True while the areas are drawn from tiles. */
  areasTiled() {
    return this.map.getSource('areas')?.type === 'vector';
  }

  /**
   * Swaps the areas' source for one of another type, keeping every area layer as it is
   * now (its paint, filters and order): MapLibre cannot change a layer's source.
   */
  useAreaSource(spec) {
    this.useSource('areas', spec);
    if (spec.type !== 'vector') this.areaTilesUrl = null;
  }

  /**
   * Swaps source `id` for one of another type, keeping every layer drawn from it as it is
   * now (its paint, filters and order); a vector source's layer is named as the source.
   */
  useSource(id, spec) {
    const m = this.map;
    if (m.getSource(id)?.type === spec.type) return;
    // One copy of the style: `getStyle()` makes a new one each call, so an index found in
    // one copy means nothing in another (that once put the background over every layer).
    const all = m.getStyle().layers;
    const layers = all.filter((l) => l.source === id);
    const last = all.indexOf(layers[layers.length - 1]);
    const before = all.find((l, i) => i > last && l.source !== id);
    for (const l of layers) m.removeLayer(l.id);
    m.removeSource(id);
    m.addSource(id, spec);
    for (const l of layers) {
      const layer = { ...l };
      if (spec.type === 'vector') layer['source-layer'] = id;
      else delete layer['source-layer'];
      m.addLayer(layer, before?.id);
    }
  }

  /** Colours the areas by `metric` with the classes from `classify`. */
  styleAreas(metric, classes) {
    this.map.setPaintProperty('areas-fill', 'fill-color', metric ? colourExpression(metric, classes) : NO_DATA);
  }

  /** Replaces the sites shown (already filtered), each with a `_colour` property; they come from GeoJSON again. */
  setSites(fc) {
    if (this.map.getSource('sites')?.type === 'vector') {
      this.useSource('sites', { type: 'geojson', data: EMPTY, promoteId: 'id', cluster: true, clusterRadius: 36, clusterMaxZoom: 13 });
      this.siteTilesUrl = null;
      this.map.setFilter('sites-points', ['!', ['has', 'point_count']]);
      this.map.setPaintProperty('sites-points', 'circle-color', ['get', '_colour']);
      this.map.setFilter('sites-cluster-count', ['has', 'point_count']);
      this.map.setPaintProperty('sites-clusters', 'circle-radius', CLUSTER_RADIUS);
    }
    this.map.getSource('sites').setData(fc);
  }

  /**
   * Draws the sites from vector tiles (`/tiles/sites/…`: the server's clusters, with
   * `point_count`, below the zoom where each site is its own point), for geographies too
   * large to load every site. `filter` applies to the single sites, `colour` is the
   * points' colour expression.
   */
  setSiteTiles(url, { filter = null, colour = '#4d4d4d' } = {}) {
    const source = this.map.getSource('sites');
    if (source?.type === 'vector') {
      if (this.siteTilesUrl !== url) source.setTiles([url]);
    } else {
      this.useSource('sites', { type: 'vector', tiles: [url], minzoom: 0, maxzoom: 14, promoteId: 'id' });
    }
    this.siteTilesUrl = url;
    const single = ['!', ['has', 'point_count']];
    this.map.setFilter('sites-points', filter ? ['all', single, filter] : single);
    this.map.setPaintProperty('sites-points', 'circle-color', colour);
    // The server's clusters are many (one per 32-pixel cell): sized by their number, and
    // smaller at the zoom of a whole country, where full-sized ones would hide the areas
    // under them. Their counts are written from zoom 6, as on MapLibre's own clusters.
    this.map.setFilter('sites-cluster-count', ['has', 'point_count']);
    const sized = (r) => ['interpolate', ['linear'], ['get', 'point_count'], 2, r[0], 10, r[1], 100, r[2], 1000, r[3], 10000, r[4]];
    this.map.setPaintProperty('sites-clusters', 'circle-radius', [
      'interpolate',
      ['linear'],
      ['zoom'],
      4,
      sized([2.5, 3.5, 5, 7, 9]),
      8,
      sized([5, 8, 12, 17, 23]),
    ]);
  }

  /** Draws the suggested new sites (points with `rank`) and outlines the areas they reach; null clears both. */
  setSuggestions(fc, reached = []) {
    this.map.getSource('suggestions').setData(fc || EMPTY);
    this.map.setFilter('reached-line', ['in', ['get', 'geoid'], ['literal', fc ? reached : []]]);
  }

  /** Replaces the place and area labels (points with `kind`, `label` and `weight`). */
  setLabels(fc) {
    this.map.getSource('labels').setData(fc || EMPTY);
  }

  /** The scale bar in `km` or `mi`. */
  setDistanceUnit(u) {
    this.scale.setUnit(u === 'mi' ? 'imperial' : 'metric');
  }

  setSitesVisible(on) {
    for (const id of ['sites-clusters', 'sites-cluster-count', 'sites-points']) {
      this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    }
  }

  select(geoid) {
    this.selected = geoid;
    this.map.setFilter('areas-selected', ['==', ['get', 'geoid'], geoid || '']);
  }

  /** Opens a popup with DOM content at [lon, lat]. */
  showPopup(lngLat, content, { className = '' } = {}) {
    this.closePopup();
    this.popup = new maplibregl.Popup({ maxWidth: 'min(560px, 92vw)', className, focusAfterOpen: true, closeButton: true })
      .setLngLat(lngLat)
      .setDOMContent(content)
      .addTo(this.map);
    this.popup.on('close', () => {
      if (this.popup && !this.popup.isOpen()) this.select(null);
    });
    this.fitPopup(this.popup);
    return this.popup;
  }

  /**
   * Keeps a popup inside the map: its content may use the map's height, and the map pans
   * just enough to show all of it (MapLibre places it but does not pan).
   */
  fitPopup(popup) {
    const el = popup.getElement();
    const box = this.map.getContainer().getBoundingClientRect();
    const content = el.querySelector('.maplibregl-popup-content');
    if (content) content.style.maxHeight = `${Math.max(160, box.height - 48)}px`;
    const r = el.getBoundingClientRect();
    const margin = 12;
    let dx = 0;
    let dy = 0;
    if (r.top < box.top + margin) dy = r.top - box.top - margin;
    else if (r.bottom > box.bottom - margin) dy = Math.min(r.bottom - box.bottom + margin, r.top - box.top - margin);
    if (r.left < box.left + margin) dx = r.left - box.left - margin;
    else if (r.right > box.right - margin) dx = Math.min(r.right - box.right + margin, r.left - box.left - margin);
    if (dx || dy) this.map.panBy([dx, dy], { duration: 0 });
  }

  closePopup() {
    if (this.popup) {
      const p = this.popup;
      this.popup = null;
      p.remove();
    }
    this.select(null);
  }

  /** Moves the view to a bounding box [w, s, e, n]. */
  flyToBox(bbox, { maxZoom = 14 } = {}) {
    this.map.fitBounds(
      [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[3]],
      ],
      { padding: 60, maxZoom, duration: reducedMotion() ? 0 : 900 },
    );
  }

  /** Moves the view to a point. */
  flyToPoint(lngLat, zoom) {
    this.map.flyTo({ center: lngLat, zoom, duration: reducedMotion() ? 0 : 1200 });
  }

  /** Resolves once the map has drawn everything it has been given (MapLibre's `idle`). */
  whenIdle() {
    return new Promise((resolve) => {
      this.map.once('idle', () => resolve());
      this.map.triggerRepaint();
    });
  }

  /** The current view as [w, s, e, n]. */
  viewBox() {
    const b = this.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  canvas() {
    return this.map.getCanvas();
  }

  resize() {
    this.map.resize();
  }
}
