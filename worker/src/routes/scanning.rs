//! `POST /api/secret-scanning`: leaked-token reports from a secret scanner, in the format of
//! GitHub's secret scanning partner program. The report is trusted only when its ECDSA P-256
//! signature over the raw body verifies, with WebCrypto, under a key named by
//! `Github-Public-Key-Identifier` in `SECRET_SCANNING_KEYS`, or in the list
//! `SECRET_SCANNING_KEYS_URL` publishes (GitHub's own included); then every reported token
//! that still works is revoked at once, and each match gets a verdict.

use crate::context::Ctx;
use crate::db;
use crate::db::audit::Actor;
use crate::error::ApiError;
use crate::http::{parse_json, read_json_bytes};
use crate::platform::{now_ms, setting, url_setting};
use crate::response::json;
use futures_util::future::{select, Either};
use js_sys::{Array, Object, Reflect, Uint8Array};
use shared::actor::ActorKind;
use shared::scanning::{
    parse_keys, pem_to_der, signature_to_raw, KeyCache, Label, Lookup, ScanMatch, ScanningKey,
    Verdict, FETCH_WAIT_MS, MAX_MATCHES,
};
use shared::token::sha256_hex;
use shared::{ErrorCode, TokenSecret};
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto, WorkerGlobalScope};
use worker::{AbortController, Delay, Env, Fetch, Headers, Method, Request, RequestInit, Response};

/// Who the history and the audit log name as having revoked a leaked token.
pub const SCANNER: &str = "secret scanning";

pub async fn report(cx: &mut Ctx<'_, ()>) -> Result<Response, ApiError> {
    let refused = |message: &str| ApiError::client(ErrorCode::Unauthenticated, message);
    let header = |name: &str| cx.req.headers().get(name).ok().flatten();
    let key_id = header("Github-Public-Key-Identifier")
        .ok_or_else(|| refused(shared::roles::model::NO_SIGNATURE))?;
    let signature = header("Github-Public-Key-Signature")
        .ok_or_else(|| refused("send the body's signature in Github-Public-Key-Signature"))?;
    let key = verifying_key(cx.env, &key_id).await?;
    let body = read_json_bytes(cx.req).await?;
    let der = pem_to_der(&key.key)
        .ok_or_else(|| ApiError::misconfigured(format!("key {key_id} is not a PEM public key")))?;
    let raw = signature_to_raw(&signature).ok_or_else(|| {
        refused("Github-Public-Key-Signature is not a base64 DER ECDSA signature")
    })?;
    if !verify(&der, &raw, &body).await? {
        return Err(refused(
            "the signature does not verify over the body with that key",
        ));
    }
    let matches: Vec<ScanMatch> = parse_json(&body)?;
    if matches.is_empty() || matches.len() > MAX_MATCHES {
        return Err(ApiError::invalid(format!(
            "a report holds from 1 to {MAX_MATCHES} matches"
        )));
    }
    let actor = Actor::system(ActorKind::SecretScanning, SCANNER);
    let mut verdicts = Vec::with_capacity(matches.len());
    for m in &matches {
        let leaked = match TokenSecret::parse(m.token.trim()) {
            Ok(secret) => revoke_leaked(cx, &secret, m, &actor).await?,
            Err(_) => false,
        };
        verdicts.push(Verdict {
            token_hash: sha256_hex(m.token.as_bytes()),
            token_type: m.kind.clone(),
            label: if leaked {
                Label::TruePositive
            } else {
                Label::FalsePositive
            },
        });
    }
    Ok(json(200, &verdicts))
}

/// A setting that is wrong is the operator's to fix: logged, and a 503 naming it.
fn misconfigured(problem: String) -> ApiError {
    worker::console_error!("{problem}");
    ApiError::misconfigured(problem)
}

thread_local! {
    /// The keys fetched from `SECRET_SCANNING_KEYS_URL`, kept for this isolate's life.
    static FETCHED: RefCell<KeyCache> = RefCell::default();
}

/// The key a report names: from `SECRET_SCANNING_KEYS` when it is set, else from the list
/// `SECRET_SCANNING_KEYS_URL` publishes (kept, and fetched again for a key it lacks at most
/// once a minute: `shared::scanning::KeyCache`).
async fn verifying_key(env: &Env, key_id: &str) -> Result<ScanningKey, ApiError> {
    let unknown = || {
        ApiError::client(
            ErrorCode::Unauthenticated,
            "unknown Github-Public-Key-Identifier",
        )
    };
    if let Some(configured) = setting(env, "SECRET_SCANNING_KEYS") {
        let keys = parse_keys(&configured, "SECRET_SCANNING_KEYS").map_err(misconfigured)?;
        return keys
            .into_iter()
            .find(|k| k.key_identifier == key_id)
            .ok_or_else(unknown);
    }
    let url = url_setting(env, "SECRET_SCANNING_KEYS_URL")
        .map_err(misconfigured)?
        .ok_or_else(|| {
            ApiError::client(
                ErrorCode::Unauthenticated,
                "this instance accepts no secret scanning reports (neither SECRET_SCANNING_KEYS nor SECRET_SCANNING_KEYS_URL is set)",
            )
        })?;
    let deadline = now_ms() + FETCH_WAIT_MS;
    while now_ms() <= deadline {
        let now = now_ms();
        match FETCHED.with(|cache| cache.borrow().lookup(key_id, now)) {
            Lookup::Found(key) => return Ok(key),
            Lookup::Fetch => {
                FETCHED.with(|cache| cache.borrow_mut().began(now));
                let outcome = fetch_keys(&url).await;
                if let Err(problem) = &outcome {
                    worker::console_error!("{problem}");
                }
                FETCHED.with(|cache| cache.borrow_mut().fetched(outcome));
            }
            Lookup::Wait => Delay::from(Duration::from_millis(100)).await,
            Lookup::Unknown => {
                return Err(ApiError::client(
                    ErrorCode::Unauthenticated,
                    "unknown Github-Public-Key-Identifier: not among the keys SECRET_SCANNING_KEYS_URL listed in the last minute",
                ))
            }
            Lookup::Unavailable(problem) => return Err(ApiError::misconfigured(problem)),
        }
    }
    Err(ApiError::misconfigured(
        "SECRET_SCANNING_KEYS_URL: the keys are still being fetched; send the report again",
    ))
}

/// How long fetching the key list may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The key list at `url`, in either form `SECRET_SCANNING_KEYS` takes (GitHub's own answer
/// included); the operator's message naming `SECRET_SCANNING_KEYS_URL` when it cannot be had.
async fn fetch_keys(url: &str) -> Result<Vec<ScanningKey>, String> {
    let failed = |what: String| format!("SECRET_SCANNING_KEYS_URL: {what}");
    let headers = Headers::new();
    let mut init = RequestInit::new();
    // GitHub's API refuses a request without a User-Agent.
    headers
        .set("Accept", "application/json")
        .and_then(|()| headers.set("User-Agent", "telegraf-token-manager secret scanning"))
        .map_err(|e| failed(e.to_string()))?;
    init.with_method(Method::Get).with_headers(headers);
    let request = Request::new_with_init(url, &init).map_err(|e| failed(e.to_string()))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sent = fetch.send_with_signal(&signal);
    let timeout = Delay::from(FETCH_TIMEOUT);
    futures_util::pin_mut!(sent);
    let mut response = match select(sent, timeout).await {
        Either::Left((answer, _)) => {
            answer.map_err(|e| failed(format!("could not be fetched: {e}")))?
        }
        Either::Right(_) => {
            controller.abort();
            return Err(failed(format!(
                "did not answer within {} s",
                FETCH_TIMEOUT.as_secs()
            )));
        }
    };
    let status = response.status_code();
    if status != 200 {
        return Err(failed(format!("answered {status}, not 200")));
    }
    let text = response.text().await.map_err(|e| failed(e.to_string()))?;
    parse_keys(&text, "what SECRET_SCANNING_KEYS_URL answered")
}

/// Revokes the token this secret opens, if it still works or would again (the current secret,
/// or the previous one within its overlap): `true` when it did.
async fn revoke_leaked(
    cx: &Ctx<'_, ()>,
    secret: &TokenSecret,
    m: &ScanMatch,
    actor: &Actor,
) -> Result<bool, ApiError> {
    let hash = secret.hash();
    let row = db::token_auth::find(&cx.db, hash.as_str()).await?;
    let Some(row) = row else { return Ok(false) };
    // A token held back only by its disabled owner would work again once they are enabled:
    // it is revoked too (`TokenStatus::may_revoke`).
    if !row.presented_status(cx.now).may_revoke() {
        return Ok(false);
    }
    let url: String = m.url.chars().take(500).collect();
    let why = format!("found in public at {url}");
    Ok(db::tokens::revoke(&cx.db, row.id, None, cx.now, actor, Some(&why)).await?)
}

/// ECDSA P-256 with SHA-256, by the runtime's WebCrypto.
async fn verify(spki: &[u8], signature: &[u8; 64], body: &[u8]) -> Result<bool, ApiError> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let subtle: SubtleCrypto = scope.crypto()?.subtle();
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"ECDSA".into())?;
    Reflect::set(&algorithm, &"namedCurve".into(), &"P-256".into())?;
    let key_data: Object = Uint8Array::from(spki).into();
    let imported = subtle.import_key_with_object(
        "spki",
        &key_data,
        &algorithm,
        false,
        &Array::of1(&"verify".into()),
    )?;
    let key: CryptoKey = match JsFuture::from(imported).await {
        Ok(key) => key.unchecked_into(),
        Err(e) => {
            return Err(misconfigured(format!(
                "the secret scanning key is not an ECDSA P-256 public key: {e:?}"
            )))
        }
    };
    let params = Object::new();
    Reflect::set(&params, &"name".into(), &"ECDSA".into())?;
    Reflect::set(&params, &"hash".into(), &"SHA-256".into())?;
    let verdict =
        subtle.verify_with_object_and_u8_array_and_u8_array(&params, &key, signature, body)?;
    Ok(JsFuture::from(verdict).await? == JsValue::TRUE)
}
