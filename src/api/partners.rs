use super::format::cached;
use super::{AppState, upload};
use crate::analysis::{GapParams, lookup, supplying_sites};
use crate::atlas::CacheKey;
use crate::error::{Code, Error, Result};
use crate::imports::Mode;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

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
    let q = query.into_inner();
    let default_name = q.filename.unwrap_or_else(|| "partners".into());
    let mut upload = upload::receive(&req, payload, &state, &default_name).await?;
    let files = std::mem::take(&mut upload.files);
    let report = state
        .services
        .import_partners(
            &upload.actor,
            files,
            q.mode.unwrap_or(Mode::Merge),
            q.untracked_services.unwrap_or_default(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    format: Option<String>,
}

/// `GET /api/v1/partners[?format=json|csv|geojson]`: every partner with its number of sites
/// and their services (JSON), the flat partner CSV (which uploads again unchanged), or the
/// sites as GeoJSON points.
pub async fn list(
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let format = Format::parse_or(query.format.as_deref(), Format::Json)?;
    let atlas = state.services.atlas.get();
    let key = CacheKey::new("partners", atlas.data_version).with("format", format.name());
    cached(&state, atlas, key, move |atlas, _| {
        output::render(&Document::Directory(atlas), format, Layout::Compact)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitesQuery {
    service: Option<String>,
    bbox: Option<String>,
    need: Option<String>,
    hours: Option<String>,
    language: Option<String>,
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

/// `GET /api/v1/sites?service=&bbox=[&need=[&hours=][&language=]]`: sites as GeoJSON
/// points with partner details. With `need=`, only the sites that supply it and pass its
/// filters (the sites `/gaps` counts); a filter no site's data can answer is refused
/// with 422 `filter_without_data`.
pub async fn sites(
    query: web::Query<SitesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let atlas = state.services.atlas.get();
    let q = query.into_inner();
    let bbox = q.bbox.as_deref().map(parse_bbox).transpose()?;
    if let Some(svc) = &q.service
        && !atlas.catalog.services().contains_key(svc)
    {
        return Err(Error::new(
            Code::InvalidParameter,
            format!("'{svc}' is not a service code"),
        ));
    }
    let hours = super::gaps::parse_hours(q.hours.as_deref())?;
    if q.need.is_none() && (hours.is_some() || q.language.is_some()) {
        return Err(Error::new(
            Code::InvalidParameter,
            "hours= and language= filter the sites of a need: give need= too",
        ));
    }
    let params = GapParams {
        radius_km: None,
        language: q.language,
        hours,
        desert_rule: None,
    };
    let key = params.cache_key(
        CacheKey::new("sites", atlas.data_version)
            .with("service", q.service.as_deref())
            .with("bbox", bbox.as_ref().map(|b| b.as_slice()))
            .with("need", q.need.as_deref()),
    );
    let (service, need) = (q.service, q.need);
    cached(&state, atlas, key, move |atlas, _| {
        let supplying = match &need {
            Some(code) => {
                let need = lookup::need(atlas, code)?;
                Some(supplying_sites(atlas, need, &params)?)
            }
            None => None,
        };
        let candidates: Box<dyn Iterator<Item = &crate::domain::Site>> = match &supplying {
            Some(positions) => Box::new(positions.iter().filter_map(|&i| atlas.sites.get(i))),
            None => Box::new(atlas.sites.iter()),
        };
        let selected = candidates
            .filter(|s| {
                service
                    .as_ref()
                    .is_none_or(|svc| s.services.iter().any(|x| &x.code == svc))
            })
            .filter(|s| {
                bbox.is_none_or(|[a, b, c, d]| {
                    let (x, y) = (s.location.lon(), s.location.lat());
                    x >= a && x <= c && y >= b && y <= d
                })
            })
            .collect();
        output::render(
            &Document::Sites(atlas, selected),
            Format::Geojson,
            Layout::Compact,
        )
    })
    .await
}

/// An edit's JSON body, at most 64 KiB.
async fn edit_body(mut payload: web::Payload) -> Result<Vec<u8>> {
    use futures_util::StreamExt;
    const LIMIT: usize = 64 * 1024;
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            Error::new(
                Code::MalformedBody,
                format!("the body could not be read: {e}"),
            )
        })?;
        if body.len() + chunk.len() > LIMIT {
            return Err(Error::new(
                Code::PayloadTooLarge,
                "an edit's body is at most 64 KiB of JSON",
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `GET /api/v1/partners/{id}`: the partner (as the list shows it) with its sites as
/// GeoJSON points.
pub async fn get_one(path: web::Path<String>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let id = path.into_inner();
    let atlas = state.services.atlas.get();
    if !atlas.partners.contains_key(&id) {
        return Err(not_found("partner", &id));
    }
    let key = CacheKey::new("partner", atlas.data_version).with("id", id.as_str());
    cached(&state, atlas, key, move |atlas, _| {
        let p = atlas
            .partners
            .get(&id)
            .ok_or_else(|| not_found("partner", &id))?;
        output::render(&Document::Partner(atlas, p), Format::Json, Layout::Compact)
    })
    .await
}

fn not_found(what: &str, id: &str) -> Error {
    Error::new(
        Code::NotFound,
        format!("there is no {what} '{id}' (GET /api/v1/{what}s lists them)"),
    )
}

/// `PATCH /api/v1/partners/{id}` (editor): changes the partnership level and stage, the
/// agreement dates, notes, contact and needs the body names; every other field stays.
pub async fn patch_partner(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let caller = state
        .auth
        .require(&req, &state.services.store, crate::store::Role::Editor)
        .await?;
    let body = edit_body(payload).await?;
    let report = state
        .services
        .edit_partner(&caller.actor, &path.into_inner(), &body)
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `PATCH /api/v1/sites/{id}` (editor): changes the services, capacity, languages and
/// hours the body names; every other field stays.
pub async fn patch_site(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let caller = state
        .auth
        .require(&req, &state.services.store, crate::store::Role::Editor)
        .await?;
    let body = edit_body(payload).await?;
    let report = state
        .services
        .edit_site(&caller.actor, &path.into_inner(), &body)
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /api/v1/partners/{id}/history`: every change of the partner's level and stage,
/// newest first: `{partner_id, history: [{at, by, field, from, to, note, via,
/// data_version}]}`.
pub async fn history(path: web::Path<String>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let id = path.into_inner();
    let history = state
        .services
        .store
        .partner_history(&id)
        .await?
        .ok_or_else(|| not_found("partner", &id))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "partner_id": id, "history": history })))
}
