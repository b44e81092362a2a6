//! Before a user is deleted, disabled or made a Viewer: what it does to their tokens and the
//! agents that used those in the last day, and the way to keep the tokens working by handing
//! them to someone else first.

use crate::api;
use crate::components::loaded::Fetch;
use crate::components::reassign_dialog::ReassignDialog;
use crate::format::count;
use leptos::prelude::*;
use shared::listing::{TokenQuery, MAX_LIMIT};
use shared::{TokenId, UserId};

/// What the change does to the user's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consequence {
    Deleted,
    Refused,
    Revoked,
}

impl Consequence {
    fn phrase(self) -> &'static str {
        match self {
            Self::Deleted => "those tokens are deleted with them",
            Self::Refused => {
                "those tokens are refused on their next request until the user is enabled again"
            }
            Self::Revoked => "those tokens are revoked now, for good",
        }
    }
}

#[component]
pub fn UserImpact(user: UserId, consequence: Consequence) -> impl IntoView {
    let query = TokenQuery {
        owner: Some(user),
        limit: MAX_LIMIT,
        ..TokenQuery::default()
    };
    let tokens = Fetch::new(move || {
        let query = query.clone();
        async move { api::list_tokens(&query).await }
    });
    let reassigning = RwSignal::new(None::<Vec<TokenId>>);
    let moved = RwSignal::new(None::<String>);
    move || {
        let list = tokens.get().and_then(Result::ok)?;
        // The distinct agents (a few per token: a scan, not a sort, which the app otherwise
        // never needs).
        let mut agents: Vec<&String> = Vec::new();
        for agent in list.items.iter().flat_map(|t| &t.recent_agents) {
            if !agents.contains(&agent) {
                agents.push(agent);
            }
        }
        let ids: Vec<TokenId> = list.items.iter().map(|t| t.id).collect();
        let impact = if list.total == 0 {
            "They own no API tokens.".to_owned()
        } else {
            format!(
                "They own {}, used by {} in the last 24 hours; {}.",
                count(list.total as usize, "API token"),
                count(agents.len(), "agent"),
                consequence.phrase(),
            )
        };
        Some(view! {
            <p data-testid="user-impact">{impact}</p>
            {moved.get().map(|m| view! { <p class="help" role="status">{m}</p> })}
            {(list.total > 0).then(|| view! {
                <button type="button" class="secondary" on:click=move |_| reassigning.set(Some(ids.clone()))>
                    "Reassign their tokens first"
                </button>
            })}
            {move || reassigning.get().map(|ids| view! {
                <ReassignDialog ids on_close=move |()| reassigning.set(None) on_done=move |message: String| {
                    moved.set(Some(message));
                    reassigning.set(None);
                    tokens.refetch();
                } />
            })}
        })
    }
}
