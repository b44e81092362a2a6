//! The served OpenAPI document: valid OpenAPI 3 by an independent validator, and true to the
//! worker's route table.

use reqwest::StatusCode;
use serde_json::Value;
use shared::routes::ROUTES;
use tests::{repo_root, TestServer};

/// Runs the independent validator (swagger-parser, from npm) on a document.
fn validate(doc: &Value) -> std::process::Output {
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    std::process::Command::new("node")
        .arg(repo_root().join("tests/validate-openapi.mjs"))
        .arg(file.path())
        .current_dir(repo_root())
        .output()
        .expect("run node")
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_matches_the_routes() {
    let server = TestServer::start().await;
    // Served without credentials, and the very document `shared` builds from the route table
    // (whose unit tests check that every route is documented and nothing else).
    let response = server.get("/api/docs/openapi.json").await;
    let doc: Value = tests::answers::expect_json(response, StatusCode::OK).await;
    assert_eq!(
        doc,
        shared::openapi::document(),
        "the worker serves the shared document"
    );
    assert_eq!(
        doc["paths"].as_object().unwrap().len(),
        ROUTES
            .iter()
            .map(|r| r.path)
            .collect::<std::collections::HashSet<_>>()
            .len()
    );

    let output = validate(&doc);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "swagger-parser refused the document: {said}"
    );
    assert!(said.starts_with("valid:"), "{said}");
}

#[tokio::test]
async fn the_validator_can_fail() {
    // The same check against a broken document must fail, or the test above proves nothing.
    let mut doc = shared::openapi::document();
    doc["paths"]["/api/tokens"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["$ref"] = Value::from("#/components/schemas/Missing");
    assert!(!validate(&doc).status.success());
}

#[tokio::test]
async fn every_answer_the_actors_receive_is_checked_and_a_wrong_schema_fails() {
    use reqwest::Method;
    let (_server, owner) = TestServer::with_owner().await;
    // Through the actor the answer was already checked against the served document…
    let created = owner
        .post("/api/tokens", &serde_json::json!({"name": "checked"}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body = created.bytes().await.unwrap();
    let doc = shared::openapi::document();
    tests::contract::check_against(&doc, &Method::POST, "/api/tokens", 201, &body)
        .expect("the real answer matches the document");
    // …and the same answer against a document that says something else is refused, whether
    // a field's type, a missing status or an unknown field.
    let mut wrong_type = doc.clone();
    wrong_type["components"]["schemas"]["Token"]["properties"]["hint"]["type"] =
        Value::from("integer");
    let mut no_such_status = doc.clone();
    no_such_status["paths"]["/api/tokens"]["post"]["responses"]
        .as_object_mut()
        .unwrap()
        .remove("201");
    let mut fewer_fields = doc.clone();
    fewer_fields["components"]["schemas"]["Token"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("recentAgents");
    for (what, wrong) in [
        ("type", wrong_type),
        ("status", no_such_status),
        ("field", fewer_fields),
    ] {
        let outcome =
            tests::contract::check_against(&wrong, &Method::POST, "/api/tokens", 201, &body);
        assert!(outcome.is_err(), "a wrong {what} went unnoticed");
    }
}
