use super::format::cached;
use super::openapi::{ErrorBody, FeatureCollection, TableFormat, UPLOAD_BODY};
use super::{AppState, upload};
use crate::analysis::{GapParams, lookup, supplying_sites};
use crate::atlas::CacheKey;
use crate::domain::HoursFilter;
use crate::error::{Code, Error, Result};
use crate::imports::Mode;
use crate::imports::{EditReport, ImportReport};
use crate::output::{self, Document, Format, Layout};
use crate::output::{PartnerDetail, PartnerList};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PostQuery {
    /// `merge` (default: add and update by id, keep the rest) or `replace` (the upload is
    /// the whole directory).
    mode: Option<Mode>,
    /// The file's name, for messages and the audit record.
    filename: Option<String>,
    /// What to do with HSDS locations offering only services gapmap does not track.
    untracked_services: Option<crate::ingest::Untracked>,
}

/// `POST /api/v1/partners?mode=merge|replace[&untracked_services=refuse|skip]`: HSDS zip
/// or CSVs, GeoJSON points or flat CSV.
#[utoipa::path(post, path = "/api/v1/partners", tag = "data", params(PostQuery),
    request_body(description = UPLOAD_BODY, content(("text/csv"), ("application/geo+json"), ("application/json"), ("application/zip"), ("multipart/form-data"))),
    security(("token" = [])),
    responses(
    (status = 200, description = "The directory, merged or replaced (or unchanged).", body = ImportReport),
))]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// The answer's format.
    #[param(value_type = Option<TableFormat>)]
    format: Option<String>,
}

/// `GET /api/v1/partners[?format=json|csv|geojson]`: every partner with its number of sites
/// and their services (JSON), the flat partner CSV (which uploads again unchanged), or the
/// sites as GeoJSON points.
#[utoipa::path(get, path = "/api/v1/partners", tag = "data", params(ListQuery), responses(
    (status = 200, description = "The partner directory.", content(
        (PartnerList = "application/json"),
        (FeatureCollection = "application/geo+json"),
        (String = "text/csv"),
    )),
))]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SitesQuery {
    /// Only sites offering this service code (`GET /api/v1/vocabulary`).
    service: Option<String>,
    /// Only sites inside `min_lon,min_lat,max_lon,max_lat` (WGS 84 degrees).
    #[param(example = "-87.7,41.8,-87.6,41.9")]
    bbox: Option<String>,
    /// Only the sites that supply this need and pass its filters (the sites `/gaps` counts).
    #[param(example = "childcare")]
    need: Option<String>,
    /// With `need=`: only sites open at these hours.
    #[param(value_type = Option<HoursFilter>)]
    hours: Option<String>,
    /// With `need=`: only sites serving this ISO 639-1 language.
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
#[utoipa::path(get, path = "/api/v1/sites", tag = "data", params(SitesQuery), responses(
    (status = 200, description = "The sites as points, with their partner, services, capacity, languages and hours.", body = FeatureCollection, content_type = "application/geo+json"),
    (status = 404, description = "No such need.", body = ErrorBody),
    (status = 422, description = "A filter no site's data can answer (`filter_without_data`).", body = ErrorBody),
))]
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
        travel: None,
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
pub(super) async fn edit_body(mut payload: web::Payload) -> Result<Vec<u8>> {
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
#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "data",
    params(("id" = String, Path, description = "The partner's id.")),
    responses(
    (status = 200, description = "The partner and its sites.", body = PartnerDetail),
    (status = 404, description = "There is no such partner.", body = ErrorBody),
))]
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
/// agreement dates, notes, contact, needs and readiness answers the body names; every
/// other field stays.
#[utoipa::path(patch, path = "/api/v1/partners/{id}", tag = "data",
    params(("id" = String, Path, description = "The partner's id.")),
    request_body(content = PartnerPatch, content_type = "application/json",
        description = "The fields to change: a key left out keeps its value, null clears it."),
    security(("token" = [])),
    responses(
    (status = 200, description = "What changed, before and after (or unchanged), and the partner as it is now.", body = EditReport),
    (status = 404, description = "There is no such record.", body = ErrorBody),
))]
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
#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "data",
    params(("id" = String, Path, description = "The site's id.")),
    request_body(content = SitePatch, content_type = "application/json",
        description = "The fields to change: a key left out keeps its value, null clears it."),
    security(("token" = [])),
    responses(
    (status = 200, description = "What changed, before and after (or unchanged), and the site as it is now.", body = EditReport),
    (status = 404, description = "There is no such record.", body = ErrorBody),
))]
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
#[utoipa::path(get, path = "/api/v1/partners/{id}/history", tag = "data",
    params(("id" = String, Path, description = "The partner's id.")),
    responses(
    (status = 200, description = "The partner's level and stage changes, newest first.", body = PartnerHistory),
    (status = 404, description = "There is no such partner.", body = ErrorBody),
))]
pub async fn history(path: web::Path<String>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let id = path.into_inner();
    let history = state
        .services
        .store
        .partner_history(&id)
        .await?
        .ok_or_else(|| not_found("partner", &id))?;
    Ok(HttpResponse::Ok().json(PartnerHistory {
        partner_id: id,
        history,
    }))
}

/// `GET /api/v1/partners/{id}/history`'s answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PartnerHistory {
    /// The partner's id.
    partner_id: String,
    /// Its changes, newest first.
    history: Vec<crate::store::HistoryEntry>,
}

// The bodies of the two edits, for the API contract only: `ingest::edit_json` reads them,
// because "left out" (keep) and `null` (clear) must differ, which a derived Deserialize
// cannot tell apart.

/// `PATCH /api/v1/partners/{id}`'s body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PartnerPatch {
    /// The partnership level.
    partnership_level: Option<crate::domain::PartnershipLevel>,
    /// The partnership stage.
    partnership_stage: Option<crate::domain::PartnershipStage>,
    /// When the agreement started (YYYY-MM-DD).
    #[schema(format = Date)]
    agreement_start: Option<String>,
    /// When the agreement ends (YYYY-MM-DD), not before its start.
    #[schema(format = Date)]
    agreement_end: Option<String>,
    /// Notes.
    notes: Option<String>,
    /// The contact person; each key keeps, sets or clears on its own, null clears all.
    contact: Option<ContactPatch>,
    /// The need codes the partnership addresses (`GET /api/v1/needs`).
    needs: Option<Vec<String>>,
    /// Answers to the readiness questions (`readiness_questions` in `GET
    /// /api/v1/vocabulary`); each question keeps, sets or (null) clears on its own.
    readiness: Option<ReadinessPatch>,
    /// Why the level or stage changes, kept with the history entry; needs
    /// `partnership_level` or `partnership_stage` in the same edit.
    note: Option<String>,
}

/// The readiness part of a partner edit.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReadinessPatch {
    /// Is there a need to change the service system?
    need_for_change: Option<AnswerPatch>,
    /// What are our ideas for the partnership?
    ideas: Option<AnswerPatch>,
    /// How would it benefit children and families?
    benefits: Option<AnswerPatch>,
    /// What challenges do we expect?
    challenges: Option<AnswerPatch>,
}

/// One readiness answer in an edit.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AnswerPatch {
    /// The answer, free text.
    text: String,
    /// When it was given (YYYY-MM-DD); today when left out.
    #[schema(format = Date)]
    date: Option<String>,
}

/// The contact part of a partner edit.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ContactPatch {
    /// Name.
    name: Option<String>,
    /// Email address.
    #[schema(format = Email)]
    email: Option<String>,
    /// Phone number.
    phone: Option<String>,
}

/// `PATCH /api/v1/sites/{id}`'s body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct SitePatch {
    /// The service codes (or labels) the site offers.
    services: Option<Vec<String>>,
    /// One capacity for every service (a number ≥ 0), or one per service
    /// (`{"childcare": 40}`, null clearing that one).
    capacity: Option<serde_json::Value>,
    /// ISO 639-1 codes of the languages served.
    languages: Option<Vec<String>>,
    /// Opening hours, e.g. `Mo-Fr 07:00-18:00`.
    hours: Option<String>,
}
