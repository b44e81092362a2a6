//! How the SPA's files are cached: the wasm, JS and CSS Trunk names by a hash of their
//! content are kept for a year and never revalidated, so a revisit fetches nothing but the
//! page; the page itself revalidates, so a new build is picked up on the next visit.

use reqwest::StatusCode;
use tests::TestServer;

fn cache_control(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_page_revalidates() {
    let server = TestServer::start().await;
    let page = server.get("/tokens").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page_cache = cache_control(&page);
    assert!(!page_cache.contains("immutable"), "{page_cache}");
    assert!(
        page_cache.contains("no-cache") || page_cache.contains("max-age=0"),
        "the page must be revalidated: {page_cache:?}"
    );
    let html = page.text().await.unwrap();
    // Every file the page loads by a hashed name (attribute values are unquoted once the
    // page is minified).
    let mut hashed: Vec<String> = html
        .split(['"', '\'', ' ', '=', '>'])
        .filter(|part| {
            part.starts_with('/')
                && [".js", ".wasm", ".css"]
                    .iter()
                    .any(|ext| part.ends_with(ext))
        })
        .map(str::to_owned)
        .collect();
    hashed.sort();
    hashed.dedup();
    assert!(hashed.len() >= 3, "wasm, JS and CSS: {hashed:?} in {html}");
    for path in &hashed {
        let asset = server.get(path).await;
        assert_eq!(asset.status(), StatusCode::OK, "{path}");
        let cache = cache_control(&asset);
        assert!(
            cache.contains("max-age=31536000") && cache.contains("immutable"),
            "{path}: {cache:?}"
        );
    }
}
