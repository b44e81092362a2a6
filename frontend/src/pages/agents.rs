//! Agents: every Telegraf that sent a heartbeat, what it said, and with which token.

use crate::api;
use crate::components::badges::AgentStateBadge;
use crate::components::loaded::Loaded;
use crate::components::time_cell::TimeCell;
use leptos::prelude::*;

#[component]
pub fn AgentsPage() -> impl IntoView {
    let agents = LocalResource::new(api::list_agents);
    view! {
        <section class="page">
            <div class="page-header">
                <h1>"Agents"</h1>
                <button type="button" class="secondary" on:click=move |_| agents.refetch()>"Refresh"</button>
            </div>
            <p class="lede">"Telegraf agents report here through the heartbeat output plugin (" <code>"POST /agents/heartbeat"</code> ")."</p>
            <Loaded resource=agents loading="Loading agents…" let:list>
                {if list.items.is_empty() {
                    view! {
                        <div class="empty"><p>"No agent has sent a heartbeat yet."</p>
                            <p class="muted">"Add [[outputs.heartbeat]] to an agent's configuration with a token that has Heartbeat Write."</p></div>
                    }.into_any()
                } else {
                    let now = js_sys::Date::now();
                    view! {
                        <table class="tokens" data-testid="agents-table">
                            <thead><tr>
                                <th scope="col">"Agent"</th><th scope="col">"Hostname"</th><th scope="col">"Version"</th>
                                <th scope="col">"State"</th><th scope="col">"Reported status"</th><th scope="col">"Last seen"</th><th scope="col">"Token"</th>
                            </tr></thead>
                            <tbody>
                                {list.items.into_iter().map(|a| {
                                    let status = a.status.clone().unwrap_or_else(|| "UNDEFINED".into());
                                    let badge = match status.as_str() { "OK" => "badge badge-active", "FAIL" => "badge badge-revoked", _ => "badge badge-expired" };
                                    view! {
                                        <tr data-testid="agent-row">
                                            <td class="name">{a.id.clone()}</td>
                                            <td>{a.hostname.clone().unwrap_or_default()}</td>
                                            <td>{a.version.clone()}</td>
                                            <td><AgentStateBadge state=a.state /></td>
                                            <td><span class=badge>{status}</span></td>
                                            <td><TimeCell at=Some(a.last_seen) now missing="" /></td>
                                            <td>{a.token_name.clone().unwrap_or_else(|| "deleted token".into())}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </Loaded>
        </section>
    }
}
