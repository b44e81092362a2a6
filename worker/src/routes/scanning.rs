//! `POST /api/secret-scanning`: leaked-token reports from a secret scanner, in the format of
//! GitHub's secret scanning partner program. The report is trusted only when its ECDSA P-256
//! signature over the raw body verifies, with WebCrypto, under a key named by
//! `Github-Public-Key-Identifier` in `SECRET_SCANNING_KEYS`; then every reported token that
//! still works is revoked at once, and each match gets a verdict.

use crate::context::Ctx;
use crate::db;
use crate::db::audit::Actor;
use crate::error::ApiError;
use crate::http::{parse_json, read_json_bytes};
use crate::response::json;
use js_sys::{Array, Object, Reflect, Uint8Array};
use shared::actor::ActorKind;
use shared::scanning::{
    parse_keys, pem_to_der, signature_to_raw, Label, ScanMatch, Verdict, MAX_MATCHES,
};
use shared::token::sha256_hex;
use shared::{ErrorCode, TokenSecret};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto, WorkerGlobalScope};
use worker::Response;

/// Who the history and the audit log name as having revoked a leaked token.
pub const SCANNER: &str = "secret scanning";

pub async fn report(cx: &mut Ctx<'_, ()>) -> Result<Response, ApiError> {
    let refused = |message: &str| ApiError::client(ErrorCode::Unauthenticated, message);
    let header = |name: &str| cx.req.headers().get(name).ok().flatten();
    let key_id = header("Github-Public-Key-Identifier")
        .ok_or_else(|| refused(shared::roles::model::NO_SIGNATURE))?;
    let signature = header("Github-Public-Key-Signature")
        .ok_or_else(|| refused("send the body's signature in Github-Public-Key-Signature"))?;
    let configured = cx
        .env
        .secret("SECRET_SCANNING_KEYS")
        .map(|s| s.to_string())
        .or_else(|_| cx.env.var("SECRET_SCANNING_KEYS").map(|v| v.to_string()))
        .map_err(|_| refused("this instance accepts no secret scanning reports (SECRET_SCANNING_KEYS is not set)"))?;
    // A malformed setting is the operator's to fix: logged, and a 503 naming it.
    let keys = parse_keys(&configured).map_err(|problem| {
        worker::console_error!("{problem}");
        ApiError::misconfigured(problem)
    })?;
    let key = keys
        .iter()
        .find(|k| k.key_identifier == key_id)
        .ok_or_else(|| refused("unknown Github-Public-Key-Identifier"))?;
    let body = read_json_bytes(cx.req).await?;
    let der = pem_to_der(&key.key).ok_or_else(|| {
        ApiError::misconfigured(format!(
            "SECRET_SCANNING_KEYS: key {key_id} is not a PEM public key"
        ))
    })?;
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
            return Err(ApiError::Internal(format!(
                "a SECRET_SCANNING_KEYS key is not an ECDSA P-256 public key: {e:?}"
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
