use super::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn response(status: u16, body: Option<&str>) -> Result<Answer, ApiFailure> {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    read(web_sys::Response::new_with_opt_str_and_init(body, &init).unwrap()).await
}

/// index.html asks for the unfiltered first page by the URL this app builds for it, and
/// only for the roles that may read tokens.
#[wasm_bindgen_test]
fn index_html_asks_early_for_what_the_app_asks() {
    let page = include_str!("../../index.html");
    let pairs = TokenQuery::default().to_query_pairs();
    let url = with_query(
        &path(Endpoint::ListTokens),
        pairs.iter().map(|(k, v)| (*k, v.as_str())),
    );
    assert_eq!(url, EARLY_TOKENS_URL);
    assert!(
        page.contains(&format!("fetch(\"{url}\")")),
        "index.html fetches {url}"
    );
    use shared::permissions::{Action, Resource};
    let roles: Vec<String> = shared::roles::Role::allowing(Resource::Tokens, Action::Read)
        .map(|r| format!("\"{}\"", r.as_str()))
        .collect();
    let roles = format!("[{}].includes(m.user.role)", roles.join(", "));
    assert!(page.contains(&roles), "index.html checks {roles}");
}

#[wasm_bindgen_test]
async fn answers_read_as_their_type_and_no_content_as_unit() {
    let answer: Result<(), _> = decode(response(204, None).await.unwrap());
    assert_eq!(answer, Ok(()));
    let answer: Result<Vec<u8>, _> = decode(response(200, Some("[1,2]")).await.unwrap());
    assert_eq!(answer, Ok(vec![1, 2]));
    let answer: Result<Vec<u8>, _> = decode(response(204, None).await.unwrap());
    assert_eq!(answer.unwrap_err().code, "decode_error");
    let answer: Result<Vec<u8>, _> = decode(response(200, Some("<html>")).await.unwrap());
    assert_eq!(answer.unwrap_err().code, "decode_error");
    let failed = response(
        409,
        Some(r#"{"error":"token_name_conflict","message":"taken","ids":["a"]}"#),
    )
    .await
    .err()
    .unwrap();
    assert_eq!((failed.status, failed.message.as_str()), (409, "taken"));
    assert_eq!(failed.ids, ["a"]);
    let failed = response(502, Some("<html>")).await.err().unwrap();
    assert_eq!(failed.code, "http_error");
}

#[wasm_bindgen_test]
fn bodies_are_json_and_queries_are_encoded() {
    let body = encode(&ReassignRequest {
        user_id: "a \"b\"".into(),
    })
    .unwrap();
    assert_eq!(body, r#"{"userId":"a \"b\""}"#);
    assert_eq!(encode(&RotateRequest { overlap: None }).unwrap(), "{}");
    let url = with_query("/api/tokens", [("q", "a&b c"), ("page", "2")].into_iter());
    assert_eq!(url, "/api/tokens?q=a%26b+c&page=2");
    assert_eq!(with_query("/api/x", std::iter::empty()), "/api/x");
}
