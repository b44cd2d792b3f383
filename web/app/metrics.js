// What each gap metric means, in which units, how it is written and coloured.
// Pure functions (no DOM), so the browser test can import them too.

import { distanceUnit, fromKm } from './distance.js';

/**
 * Quantities without a target (demand, distance) are drawn in greys, light to dark, so
 * that colour always means one thing: the share of the target met, on the server's scale
 * (`targetClasses`), the same as the printed report's.
 */
export const GREYS = ['#f7f7f7', '#cccccc', '#969696', '#636363', '#252525'];
/** Areas whose metric is undefined (no site at all, no demand value). */
export const NO_DATA = '#c8c8c8';

/**
 * The context every label needs, from the server's words: the need (its `supply_unit`
 * from /api/v1/needs), the words of its demand indicator after a language filter (an
 * entry of /api/v1/vocabulary's `indicators`, or null) and the radius in use.
 */
export function unitsFor(need, indicator, radiusKm) {
  return {
    demand: indicator ? { plural: indicator.unit, singular: indicator.unit_singular } : { plural: 'demand', singular: 'unit of demand' },
    supply: need ? need.supply_unit : 'supply',
    radius: radiusKm,
    target: need ? need.target : null,
  };
}

const sig = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const two = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const one = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A number as the page writes it: whole numbers grouped, small ratios to 3 significant digits. */
export function formatNumber(v, kind = 'auto') {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (kind === 'count') return Number.isInteger(v) ? whole.format(v) : one.format(v);
  // Distances come in km and are written in the reader's unit (distance.js).
  if (kind === 'km') return two.format(fromKm(v));
  if (kind === 'share') return `${whole.format(100 * v)}%`;
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1) return sig.format(v);
  if (a < 100) return two.format(v);
  return one.format(v);
}

/**
 * The metrics measured against the target that match each desert rule: colouring by one
 * of them, no desert can have the colour of "target met" (the rule and the colour read the
 * same supply). The first is the rule's default.
 */
const RULE_METRICS = {
  cap_childcare: ['shortfall_in_area'],
  access: ['access_e2sfca'],
  catchment: ['shortfall', 'access_2sfca'],
};

/** The metrics a map can be coloured by under a desert rule (its `kind`), in menu order. */
export function mapMetrics(ruleKind, minutes = false) {
  return [
    ...(RULE_METRICS[ruleKind] || ['shortfall', 'access_2sfca', 'access_e2sfca']),
    'demand',
    'nearest_km',
    ...(minutes ? ['nearest_minutes'] : []),
  ];
}

/** How a sentence says each travel mode. */
export const MODE_PHRASES = { walk: 'on foot', transit: 'by transit', drive: 'by car', bike: 'by bike' };

/** True for the metrics coloured by the share of the target met (`target_met`). */
export function isTargetMetric(metric) {
  return ['shortfall_in_area', 'shortfall', 'access_2sfca', 'access_e2sfca'].includes(metric);
}

/**
 * Every metric of an area: menu label, number kind, direction, unit and one line saying
 * what it means. `u` comes from `unitsFor`.
 */
export function metricInfo(metric, u) {
  const r = u.minutes
    ? `${formatNumber(u.minutes.reach, 'count')} min ${MODE_PHRASES[u.minutes.mode] || u.minutes.mode}`
    : u.radius === null || u.radius === undefined
      ? 'the catchment'
      : `${formatNumber(u.radius, 'km')} ${distanceUnit()}`;
  const per = `${u.supply} per ${u.demand.singular}`;
  switch (metric) {
    case 'demand':
      return {
        label: 'Demand',
        kind: 'count',
        higher: 'more need',
        unit: u.demand.plural,
        explain: `${u.demand.plural} living in the area, from the assessment`,
      };
    case 'shortfall':
      return {
        label: 'Shortfall',
        kind: 'auto',
        higher: 'worse',
        unit: `${u.supply} missing`,
        explain: `${u.supply} missing to reach the target of ${formatNumber(u.target)} ${per}`,
      };
    case 'shortfall_in_area':
      return {
        label: 'Shortfall in the area',
        kind: 'auto',
        higher: 'worse',
        unit: `${u.supply} missing`,
        explain: `${u.supply} missing inside the area’s boundary to reach ${formatNumber(u.target)} ${per}: demand × target − supply inside, at least 0`,
      };
    case 'target_met':
      return {
        label: 'Share of the target met',
        kind: 'share',
        higher: 'better',
        unit: 'of the target',
        explain: 'supply as the desert rule measures it, divided by what the target asks for the area’s demand',
      };
    case 'access_2sfca':
      return {
        label: 'Access (2SFCA)',
        kind: 'auto',
        higher: 'better',
        unit: per,
        explain: `supply within ${r}, each site shared among everyone who can reach it`,
      };
    case 'access_e2sfca':
      return {
        label: 'Access (E2SFCA)',
        kind: 'auto',
        higher: 'better',
        unit: per,
        explain: 'the same, but nearer sites count for more',
      };
    case 'nearest_km':
      return {
        label: 'Nearest site',
        kind: 'km',
        higher: 'worse',
        unit: distanceUnit(),
        explain: 'straight line from where people live to the closest site',
      };
    case 'nearest_minutes':
      return {
        label: 'Nearest site (minutes)',
        kind: 'count',
        higher: 'worse',
        unit: 'min',
        explain: `the least time ${MODE_PHRASES[u.minutes?.mode] || 'on the matrix'} to the closest site, whatever the reach; — when the matrix has no pair to one`,
      };
    case 'sites_within':
      return {
        label: `Sites within ${r}`,
        kind: 'count',
        unit: 'sites',
        explain: `sites within ${r} of where people live`,
      };
    case 'capacity_within':
      return {
        label: `Supply within ${r}`,
        kind: 'count',
        unit: u.supply,
        explain: u.supply === 'sites' ? 'one unit of supply per site' : 'the capacity of those sites, added up',
      };
    case 'sites_in_area':
      return {
        label: 'Sites in the area',
        kind: 'count',
        unit: 'sites',
        explain: 'sites inside the area’s boundary',
      };
    case 'capacity_in_area':
      return {
        label: 'Supply in the area',
        kind: 'count',
        unit: u.supply,
        explain: u.supply === 'sites' ? 'one unit of supply per site inside' : 'the capacity of the sites inside',
      };
    default:
      return { label: metric, kind: 'auto', unit: '', explain: '' };
  }
}

/** The fields an area popup lists, in order (desert comes last, on its own). */
export const POPUP_FIELDS = [
  'demand',
  'nearest_km',
  'sites_within',
  'capacity_within',
  'sites_in_area',
  'capacity_in_area',
  'access_2sfca',
  'access_e2sfca',
  'shortfall',
  'shortfall_in_area',
  'target_met',
];

/**
 * The fixed classes of "share of the target met" from the server's scale (the vocabulary's
 * `scales.target_met`), as `classify` gives them: class i covers [breaks[i-1], breaks[i]).
 */
export function targetClasses(scale) {
  if (!scale) return { breaks: [], colours: [], min: null, max: null, minAlone: false, fixed: true };
  return { breaks: [...scale.bounds], colours: [...scale.colours], labels: [...scale.labels], missing: scale.no_demand, fixed: true };
}

/**
 * Fixed distance classes at shares of the radius r: under r/4, r/4 to r/2, r/2 to r, r to
 * 2r, 2r and beyond.
 */
export function distanceClasses(radiusKm, palette = GREYS) {
  const r = radiusKm || 1;
  return { breaks: [r / 4, r / 2, r, 2 * r], colours: [...palette], fixed: true, distance: true };
}

/** Rounds to two significant digits, so legend breaks read cleanly. */
function nice(v) {
  return v === 0 ? 0 : Number(v.toPrecision(2));
}

/**
 * Classes for a choropleth: quantile breaks over the finite values, with the smallest value
 * in a class of its own when many areas share it (shortfall 0, access 0). Returns
 * `{breaks, colours, min, max, minAlone}` where class i covers [breaks[i-1], breaks[i]).
 */
export function classify(values, palette = GREYS) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return { breaks: [], colours: [], min: null, max: null, minAlone: false };
  const min = xs[0];
  const max = xs[xs.length - 1];
  if (min === max) return { breaks: [], colours: [palette[0]], min, max, minAlone: false };
  const atMin = xs.filter((v) => v === min).length;
  const breaks = [];
  let rest = xs;
  let classes = palette.length;
  const minAlone = atMin / xs.length >= 0.15;
  if (minAlone) {
    rest = xs.slice(atMin);
    // The first break sits just above the shared minimum.
    breaks.push(rest[0]);
    classes -= 1;
  }
  for (let k = 1; k < classes; k++) {
    const q = rest[Math.min(rest.length - 1, Math.floor((k * rest.length) / classes))];
    const b = nice(q);
    if (b > (breaks.length ? breaks[breaks.length - 1] : min) && b <= max) breaks.push(b);
  }
  const n = breaks.length + 1;
  // Spread the palette over the classes actually present.
  const colours = Array.from({ length: n }, (_, i) => palette[Math.round((i * (palette.length - 1)) / Math.max(1, n - 1))]);
  return { breaks, colours, min, max, minAlone };
}

/** A MapLibre expression colouring by `metric` with the classes of `classify`. */
export function colourExpression(metric, cls) {
  const value = ['get', metric];
  if (cls.colours.length === 0) return NO_DATA;
  const step = cls.breaks.length
    ? ['step', value, cls.colours[0], ...cls.breaks.flatMap((b, i) => [b, cls.colours[i + 1]])]
    : cls.colours[0];
  return ['case', ['==', ['typeof', value], 'number'], step, cls.missing || NO_DATA];
}

/** The class of a value under `classify`'s or the fixed classes (as the map's step). */
export function classOf(v, cls) {
  return cls.breaks.filter((b) => v >= b).length;
}

/** Legend rows `{colour, label}` for the classes of `classify` (shared endpoints, as maps do). */
export function legendRows(cls, kind) {
  const f = (v) => formatNumber(v, kind === 'count' ? 'auto' : kind);
  if (cls.colours.length === 0) return [];
  // The server's classes of the share of the target met, in its words, best last.
  if (cls.labels) return cls.colours.map((colour, i) => ({ colour, label: cls.labels[i] }));
  if (cls.distance) {
    const b = cls.breaks;
    const km = (v) => `${formatNumber(v, 'km')} ${distanceUnit()}`;
    return [
      { colour: cls.colours[0], label: `under ${km(b[0])}` },
      { colour: cls.colours[1], label: `${km(b[0])} to under ${km(b[1])}` },
      { colour: cls.colours[2], label: `${km(b[1])} to under ${km(b[2])}` },
      { colour: cls.colours[3], label: `${km(b[2])} to under ${km(b[3])} (beyond the radius)` },
      { colour: cls.colours[4], label: `${km(b[3])} or more` },
    ];
  }
  if (cls.breaks.length === 0) return [{ colour: cls.colours[0], label: f(cls.min) }];
  const b = cls.breaks;
  // With the minimum in a class of its own, the first break is the smallest larger value.
  const minAlone = cls.minAlone;
  const rows = [{ colour: cls.colours[0], label: minAlone ? f(cls.min) : `${f(cls.min)} – ${f(b[0])}` }];
  for (let i = 0; i < b.length; i++) {
    const lo = i === 0 && minAlone ? `more than ${f(cls.min)}` : f(b[i]);
    const hi = i + 1 < b.length ? b[i + 1] : cls.max;
    rows.push({ colour: cls.colours[i + 1], label: `${lo} – ${f(hi)}` });
  }
  return rows;
}

/**
 * How bad an area is on a metric, for ranking (larger = worse). Access ranks the lowest
 * first among areas with demand; null when the area cannot be ranked on it.
 */
export function badness(metric, a) {
  const v = a[metric];
  switch (metric) {
    case 'access_2sfca':
    case 'access_e2sfca':
      return typeof v === 'number' && a.demand > 0 ? -v : null;
    case 'nearest_km':
    case 'nearest_minutes':
      // No site at all (or none reachable) is the worst distance there is.
      if (a.demand > 0 && (v === null || v === undefined)) return Infinity;
      return typeof v === 'number' ? v : null;
    default:
      return typeof v === 'number' ? v : null;
  }
}

/** Ranks areas worst first on a metric (ties: larger shortfall, larger demand, then GEOID). */
export function rank(areas, metric) {
  return areas
    .map((a) => ({ a, b: badness(metric, a) }))
    .filter((x) => x.b !== null)
    .sort(
      (x, y) =>
        y.b - x.b ||
        (y.a.shortfall ?? 0) - (x.a.shortfall ?? 0) ||
        (y.a.demand ?? 0) - (x.a.demand ?? 0) ||
        String(x.a.geoid).localeCompare(String(y.a.geoid)),
    )
    .map((x) => x.a);
}

// ---- year-over-year change (the Compare view) ----------------------------------------

/**
 * PuOr in seven steps, purple (better) to orange (worse), white in the middle: diverging and
 * colour-blind safe.
 */
export const DIVERGING = ['#542788', '#998ec3', '#d8daeb', '#f7f7f7', '#fee0b6', '#f1a340', '#b35806'];

/** The changes a Compare map can be coloured by, in menu order. */
export const CHANGE_METRICS = ['shortfall_change', 'demand_change', 'access_2sfca_change', 'access_e2sfca_change'];

/** What a `*_change` field means: label, unit (the base metric's) and which way is worse. */
export function changeInfo(field, u) {
  const base = field.replace(/_change$/, '');
  const info = metricInfo(base, u);
  return {
    label: `Change in ${info.label.charAt(0).toLowerCase()}${info.label.slice(1)}`,
    kind: info.kind,
    unit: info.unit,
    // A rise in demand or shortfall is worse; a rise in access is better.
    higherIsWorse: info.higher !== 'better',
  };
}

/** Rounds a class width up to 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * Seven classes centred on 0 for changes: the middle class is "about no change" and the
 * breaks are symmetric (±w/2, ±3w/2, ±5w/2), w from the 90th percentile of |change|. Colours run purple → orange from better to
 * worse, so `higherIsWorse` orders them. Returns `{breaks, colours, step, max}` (as
 * `classify`, so `colourExpression` accepts it).
 */
export function divergingClasses(values, higherIsWorse = true) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const palette = higherIsWorse ? DIVERGING : [...DIVERGING].reverse();
  if (!xs.length) return { breaks: [], colours: [], step: 0, max: null, lo: null, hi: null, values: [] };
  const abs = xs.map(Math.abs).sort((x, y) => x - y);
  const max = abs[abs.length - 1];
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (max === 0) return { breaks: [], colours: [palette[3]], step: 0, max, lo, hi, values: xs };
  // The scale reaches the 90th percentile of the size of the change, so one outlier does
  // not wash the others out (the end classes are open: "above", "below").
  const p90 = abs[Math.min(abs.length - 1, Math.floor(0.9 * abs.length))];
  const w = niceStep((2 * (p90 > 0 ? p90 : max)) / 7);
  const breaks = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5].map((k) => k * w);
  return { breaks, colours: palette, step: w, max, lo, hi, values: xs };
}

/**
 * Legend rows `{colour, label, count}` for `divergingClasses`, from the lowest change up.
 * Each class shows the range its areas really span (the end classes reach the smallest
 * and largest change), and how many areas it holds; an empty class says so.
 */
export function divergingRows(cls, kind) {
  const f = (v) => (v > 0 ? '+' : v < 0 ? '−' : '') + formatNumber(Math.abs(v), kind === 'count' ? 'auto' : kind);
  if (!cls.colours.length) return [];
  const n = (xs) => `${formatNumber(xs.length, 'count')} ${xs.length === 1 ? 'area' : 'areas'}`;
  if (!cls.breaks.length)
    return [{ colour: cls.colours[0], label: `No change (${n(cls.values || [])})`, count: (cls.values || []).length }];
  const b = cls.breaks;
  const xs = cls.values || [];
  const rows = [];
  for (let i = 0; i <= b.length; i++) {
    const lower = i === 0 ? -Infinity : b[i - 1];
    const upper = i === b.length ? Infinity : b[i];
    const inClass = xs.filter((v) => v >= lower && v < upper);
    let label;
    if (!inClass.length)
      label =
        i === 0 ? `below ${f(b[0])}: none` : i === b.length ? `${f(b[b.length - 1])} or more: none` : `${f(lower)} to ${f(upper)}: none`;
    else {
      const min = Math.min(...inClass);
      const max = Math.max(...inClass);
      label = min === max ? `${f(min)} (${n(inClass)})` : `${f(min)} to ${f(max)} (${n(inClass)})`;
    }
    if (i === 3) label += ', about no change';
    rows.push({ colour: cls.colours[i], label, count: inClass.length });
  }
  return rows;
}
