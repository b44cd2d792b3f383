//! Roles, tokens and the audit record.

use crate::helpers::*;
use gapmap::store::Role;

async fn put_with(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .put(app.url("/api/v1/geographies/g?filename=areas.geojson"))
        .header("Content-Type", "application/geo+json")
        .body(three_areas());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn editors_write_viewers_do_not_and_admins_read_the_audit_record() {
    let app = spawn_app().await;
    let store = &app.services.store;
    let (_, viewer) = store.create_token(Role::Viewer, "reader").await.unwrap();
    let (editor_info, editor) = store
        .create_token(Role::Editor, "north office")
        .await
        .unwrap();

    assert_error(put_with(&app, Some(&viewer)).await, 403, "forbidden").await;
    assert_eq!(put_with(&app, Some(&editor)).await.status(), 200);

    let audit_url = app.url("/api/v1/audit");
    let r = app
        .client
        .get(&audit_url)
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "forbidden").await;
    let r = app
        .client
        .get(&audit_url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log: serde_json::Value = r.json().await.unwrap();
    let entry = &log["entries"][0];
    assert_eq!(
        entry["actor"],
        format!("token:{} (editor: north office)", editor_info.id)
    );
    assert_eq!(entry["action"], "replace_geography");
    assert_eq!(entry["target"], "g (areas.geojson)");
    assert_eq!(entry["added"], 3);
    assert_eq!(entry["data_version"], 1);
}

async fn a_revoked_token_no_longer_writes() {
    let app = spawn_app().await;
    let (info, editor) = app
        .services
        .store
        .create_token(Role::Editor, "temp")
        .await
        .unwrap();
    app.services.store.revoke_token(&info.id).await.unwrap();
    assert_error(put_with(&app, Some(&editor)).await, 401, "invalid_token").await;
}

async fn tokens_are_stored_only_as_digests() {
    let app = spawn_app().await;
    let (_, secret) = app
        .services
        .store
        .create_token(Role::Admin, "x")
        .await
        .unwrap();
    let listed = serde_json::to_string(&app.services.store.list_tokens().await.unwrap()).unwrap();
    assert!(!listed.contains(&secret));
    assert!(secret.starts_with("gm_") && secret.len() > 40);
}

async fn private_reads_need_a_viewer_token_but_health_stays_open() {
    let app = spawn_with(|s| s.reads = gapmap::config::Reads::Token).await;
    let (_, viewer) = app
        .services
        .store
        .create_token(Role::Viewer, "r")
        .await
        .unwrap();
    assert_error(app.get("/api/v1/assessments").await, 401, "missing_token").await;
    let r = app
        .client
        .get(app.url("/api/v1/assessments"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn anonymous_writes_work_only_when_allowed() {
    let app = spawn_with(|s| {
        s.admin_token = None;
        s.allow_anonymous_writes = true;
    })
    .await;
    assert_eq!(put_with(&app, None).await.status(), 200);
    let log = app.services.store.audit_log(10).await.unwrap();
    assert_eq!(log[0].actor, "anonymous");
}

async fn a_refused_upload_leaves_no_audit_entry() {
    let app = spawn_app().await;
    app.put_areas("g", "{not json").await;
    assert!(app.services.store.audit_log(10).await.unwrap().is_empty());
}

crate::api_tests!(
    editors_write_viewers_do_not_and_admins_read_the_audit_record,
    a_revoked_token_no_longer_writes,
    tokens_are_stored_only_as_digests,
    private_reads_need_a_viewer_token_but_health_stays_open,
    anonymous_writes_work_only_when_allowed,
    a_refused_upload_leaves_no_audit_entry,
);
