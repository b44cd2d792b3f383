use super::{Audit, Store, WriteSummary, access, now_rfc3339};
use crate::domain::{Area, DemandPointSource, Geography, Geoid, LonLat};
use crate::error::{Error, Result};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// Replaces a geography's areas with the given ones, in one transaction.
    pub async fn replace_geography(
        &self,
        geography: &Geography,
        audit: &Audit,
    ) -> Result<WriteSummary> {
        let (mut tx, data_version) = self.begin_write().await?;
        // Old rows as digests of (name, geometry, point, source) in upload order, to
        // report what changed and to tell an upload that changes nothing. They are read one
        // at a time: only the digests are kept, never every old geometry's text at once.
        let mut old: Vec<(String, Fingerprint)> = Vec::new();
        {
            let mut rows = sqlx::query(
                "SELECT geoid, name, geometry, demand_lon, demand_lat, demand_source \
                 FROM areas WHERE geography = $1 ORDER BY seq",
            )
            .bind(&geography.name)
            .fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                let fp = fingerprint(
                    &r.get::<String, _>(1),
                    &r.get::<String, _>(2),
                    r.get::<f64, _>(3),
                    r.get::<f64, _>(4),
                    &r.get::<String, _>(5),
                );
                old.push((r.get::<String, _>(0), fp));
            }
        }
        let old_by_geoid: HashMap<&str, &Fingerprint> =
            old.iter().map(|(geoid, fp)| (geoid.as_str(), fp)).collect();

        let new: Vec<(&Area, String, Fingerprint)> = geography
            .areas
            .iter()
            .map(|area| {
                let geometry = geometry_to_text(area);
                let fp = fingerprint(
                    &area.name,
                    &geometry,
                    area.demand_point.lon(),
                    area.demand_point.lat(),
                    area.demand_point_source.as_str(),
                );
                (area, geometry, fp)
            })
            .collect();
        let mut summary = WriteSummary {
            data_version,
            ..Default::default()
        };
        for (area, _, fp) in &new {
            match old_by_geoid.get(area.geoid.as_str()) {
                None => summary.added += 1,
                Some(prev) if *prev == fp => summary.unchanged += 1,
                Some(_) => summary.changed += 1,
            }
        }
        summary.removed = old.len() - summary.changed - summary.unchanged;
        let exists = sqlx::query("SELECT 1 FROM geographies WHERE name = $1")
            .bind(&geography.name)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        let same = exists
            && old.len() == new.len()
            && old
                .iter()
                .zip(&new)
                .all(|((geoid, prev), (area, _, fp))| geoid == area.geoid.as_str() && prev == fp);
        if same {
            // The same areas in the same order: leave the version, the upload date and
            // the audit record as they are.
            tx.rollback().await?;
            return Ok(summary.nothing_written());
        }

        sqlx::query("DELETE FROM areas WHERE geography = $1")
            .bind(&geography.name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM geographies WHERE name = $1")
            .bind(&geography.name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO geographies (name, created_at) VALUES ($1, $2)")
            .bind(&geography.name)
            .bind(now_rfc3339())
            .execute(&mut *tx)
            .await?;
        for (seq, (area, geometry, _)) in new.into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO areas (geography, geoid, seq, name, geometry, demand_lon, demand_lat, demand_source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&geography.name)
            .bind(area.geoid.as_str())
            .bind(seq as i64)
            .bind(&area.name)
            .bind(geometry)
            .bind(area.demand_point.lon())
            .bind(area.demand_point.lat())
            .bind(area.demand_point_source.as_str())
            .execute(&mut *tx)
            .await?;
        }
        access::record(&mut tx, audit, &summary).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The GEOIDs of a geography, or `None` when there is no such geography.
    pub async fn geoids(&self, geography: &str) -> Result<Option<Vec<Geoid>>> {
        let exists = sqlx::query("SELECT 1 FROM geographies WHERE name = $1")
            .bind(geography)
            .fetch_optional(self.pool())
            .await?
            .is_some();
        if !exists {
            return Ok(None);
        }
        let rows = sqlx::query("SELECT geoid FROM areas WHERE geography = $1 ORDER BY seq")
            .bind(geography)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Geoid::parse(&r.get::<String, _>(0)).map_err(Error::internal))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// Every geography with its areas, in upload order.
    pub async fn geographies(&self) -> Result<Vec<Geography>> {
        let names: Vec<String> = sqlx::query("SELECT name FROM geographies ORDER BY name")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let rows = sqlx::query(
                "SELECT geoid, name, geometry, demand_lon, demand_lat, demand_source \
                 FROM areas WHERE geography = $1 ORDER BY seq",
            )
            .bind(&name)
            .fetch_all(self.pool())
            .await?;
            let mut areas = Vec::with_capacity(rows.len());
            for r in rows {
                let geoid = Geoid::parse(&r.get::<String, _>(0)).map_err(Error::internal)?;
                let geometry = text_to_geometry(&r.get::<String, _>(2))?;
                let demand_point = LonLat::new(r.get(3), r.get(4)).map_err(Error::internal)?;
                let demand_point_source = DemandPointSource::parse(&r.get::<String, _>(5))
                    .ok_or_else(|| Error::internal("unknown demand point source in store"))?;
                areas.push(Area {
                    geoid,
                    name: r.get(1),
                    geometry,
                    demand_point,
                    demand_point_source,
                });
            }
            out.push(Geography { name, areas });
        }
        Ok(out)
    }
}

/// A SHA-256 digest of an area's stored content, to compare an upload with what is stored
/// without keeping a second copy of every geometry's text.
type Fingerprint = [u8; 32];

/// The digest of an area's name, geometry text, demand point and its source.
fn fingerprint(name: &str, geometry: &str, lon: f64, lat: f64, source: &str) -> Fingerprint {
    let mut h = Sha256::new();
    for part in [name, geometry, &lon.to_string(), &lat.to_string(), source] {
        // Each part with its length, so that no two different rows digest alike.
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

fn geometry_to_text(area: &Area) -> String {
    geojson::Geometry::new(geojson::GeometryValue::from(&area.geometry)).to_string()
}

fn text_to_geometry(text: &str) -> Result<geo::MultiPolygon<f64>> {
    let g: geojson::Geometry = text.parse().map_err(Error::internal)?;
    geo::MultiPolygon::<f64>::try_from(&g.value).map_err(Error::internal)
}
