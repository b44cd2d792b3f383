//! Honest filters: a site filter (`hours=`, `language=`) that the data cannot answer is
//! refused with `filter_without_data` instead of counting no site and inventing deserts,
//! and the filters a need declares are listed with whether the data supports each.
//!
//! A filter cannot be answered when no site supplying the need records the attribute it
//! reads (opening hours; any language), or, for a language, when the year's assessment
//! lacks the indicator that becomes the demand. Where the attribute is recorded but no
//! site matches (sites list languages, none lists Polish), the answer is a real one: no
//! site serves that language, and the API gives it. The page offers a language only
//! where some site serves it ([`FilterOption::available`]).

use super::params::{GapParams, Resolved, hours_name, resolve};
use super::supply::supply_sites;
use crate::atlas::Atlas;
use crate::domain::{Assessment, HoursFilter, Need, Site};
use crate::error::{Code, Error, Problem, Result};
use serde::Serialize;

/// How to record opening hours, for the messages.
const HOW_TO_ADD_HOURS: &str = "add them to the partner directory and upload it again: the \
    `hours` column of the flat CSV or the `hours` property of GeoJSON points, in \
    OpenStreetMap style (`Mo-Fr 06:30-18:00; Sa 08:00-12:00`), or the HSDS `schedules` table";
/// How to record languages, for the messages.
const HOW_TO_ADD_LANGUAGES: &str = "add them to the partner directory and upload it again: the \
    `languages` column of the flat CSV (ISO 639-1 codes, `en;es`), the `languages` array of \
    GeoJSON points, or the HSDS `languages` table";

/// One filter a need declares, as the data can answer it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FilterOption {
    /// The query parameter: `hours` or `language`.
    pub param: &'static str,
    /// Its value: `evening`, `weekend`, or an ISO 639-1 code.
    pub value: String,
    /// What it means, in words (hours filters); a language is named by its code.
    pub label: Option<&'static str>,
    /// The indicator that becomes the demand (language filters).
    pub demand_indicator: Option<String>,
    /// Sites supplying the need that record the attribute the filter reads.
    pub sites_recording: usize,
    /// Of those, the sites the filter keeps.
    pub sites_matching: usize,
    /// Whether `/gaps` answers it (false: `422 filter_without_data`).
    pub answerable: bool,
    /// Whether the page offers it: answerable, and for a language some site serves it.
    pub available: bool,
    /// Why not, and how to add what is missing; null when available.
    pub reason: Option<String>,
}

/// The filters of a need in a year (`GET /api/v1/needs/{code}/filters?year=`).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FilterReport {
    /// The need's code.
    pub need: String,
    /// The assessment year (a language's indicator is looked up there).
    pub year: i32,
    /// Sites supplying the need, without filters.
    pub sites: usize,
    /// The filters the need declares, hours first, then languages by code.
    pub filters: Vec<FilterOption>,
}

/// The words of an hours filter.
pub fn hours_label(h: HoursFilter) -> &'static str {
    match h {
        HoursFilter::Evening => "Open in the evening (after 18:00 on some day)",
        HoursFilter::Weekend => "Open at weekends (Saturday or Sunday)",
        HoursFilter::EveningOrWeekend => {
            "Open in the evening or at weekends (non-traditional hours)"
        }
    }
}

/// The sites that offer one of the need's services, whatever the filters.
fn offering<'a>(sites: &'a [Site], need: &Need) -> impl Iterator<Item = &'a Site> {
    sites
        .iter()
        .filter(|s| s.services.iter().any(|x| need.services.contains(&x.code)))
}

fn none_recorded(need: &Need, offering: usize, what: &str, how: &str) -> String {
    if offering == 0 {
        format!(
            "no site in the directory supplies '{}', so none records {what}; {how}",
            need.label
        )
    } else {
        format!(
            "none of the {offering} sites that supply '{}' records {what}; {how}",
            need.label
        )
    }
}

fn missing_indicator(a: &Assessment, lang: &str, indicator: &str) -> String {
    format!(
        "language={lang} takes its demand from the indicator '{indicator}' (residents who speak \
         that language and English less than \"very well\"), which the {} assessment does not \
         have; add a '{indicator}' column to the {} assessment CSV and upload the year again",
        a.year, a.year
    )
}

/// The filters `need` declares, each with what the data says of it, for `year`.
/// Errors: an unknown year (404).
pub fn filter_options(atlas: &Atlas, year: i32, need: &Need) -> Result<FilterReport> {
    let a = super::lookup::assessment(atlas, year)?;
    let sites: Vec<&Site> = offering(&atlas.sites, need).collect();
    let with_hours: Vec<_> = sites.iter().filter_map(|s| s.hours.as_ref()).collect();
    let with_languages = sites.iter().filter(|s| !s.languages.is_empty()).count();
    let mut filters = Vec::new();
    for &h in &need.filters.hours {
        let matching = with_hours.iter().filter(|x| x.matches(h)).count();
        let answerable = !with_hours.is_empty();
        filters.push(FilterOption {
            param: "hours",
            value: hours_name(h).to_owned(),
            label: Some(hours_label(h)),
            demand_indicator: None,
            sites_recording: with_hours.len(),
            sites_matching: matching,
            answerable,
            available: answerable,
            reason: (!answerable)
                .then(|| none_recorded(need, sites.len(), "its opening hours", HOW_TO_ADD_HOURS)),
        });
    }
    for (lang, indicator) in &need.filters.language {
        let matching = sites
            .iter()
            .filter(|s| s.languages.iter().any(|l| l.eq_ignore_ascii_case(lang)))
            .count();
        let mut reasons = Vec::new();
        if with_languages == 0 {
            reasons.push(none_recorded(
                need,
                sites.len(),
                "the languages it serves",
                HOW_TO_ADD_LANGUAGES,
            ));
        }
        if a.table.column(indicator).is_none() {
            reasons.push(missing_indicator(a, lang, indicator));
        }
        let answerable = reasons.is_empty();
        if answerable && matching == 0 {
            reasons.push(format!(
                "none of the {} sites that supply '{}' and list their languages serves '{lang}'",
                with_languages, need.label
            ));
        }
        filters.push(FilterOption {
            param: "language",
            value: lang.clone(),
            label: None,
            demand_indicator: Some(indicator.clone()),
            sites_recording: with_languages,
            sites_matching: matching,
            answerable,
            available: answerable && matching > 0,
            reason: (!reasons.is_empty()).then(|| reasons.join("; and ")),
        });
    }
    Ok(FilterReport {
        need: need.code.clone(),
        year,
        sites: sites.len(),
        filters,
    })
}

/// Refuses a filter no site's data can answer: `hours=` when no site supplying the need
/// records opening hours, `language=` when none lists any language. 422
/// `filter_without_data`, one detail per missing attribute.
pub fn check_site_filters(atlas: &Atlas, need: &Need, resolved: &Resolved) -> Result<()> {
    let mut problems = Vec::new();
    let offering: Vec<&Site> = offering(&atlas.sites, need).collect();
    if let Some(h) = resolved.hours
        && !offering.iter().any(|s| s.hours.is_some())
    {
        problems.push(Problem {
            file: None,
            row: None,
            field: Some("hours".into()),
            message: format!(
                "hours={} cannot be answered: {}",
                hours_name(h),
                none_recorded(need, offering.len(), "its opening hours", HOW_TO_ADD_HOURS)
            ),
        });
    }
    if let Some(lang) = &resolved.language
        && offering.iter().all(|s| s.languages.is_empty())
    {
        problems.push(Problem {
            file: None,
            row: None,
            field: Some("languages".into()),
            message: format!(
                "language={lang} cannot be answered: {}",
                none_recorded(
                    need,
                    offering.len(),
                    "the languages it serves",
                    HOW_TO_ADD_LANGUAGES
                )
            ),
        });
    }
    refuse(problems)
}

/// Refuses a language filter whose demand indicator the year's assessment lacks (422
/// `filter_without_data`, naming the indicator), together with what
/// [`check_site_filters`] finds.
pub fn check_filters(
    atlas: &Atlas,
    a: &Assessment,
    need: &Need,
    resolved: &Resolved,
) -> Result<()> {
    let mut problems = match check_site_filters(atlas, need, resolved) {
        Ok(()) => Vec::new(),
        Err(e) if e.code() == Code::FilterWithoutData => e.details().to_vec(),
        Err(e) => return Err(e),
    };
    if let Some(lang) = &resolved.language
        && a.table.column(&resolved.demand_indicator).is_none()
    {
        problems.push(Problem {
            file: None,
            row: None,
            field: Some(resolved.demand_indicator.clone()),
            message: missing_indicator(a, lang, &resolved.demand_indicator),
        });
    }
    refuse(problems)
}

fn refuse(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let message = problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join(". ");
    Err(Error::with_details(
        Code::FilterWithoutData,
        message,
        problems,
    ))
}

/// The positions in `Atlas::sites` of the sites that supply `need` and pass `params`'s
/// filters (what `/gaps` counts), refusing a filter no site's data can answer.
pub fn supplying_sites(atlas: &Atlas, need: &Need, params: &GapParams) -> Result<Vec<usize>> {
    let resolved = resolve(need, params)?;
    check_site_filters(atlas, need, &resolved)?;
    let (sites, _) = supply_sites(&atlas.sites, &resolved);
    Ok(sites.iter().map(|s| s.id as usize).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{assessment, atlas, site, squares};
    use crate::domain::{Catalog, Hours};

    fn with_hours(mut s: Site, hours: &str) -> Site {
        s.hours = Some(Hours::parse(hours).unwrap());
        s
    }

    fn with_languages(mut s: Site, langs: &[&str]) -> Site {
        s.languages = langs.iter().map(|l| (*l).to_owned()).collect();
        s
    }

    fn year(columns: &[&str]) -> Assessment {
        let values: Vec<Option<f64>> = columns.iter().map(|_| Some(100.0)).collect();
        assessment(2024, "g", columns, &[("01", &values)])
    }

    fn params(hours: Option<HoursFilter>, language: Option<&str>) -> GapParams {
        GapParams {
            hours,
            language: language.map(str::to_owned),
            ..GapParams::default()
        }
    }

    #[test]
    fn hours_nobody_records_are_refused_naming_the_attribute_and_how_to_add_it() {
        // A food pantry records hours, but no child-care site does.
        let a = atlas(
            vec![squares("g", &["01"])],
            vec![year(&["children_under_5"])],
            vec![
                site("c1", 0.005, "childcare", Some(10.0)),
                with_hours(site("f1", 0.005, "food", None), "Mo-Fr 09:00-20:00"),
            ],
        );
        let c = Catalog::bundled();
        let need = c.need("childcare").unwrap();
        let r = resolve(need, &params(Some(HoursFilter::Evening), None)).unwrap();
        let e = check_filters(&a, &a.assessments[&2024], need, &r).unwrap_err();
        assert_eq!(e.code(), Code::FilterWithoutData);
        assert_eq!(e.code().status().as_u16(), 422);
        assert_eq!(e.details().len(), 1);
        assert_eq!(e.details()[0].field.as_deref(), Some("hours"));
        assert!(
            e.message().starts_with(
                "hours=evening cannot be answered: none of the 1 sites that supply 'Child care' records its opening hours; add them"
            ),
            "{}",
            e.message()
        );
        assert!(e.message().contains("`hours` column"), "{}", e.message());
        let report = filter_options(&a, 2024, need).unwrap();
        let evening = &report.filters[0];
        assert_eq!(
            (evening.param, evening.value.as_str()),
            ("hours", "evening")
        );
        assert!(!evening.answerable && !evening.available);
        assert_eq!((evening.sites_recording, evening.sites_matching), (0, 0));
        assert!(
            evening
                .reason
                .as_deref()
                .unwrap()
                .contains("records its opening hours")
        );
    }

    #[test]
    fn recorded_hours_answer_the_filter_even_when_no_site_matches() {
        let a = atlas(
            vec![squares("g", &["01"])],
            vec![year(&["children_under_5"])],
            vec![
                with_hours(
                    site("c1", 0.005, "childcare", Some(10.0)),
                    "Mo-Fr 07:00-17:00",
                ),
                site("c2", 0.005, "childcare", Some(10.0)),
            ],
        );
        let c = Catalog::bundled();
        let need = c.need("childcare").unwrap();
        let r = resolve(need, &params(Some(HoursFilter::Evening), None)).unwrap();
        check_filters(&a, &a.assessments[&2024], need, &r).unwrap();
        let report = filter_options(&a, 2024, need).unwrap();
        assert_eq!(report.sites, 2);
        let evening = &report.filters[0];
        assert!(evening.answerable && evening.available && evening.reason.is_none());
        assert_eq!((evening.sites_recording, evening.sites_matching), (1, 0));
        let p = params(Some(HoursFilter::Evening), None);
        assert_eq!(supplying_sites(&a, need, &p).unwrap(), Vec::<usize>::new());
        let p = params(Some(HoursFilter::Weekend), None);
        assert!(supplying_sites(&a, need, &p).unwrap().is_empty());
        assert_eq!(
            supplying_sites(&a, need, &GapParams::default()).unwrap(),
            vec![0, 1]
        );
    }

    #[test]
    fn a_language_needs_its_indicator_and_recorded_languages() {
        let c = Catalog::bundled();
        let need = c.need("language").unwrap();
        // No site lists a language and the year has no lep_chinese: both are named.
        let bare = atlas(
            vec![squares("g", &["01"])],
            vec![year(&["lep_persons", "lep_spanish"])],
            vec![site("l1", 0.005, "language", None)],
        );
        let r = resolve(need, &params(None, Some("zh"))).unwrap();
        let e = check_filters(&bare, &bare.assessments[&2024], need, &r).unwrap_err();
        assert_eq!(e.code(), Code::FilterWithoutData);
        let fields: Vec<_> = e
            .details()
            .iter()
            .map(|p| p.field.clone().unwrap())
            .collect();
        assert_eq!(fields, ["languages", "lep_chinese"]);
        assert!(
            e.message().contains("the 2024 assessment does not have"),
            "{}",
            e.message()
        );
        // Spanish has its indicator, but still no site lists a language.
        let r = resolve(need, &params(None, Some("es"))).unwrap();
        let e = check_filters(&bare, &bare.assessments[&2024], need, &r).unwrap_err();
        assert_eq!(e.details().len(), 1);
        assert_eq!(e.details()[0].field.as_deref(), Some("languages"));

        // With languages recorded: Spanish is served, Polish is not (an honest zero),
        // Chinese still lacks its indicator.
        let a = atlas(
            vec![squares("g", &["01"])],
            vec![year(&["lep_persons", "lep_spanish", "lep_polish"])],
            vec![with_languages(
                site("l1", 0.005, "language", None),
                &["en", "es"],
            )],
        );
        for lang in ["es", "pl"] {
            let r = resolve(need, &params(None, Some(lang))).unwrap();
            check_filters(&a, &a.assessments[&2024], need, &r).unwrap();
        }
        let r = resolve(need, &params(None, Some("zh"))).unwrap();
        let e = check_filters(&a, &a.assessments[&2024], need, &r).unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("lep_chinese"));
        let report = filter_options(&a, 2024, need).unwrap();
        let by: std::collections::BTreeMap<_, _> = report
            .filters
            .iter()
            .map(|f| (f.value.as_str(), f))
            .collect();
        assert!(by["es"].available && by["es"].reason.is_none());
        assert_eq!(by["es"].sites_matching, 1);
        assert!(by["pl"].answerable && !by["pl"].available);
        assert!(by["pl"].reason.as_deref().unwrap().contains("serves 'pl'"));
        assert!(!by["zh"].answerable && !by["zh"].available);
        assert_eq!(by["zh"].demand_indicator.as_deref(), Some("lep_chinese"));
    }
}
