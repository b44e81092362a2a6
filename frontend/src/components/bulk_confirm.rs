//! The confirmation of a bulk delete or revoke: how many, which (by name), which of them agents
//! used in the last 24 hours, and the outcome in words.

use shared::TokenId;
use super::confirm_dialog::ConfirmDialog;
use crate::api;
use crate::format::count;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Token;

/// Bulk delete or revoke, with the count on the button and in the question.
#[component]
pub fn BulkConfirm(
    ids: Vec<TokenId>,
    tokens: Vec<Token>,
    delete: bool,
    title: String,
    label: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<String>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let n = ids.len();
    let confirm = move |()| {
        pending.set(true);
        error.set(None);
        let ids = ids.clone();
        spawn_local(async move {
            let result = if delete {
                api::bulk_delete(&ids).await.map(|r| {
                    format!(
                        "Deleted {}. They can no longer be used.",
                        count(r.deleted as usize, "token")
                    )
                })
            } else {
                api::bulk_revoke(&ids)
                    .await
                    .map(|r| format!("Revoked {}.", count(r.revoked as usize, "token")))
            };
            let _ = pending.try_set(false);
            match result {
                Ok(message) => on_done.run(message),
                Err(e) => {
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };
    let names: Vec<String> = tokens.iter().take(8).map(|t| t.name.clone()).collect();
    let more = n.saturating_sub(names.len());
    // Tokens agents' heartbeats used in the last 24 hours, with those agents, or else any use.
    let recently_used: Vec<String> = tokens
        .iter()
        .filter_map(|t| {
            if !t.recent_agents.is_empty() {
                return Some(format!(
                    "{} (agents {})",
                    t.name,
                    t.recent_agents.join(", ")
                ));
            }
            t.last_used_at
                .is_some_and(|at| js_sys::Date::now() - (at.millis() as f64) < 86_400_000.0)
                .then(|| t.name.clone())
        })
        .collect();
    view! {
        <ConfirmDialog title confirm_label=label pending error on_confirm=confirm on_close>
            <p>
                {if delete {
                    format!("{} will be deleted permanently with their history. This cannot be undone: any agent or client using them loses access immediately.", count(n, "token"))
                } else {
                    format!("{} will stop working immediately and stay listed as Revoked. Revocation cannot be undone.", count(n, "token"))
                }}
            </p>
            <ul class="compact">{names.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
                {(more > 0).then(|| view! { <li class="muted">{format!("and {more} more")}</li> })}</ul>
            {(!recently_used.is_empty()).then(|| view! {
                <p class="warning" role="alert">{format!("Used by agents in the last 24 hours: {}. Check that no active agent depends on them.", recently_used.join(", "))}</p>
            })}
            <p class="help">"All of them change, or none do."</p>
        </ConfirmDialog>
    }
}
