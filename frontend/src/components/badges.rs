//! Status badges: the words the server's own rules give a token's or an agent's state.

use leptos::prelude::*;
use shared::agent::AgentState;
use shared::TokenStatus;

/// "Active", "Revoked", "Expired" or "Owner disabled", as `TokenStatus::derive` decided.
#[component]
pub fn TokenStatusBadge(status: TokenStatus) -> impl IntoView {
    let title = status
        .refusal()
        .map(|r| format!("Agents presenting it are refused: {r}"));
    view! {
        <span class=format!("badge badge-{}", status.as_str()) title=title>{status.label()}</span>
    }
}

/// "Reporting", "Not reporting" or "Refused", as `AgentState::derive` decided.
#[component]
pub fn AgentStateBadge(state: AgentState) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", state.as_str())>{state.label()}</span> }
}
