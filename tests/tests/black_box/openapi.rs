//! The spec is the contract: served, complete, and identical to the committed file.

use hangar_tests::{repo_root, spawn_app};

const REGENERATE: &str = "cargo run -q -p hangar-api --bin api -- openapi > openapi/openapi.json";

#[tokio::test]
async fn committed_spec_matches_the_code() {
    let generated = hangar_api::openapi::to_committed_json(&hangar_api::openapi::spec())
        .unwrap_or_else(|e| panic!("serialising the spec: {e}"));
    let path = repo_root().join("openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code. Regenerate it with:\n    {REGENERATE}\nand commit the result."
    );
}

#[tokio::test]
async fn served_spec_is_openapi_3_1_and_documents_every_route() {
    let app = spawn_app().await;

    let res = app.get("/api/v1/openapi.json").await;

    assert_eq!(res.status().as_u16(), 200);
    let spec: serde_json::Value = res.json().await.unwrap_or_default();
    assert!(
        spec["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    assert!(
        spec["components"]["schemas"]["Problem"].is_object(),
        "Problem schema"
    );
    let expected = hangar_api::openapi::spec();
    let served_paths: Vec<&String> = spec["paths"]
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    for path in ["/healthz", "/readyz", "/api/v1"] {
        assert!(
            served_paths.iter().any(|p| p.as_str() == path),
            "{path} is documented"
        );
    }
    assert_eq!(served_paths.len(), expected.paths.paths.len());
    // Every operation documents at least one response and has an id clients can generate from.
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            assert!(op["operationId"].is_string(), "{method} {path} operationId");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} tags"
            );
        }
    }
    // The bearer scheme is declared, and every protected operation documents its 401.
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(security) = op["security"].as_array() {
                assert!(
                    security.iter().all(|s| s.get("bearer").is_some()),
                    "{method} {path}"
                );
                assert!(
                    op["responses"].get("401").is_some(),
                    "{method} {path} documents 401"
                );
            }
            if op.get("requestBody").is_some() {
                for code in ["400", "413", "415", "422"] {
                    assert!(
                        op["responses"].get(code).is_some(),
                        "{method} {path} documents {code}"
                    );
                }
            }
        }
    }
    let description = spec["info"]["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("urn:hangar:problem:validation"),
        "problem types listed"
    );
}

/// `Attributes` is untagged, so its oneOf cannot name a discriminator: its variants at least
/// follow `AttributeGroup`, one for one (`<Group>Attributes`, else `FreeAttributes`).
#[tokio::test]
async fn attributes_variants_follow_the_attribute_groups() {
    let spec = serde_json::to_value(hangar_api::openapi::spec())
        .unwrap_or_else(|e| panic!("serialising the spec: {e}"));
    let schemas = &spec["components"]["schemas"];
    let groups: Vec<&str> = schemas["AttributeGroup"]["enum"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let variants: Vec<&str> = schemas["Attributes"]["oneOf"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["$ref"].as_str())
                .map(|r| r.trim_start_matches("#/components/schemas/"))
                .collect()
        })
        .unwrap_or_default();
    let expected: Vec<String> = groups
        .iter()
        .map(|g| {
            let mut name: String = g[..1].to_uppercase();
            name.push_str(&g[1..]);
            name.push_str("Attributes");
            if schemas[name.as_str()].is_object() {
                name
            } else {
                "FreeAttributes".to_owned()
            }
        })
        .collect();
    assert_eq!(groups.len(), 9, "{groups:?}");
    assert_eq!(variants, expected);
    let doc = schemas["Attributes"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(doc.contains("attribute_group"), "{doc}");
}
