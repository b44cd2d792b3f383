use super::{Audit, Store, WriteSummary, access};
use crate::domain::{
    Hours, LonLat, Partner, PartnerDirectory, PartnershipLevel, PartnershipStage, Site, SiteService,
};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// How an upload meets the stored directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartnerWrite {
    /// Add new partners and sites, update those with the same id, keep the rest.
    Merge,
    /// The upload becomes the whole directory.
    Replace,
    /// Replace only these partners' sites (a transit feed re-imported), merge the rest.
    ReplaceSitesOf(Vec<String>),
}

#[derive(Serialize, Deserialize)]
struct StoredService {
    code: String,
    capacity: Option<f64>,
}

impl Store {
    /// Writes a partner directory in one transaction. Counts in the summary are of sites.
    /// An upload whose partners and sites are all as stored (and, replacing, removes
    /// none) writes nothing.
    pub async fn write_partners(
        &self,
        dir: &PartnerDirectory,
        how: &PartnerWrite,
        audit: &Audit,
    ) -> Result<WriteSummary> {
        let (mut tx, data_version) = self.begin_write().await?;
        let old: HashMap<String, (String, String)> = sqlx::query(
            "SELECT id, partner_id, name, lon, lat, address, services, languages, hours FROM sites",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| {
            let fp = format!(
                "{}|{}|{}|{}|{:?}|{}|{}|{:?}",
                r.get::<String, _>(1),
                r.get::<String, _>(2),
                r.get::<f64, _>(3),
                r.get::<f64, _>(4),
                r.get::<Option<String>, _>(5),
                r.get::<String, _>(6),
                r.get::<String, _>(7),
                r.get::<Option<String>, _>(8)
            );
            (r.get::<String, _>(0), (r.get::<String, _>(1), fp))
        })
        .collect();

        let old_partners: HashMap<String, String> = sqlx::query(
            "SELECT id, name, kind, partnership_level, partnership_stage, agreement_start, agreement_end, notes \
             FROM partners",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| {
            let fp = partner_fingerprint(
                &r.get::<String, _>(1),
                r.get::<Option<String>, _>(2).as_deref(),
                r.get::<Option<String>, _>(3).as_deref(),
                r.get::<Option<String>, _>(4).as_deref(),
                r.get::<Option<String>, _>(5).as_deref(),
                r.get::<Option<String>, _>(6).as_deref(),
                r.get::<Option<String>, _>(7).as_deref(),
            );
            (r.get::<String, _>(0), fp)
        })
        .collect();

        // What the upload changes, worked out before anything is written.
        let mut removed_ids: HashSet<&str> = match how {
            PartnerWrite::Merge => HashSet::new(),
            PartnerWrite::Replace => old.keys().map(String::as_str).collect(),
            PartnerWrite::ReplaceSitesOf(partners) => old
                .iter()
                .filter(|(_, (pid, _))| partners.contains(pid))
                .map(|(id, _)| id.as_str())
                .collect(),
        };
        let mut summary = WriteSummary {
            data_version,
            ..Default::default()
        };
        let mut rows = Vec::with_capacity(dir.sites.len());
        for s in &dir.sites {
            let services: Vec<StoredService> = s
                .services
                .iter()
                .map(|x| StoredService {
                    code: x.code.clone(),
                    capacity: x.capacity,
                })
                .collect();
            let services = serde_json::to_string(&services).map_err(Error::internal)?;
            let languages = serde_json::to_string(&s.languages).map_err(Error::internal)?;
            let hours = s.hours.as_ref().map(|h| h.as_str().to_owned());
            let fp = format!(
                "{}|{}|{}|{}|{:?}|{}|{}|{:?}",
                s.partner_id,
                s.name,
                s.location.lon(),
                s.location.lat(),
                s.address,
                services,
                languages,
                hours
            );
            match old.get(&s.id) {
                None => summary.added += 1,
                Some((_, prev)) if *prev == fp => summary.unchanged += 1,
                Some(_) => summary.changed += 1,
            }
            removed_ids.remove(s.id.as_str());
            rows.push((s, services, languages, hours));
        }
        summary.removed = removed_ids.len();
        let partners_differ = dir.partners.iter().any(|p| {
            old_partners.get(&p.id)
                != Some(&partner_fingerprint(
                    &p.name,
                    p.kind.as_deref(),
                    p.partnership_level.map(PartnershipLevel::as_str),
                    p.partnership_stage.map(PartnershipStage::as_str),
                    p.agreement_start.as_deref(),
                    p.agreement_end.as_deref(),
                    p.notes.as_deref(),
                ))
        }) || (*how == PartnerWrite::Replace
            && old_partners
                .keys()
                .any(|id| !dir.partners.iter().any(|p| &p.id == id)));
        if summary.added == 0 && summary.changed == 0 && summary.removed == 0 && !partners_differ {
            // Every partner and site as stored: leave the version and the audit record.
            tx.rollback().await?;
            return Ok(summary.nothing_written());
        }

        match how {
            PartnerWrite::Merge => {}
            PartnerWrite::Replace => {
                sqlx::query("DELETE FROM sites").execute(&mut *tx).await?;
                sqlx::query("DELETE FROM partners")
                    .execute(&mut *tx)
                    .await?;
            }
            PartnerWrite::ReplaceSitesOf(partners) => {
                for p in partners {
                    sqlx::query("DELETE FROM sites WHERE partner_id = $1")
                        .bind(p)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }

        for p in &dir.partners {
            sqlx::query(
                "INSERT INTO partners (id, name, kind, partnership_level, partnership_stage, agreement_start, agreement_end, notes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                 partnership_level = excluded.partnership_level, partnership_stage = excluded.partnership_stage, \
                 agreement_start = excluded.agreement_start, agreement_end = excluded.agreement_end, notes = excluded.notes",
            )
            .bind(&p.id)
            .bind(&p.name)
            .bind(p.kind.as_deref())
            .bind(p.partnership_level.map(PartnershipLevel::as_str))
            .bind(p.partnership_stage.map(PartnershipStage::as_str))
            .bind(p.agreement_start.as_deref())
            .bind(p.agreement_end.as_deref())
            .bind(p.notes.as_deref())
            .execute(&mut *tx)
            .await?;
        }

        for (s, services, languages, hours) in rows {
            sqlx::query(
                "INSERT INTO sites (id, partner_id, name, lon, lat, address, services, languages, hours) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (id) DO UPDATE SET partner_id = excluded.partner_id, name = excluded.name, \
                 lon = excluded.lon, lat = excluded.lat, address = excluded.address, services = excluded.services, \
                 languages = excluded.languages, hours = excluded.hours",
            )
            .bind(&s.id)
            .bind(&s.partner_id)
            .bind(&s.name)
            .bind(s.location.lon())
            .bind(s.location.lat())
            .bind(s.address.as_deref())
            .bind(services)
            .bind(languages)
            .bind(hours)
            .execute(&mut *tx)
            .await?;
        }
        access::record(&mut tx, audit, &summary).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Every partner, by id.
    pub(super) async fn load_partners(&self) -> Result<Vec<Partner>> {
        let rows = sqlx::query(
            "SELECT id, name, kind, partnership_level, partnership_stage, agreement_start, agreement_end, notes \
             FROM partners ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Partner {
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
            })
            .collect())
    }

    /// Every site, by id.
    pub(super) async fn load_sites(&self) -> Result<Vec<Site>> {
        let rows = sqlx::query(
            "SELECT id, partner_id, name, lon, lat, address, services, languages, hours FROM sites ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let services: Vec<StoredService> =
                serde_json::from_str(&r.get::<String, _>(6)).map_err(Error::internal)?;
            out.push(Site {
                id: r.get(0),
                partner_id: r.get(1),
                name: r.get(2),
                location: LonLat::new(r.get(3), r.get(4)).map_err(Error::internal)?,
                address: r.get(5),
                services: services
                    .into_iter()
                    .map(|s| SiteService {
                        code: s.code,
                        capacity: s.capacity,
                    })
                    .collect(),
                languages: serde_json::from_str(&r.get::<String, _>(7)).map_err(Error::internal)?,
                hours: r
                    .get::<Option<String>, _>(8)
                    .map(|h: String| Hours::parse(&h))
                    .transpose()
                    .map_err(Error::internal)?,
            });
        }
        Ok(out)
    }
}

/// A partner's stored fields as one text, to compare an upload with what is stored.
fn partner_fingerprint(
    name: &str,
    kind: Option<&str>,
    level: Option<&str>,
    stage: Option<&str>,
    agreement_start: Option<&str>,
    agreement_end: Option<&str>,
    notes: Option<&str>,
) -> String {
    format!("{name}|{kind:?}|{level:?}|{stage:?}|{agreement_start:?}|{agreement_end:?}|{notes:?}")
}
