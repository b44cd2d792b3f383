// The server's words for its codes, from GET /api/v1/vocabulary: service labels and map
// colours, the partnership levels and stages, indicator labels and units. The page keeps
// no copies of them; a code the vocabulary does not know is shown as it is.

/** The colour of a site whose service has none in the vocabulary. */
export const OTHER_SERVICE_COLOUR = '#6b6b6b';

let services = new Map();
let levels = new Map();
let stages = [];
let questions = [];
let indicators = new Map();
let ruleWords = new Map();
let targetMet = null;
let barrierScale = null;

/** Takes the answer of `/api/v1/vocabulary`. */
export function setVocabulary(doc) {
  services = new Map((doc.services || []).map((s) => [s.code, s]));
  levels = new Map((doc.partnership_levels || []).map((t) => [t.code, t]));
  stages = doc.partnership_stages || [];
  questions = doc.readiness_questions || [];
  indicators = new Map((doc.indicators || []).map((i) => [i.name, i]));
  ruleWords = new Map((doc.desert_rules || []).map((r) => [r.code, r]));
  targetMet = doc.scales?.target_met || null;
  barrierScale = doc.scales?.barriers || null;
}

/** The colour scale of an area's barrier count (0 to 4): `{colours, labels}`, or null without the vocabulary. */
export function barrierCountScale() {
  return barrierScale;
}

/** A desert rule kind's words: `{code, label, description}`. */
export function desertRuleWords(kind) {
  return ruleWords.get(kind) || { code: kind, label: String(kind), description: '' };
}

/**
 * The colour scale of "share of the target met" that the map and the report share:
 * `{bounds, colours, labels, no_demand}`, or null without the vocabulary.
 */
export function targetMetScale() {
  return targetMet;
}

/** A service's label ("Child care" for `childcare`). */
export function serviceLabel(code) {
  const s = services.get(code);
  return s ? s.label : String(code);
}

/** A service's map colour (`#rrggbb`). */
export function serviceColour(code) {
  const s = services.get(code);
  return s ? s.colour : OTHER_SERVICE_COLOUR;
}

/** A partnership level's label. */
export function levelLabel(code) {
  const t = levels.get(code);
  return t ? t.label : String(code);
}

/** A partnership stage's label. */
export function stageLabel(code) {
  const t = stages.find((s) => s.code === code);
  return t ? t.label : String(code);
}

/** The partnership levels, loosest first: `[{code, label, description}]`. */
export function partnershipLevels() {
  return [...levels.values()];
}

/** The readiness questions in the order they are asked: `[{code, question}]`. */
export function readinessQuestions() {
  return questions;
}

/** The partnership stages in their order: `[{code, label, description}]`. */
export function partnershipStages() {
  return stages;
}

/**
 * An indicator's words: `{name, label, unit, unit_singular}` ("Children under 5",
 * "children", "child"); an indicator the vocabulary has not heard of goes by its name.
 */
export function indicatorWords(name) {
  return indicators.get(name) || { name, label: String(name), unit: String(name), unit_singular: String(name) };
}

// Languages come as ISO 639 codes; their names are the browser's (Intl.DisplayNames).
const languageNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(['en'], { type: 'language' }) : null;

/** A language's English name ("Spanish" for `es`), or the code where the browser has none. */
export function languageLabel(code) {
  try {
    return languageNames?.of(code) || code;
  } catch {
    return code;
  }
}

/** Every service `{code, label, colour}`, in the vocabulary's order. */
export function allServices() {
  return [...services.values()];
}

/** Every indicator name the vocabulary knows (the catalogue's and the stored years'). */
export function indicatorNames() {
  return [...indicators.keys()];
}

/** Every desert rule `{code, label, description}`, in the vocabulary's order. */
export function desertRules() {
  return [...ruleWords.values()];
}
