//! "Create API Token": the form, then the new secret, shown exactly once with a Copy button.

use super::choices::choices;
use super::copy_button::CopyButton;
use super::form::{form_error, on_submit, submit_action, DialogFooter, Errors};
use super::modal::Modal;
use super::permissions_grid::PermissionsGrid;
use super::reach::{Reach, ReachFields};
use super::ready_lines::ReadyLines;
use crate::api;
use crate::components::loaded::Fetch;
use crate::format::sentence;
use leptos::prelude::*;
use shared::api::{CreateTokenRequest, CreatedToken, Preset};
use shared::permissions::Permissions;
use shared::TokenName;
use std::sync::Arc;
use wasm_bindgen::JsCast;

#[component]
pub fn CreateTokenDialog(
    #[prop(into)] on_close: Callback<()>,
    /// Runs as soon as the token exists (told so in a sentence for the page's notice), so the
    /// list can refresh behind the dialog.
    #[prop(into)]
    on_created: Callback<String>,
) -> impl IntoView {
    let created = RwSignal::new(None::<CreatedToken>);
    view! {
        <SecretDialog title="Create API Token" shown=created on_close
            form=move || view! { <CreateForm on_close on_created created /> } />
    }
}

/// A dialog whose form ends in a secret shown once. Once the secret is on screen, closing
/// before it was copied asks first, since it cannot be shown again: Escape, the Done button and
/// Close all come through here.
#[component]
pub(crate) fn SecretDialog(
    #[prop(into)] title: String,
    /// Set by the form when its call answers with the secret.
    shown: RwSignal<Option<CreatedToken>>,
    on_close: Callback<()>,
    #[prop(into)] form: ViewFn,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let asking = RwSignal::new(false);
    let close = Callback::new(move |()| {
        if shown.with_untracked(Option::is_some) && copied.get_untracked() != Some(true) {
            asking.set(true);
        } else {
            on_close.run(());
        }
    });
    view! {
        <Modal title on_close=close>
            {move || match shown.get() {
                None => form.run(),
                Some(c) => view! {
                    <ShowSecretOnce secret=c.secret name=c.token.name scope=c.token.config_scope copied asking on_close=close on_leave=on_close />
                }.into_any(),
            }}
        </Modal>
    }
}

/// The Expiration dropdown's choices (Telegraf Controller's), in days.
const EXPIRY_DAYS: [(&str, &str); 5] = [
    ("7", "7 days"),
    ("30", "30 days"),
    ("60", "60 days"),
    ("90", "90 days"),
    ("365", "1 year"),
];

#[component]
fn CreateForm(
    on_close: Callback<()>,
    on_created: Callback<String>,
    created: RwSignal<Option<CreatedToken>>,
) -> impl IntoView {
    let kept = draft::load();
    let restored = kept.is_some();
    draft::clear();
    let kept = kept.unwrap_or(draft::Draft {
        name: String::new(),
        expiry: "30".to_owned(),
        custom_date: String::new(),
        preset: "telegraf-agent".to_owned(),
        grid: Permissions::telegraf_agent().to_string(),
    });
    let name = RwSignal::new(kept.name);
    let expiry = RwSignal::new(kept.expiry);
    let custom_date = RwSignal::new(kept.custom_date);
    let preset = RwSignal::new(kept.preset);
    let role = crate::session::current_role();
    let role_permissions = role.permissions();
    let grants_everything = role_permissions == shared::permissions::Permissions::ALL;
    let full_access_label = if grants_everything {
        "Full access".to_owned()
    } else {
        format!("Full access (everything a {} may do)", role.label())
    };
    let role_limit = format!(
        "A {}'s tokens can do at most what a {} may; the rest is greyed out.",
        role.label(),
        role.label()
    );
    let grid =
        RwSignal::new(Permissions::parse(&kept.grid).unwrap_or(Permissions::telegraf_agent()));
    api::before_sign_in(Some(Box::new(move || {
        draft::save(&draft::Draft {
            name: name.try_get_untracked().unwrap_or_default(),
            expiry: expiry.try_get_untracked().unwrap_or_default(),
            custom_date: custom_date.try_get_untracked().unwrap_or_default(),
            preset: preset.try_get_untracked().unwrap_or_default(),
            grid: grid.try_get_untracked().unwrap_or_default().to_string(),
        })
    })));
    on_cleanup(|| api::before_sign_in(None));
    let raw_token = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<String>);
    let create = submit_action(
        |body: &CreateTokenRequest| api::create_token(body.clone()),
        move |c: CreatedToken| {
            on_created.run(format!("Created \u{201c}{}\u{201d}.", c.token.name));
            // The dialog may have been closed meanwhile; its signals are then gone.
            let _ = created.try_set(Some(c));
        },
    );
    let pending = create.pending();
    // Messages about the description (ours, or the server's name conflict), the custom date
    // and the token string stand beside their fields; the rest at the foot of the form.
    let errors = Errors::new(form_error(create, invalid), field_of);
    let (name_invalid, name_described) = errors.describe("token-name", Some("token-name-help"));
    let (date_invalid, date_described) = errors.describe("token-expiry-date", None);
    let (raw_invalid, raw_described) = errors.describe("token-raw", None);
    let capabilities = Fetch::new(api::token_capabilities);
    let preshared_allowed = move || {
        capabilities
            .get()
            .and_then(Result::ok)
            .is_some_and(|c| c.pre_shared_tokens_enabled)
    };

    let reach = Reach::new(None, None);
    // The organisation's lifetime policy: choices beyond it are not offered.
    let policy = Fetch::new(api::token_policy);
    let max_days = move || {
        policy.get().and_then(Result::ok).map(|p| {
            (
                p.max_lifetime
                    .and_then(|m| m.trim_matches(['P', 'D']).parse::<u32>().ok()),
                p.require_expiry,
                p.summary,
            )
        })
    };
    let offered = move |choice: &str| match (max_days(), choice) {
        (Some((_, true, _)), "never") => false,
        (Some((Some(max), _, _)), days) => days.parse::<u32>().map_or(true, |d| d <= max),
        _ => true,
    };
    // A choice the policy rules out falls back to the longest one it allows.
    crate::effect::watch(move |_| {
        if max_days().is_some() && !offered(&expiry.get_untracked()) {
            let fallback = EXPIRY_DAYS
                .iter()
                .rev()
                .find(|(d, _)| offered(d))
                .map_or("custom", |(d, _)| d);
            expiry.set(fallback.to_owned());
        }
    });
    let submit = on_submit(create, invalid, move || {
        let mut body = request(
            &name.get_untracked(),
            &expiry.get_untracked(),
            &custom_date.get_untracked(),
            &preset.get_untracked(),
            grid.get_untracked(),
            &raw_token.get_untracked(),
        )?;
        body.config_scope = reach.config_scope()?;
        body.allowed_addresses = reach.allowed_addresses();
        Ok(body)
    });
    view! {
        <form on:submit=submit novalidate>
            {restored.then(|| view! {
                <p class="notice" role="status" data-testid="draft-restored">
                    "Your session had ended: here is the token you were creating, as you left it."
                </p>
            })}
            <label for="token-name">"Description"</label>
            <input
                id="token-name"
                name="name"
                type="text"
                required
                autofocus
                placeholder="e.g. Production Telegraf agents"
                aria-describedby=move || name_described.get()
                aria-invalid=move || name_invalid.get()
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            {errors.beside("token-name")}
            <p id="token-name-help" class="help">"A name that tells you later where this token is used. It must be unique."</p>

            <label for="token-expiry">"Expiration"</label>
            {move || {
                // The policy's limits, once read, take away what goes beyond them.
                let mut options: Vec<(String, String)> = EXPIRY_DAYS
                    .iter()
                    .filter(|(days, _)| offered(days))
                    .map(|(days, label)| ((*days).to_owned(), (*label).to_owned()))
                    .collect();
                options.push(("custom".into(), "Custom date".into()));
                if offered("never") {
                    options.push(("never".into(), "No expiration".into()));
                }
                choices("token-expiry", options, Arc::new(move || expiry.get()), Arc::new(move |v| expiry.set(v)))
            }}
            {move || max_days().filter(|(max, required, _)| max.is_some() || *required).map(|(_, _, summary)| view! {
                <p class="help" data-testid="policy-limit">{format!("Your organisation's policy: {summary}.")}</p>
            })}
            {move || (expiry.get() == "custom").then(|| view! {
                <label for="token-expiry-date">"Expires at the end of"</label>
                <input id="token-expiry-date" type="date" min=today() prop:value=move || custom_date.get()
                    aria-invalid=move || date_invalid.get() aria-describedby=move || date_described.get()
                    on:input=move |ev| custom_date.set(event_target_value(&ev)) />
                {errors.beside("token-expiry-date")}
            })}
            {move || (expiry.get() == "never").then(|| view! {
                <p class="help">"A token without expiry stays valid until it is revoked or deleted."</p>
            })}

            <label for="token-preset">"Permissions"</label>
            <select id="token-preset" on:change=move |ev| preset.set(event_target_value(&ev))>
                <option value="telegraf-agent" selected=preset.get_untracked() == "telegraf-agent">"Telegraf Agent (Configs Read, Heartbeat Write)"</option>
                <option value="full-access" selected=preset.get_untracked() == "full-access">{full_access_label}</option>
                <option value="custom" selected=preset.get_untracked() == "custom">"Custom"</option>
            </select>
            // A token does at most what its creator's role may: both paths say so, neither
            // offers more.
            {(!grants_everything).then(|| view! {
                <p class="help" data-testid="role-limit">{role_limit}</p>
            })}
            {move || (preset.get() == "custom").then(|| view! {
                <PermissionsGrid grid editable=true within=role_permissions />
            })}

            <ReachFields reach />

            {move || preshared_allowed().then(|| view! {
                <details class="preshared">
                    <summary>"Provide your own token string"</summary>
                    <label for="token-raw">"Token String"</label>
                    <input id="token-raw" type="text" autocomplete="off" spellcheck="false"
                        placeholder="tc-apiv1_ followed by 64 lowercase hex characters"
                        aria-invalid=move || raw_invalid.get() aria-describedby=move || raw_described.get()
                        prop:value=move || raw_token.get() on:input=move |ev| raw_token.set(event_target_value(&ev)) />
                    {errors.beside("token-raw")}
                </details>
            })}

            <DialogFooter error=errors.rest() pending label="Create Token" busy="Creating…" on_close />
        </form>
    }
}

/// Which field a message is about: the Description (our own check's, or the server's, which
/// calls it the name), the custom date, the token string; `None` for the foot of the form.
fn field_of(message: &str) -> Option<&'static str> {
    let lower = message.to_ascii_lowercase();
    if lower.starts_with("description")
        || lower.starts_with("name ")
        || lower.starts_with("a token named")
    {
        Some("token-name")
    } else if lower.starts_with("choose the date")
        || lower.starts_with("choose a date")
        || lower.starts_with("expiresat")
    {
        Some("token-expiry-date")
    } else if lower.contains("token string") {
        Some("token-raw")
    } else {
        None
    }
}

/// The request the form describes, checked first by the same rules the server applies, so the
/// common mistakes need no round trip.
fn request(
    name: &str,
    expiry: &str,
    custom_date: &str,
    preset: &str,
    grid: Permissions,
    raw_token: &str,
) -> Result<CreateTokenRequest, String> {
    // The field is called Description on screen, so the message says so.
    TokenName::parse(name)
        .map_err(|e| sentence(&e.to_string().replacen("name", "description", 1)))?;
    let expires_at = expiry_instant(expiry, custom_date)?;
    let (permissions, preset) = match preset {
        "full-access" => (None, Some(Preset::FullAccess)),
        "custom" if grid.is_empty() => return Err("Choose at least one permission.".into()),
        "custom" => (Some(grid.to_string()), None),
        _ => (None, Some(Preset::TelegrafAgent)),
    };
    let raw = raw_token.trim().to_owned();
    Ok(CreateTokenRequest {
        name: name.to_owned(),
        permissions,
        preset,
        expires_at,
        raw_token: (!raw.is_empty()).then_some(raw),
        config_scope: None,
        allowed_addresses: None,
    })
}

/// Today in the browser's time zone, as a date input writes it (`2026-11-29`): the earliest
/// day the picker offers.
fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// The chosen expiry as RFC 3339, or why it cannot be used.
fn expiry_instant(choice: &str, custom: &str) -> Result<Option<String>, String> {
    let iso = |ms: f64| {
        String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).to_iso_string())
    };
    match choice {
        "never" => Ok(None),
        "custom" => {
            if custom.is_empty() {
                return Err("Choose the date the token expires.".into());
            }
            // The end of the chosen day in the browser's time zone.
            let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&format!(
                "{custom}T23:59:59"
            )))
            .get_time();
            if at.is_nan() || at <= js_sys::Date::now() {
                return Err("Choose a date in the future.".into());
            }
            if at > js_sys::Date::now() + shared::expiry::MAX_EXPIRY_AHEAD_MS as f64 {
                return Err(
                    "Choose a date within the next 100 years, or No expiration for a token that \
                     lasts until it is revoked."
                        .into(),
                );
            }
            Ok(Some(iso(at)))
        }
        days => {
            let days: u32 = days
                .parse()
                .map_err(|_| "Choose an expiration.".to_owned())?;
            Ok(Some(iso(
                js_sys::Date::now() + f64::from(days) * 86_400_000.0
            )))
        }
    }
}

pub mod draft;
mod secret;
use secret::ShowSecretOnce;
