use super::{AppState, upload};
use crate::config::Mode;
use crate::error::{Code, Error, Result};
use crate::store::Role;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostQuery {
    mode: Option<Mode>,
    filename: Option<String>,
    untracked_services: Option<crate::ingest::Untracked>,
}

/// `POST /api/v1/partners?mode=merge|replace[&untracked_services=refuse|skip]`: HSDS zip
/// or CSVs, GeoJSON points or flat CSV.
pub async fn post(
    req: HttpRequest,
    query: web::Query<PostQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let caller = state
        .auth
        .require(&req, &state.services.store, Role::Editor)
        .await?;
    let q = query.into_inner();
    let default_name = q.filename.unwrap_or_else(|| "partners".into());
    let _slot = state.upload_slot().await?;
    let files = upload::read(&req, payload, state.max_upload_bytes, &default_name).await?;
    let report = state
        .services
        .import_partners(
            &caller.actor,
            files,
            q.mode.unwrap_or(Mode::Merge),
            q.untracked_services.unwrap_or_default(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /api/v1/partners`: every partner with its number of sites and their services.
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let atlas = state.services.atlas.get();
    let mut sites: HashMap<&str, (usize, Vec<&str>)> = HashMap::new();
    for s in &atlas.sites {
        let e = sites.entry(s.partner_id.as_str()).or_default();
        e.0 += 1;
        for svc in &s.services {
            if !e.1.contains(&svc.code.as_str()) {
                e.1.push(&svc.code);
            }
        }
    }
    let partners: Vec<Value> = atlas
        .partners
        .values()
        .map(|p| {
            let (count, mut services) = sites.remove(p.id.as_str()).unwrap_or_default();
            services.sort_unstable();
            let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
            v["sites"] = json!(count);
            v["services"] = json!(services);
            v
        })
        .collect();
    HttpResponse::Ok().json(json!({ "partners": partners }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitesQuery {
    service: Option<String>,
    bbox: Option<String>,
}

fn parse_bbox(s: &str) -> Result<[f64; 4]> {
    let bad = || {
        Error::new(
            Code::InvalidParameter,
            format!("bbox '{s}' must be min_lon,min_lat,max_lon,max_lat"),
        )
    };
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad())?;
    let [a, b, c, d] = v[..] else {
        return Err(bad());
    };
    if a > c
        || b > d
        || !(-180.0..=180.0).contains(&a)
        || !(-180.0..=180.0).contains(&c)
        || !(-90.0..=90.0).contains(&b)
        || !(-90.0..=90.0).contains(&d)
    {
        return Err(bad());
    }
    Ok([a, b, c, d])
}

/// `GET /api/v1/sites?service=&bbox=`: sites as GeoJSON points with partner details.
pub async fn sites(
    query: web::Query<SitesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let atlas = state.services.atlas.get();
    let bbox = query.bbox.as_deref().map(parse_bbox).transpose()?;
    if let Some(svc) = &query.service
        && !atlas.catalog.services().contains_key(svc)
    {
        return Err(Error::new(
            Code::InvalidParameter,
            format!("'{svc}' is not a service code"),
        ));
    }
    let selected = atlas
        .sites
        .iter()
        .filter(|s| {
            query
                .service
                .as_ref()
                .is_none_or(|svc| s.services.iter().any(|x| &x.code == svc))
        })
        .filter(|s| {
            bbox.is_none_or(|[a, b, c, d]| {
                let (x, y) = (s.location.lon(), s.location.lat());
                x >= a && x <= c && y >= b && y <= d
            })
        });
    let key = format!(
        "sites|{}|{:?}|{:?}",
        atlas.data_version, query.service, query.bbox
    );
    if let Some(bytes) = state.rendered.get(&key) {
        return Ok(HttpResponse::Ok()
            .content_type("application/geo+json")
            .body(bytes));
    }
    let collection = crate::export::sites_geojson(&atlas, selected);
    let bytes = actix_web::web::Bytes::from(
        serde_json::to_vec(&collection).map_err(crate::error::Error::internal)?,
    );
    state.rendered.put(key, bytes.clone());
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .body(bytes))
}
