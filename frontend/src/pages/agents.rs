//! Agents: every Telegraf that sent a heartbeat, what it said, and with which token (linked to
//! the token's page). Filtered by state and searched by id or hostname, in the address.

use crate::api;
use crate::components::badges::AgentStateBadge;
use crate::components::choices::{all_then, choices};
use crate::components::paged::{paged_region, pager, reload_on, PageAnswer, Pages, RegionWords};
use crate::components::time_cell::TimeCell;
use crate::router::{keep_in_address, use_location, A};
use crate::session::may;
use leptos::prelude::*;
use shared::agent::{AgentFilter, AgentQuery, AgentState};
use shared::api::{Agent, AgentList};
use shared::permissions::{Action, Resource};
use std::sync::Arc;

impl PageAnswer for AgentList {
    type Item = Agent;
    /// The server's cursor, passed back as it came.
    type Cursor = String;

    fn split(self) -> (Vec<Agent>, Option<String>) {
        (self.items, self.next_cursor)
    }
}

#[component]
pub fn AgentsPage() -> impl IntoView {
    let filter = RwSignal::new(AgentFilter::from_address(
        &use_location().query.get_untracked(),
    ));
    keep_in_address(
        "/agents",
        filter,
        AgentFilter::to_address,
        AgentFilter::from_address,
    );
    let page = RwSignal::new(Pages::<AgentList>::default());
    let load = pager(
        page,
        move |after| {
            let query = AgentQuery {
                filter: filter.get_untracked(),
                ..AgentQuery::default()
            };
            async move { api::list_agents(&query, after.as_deref()).await }
        },
        || {},
    );
    reload_on(filter, load);
    let filtered = move || filter.with(|f| *f != AgentFilter::default());
    view! {
        <section class="page">
            <div class="page-header">
                <h1>"Agents"</h1>
                <button type="button" class="secondary" on:click=move |_| load.run(false)>"Refresh"</button>
            </div>
            <p class="lede">"Telegraf agents report here through the heartbeat output plugin (" <code>"POST /agents/heartbeat"</code> ")."</p>
            <AgentsToolbar filter />
            {paged_region(
                page,
                load,
                RegionWords { label: "Agents list", loading: "Loading agents…", more: "Load more agents" },
                move || if filtered() {
                    view! { <div class="empty"><p>"No agent matches these filters."</p></div> }.into_any()
                } else {
                    view! {
                        <div class="empty"><p>{if crate::session::current_role().sees_all_tokens() {
                            "No agent has sent a heartbeat yet."
                        } else {
                            "No agents use your tokens."
                        }}</p>
                            <p class="muted">"Add [[outputs.heartbeat]] to an agent's configuration with a token that has Heartbeat Write."</p></div>
                    }.into_any()
                },
                |items, more| view! { <AgentsTable items more /> }.into_any(),
            )}
        </section>
    }
}

#[component]
fn AgentsToolbar(filter: RwSignal<AgentFilter>) -> impl IntoView {
    let search = RwSignal::new(filter.with_untracked(|f| f.q.clone().unwrap_or_default()));
    crate::effect::watch(move |_| search.set(filter.with(|f| f.q.clone().unwrap_or_default())));
    view! {
        <form class="toolbar" role="search" on:submit=move |ev| {
            ev.prevent_default();
            filter.update(|f| f.q = Some(search.get_untracked().trim().to_owned()).filter(|q| !q.is_empty()));
        }>
            <label class="visually-hidden" for="agent-search">"Search by agent id or hostname"</label>
            <input id="agent-search" type="search" placeholder="Agent id or hostname"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
            <button type="submit" class="secondary">"Search"</button>
            <label for="agent-state">"State"</label>
            {choices(
                "agent-state",
                all_then("All", AgentState::ALL.iter().map(|s| (s.as_str(), s.label()))),
                Arc::new(move || filter.with(|f| f.state.map(AgentState::as_str).unwrap_or_default().to_owned())),
                Arc::new(move |v| filter.update(|f| f.state = AgentState::parse(&v))),
            )}
        </form>
    }
}

#[component]
fn AgentsTable(items: Vec<Agent>, more: bool) -> impl IntoView {
    let now = js_sys::Date::now();
    let links = may(Resource::Tokens, Action::Read);
    let count = match (items.len(), more) {
        (1, false) => "1 agent".to_owned(),
        (n, false) => format!("{n} agents"),
        (n, true) => format!("Showing the {n} most recently seen; more below"),
    };
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Agents"><table class="tokens stack" data-testid="agents-table">
            <caption class="visually-hidden">"Agents"</caption>
            <thead><tr>
                <th scope="col">"Agent"</th><th scope="col">"Hostname"</th><th scope="col">"Version"</th>
                <th scope="col">"State"</th><th scope="col">"Reported status"</th><th scope="col">"Last seen"</th><th scope="col">"Token"</th>
            </tr></thead>
            <tbody>
                {items.into_iter().map(|a| view! { <AgentRow agent=a now links /> }).collect_view()}
            </tbody>
        </table></div>
        <p class="table-footer muted">{count}</p>
    }
}

#[component]
fn AgentRow(agent: Agent, now: f64, links: bool) -> impl IntoView {
    // What the agent said of itself, as it said it: plain words, not a health badge (a green
    // "OK" beside "Not reporting" read as healthy); once it is no longer heard, said so.
    let status = agent.status.clone().unwrap_or_else(|| "UNDEFINED".into());
    let heard = agent.state == AgentState::Reporting;
    let reported = if heard {
        status
    } else {
        format!("{status} when last heard")
    };
    let token = match (agent.token_id, agent.token_name.clone()) {
        (Some(id), Some(name)) if links => {
            view! { <A href=format!("/tokens/{id}")>{name}</A> }.into_any()
        }
        (_, Some(name)) => name.into_any(),
        _ => "deleted token".into_any(),
    };
    view! {
        <tr data-testid="agent-row">
            <td class="name">{agent.id.clone()}</td>
            <td data-label="Hostname">{agent.hostname.clone().unwrap_or_default()}</td>
            <td data-label="Version">{agent.version.clone()}</td>
            <td data-label="State"><AgentStateBadge state=agent.state /></td>
            <td data-label="Reported" class:muted=!heard data-testid="reported-status">{reported}</td>
            <td data-label="Last seen"><TimeCell at=Some(agent.last_seen) now missing="" /></td>
            <td data-label="Token">{token}</td>
        </tr>
    }
}
