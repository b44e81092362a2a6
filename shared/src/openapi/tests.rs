use super::*;

#[test]
fn every_route_is_documented_and_nothing_else() {
    let doc = document();
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented += 1;
            assert!(
                ROUTES
                    .iter()
                    .any(|r| r.path == path && r.method.eq_ignore_ascii_case(method)),
                "{method} {path} is documented but not routed"
            );
        }
    }
    assert_eq!(documented, ROUTES.len());
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/").skip(1) {
        let reference = &part[..part.find('"').unwrap()];
        let (kind, name) = reference.split_once('/').unwrap();
        assert!(
            doc["components"][kind][name].is_object(),
            "dangling $ref {reference}"
        );
    }
}

#[test]
fn security_and_refusals_follow_each_routes_access() {
    let doc = document();
    for route in ROUTES {
        let op = &doc["paths"][route.path][route.method.to_ascii_lowercase()];
        let responses = op["responses"].as_object().unwrap();
        let schemes: Vec<&str> = op["security"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s.as_object().unwrap().keys().map(String::as_str))
            .collect();
        match route.access {
            Access::Public | Access::Signed => assert!(schemes.is_empty(), "{}", route.path),
            Access::Person(..) | Access::OwnAccount => {
                assert_eq!(schemes, ["session"], "{}", route.path)
            }
            Access::Agent(..) => {
                assert_eq!(schemes, ["bearerToken", "tokenScheme"]);
                assert!(responses.contains_key("429"));
            }
            Access::SignedIn | Access::Needs(..) => assert_eq!(schemes.len(), 3),
        }
        if let Some((r, a)) = route.access.permission() {
            let needs = format!("{}:{}", r.as_str(), a.as_str());
            assert!(
                op["description"].as_str().unwrap().contains(&needs),
                "{} {} does not say it needs {needs}",
                route.method,
                route.path
            );
            assert!(responses.contains_key("403"));
        }
    }
}

#[test]
fn operation_ids_are_unique() {
    let doc = document();
    let mut seen = std::collections::HashSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            assert!(seen.insert(op["operationId"].as_str().unwrap().to_owned()));
        }
    }
}
