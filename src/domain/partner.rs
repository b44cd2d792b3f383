use super::{Hours, LonLat};
use serde::{Deserialize, Serialize};

/// How closely a partner works with the program (the Head Start partnership continuum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnershipLevel {
    Networking,
    Coordination,
    Cooperation,
    Collaboration,
}

/// The stage of building a collaborative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnershipStage {
    GettingTogether,
    BuildingTrust,
    StrategicPlan,
    TakingAction,
}

impl PartnershipLevel {
    /// The accepted spellings, for error messages.
    pub const ALLOWED: &'static str = "networking, coordination, cooperation, collaboration";

    /// Every level, from the loosest to the closest.
    pub const ALL: [Self; 4] = [
        Self::Networking,
        Self::Coordination,
        Self::Cooperation,
        Self::Collaboration,
    ];

    /// The readable name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Networking => "Networking",
            Self::Coordination => "Coordination",
            Self::Cooperation => "Cooperation",
            Self::Collaboration => "Collaboration",
        }
    }

    /// What partners at this level do together (Himmelman's continuum, as Head Start's
    /// partnership guides use it: each level adds to the one before).
    pub fn description(self) -> &'static str {
        match self {
            Self::Networking => "Exchanging information for mutual benefit.",
            Self::Coordination => {
                "Exchanging information and changing activities for a common purpose."
            }
            Self::Cooperation => {
                "Exchanging information, changing activities and sharing resources for a \
                 common purpose."
            }
            Self::Collaboration => {
                "All of cooperation, and enhancing each other's capacity to reach a common \
                 purpose."
            }
        }
    }

    /// Parses a level, ignoring case and surrounding space.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "networking" => Self::Networking,
            "coordination" => Self::Coordination,
            "cooperation" => Self::Cooperation,
            "collaboration" => Self::Collaboration,
            _ => return None,
        })
    }

    /// The stable snake_case text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Networking => "networking",
            Self::Coordination => "coordination",
            Self::Cooperation => "cooperation",
            Self::Collaboration => "collaboration",
        }
    }
}

impl PartnershipStage {
    /// The accepted spellings, for error messages.
    pub const ALLOWED: &'static str =
        "getting_together, building_trust, strategic_plan, taking_action";

    /// Every stage, in the order a collaborative goes through them.
    pub const ALL: [Self; 4] = [
        Self::GettingTogether,
        Self::BuildingTrust,
        Self::StrategicPlan,
        Self::TakingAction,
    ];

    /// The readable name.
    pub fn label(self) -> &'static str {
        match self {
            Self::GettingTogether => "Getting together",
            Self::BuildingTrust => "Building trust and ownership",
            Self::StrategicPlan => "Developing a strategic plan",
            Self::TakingAction => "Taking action",
        }
    }

    /// What partners do at this stage of building a collaborative.
    pub fn description(self) -> &'static str {
        match self {
            Self::GettingTogether => {
                "Coming together around a shared concern and deciding who else must take part."
            }
            Self::BuildingTrust => {
                "Learning each other's work and agreeing on a shared vision and goals."
            }
            Self::StrategicPlan => "Choosing what to change, how, and who does what.",
            Self::TakingAction => "Carrying out the plan and tracking what it achieves.",
        }
    }

    /// Parses a stage; the long names ("building trust and ownership") are accepted too.
    pub fn parse(s: &str) -> Option<Self> {
        let norm: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        Some(match norm.as_str() {
            "getting_together" => Self::GettingTogether,
            "building_trust" | "building_trust_and_ownership" => Self::BuildingTrust,
            "strategic_plan" | "developing_a_strategic_plan" => Self::StrategicPlan,
            "taking_action" => Self::TakingAction,
            _ => return None,
        })
    }

    /// The stable snake_case text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GettingTogether => "getting_together",
            Self::BuildingTrust => "building_trust",
            Self::StrategicPlan => "strategic_plan",
            Self::TakingAction => "taking_action",
        }
    }
}

/// Checks a `YYYY-MM-DD` calendar date and returns it unchanged.
pub fn parse_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: u32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then(|| s.to_owned())
}

/// The questions a program asks itself before committing to a partnership (Head Start's
/// partnership readiness questions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadinessQuestion {
    NeedForChange,
    Ideas,
    Benefits,
    Challenges,
}

impl ReadinessQuestion {
    /// Every question, in the order they are asked.
    pub const ALL: [Self; 4] = [
        Self::NeedForChange,
        Self::Ideas,
        Self::Benefits,
        Self::Challenges,
    ];

    /// The stable code (`need_for_change` …).
    pub fn code(self) -> &'static str {
        match self {
            Self::NeedForChange => "need_for_change",
            Self::Ideas => "ideas",
            Self::Benefits => "benefits",
            Self::Challenges => "challenges",
        }
    }

    /// The question itself.
    pub fn question(self) -> &'static str {
        match self {
            Self::NeedForChange => "Is there a need to change the service system?",
            Self::Ideas => "What are our ideas for the partnership?",
            Self::Benefits => "How would it benefit children and families?",
            Self::Challenges => "What challenges do we expect?",
        }
    }

    /// Its position in [`Self::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// An answer to a readiness question: free text, and the date it was given (YYYY-MM-DD).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub text: String,
    pub date: String,
}

/// The answers to the readiness questions, one per question (null: not answered).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Readiness {
    pub need_for_change: Option<Answer>,
    pub ideas: Option<Answer>,
    pub benefits: Option<Answer>,
    pub challenges: Option<Answer>,
}

impl Readiness {
    /// The answer to `q`.
    pub fn get(&self, q: ReadinessQuestion) -> Option<&Answer> {
        match q {
            ReadinessQuestion::NeedForChange => self.need_for_change.as_ref(),
            ReadinessQuestion::Ideas => self.ideas.as_ref(),
            ReadinessQuestion::Benefits => self.benefits.as_ref(),
            ReadinessQuestion::Challenges => self.challenges.as_ref(),
        }
    }

    /// Sets (or, with `None`, clears) the answer to `q`.
    pub fn set(&mut self, q: ReadinessQuestion, a: Option<Answer>) {
        *match q {
            ReadinessQuestion::NeedForChange => &mut self.need_for_change,
            ReadinessQuestion::Ideas => &mut self.ideas,
            ReadinessQuestion::Benefits => &mut self.benefits,
            ReadinessQuestion::Challenges => &mut self.challenges,
        } = a;
    }
}

/// Who to call at a partner: any of a name, an email address and a phone number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Contact {
    /// The contact person.
    pub name: Option<String>,
    /// Their email address.
    pub email: Option<String>,
    /// Their phone number, as written.
    pub phone: Option<String>,
}

/// Checks an email address loosely (one `@` between non-empty parts, a dot in the domain,
/// no spaces) and returns it trimmed.
pub fn parse_email(s: &str) -> Option<String> {
    let s = s.trim();
    let (local, domain) = s.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace);
    ok.then(|| s.to_owned())
}

/// Checks a phone number as people write it (`+1 (312) 555-0100`, `312.555.0100 ext 12`,
/// `211`): digits with spaces, `+ - ( ) . /`, and an optional extension (`ext`, `x`);
/// at least 3 digits. Returns it trimmed, as written.
pub fn parse_phone(s: &str) -> Option<String> {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    let (number, ext) = match lower.split_once("ext").or_else(|| lower.split_once('x')) {
        Some((n, e)) => (n, Some(e.trim_start_matches(['.', ':', ' ']).trim())),
        None => (lower.as_str(), None),
    };
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let number_ok = digits >= 3
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let ext_ok = ext.is_none_or(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_digit()));
    (number_ok && ext_ok).then(|| s.to_owned())
}

/// A URL- and key-friendly id from a name: `Chicago Public Library` -> `chicago-public-library`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// An organization the program works with.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Partner {
    /// Stable id, unique in the directory.
    pub id: String,
    /// The organization's name.
    pub name: String,
    /// What kind of organization (agency, school, library …), free text.
    pub kind: Option<String>,
    /// Partnership level.
    pub partnership_level: Option<PartnershipLevel>,
    /// Partnership stage.
    pub partnership_stage: Option<PartnershipStage>,
    /// When the agreement started (YYYY-MM-DD).
    pub agreement_start: Option<String>,
    /// When the agreement ends (YYYY-MM-DD).
    pub agreement_end: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Who to contact.
    pub contact: Contact,
    /// The needs (codes of `data/needs.toml`) the partnership addresses.
    pub needs: Vec<String>,
    /// The answers to the readiness questions.
    pub readiness: Readiness,
}

impl Partner {
    /// A partner with a name and nothing else recorded.
    pub fn named(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            kind: None,
            partnership_level: None,
            partnership_stage: None,
            agreement_start: None,
            agreement_end: None,
            notes: None,
            contact: Contact::default(),
            needs: Vec::new(),
            readiness: Readiness::default(),
        }
    }
}

/// A service a site offers, with its capacity where known (e.g. licensed slots).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SiteService {
    /// An open service code from `data/needs.toml`.
    pub code: String,
    /// Capacity for this service, if known.
    pub capacity: Option<f64>,
}

/// A partner's physical location.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Site {
    /// Stable id, unique in the directory.
    pub id: String,
    /// The partner this site belongs to.
    pub partner_id: String,
    /// The site's name.
    pub name: String,
    /// Where it is.
    pub location: LonLat,
    /// Street address, if known.
    pub address: Option<String>,
    /// What it offers.
    pub services: Vec<SiteService>,
    /// ISO 639-1 codes of the languages served.
    pub languages: Vec<String>,
    /// Opening hours.
    pub hours: Option<Hours>,
}

/// Partners and their sites as one importer produced them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartnerDirectory {
    /// The organizations.
    pub partners: Vec<Partner>,
    /// Their sites.
    pub sites: Vec<Site>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(parse_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-13-01").is_none());
        assert!(parse_date("24-01-01").is_none());
    }

    #[test]
    fn emails_and_phones_are_checked_loosely() {
        assert_eq!(
            parse_email(" ana@ymca.org ").as_deref(),
            Some("ana@ymca.org")
        );
        assert!(parse_email("ana@localhost").is_none());
        assert!(parse_email("ana ymca.org").is_none());
        assert!(parse_email("a@b@c.org").is_none());
        assert_eq!(
            parse_phone("+1 (312) 555-0100").as_deref(),
            Some("+1 (312) 555-0100")
        );
        assert!(parse_phone("312.555.0100 ext 12").is_some());
        assert!(parse_phone("312-555-0100 x12").is_some());
        assert!(parse_phone("211").is_some());
        assert!(parse_phone("12").is_none());
        assert!(parse_phone("call Ana").is_none());
        assert!(parse_phone("555-0100 x").is_none());
    }

    #[test]
    fn slugs_are_stable() {
        assert_eq!(slug("Chicago Public Library"), "chicago-public-library");
        assert_eq!(slug("  St. Mary's  (North) "), "st-mary-s-north");
    }

    #[test]
    fn long_stage_names_are_accepted() {
        assert_eq!(
            PartnershipStage::parse("Building trust and ownership"),
            Some(PartnershipStage::BuildingTrust)
        );
        assert_eq!(
            PartnershipLevel::parse(" Collaboration "),
            Some(PartnershipLevel::Collaboration)
        );
    }
}
