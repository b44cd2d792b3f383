use super::bulk::{self, Statement, Value};
use super::{Audit, CHANGES_LISTED, Counts, Store, WriteSummary, access};
use crate::domain::partner_edit::{self, Applied, Status};
use crate::domain::{
    Contact, DirectoryEdit, Hours, LonLat, Partner, PartnershipLevel, PartnershipStage, Site,
    SiteService,
};
use crate::error::{Code, Error, Problem, Result};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::{HashMap, HashSet};

/// How an upload meets the stored directory. In every mode a field the upload does not
/// state keeps its stored value (see [`crate::domain::partner_edit`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartnerWrite {
    /// Add new partners and sites, update those with the same id, keep the rest.
    Merge,
    /// The upload's partners and sites become the whole directory: the others are removed.
    Replace,
    /// Replace only these partners' sites (a transit feed re-imported), merge the rest.
    ReplaceSitesOf(Vec<String>),
}

/// One change of a partner's level or stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who, as the audit record names them.
    pub by: String,
    /// `partnership_level` or `partnership_stage`.
    pub field: String,
    /// The value before (null: none).
    pub from: Option<String>,
    /// The value after (null: cleared).
    pub to: Option<String>,
    /// The editor's note.
    pub note: Option<String>,
    /// The write that made it: an edit (`edit_partner`) or an upload with its files.
    pub via: String,
    /// The data version that write committed.
    pub data_version: i64,
}

#[derive(Serialize, Deserialize)]
struct StoredService {
    code: String,
    capacity: Option<f64>,
}

const PARTNER_COLUMNS: &str = "id, name, kind, partnership_level, partnership_stage, agreement_start, \
     agreement_end, notes, contact_name, contact_email, contact_phone, needs, readiness";
const SITE_COLUMNS: &str = "id, partner_id, name, lon, lat, address, services, languages, hours";

/// At most this many problems are listed when edits are refused.
const MAX_PROBLEMS: usize = 100;

impl Store {
    /// Applies a partner upload's edits in one transaction: fields it does not state keep
    /// their stored values. Counts in the summary are of sites, with the partners' counts
    /// beside them and each changed record's fields. An upload that changes nothing (and,
    /// replacing, removes nothing) writes nothing.
    pub async fn write_partners(
        &self,
        edits: &DirectoryEdit,
        how: &PartnerWrite,
        audit: &Audit,
    ) -> Result<WriteSummary> {
        let started = std::time::Instant::now();
        let (mut tx, data_version) = self.begin_write(super::Part::Directory).await?;
        let partners = load_partners(&mut tx, None).await?;
        let sites = load_sites(&mut tx, None).await?;
        let read = started.elapsed();
        let summary = write_edits(
            self,
            &mut tx,
            data_version,
            edits,
            how,
            audit,
            partners,
            sites,
        )
        .await?;
        if summary.nothing_changed {
            tx.rollback().await?;
            return Ok(summary);
        }
        access::record(&mut tx, audit, &summary).await?;
        let before_commit = started.elapsed();
        tx.commit().await?;
        tracing::debug!(
            read_ms = read.as_millis(),
            edits_ms = (before_commit - read).as_millis(),
            commit_ms = (started.elapsed() - before_commit).as_millis(),
            "directory write"
        );
        Ok(summary)
    }

    /// Applies an edit of stored partners and sites (the API's PATCH) in one transaction:
    /// only the fields it states change. A partner or site it names that is not stored is
    /// 404 `not_found`; an edit that changes nothing writes nothing (the data version and
    /// the audit record stay).
    pub async fn edit_directory(
        &self,
        edits: &DirectoryEdit,
        audit: &Audit,
    ) -> Result<WriteSummary> {
        let (mut tx, data_version) = self.begin_write(super::Part::Directory).await?;
        let partner_ids: Vec<&str> = edits.partners.iter().map(|p| p.id.as_str()).collect();
        let site_ids: Vec<&str> = edits.sites.iter().map(|s| s.id.as_str()).collect();
        let sites = load_sites(&mut tx, Some(&site_ids)).await?;
        let mut wanted: Vec<&str> = partner_ids.clone();
        wanted.extend(sites.values().map(|s| s.partner_id.as_str()));
        let partners = load_partners(&mut tx, Some(&wanted)).await?;
        for id in &partner_ids {
            if !partners.contains_key(*id) {
                return Err(Error::new(
                    Code::NotFound,
                    format!("there is no partner '{id}' (GET /api/v1/partners lists them)"),
                ));
            }
        }
        for id in &site_ids {
            if !sites.contains_key(*id) {
                return Err(Error::new(
                    Code::NotFound,
                    format!("there is no site '{id}' (GET /api/v1/sites lists them)"),
                ));
            }
        }
        let summary = write_edits(
            self,
            &mut tx,
            data_version,
            edits,
            &PartnerWrite::Merge,
            audit,
            partners,
            sites,
        )
        .await?;
        if summary.nothing_changed {
            tx.rollback().await?;
            return Ok(summary);
        }
        access::record(&mut tx, audit, &summary).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The changes of a partner's level and stage, newest first (`None`: no such partner).
    pub async fn partner_history(&self, id: &str) -> Result<Option<Vec<HistoryEntry>>> {
        let exists = sqlx::query("SELECT 1 FROM partners WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .is_some();
        if !exists {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT at, actor, field, from_value, to_value, note, via, data_version \
             FROM partner_history WHERE partner_id = $1 ORDER BY id DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(Some(
            rows.into_iter()
                .map(|r| HistoryEntry {
                    at: r.get(0),
                    by: r.get(1),
                    field: r.get(2),
                    from: r.get(3),
                    to: r.get(4),
                    note: r.get(5),
                    via: r.get(6),
                    data_version: r.get(7),
                })
                .collect(),
        ))
    }

    /// Every partner, by id.
    pub async fn partners(&self) -> Result<Vec<Partner>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PARTNER_COLUMNS} FROM partners ORDER BY id"
        )))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(partner_from_row).collect()
    }

    /// Every site's id, in order.
    pub async fn site_ids(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM sites ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Every site, by id.
    pub async fn sites(&self) -> Result<Vec<Site>> {
        // The columns as stored, taken as the rows arrive, then their JSON read on every
        // core.
        let mut raw = Vec::new();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SITE_COLUMNS} FROM sites ORDER BY id"
        )))
        .fetch(self.pool());
        while let Some(r) = rows.try_next().await? {
            raw.push(StoredSite::from_row(&r)?);
        }
        drop(rows);
        tokio::task::spawn_blocking(move || {
            crate::parallel::map(raw.len(), |i| raw[i].to_site())
                .into_iter()
                .collect()
        })
        .await
        .map_err(Error::internal)?
    }
}

/// The edits applied inside a write transaction, and the summary of what they change;
/// `nothing_changed` when they change nothing (the caller rolls back).
#[allow(clippy::too_many_arguments)]
async fn write_edits(
    store: &Store,
    tx: &mut Transaction<'static, Any>,
    data_version: i64,
    edits: &DirectoryEdit,
    how: &PartnerWrite,
    audit: &Audit,
    partners: HashMap<String, Partner>,
    sites: HashMap<String, Site>,
) -> Result<WriteSummary> {
    let applied = partner_edit::apply(edits, &partners, &sites).map_err(refusal)?;

    // What the write removes.
    let touched_sites: HashSet<&str> = applied.sites.iter().map(|s| s.record.id.as_str()).collect();
    let mut removed_sites: Vec<&str> = match how {
        PartnerWrite::Merge => Vec::new(),
        PartnerWrite::Replace => sites.keys().map(String::as_str).collect(),
        PartnerWrite::ReplaceSitesOf(owners) => sites
            .values()
            .filter(|s| owners.contains(&s.partner_id))
            .map(|s| s.id.as_str())
            .collect(),
    };
    removed_sites.retain(|id| !touched_sites.contains(id));
    removed_sites.sort_unstable();
    let mut removed_partners: Vec<&str> = match how {
        PartnerWrite::Replace => {
            let kept: HashSet<&str> = applied
                .partners
                .iter()
                .map(|p| p.record.id.as_str())
                .collect();
            partners
                .keys()
                .map(String::as_str)
                .filter(|id| !kept.contains(id))
                .collect()
        }
        _ => Vec::new(),
    };
    removed_partners.sort_unstable();

    let mut summary = summarise(&applied, data_version);
    summary.removed = removed_sites.len();
    if let Some(p) = summary.partners.as_mut() {
        p.removed = removed_partners.len();
    }
    if applied.is_unchanged() && removed_sites.is_empty() && removed_partners.is_empty() {
        // Every partner and site as stored: leave the version and the audit record.
        return Ok(summary.nothing_written());
    }

    // Partners before their sites (each site names its partner), then the partnerships'
    // moves, then what goes: many rows a statement (see `bulk`).
    let started = std::time::Instant::now();
    let per_statement = |width| store.rows_per_statement(width);
    let partner_rows = applied
        .partners
        .iter()
        .filter(|p| p.status != Status::Unchanged)
        .map(|p| partner_row(&p.record));
    let written_partners = bulk::write(
        tx,
        store.backend(),
        &PARTNER_UPSERT,
        per_statement(PARTNER_UPSERT.width),
        partner_rows,
    )
    .await?;
    // One row per site id: should an upload name a site twice, the last one is what a
    // statement per row would have left stored.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, s) in applied.sites.iter().enumerate() {
        if s.status != Status::Unchanged {
            last.insert(s.record.id.as_str(), i);
        }
    }
    let site_rows = applied
        .sites
        .iter()
        .enumerate()
        .filter(|(i, s)| last.get(s.record.id.as_str()) == Some(i))
        .map(|(_, s)| site_row(&s.record));
    let written_sites = bulk::write(
        tx,
        store.backend(),
        &SITE_UPSERT,
        per_statement(SITE_UPSERT.width),
        site_rows,
    )
    .await?;
    let at = super::now_rfc3339();
    let via = audit.via();
    let moves = applied.moves(edits).into_iter().map(|m| {
        Ok(vec![
            Value::from(m.partner_id),
            Value::from(at.as_str()),
            Value::from(audit.actor.as_str()),
            Value::from(m.field),
            Value::from(m.from),
            Value::from(m.to),
            Value::from(m.note),
            Value::from(via.as_str()),
            Value::from(data_version),
        ])
    });
    bulk::write(
        tx,
        store.backend(),
        &HISTORY_INSERT,
        per_statement(HISTORY_INSERT.width),
        moves,
    )
    .await?;
    let backend = store.backend();
    bulk::delete(tx, backend, "sites", "id", per_statement(1), &removed_sites).await?;
    bulk::delete(
        tx,
        backend,
        "partners",
        "id",
        per_statement(1),
        &removed_partners,
    )
    .await?;
    tracing::debug!(
        partners = written_partners,
        sites = written_sites,
        removed_sites = removed_sites.len(),
        removed_partners = removed_partners.len(),
        write_ms = started.elapsed().as_millis(),
        "directory rows written"
    );
    Ok(summary)
}

/// The stored partners (those with the given ids, or all), by id.
async fn load_partners(
    tx: &mut Transaction<'static, Any>,
    ids: Option<&[&str]>,
) -> Result<HashMap<String, Partner>> {
    let mut out = HashMap::new();
    match ids {
        None => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {PARTNER_COLUMNS} FROM partners"
            )))
            .fetch_all(&mut **tx)
            .await?;
            for r in &rows {
                let p = partner_from_row(r)?;
                out.insert(p.id.clone(), p);
            }
        }
        Some(ids) => {
            for id in ids {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {PARTNER_COLUMNS} FROM partners WHERE id = $1"
                )))
                .bind(*id)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some(r) = row {
                    let p = partner_from_row(&r)?;
                    out.insert(p.id.clone(), p);
                }
            }
        }
    }
    Ok(out)
}

/// The stored sites (those with the given ids, or all), by id.
async fn load_sites(
    tx: &mut Transaction<'static, Any>,
    ids: Option<&[&str]>,
) -> Result<HashMap<String, Site>> {
    let mut out = HashMap::new();
    match ids {
        None => {
            let mut raw = Vec::new();
            {
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {SITE_COLUMNS} FROM sites"
                )))
                .fetch(&mut **tx);
                while let Some(r) = rows.try_next().await? {
                    raw.push(StoredSite::from_row(&r)?);
                }
            }
            let sites = tokio::task::spawn_blocking(move || {
                crate::parallel::map(raw.len(), |i| raw[i].to_site())
                    .into_iter()
                    .collect::<Result<Vec<Site>>>()
            })
            .await
            .map_err(Error::internal)??;
            out.reserve(sites.len());
            for s in sites {
                out.insert(s.id.clone(), s);
            }
        }
        Some(ids) => {
            for id in ids {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {SITE_COLUMNS} FROM sites WHERE id = $1"
                )))
                .bind(*id)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some(r) = row {
                    let s = site_from_row(&r)?;
                    out.insert(s.id.clone(), s);
                }
            }
        }
    }
    Ok(out)
}

/// The counts and changes of applied edits (removals are counted by the caller).
fn summarise(applied: &Applied, data_version: i64) -> WriteSummary {
    let count = |statuses: &mut dyn Iterator<Item = Status>| {
        let mut c = Counts::default();
        for s in statuses {
            match s {
                Status::Added => c.added += 1,
                Status::Changed => c.changed += 1,
                Status::Unchanged => c.unchanged += 1,
            }
        }
        c
    };
    let sites = count(&mut applied.sites.iter().map(|s| s.status));
    let partners = count(&mut applied.partners.iter().map(|p| p.status));
    let (changes, not_listed) = applied.first_changes(CHANGES_LISTED);
    WriteSummary {
        data_version,
        added: sites.added,
        changed: sites.changed,
        unchanged: sites.unchanged,
        partners: Some(partners),
        changes,
        changes_not_listed: not_listed,
        ..Default::default()
    }
}

/// Edits that cannot be applied (a new site without a position …): every problem, by file
/// and row, as an upload's refusal.
fn refusal(mut problems: Vec<Problem>) -> Error {
    problems.sort_by_key(|p| p.row.unwrap_or(0));
    let total = problems.len();
    problems.truncate(MAX_PROBLEMS);
    let message = match (&problems[..], total) {
        ([one], 1) => one.to_string(),
        ([first, ..], n) => {
            let file = first.file.as_deref().unwrap_or("the edit");
            format!("{file}: {n} problems, the first: {first}")
        }
        ([], _) => "the edit cannot be applied".to_owned(),
    };
    // Problems of an upload name its file; those of an edit in the API, only a field.
    let code = if problems.iter().all(|p| p.file.is_none()) {
        Code::InvalidValue
    } else {
        Code::InvalidFile
    };
    Error::with_details(code, message, problems)
}

const PARTNER_UPSERT: Statement<'static> = Statement {
    head: "INSERT INTO partners (id, name, kind, partnership_level, partnership_stage, agreement_start, \
           agreement_end, notes, contact_name, contact_email, contact_phone, needs, readiness)",
    width: 13,
    tail: "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
           partnership_level = excluded.partnership_level, partnership_stage = excluded.partnership_stage, \
           agreement_start = excluded.agreement_start, agreement_end = excluded.agreement_end, notes = excluded.notes, \
           contact_name = excluded.contact_name, contact_email = excluded.contact_email, \
           contact_phone = excluded.contact_phone, needs = excluded.needs, readiness = excluded.readiness",
};

const SITE_UPSERT: Statement<'static> = Statement {
    head: "INSERT INTO sites (id, partner_id, name, lon, lat, address, services, languages, hours)",
    width: 9,
    tail: "ON CONFLICT (id) DO UPDATE SET partner_id = excluded.partner_id, name = excluded.name, \
           lon = excluded.lon, lat = excluded.lat, address = excluded.address, services = excluded.services, \
           languages = excluded.languages, hours = excluded.hours",
};

const HISTORY_INSERT: Statement<'static> = Statement {
    head: "INSERT INTO partner_history (partner_id, at, actor, field, from_value, to_value, note, via, data_version)",
    width: 9,
    tail: "",
};

/// A partner's row as stored (the columns of [`PARTNER_UPSERT`]).
fn partner_row(p: &Partner) -> Result<Vec<Value>> {
    Ok(vec![
        Value::from(p.id.as_str()),
        Value::from(p.name.as_str()),
        Value::from(p.kind.as_deref()),
        Value::from(p.partnership_level.map(PartnershipLevel::as_str)),
        Value::from(p.partnership_stage.map(PartnershipStage::as_str)),
        Value::from(p.agreement_start.as_deref()),
        Value::from(p.agreement_end.as_deref()),
        Value::from(p.notes.as_deref()),
        Value::from(p.contact.name.as_deref()),
        Value::from(p.contact.email.as_deref()),
        Value::from(p.contact.phone.as_deref()),
        Value::from(serde_json::to_string(&p.needs).map_err(Error::internal)?),
        Value::from(serde_json::to_string(&p.readiness).map_err(Error::internal)?),
    ])
}

/// A site's row as stored (the columns of [`SITE_UPSERT`]).
fn site_row(s: &Site) -> Result<Vec<Value>> {
    let services: Vec<StoredService> = s
        .services
        .iter()
        .map(|x| StoredService {
            code: x.code.clone(),
            capacity: x.capacity,
        })
        .collect();
    Ok(vec![
        Value::from(s.id.as_str()),
        Value::from(s.partner_id.as_str()),
        Value::from(s.name.as_str()),
        Value::from(s.location.lon()),
        Value::from(s.location.lat()),
        Value::from(s.address.as_deref()),
        Value::from(serde_json::to_string(&services).map_err(Error::internal)?),
        Value::from(serde_json::to_string(&s.languages).map_err(Error::internal)?),
        Value::from(s.hours.as_ref().map(|h| h.as_str().to_owned())),
    ])
}

fn partner_from_row(r: &AnyRow) -> Result<Partner> {
    Ok(Partner {
        id: r.get(0),
        name: r.get(1),
        kind: r.get(2),
        partnership_level: r
            .get::<Option<String>, _>(3)
            .as_deref()
            .and_then(PartnershipLevel::parse),
        partnership_stage: r
            .get::<Option<String>, _>(4)
            .as_deref()
            .and_then(PartnershipStage::parse),
        agreement_start: r.get(5),
        agreement_end: r.get(6),
        notes: r.get(7),
        contact: Contact {
            name: r.get(8),
            email: r.get(9),
            phone: r.get(10),
        },
        needs: serde_json::from_str(&r.get::<String, _>(11)).map_err(Error::internal)?,
        readiness: serde_json::from_str(&r.get::<String, _>(12)).map_err(Error::internal)?,
    })
}

fn site_from_row(r: &AnyRow) -> Result<Site> {
    StoredSite::from_row(r)?.to_site()
}

/// A site's columns as stored ([`SITE_COLUMNS`]), its JSON not read yet.
struct StoredSite {
    id: String,
    partner_id: String,
    name: String,
    lon: f64,
    lat: f64,
    address: Option<String>,
    services: String,
    languages: String,
    hours: Option<String>,
}

impl StoredSite {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Self {
            id: r.try_get(0)?,
            partner_id: r.try_get(1)?,
            name: r.try_get(2)?,
            lon: r.try_get(3)?,
            lat: r.try_get(4)?,
            address: r.try_get(5)?,
            services: r.try_get(6)?,
            languages: r.try_get(7)?,
            hours: r.try_get(8)?,
        })
    }

    fn to_site(&self) -> Result<Site> {
        let services: Vec<StoredService> =
            serde_json::from_str(&self.services).map_err(Error::internal)?;
        Ok(Site {
            id: self.id.clone(),
            partner_id: self.partner_id.clone(),
            name: self.name.clone(),
            location: LonLat::new(self.lon, self.lat).map_err(Error::internal)?,
            address: self.address.clone(),
            services: services
                .into_iter()
                .map(|s| SiteService {
                    code: s.code,
                    capacity: s.capacity,
                })
                .collect(),
            languages: serde_json::from_str(&self.languages).map_err(Error::internal)?,
            hours: self
                .hours
                .as_deref()
                .map(Hours::parse)
                .transpose()
                .map_err(Error::internal)?,
        })
    }
}
