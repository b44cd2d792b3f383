//! The body of `PUT /api/v1/needs/{code}`: one need as JSON, in the shape of a
//! `data/needs.toml` entry (and of one entry of `GET /api/v1/needs`, so that a need read
//! there can be changed and sent back). It replaces the stored need as a whole, or adds
//! it. A body that is not a JSON object is refused with 400 `malformed_body`, a key that is
//! not a need's with 400 `unknown_field`, and everything else that cannot be taken with
//! 422 `invalid_value`, every problem naming its field (`target`, `bands[1]`,
//! `desert_rule.threshold`, `filters.language.es`), so a form can show each beside its
//! input.

use crate::domain::{DesertRule, Need, NeedFilters, ServiceDef, Supply, check_need};
use crate::error::{Code, Error, Problem, Result};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The keys a body may hold. `version` is the version the caller edited (checked against
/// the stored one); `updated_at` and `updated_by` are what `GET /api/v1/needs` shows and
/// are not taken from a body.
pub const NEED_KEYS: [&str; 17] = [
    "code",
    "label",
    "demand_indicator",
    "services",
    "supply",
    "supply_unit",
    "default_capacity",
    "radius_km",
    "bands",
    "max_minutes",
    "bands_minutes",
    "target",
    "desert_rule",
    "filters",
    "version",
    "updated_at",
    "updated_by",
];

/// The keys of each desert rule, after `kind`.
const RULE_KEYS: [(&str, &[&str]); 3] = [
    ("cap_childcare", &["min_demand", "max_ratio"]),
    ("access", &["min_demand", "threshold"]),
    ("catchment", &["min_demand", "strict_min"]),
];

/// A need read from a body, with the version its sender edited.
#[derive(Clone, Debug, PartialEq)]
pub struct NeedBody {
    /// The need, checked.
    pub need: Need,
    /// `version` from the body: the stored version the change was made on (0: a new need).
    pub expected_version: Option<i64>,
}

struct Reader<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    fn bad(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::field(field, message));
    }

    fn required(&mut self, key: &str) -> Option<&'a Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => {
                self.bad(key, format!("'{key}' is required"));
                None
            }
            Some(v) => Some(v),
        }
    }

    fn text(&mut self, key: &str) -> String {
        match self.required(key) {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(other) => {
                self.bad(key, format!("'{key}' must be text, not {other}"));
                String::new()
            }
            None => String::new(),
        }
    }

    fn number_at(&mut self, field: &str, v: &Value) -> f64 {
        match v.as_f64() {
            Some(x) => x,
            None => {
                self.bad(field, format!("'{field}' must be a number, not {v}"));
                f64::NAN
            }
        }
    }

    fn number(&mut self, key: &str) -> f64 {
        match self.required(key) {
            Some(v) => self.number_at(key, v),
            None => f64::NAN,
        }
    }

    fn optional_number(&mut self, key: &str) -> Option<f64> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.number_at(key, v)),
        }
    }

    fn bands_at(&mut self, key: &str, v: &Value) -> Vec<(f64, f64)> {
        let Some(items) = v.as_array() else {
            self.bad(
                key,
                format!("'{key}' must be an array of [upper, weight] pairs, not {v}"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let field = format!("{key}[{i}]");
            match item.as_array().map(Vec::as_slice) {
                Some([upper, weight]) => {
                    let upper = self.number_at(&field, upper);
                    let weight = self.number_at(&field, weight);
                    out.push((upper, weight));
                }
                _ => self.bad(
                    &field,
                    format!("a band is a pair [upper, weight], not {item}"),
                ),
            }
        }
        out
    }

    fn rule(&mut self) -> DesertRule {
        let fallback = DesertRule::Catchment {
            min_demand: 0.0,
            strict_min: false,
        };
        let Some(v) = self.required("desert_rule") else {
            return fallback;
        };
        let Some(rule) = v.as_object() else {
            self.bad(
                "desert_rule",
                format!("'desert_rule' must be an object such as {{\"kind\": \"access\", \"min_demand\": 100, \"threshold\": 0.0002}}, not {v}"),
            );
            return fallback;
        };
        let kinds = RULE_KEYS.map(|(k, _)| k).join(", ");
        let kind = match rule.get("kind") {
            Some(Value::String(k)) => k.as_str(),
            _ => {
                self.bad(
                    "desert_rule.kind",
                    format!("'desert_rule.kind' is required: one of {kinds}"),
                );
                return fallback;
            }
        };
        let Some((_, keys)) = RULE_KEYS.iter().find(|(k, _)| *k == kind) else {
            self.bad(
                "desert_rule.kind",
                format!("'{kind}' is not a desert rule; the rules are: {kinds}"),
            );
            return fallback;
        };
        for key in rule
            .keys()
            .filter(|k| *k != "kind" && !keys.contains(&k.as_str()))
        {
            self.bad(
                &format!("desert_rule.{key}"),
                format!(
                    "a {kind} rule has no '{key}'; its fields are: kind, {}",
                    keys.join(", ")
                ),
            );
        }
        let number = |me: &mut Self, key: &str| {
            let field = format!("desert_rule.{key}");
            match rule.get(key) {
                None | Some(Value::Null) => {
                    me.bad(&field, format!("a {kind} rule needs '{key}'"));
                    f64::NAN
                }
                Some(v) => me.number_at(&field, v),
            }
        };
        match kind {
            "cap_childcare" => DesertRule::CapChildcare {
                min_demand: number(self, "min_demand"),
                max_ratio: number(self, "max_ratio"),
            },
            "access" => DesertRule::Access {
                min_demand: number(self, "min_demand"),
                threshold: number(self, "threshold"),
            },
            _ => DesertRule::Catchment {
                min_demand: number(self, "min_demand"),
                strict_min: match rule.get("strict_min") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        self.bad(
                            "desert_rule.strict_min",
                            format!("'desert_rule.strict_min' must be true or false, not {other}"),
                        );
                        false
                    }
                },
            },
        }
    }
}

/// Reads the body of `PUT /api/v1/needs/{code}` and checks it: the rules of
/// [`check_need`] against `services`, and each indicator it names against `indicator_known`
/// (the indicator catalogue and the stored years' columns).
pub fn need_body(
    code: &str,
    body: &[u8],
    services: &BTreeMap<String, ServiceDef>,
    indicator_known: &dyn Fn(&str) -> bool,
) -> Result<NeedBody> {
    let map = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(Error::new(
                Code::MalformedBody,
                "the body must be a JSON object: one need, as GET /api/v1/needs lists it",
            ));
        }
        Err(e) => {
            return Err(Error::new(
                Code::MalformedBody,
                format!("the body is not JSON: {e}"),
            ));
        }
    };
    let unknown: Vec<Problem> = map
        .keys()
        .filter(|k| !NEED_KEYS.contains(&k.as_str()))
        .map(|k| {
            Problem::field(
                k,
                format!(
                    "'{k}' is not a field of a need; the fields are: {}",
                    NEED_KEYS[..14].join(", ")
                ),
            )
        })
        .collect();
    if !unknown.is_empty() {
        let message = unknown
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::with_details(Code::UnknownField, message, unknown));
    }
    let mut r = Reader {
        map: &map,
        problems: Vec::new(),
    };
    match map.get("code") {
        None | Some(Value::Null) => {}
        Some(Value::String(c)) if c == code => {}
        Some(other) => r.bad(
            "code",
            format!(
                "the body's code {other} is not the address's '{code}': a need's code cannot change"
            ),
        ),
    }
    let label = r.text("label");
    let demand_indicator = r.text("demand_indicator");
    let services_list = match r.required("services") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v.as_str() {
                Some(s) => Some(s.trim().to_owned()),
                None => {
                    r.bad(
                        &format!("services[{i}]"),
                        format!("a service code is text, not {v}"),
                    );
                    None
                }
            })
            .collect(),
        Some(other) => {
            r.bad(
                "services",
                format!("'services' must be an array of service codes, not {other}"),
            );
            Vec::new()
        }
        None => Vec::new(),
    };
    let supply = match r.required("supply") {
        Some(Value::String(s)) if s == "capacity" => Supply::Capacity,
        Some(Value::String(s)) if s == "sites" => Supply::Sites,
        Some(other) => {
            r.bad(
                "supply",
                format!("'supply' is \"capacity\" (the sites' capacity) or \"sites\" (one per site), not {other}"),
            );
            Supply::Sites
        }
        None => Supply::Sites,
    };
    let supply_unit = match map.get("supply_unit") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(other) => {
            r.bad(
                "supply_unit",
                format!("'supply_unit' must be text, not {other}"),
            );
            String::new()
        }
    };
    let default_capacity = r.number("default_capacity");
    let radius_km = r.number("radius_km");
    let bands = match r.required("bands") {
        Some(v) => r.bands_at("bands", v),
        None => Vec::new(),
    };
    let max_minutes = r.optional_number("max_minutes");
    let bands_minutes = match map.get("bands_minutes") {
        None | Some(Value::Null) => None,
        Some(v) => Some(r.bands_at("bands_minutes", v)),
    };
    let target = r.number("target");
    let desert_rule = r.rule();
    let filters = match map.get("filters") {
        None | Some(Value::Null) => NeedFilters::default(),
        Some(v) => match serde_json::from_value::<NeedFilters>(v.clone()) {
            Ok(f) => f,
            Err(e) => {
                r.bad(
                    "filters",
                    format!("'filters' is {{\"hours\": [\"evening\", \"weekend\", \"evening_or_weekend\"], \"language\": {{\"es\": \"lep_spanish\"}}}} or a part of it: {e}"),
                );
                NeedFilters::default()
            }
        },
    };
    let expected_version = match map.get("version") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64().filter(|x| *x >= 0) {
            Some(x) => Some(x),
            None => {
                r.bad(
                    "version",
                    format!("'version' is the stored version the change was made on (a whole number ≥ 0), not {v}"),
                );
                None
            }
        },
    };
    let mut problems = r.problems;
    let mut need = Need {
        version: 0,
        updated_at: None,
        updated_by: None,
        code: code.to_owned(),
        label,
        demand_indicator,
        services: services_list,
        supply,
        supply_unit,
        default_capacity,
        radius_km,
        bands,
        max_minutes,
        bands_minutes,
        target,
        desert_rule,
        filters,
    };
    need.normalise();
    // The rules, for the fields that were read; a field already refused is not refused twice.
    let refused: Vec<String> = problems.iter().filter_map(|p| p.field.clone()).collect();
    let root = |f: &str| f.split(['[', '.']).next().unwrap_or(f).to_owned();
    for p in check_need(&need, services) {
        let field = p.field.clone().unwrap_or_default();
        if !refused
            .iter()
            .any(|r| *r == field || root(r) == root(&field))
        {
            problems.push(p);
        }
    }
    let unknown_indicator = |name: &str| {
        format!(
            "unknown indicator '{name}': it is neither in data/indicators.toml (or --indicators) nor a column of a stored assessment; upload a year with that column first, or name one of those"
        )
    };
    if !need.demand_indicator.is_empty()
        && !refused.iter().any(|f| f == "demand_indicator")
        && !indicator_known(&need.demand_indicator)
    {
        problems.push(Problem::field(
            "demand_indicator",
            unknown_indicator(&need.demand_indicator),
        ));
    }
    for (lang, indicator) in &need.filters.language {
        if !indicator.trim().is_empty() && !indicator_known(indicator) {
            problems.push(Problem::field(
                &format!("filters.language.{lang}"),
                unknown_indicator(indicator),
            ));
        }
    }
    if problems.is_empty() {
        return Ok(NeedBody {
            need,
            expected_version,
        });
    }
    let said = |p: &Problem| match &p.field {
        Some(f) => format!("{f}: {}", p.message),
        None => p.message.clone(),
    };
    let message = match problems.len() {
        1 => format!("need '{code}' was not stored: {}", said(&problems[0])),
        n => format!(
            "need '{code}' was not stored: {n} fields cannot be taken, the first: {}",
            said(&problems[0])
        ),
    };
    Err(Error::with_details(Code::InvalidValue, message, problems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Catalog;
    use serde_json::json;

    fn childcare() -> Value {
        serde_json::to_value(Catalog::bundled().need("childcare").unwrap()).unwrap()
    }

    fn read(body: &Value) -> Result<NeedBody> {
        let c = Catalog::bundled();
        let known = |name: &str| name.starts_with("children_") || name == "lep_spanish";
        need_body(
            "childcare",
            body.to_string().as_bytes(),
            c.services(),
            &known,
        )
    }

    fn fields(body: &Value) -> Vec<String> {
        let e = read(body).unwrap_err();
        assert_eq!(e.code(), Code::InvalidValue, "{}", e.message());
        e.details()
            .iter()
            .map(|p| p.field.clone().unwrap())
            .collect()
    }

    #[test]
    fn a_need_as_listed_is_read_back_as_it_was() {
        let body = read(&childcare()).unwrap();
        assert_eq!(&body.need, Catalog::bundled().need("childcare").unwrap());
        // The bundled need is at version 0 (not stored).
        assert_eq!(body.expected_version, Some(0));
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let mut b = childcare();
        b["target"] = json!(0);
        b["radius_km"] = json!(-1);
        b["bands"] = json!([[1.0, 1.0], [0.5, 0.68]]);
        b["services"] = json!(["childcare", "nannies"]);
        b["demand_indicator"] = json!("infants");
        let got = fields(&b);
        assert_eq!(
            got,
            [
                "services[1]",
                "radius_km",
                "bands[1]",
                "target",
                "demand_indicator"
            ]
        );
        // Child care's rule: a ratio whose desert would meet the target.
        let mut b = childcare();
        b["target"] = json!(0.25);
        assert_eq!(fields(&b), ["desert_rule.max_ratio"]);
        // An access rule whose threshold is above the target.
        let mut b = childcare();
        b["desert_rule"] = json!({"kind": "access", "min_demand": 10, "threshold": 0.5});
        assert_eq!(fields(&b), ["desert_rule.threshold"]);
        let mut b = childcare();
        b["desert_rule"] = json!({"kind": "access", "min_demand": 10});
        assert_eq!(fields(&b), ["desert_rule.threshold"]);
        let mut b = childcare();
        b["desert_rule"] = json!({"kind": "nearest"});
        assert_eq!(fields(&b), ["desert_rule.kind"]);
    }

    #[test]
    fn missing_and_mistyped_fields_are_named_once() {
        let mut b = childcare();
        b.as_object_mut().unwrap().remove("target");
        b["radius_km"] = json!("3");
        assert_eq!(fields(&b), ["radius_km", "target"]);
        let mut b = childcare();
        b["filters"] = json!({"language": {"es": "lep_es"}});
        assert_eq!(fields(&b), ["filters.language.es"]);
        let mut b = childcare();
        b["label"] = json!("Child\ncare");
        assert_eq!(fields(&b), ["label"]);
    }

    #[test]
    fn unknown_keys_and_another_code_are_refused() {
        let mut b = childcare();
        b["colour"] = json!("#fff");
        let e = read(&b).unwrap_err();
        assert_eq!(e.code(), Code::UnknownField);
        assert_eq!(e.details()[0].field.as_deref(), Some("colour"));
        let mut b = childcare();
        b["code"] = json!("food");
        assert_eq!(fields(&b), ["code"]);
        let e = read(&json!([1])).unwrap_err();
        assert_eq!(e.code(), Code::MalformedBody);
    }

    #[test]
    fn the_version_edited_is_returned() {
        let mut b = childcare();
        b["version"] = json!(3);
        assert_eq!(read(&b).unwrap().expected_version, Some(3));
        b["version"] = json!(-1);
        assert_eq!(fields(&b), ["version"]);
    }
}
