//! The confirmation of a bulk delete or revoke: how many, which (by name), which of them agents
//! used in the last 24 hours, and the outcome in words.

use super::confirm_dialog::ConfirmDialog;
use super::form::submit_action;
use super::modal::Modal;
use crate::api;
use crate::format::count;
use leptos::prelude::*;
use shared::api::Token;
use shared::TokenId;

/// Bulk delete or revoke, with the count on the button and in the question.
#[component]
pub fn BulkConfirm(
    /// The tokens the action applies to, and the request will name.
    tokens: Vec<Token>,
    /// Selected tokens it does not apply to, by name, with why.
    skipped: Vec<(String, &'static str)>,
    /// How many of the selected tokens belong to other users.
    others: usize,
    delete: bool,
    title: String,
    label: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<String>,
    /// Some of the tokens were deleted since they were selected (nothing changed): they are
    /// named here, by name, and the caller drops them and offers the rest.
    #[prop(into, optional)]
    on_gone: Option<Callback<Vec<(TokenId, String)>>>,
) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <NothingApplies skipped on_close /> }.into_any();
    }
    let ids: Vec<TokenId> = tokens.iter().map(|t| t.id).collect();
    let n = ids.len();
    let names: Vec<String> = tokens.iter().take(8).map(|t| t.name.clone()).collect();
    let by_id: Vec<(TokenId, String)> = tokens.iter().map(|t| (t.id, t.name.clone())).collect();
    let act = submit_action(
        move |()| {
            let ids = ids.clone();
            let by_id = by_id.clone();
            async move {
                let outcome = if delete {
                    api::bulk_delete(&ids).await.map(|r| {
                        let n = count(r.deleted as usize, "token");
                        format!("Deleted {n}. They can no longer be used.")
                    })
                } else {
                    api::bulk_revoke(&ids)
                        .await
                        .map(|r| format!("Revoked {}.", count(r.revoked as usize, "token")))
                };
                match (outcome, on_gone) {
                    (Err(failure), Some(on_gone)) if failure.code == "token_not_found" => {
                        let gone: Vec<(TokenId, String)> = by_id
                            .into_iter()
                            .filter(|(id, _)| failure.ids.contains(&id.to_string()))
                            .collect();
                        if !gone.is_empty() {
                            on_gone.run(gone);
                        }
                        Err(failure)
                    }
                    (outcome, _) => outcome,
                }
            }
        },
        move |message: String| on_done.run(message),
    );
    let more = n.saturating_sub(names.len());
    view! {
        <ConfirmDialog title confirm_label=label action=act on_close>
            <Skipped skipped />
            <p>
                {if delete {
                    format!("{} will be deleted permanently with their history. This cannot be undone: any agent or client using them loses access immediately.", count(n, "token"))
                } else {
                    format!("{} will stop working immediately and stay listed as Revoked. Revocation cannot be undone.", count(n, "token"))
                }}
            </p>
            <ul class="compact">{names.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
                {(more > 0).then(|| view! { <li class="muted">{format!("and {more} more")}</li> })}</ul>
            {(others > 0).then(|| view! {
                <p data-testid="others-tokens">{format!("{} of them belong to other users.", count(others, "token"))}</p>
            })}
            <AgentUseWarning tokens />
            {(n > 1).then(|| view! { <p class="help">"All of them change, or none do."</p> })}
        </ConfirmDialog>
    }
    .into_any()
}

/// The selected tokens an action leaves out, by name, with why.
#[component]
fn Skipped(skipped: Vec<(String, &'static str)>) -> impl IntoView {
    (!skipped.is_empty()).then(|| {
        let listed = skipped
            .iter()
            .map(|(name, why)| format!("\u{201c}{name}\u{201d} ({why})"))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <p class="warning" role="alert" data-testid="skipped-tokens">
                {format!("Not included: {listed}.")}
            </p>
        }
    })
}

/// When no selected token can take the action: say which and why, and offer only to close.
#[component]
fn NothingApplies(skipped: Vec<(String, &'static str)>, on_close: Callback<()>) -> impl IntoView {
    view! {
        <Modal title="Nothing to change" on_close>
            <p>"None of the selected tokens can take this action."</p>
            <Skipped skipped />
            <div class="modal-actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(()) autofocus>"Close"</button>
            </div>
        </Modal>
    }
}

/// Tokens agents' heartbeats used in the last 24 hours, with those agents, or else any use in
/// that time: a warning before an action that would cut them off.
#[component]
pub fn AgentUseWarning(tokens: Vec<Token>) -> impl IntoView {
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
    (!recently_used.is_empty()).then(|| view! {
        <p class="warning" role="alert" data-testid="agent-use-warning">
            {format!("Used by agents in the last 24 hours: {}. Check that no active agent depends on them.", recently_used.join(", "))}
        </p>
    })
}
