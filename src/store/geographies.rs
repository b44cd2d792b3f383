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
        let (mut tx, data_version) = self.begin_write(super::Part::Geographies).await?;
        // Old rows as digests of (name, geometry, point, source) in upload order, to
        // report what changed and to tell an upload that changes nothing. They are read one
        // at a time: only the digests are kept, never every old geometry at once.
        let mut old: Vec<(String, Fingerprint)> = Vec::new();
        {
            let mut rows = sqlx::query(
                "SELECT geoid, name, geometry_wkb, geometry, demand_lon, demand_lat, \
                 demand_source FROM areas WHERE geography = $1 ORDER BY seq",
            )
            .bind(&geography.name)
            .fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                let wkb = match stored_geometry(&r, 2)? {
                    Stored::Wkb(bytes) => bytes,
                    Stored::Text(text) => geometry_to_wkb(&text_to_geometry(&text)?)?,
                };
                let fp = fingerprint(
                    &r.get::<String, _>(1),
                    &wkb,
                    r.get::<f64, _>(4),
                    r.get::<f64, _>(5),
                    &r.get::<String, _>(6),
                );
                old.push((r.get::<String, _>(0), fp));
            }
        }
        let old_by_geoid: HashMap<&str, &Fingerprint> =
            old.iter().map(|(geoid, fp)| (geoid.as_str(), fp)).collect();

        let new: Vec<(&Area, Vec<u8>, Fingerprint)> = geography
            .areas
            .iter()
            .map(|area| {
                let geometry = geometry_to_wkb(&area.geometry)?;
                let fp = fingerprint(
                    &area.name,
                    &geometry,
                    area.demand_point.lon(),
                    area.demand_point.lat(),
                    area.demand_point_source.as_str(),
                );
                Ok((area, geometry, fp))
            })
            .collect::<Result<_>>()?;
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
        let extent = geography.extent();
        sqlx::query(
            "INSERT INTO geographies (name, created_at, min_lon, min_lat, max_lon, max_lat, extent_known) \
             VALUES ($1, $2, $3, $4, $5, $6, 1)",
        )
        .bind(&geography.name)
        .bind(now_rfc3339())
        .bind(extent.map(|r| r.min().x))
        .bind(extent.map(|r| r.min().y))
        .bind(extent.map(|r| r.max().x))
        .bind(extent.map(|r| r.max().y))
        .execute(&mut *tx)
        .await?;
        for (seq, (area, geometry, _)) in new.into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO areas (geography, geoid, seq, name, geometry_wkb, demand_lon, demand_lat, demand_source) \
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

    /// The union of every geography's extent (the bounding box of its areas' polygons),
    /// where uploaded sites are expected; None when no geography has an area. Four
    /// numbers per geography, written with its areas: no polygon is read.
    pub async fn extent(&self) -> Result<Option<geo::Rect<f64>>> {
        let rows = sqlx::query(
            "SELECT min_lon, min_lat, max_lon, max_lat FROM geographies \
             WHERE min_lon IS NOT NULL ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        let boxes = rows
            .iter()
            .map(|r| {
                Ok(geo::Rect::new(
                    (r.try_get::<f64, _>(0)?, r.try_get::<f64, _>(1)?),
                    (r.try_get::<f64, _>(2)?, r.try_get::<f64, _>(3)?),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(crate::domain::bbox_union(boxes))
    }

    /// Writes the extent of the geographies stored before it was kept (migration 0013),
    /// from their polygons. It is what their areas already say, so the data version does
    /// not move. Runs when the store is opened; returns the geographies done.
    pub(crate) async fn fill_extents(&self) -> Result<usize> {
        let names: Vec<String> =
            sqlx::query("SELECT name FROM geographies WHERE extent_known = 0 ORDER BY name")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
        for name in &names {
            let mut tx = self.pool().begin().await?;
            let mut boxes = Vec::new();
            {
                let mut rows =
                    sqlx::query("SELECT geometry_wkb, geometry FROM areas WHERE geography = $1")
                        .bind(name)
                        .fetch(&mut *tx);
                while let Some(r) = rows.try_next().await? {
                    let geometry = match stored_geometry(&r, 0)? {
                        Stored::Wkb(bytes) => wkb_to_geometry(&bytes)?,
                        Stored::Text(text) => text_to_geometry(&text)?,
                    };
                    boxes.extend(geo::BoundingRect::bounding_rect(&geometry));
                }
            }
            let extent = crate::domain::bbox_union(boxes);
            sqlx::query(
                "UPDATE geographies SET min_lon = $1, min_lat = $2, max_lon = $3, max_lat = $4, \
                 extent_known = 1 WHERE name = $5",
            )
            .bind(extent.map(|r| r.min().x))
            .bind(extent.map(|r| r.min().y))
            .bind(extent.map(|r| r.max().x))
            .bind(extent.map(|r| r.max().y))
            .bind(name)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(names.len())
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
            // Each row's columns as stored, taken as the rows arrive (sqlx's rows, each
            // with its own copy of the column list, are never all held at once), put in
            // upload order (`seq`) here rather than by the database, which would sort the
            // rows with their polygons; then the polygons decoded on every core.
            let mut raw = Vec::new();
            let mut rows = sqlx::query(
                "SELECT geoid, name, geometry_wkb, geometry, demand_lon, demand_lat, \
                 demand_source, seq FROM areas WHERE geography = $1",
            )
            .bind(&name)
            .fetch(self.pool());
            while let Some(r) = rows.try_next().await? {
                raw.push((
                    r.try_get::<i64, _>(7)?,
                    (
                        r.try_get::<String, _>(0)?,
                        r.try_get::<String, _>(1)?,
                        stored_geometry(&r, 2)?,
                        r.try_get::<f64, _>(4)?,
                        r.try_get::<f64, _>(5)?,
                        r.try_get::<String, _>(6)?,
                    ),
                ));
            }
            drop(rows);
            raw.sort_unstable_by_key(|(seq, _)| *seq);
            let raw: Vec<_> = raw.into_iter().map(|(_, columns)| columns).collect();
            let areas = tokio::task::spawn_blocking(move || {
                crate::parallel::map(raw.len(), |i| {
                    let (geoid, name, geometry, lon, lat, source) = &raw[i];
                    Ok(Area {
                        geoid: Geoid::parse(geoid).map_err(Error::internal)?,
                        name: name.clone(),
                        geometry: match geometry {
                            Stored::Wkb(bytes) => wkb_to_geometry(bytes)?,
                            Stored::Text(text) => text_to_geometry(text)?,
                        },
                        demand_point: LonLat::new(*lon, *lat).map_err(Error::internal)?,
                        demand_point_source: DemandPointSource::parse(source).ok_or_else(|| {
                            Error::internal("unknown demand point source in store")
                        })?,
                    })
                })
                .into_iter()
                .collect::<Result<Vec<Area>>>()
            })
            .await
            .map_err(Error::internal)??;
            out.push(Geography { name, areas });
        }
        Ok(out)
    }
}

/// A SHA-256 digest of an area's stored content, to compare an upload with what is stored
/// without keeping a second copy of every geometry at once.
type Fingerprint = [u8; 32];

/// The digest of an area's name, geometry (its WKB), demand point and its source.
fn fingerprint(name: &str, wkb: &[u8], lon: f64, lat: f64, source: &str) -> Fingerprint {
    let mut h = Sha256::new();
    for part in [
        name.as_bytes(),
        wkb,
        lon.to_string().as_bytes(),
        lat.to_string().as_bytes(),
        source.as_bytes(),
    ] {
        // Each part with its length, so that no two different rows digest alike.
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// An area's geometry as stored.
enum Stored {
    /// Well-Known Binary (what gapmap writes).
    Wkb(Vec<u8>),
    /// GeoJSON text (rows written before the WKB column).
    Text(String),
}

/// The geometry in the columns `geometry_wkb, geometry` (in this order) starting at
/// `at`: the WKB, else the GeoJSON text of a row written before the WKB column and not
/// converted yet.
fn stored_geometry(r: &sqlx::any::AnyRow, at: usize) -> Result<Stored> {
    if let Some(bytes) = r.try_get::<Option<Vec<u8>>, _>(at)? {
        return Ok(Stored::Wkb(bytes));
    }
    match r.try_get::<Option<String>, _>(at + 1)? {
        Some(text) => Ok(Stored::Text(text)),
        None => Err(Error::internal("an area without a geometry in the store")),
    }
}

/// An area's polygons as the store keeps them: OGC Simple Features Well-Known Binary
/// (ISO 19125-1 §8.2), little-endian, one 2D MultiPolygon (type 6) of Polygons (type 3),
/// each a count of rings, each ring a count of points and its points as IEEE 754 f64
/// pairs (lon, lat); written by the `wkb` crate. Every coordinate reads back bit for bit.
pub(crate) fn geometry_to_wkb(geometry: &geo::MultiPolygon<f64>) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(wkb::writer::multi_polygon_wkb_size(geometry));
    let options = wkb::writer::WriteOptions {
        endianness: wkb::Endianness::LittleEndian,
    };
    wkb::writer::write_multi_polygon(&mut out, geometry, &options).map_err(Error::internal)?;
    Ok(out)
}

/// Reads what [`geometry_to_wkb`] wrote (any WKB Polygon or MultiPolygon, either byte
/// order).
pub(crate) fn wkb_to_geometry(bytes: &[u8]) -> Result<geo::MultiPolygon<f64>> {
    use geo_traits::to_geo::ToGeoGeometry;
    let wkb = wkb::reader::read_wkb(bytes).map_err(Error::internal)?;
    match wkb.to_geometry() {
        geo::Geometry::MultiPolygon(m) => Ok(m),
        geo::Geometry::Polygon(p) => Ok(geo::MultiPolygon(vec![p])),
        _ => Err(Error::internal(
            "a stored area geometry is not a (Multi)Polygon",
        )),
    }
}

/// Reads the GeoJSON text rows held before WKB (a MultiPolygon, as gapmap wrote them, or
/// a Polygon).
fn text_to_geometry(text: &str) -> Result<geo::MultiPolygon<f64>> {
    let g: geojson::Geometry = text.parse().map_err(Error::internal)?;
    match geo::Geometry::<f64>::try_from(&g.value).map_err(Error::internal)? {
        geo::Geometry::MultiPolygon(m) => Ok(m),
        geo::Geometry::Polygon(p) => Ok(geo::MultiPolygon(vec![p])),
        _ => Err(Error::internal(
            "a stored area geometry is not a (Multi)Polygon",
        )),
    }
}

/// Rows converted per transaction by [`Store::convert_text_geometries`].
const CONVERT_BATCH: i64 = 2000;

impl Store {
    /// Converts the areas stored as GeoJSON text (before migration 0011) to WKB, in
    /// batches, leaving their text null. The data they hold is the same, so the data
    /// version does not move. Runs when the store is opened; returns the rows converted.
    pub(crate) async fn convert_text_geometries(&self) -> Result<usize> {
        let mut converted = 0;
        loop {
            let mut tx = self.pool().begin().await?;
            let rows = sqlx::query(
                "SELECT geography, geoid, geometry FROM areas \
                 WHERE geometry_wkb IS NULL AND geometry IS NOT NULL LIMIT $1",
            )
            .bind(CONVERT_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                tx.rollback().await?;
                return Ok(converted);
            }
            for r in &rows {
                let wkb = geometry_to_wkb(&text_to_geometry(&r.get::<String, _>(2))?)?;
                sqlx::query(
                    "UPDATE areas SET geometry_wkb = $1, geometry = NULL \
                     WHERE geography = $2 AND geoid = $3",
                )
                .bind(wkb)
                .bind(r.get::<String, _>(0))
                .bind(r.get::<String, _>(1))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            converted += rows.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wkb_reads_back_every_coordinate_bit_for_bit() {
        let ring = |pts: &[(f64, f64)]| geo::LineString::from(pts.to_vec());
        let hole = ring(&[(0.25, 0.25), (0.5, 0.25), (0.5, 0.5), (0.25, 0.25)]);
        let m = geo::MultiPolygon(vec![
            geo::Polygon::new(
                ring(&[
                    (-87.123_456_789_012_3, 41.1),
                    (0.1 + 0.2, 1.0 / 3.0),
                    (f64::MIN_POSITIVE, -0.0),
                    (-87.123_456_789_012_3, 41.1),
                ]),
                vec![hole],
            ),
            geo::Polygon::new(
                ring(&[(5.0, 5.0), (6.0, 5.0), (6.0, 6.0), (5.0, 5.0)]),
                vec![],
            ),
        ]);
        let bytes = geometry_to_wkb(&m).unwrap();
        // Little-endian MultiPolygon of two polygons.
        assert_eq!(&bytes[..9], &[1, 6, 0, 0, 0, 2, 0, 0, 0]);
        let back = wkb_to_geometry(&bytes).unwrap();
        let bits = |m: &geo::MultiPolygon<f64>| -> Vec<u64> {
            use geo::CoordsIter;
            m.coords_iter()
                .flat_map(|c| [c.x.to_bits(), c.y.to_bits()])
                .collect()
        };
        assert_eq!(bits(&back), bits(&m));
        assert_eq!(back, m);
        // The text form written before WKB reads as the same polygons.
        let text = geojson::Geometry::new(geojson::GeometryValue::from(&m)).to_string();
        assert_eq!(
            geometry_to_wkb(&text_to_geometry(&text).unwrap()).unwrap(),
            bytes
        );
        assert!(wkb_to_geometry(&bytes[..bytes.len() - 1]).is_err());
    }
}
