//! One token: Overview, Permissions, History, and Manage (Revoke, Reassign, Delete), each
//! irreversible action behind a confirmation that says so.

use crate::api;
use crate::components::badges::TokenStatusBadge;
use crate::components::bulk_confirm::AgentUseWarning;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::form::submit_action;
use crate::components::loaded::{Fetch, Loaded};
use crate::components::notice::{Notice, NoticeBar};
use crate::components::permissions_grid::PermissionsGrid;
use crate::components::reassign_dialog::ReassignDialog;
use crate::components::rotate_dialog::RotateDialog;
use crate::components::time_cell::TimeCell;
use crate::format::{exact_time, permissions_summary, relative_time};
use crate::router::{navigate, query_param, A};
use crate::session::{current_user, may};
use leptos::prelude::*;
use shared::agent::{AgentQuery, MAX_AGENT_PAGE};
use shared::api::Token;
use shared::permissions::{Action, Resource};
use shared::rotation::STILL_USED_WITHIN_MS;
use shared::token_policy::Standing;
use shared::TokenId;
use shared::TokenStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Overview,
    Permissions,
    History,
    Manage,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Overview, Tab::Permissions, Tab::History, Tab::Manage];

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Permissions => "Permissions",
            Tab::History => "History",
            Tab::Manage => "Manage",
        }
    }

    /// The tab as the URL names it (`?tab=history`), so a reload or a shared link keeps it.
    fn slug(self) -> String {
        self.label().to_ascii_lowercase()
    }

    fn from_slug(slug: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.slug() == slug)
    }
}

/// Puts the open tab in the address bar without a navigation (nothing reloads).
fn show_tab_in_url(tab: Tab) {
    navigate(&format!("?tab={}", tab.slug()), true);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    Revoke,
    Reassign,
    Rotate,
    Delete,
}

#[component]
pub fn TokenDetailPage(id: String) -> impl IntoView {
    let token = Fetch::new(move || {
        let id = id.clone();
        async move {
            // A mistyped or stale address is a page that does not exist, not a server error.
            api::get_token(&id).await.map_err(|e| match e.status {
                400 | 404 => api::ApiFailure {
                    message: "There is no such token: it may have been deleted, or the address is \
                              mistyped. Go back to API Tokens to find it."
                        .into(),
                    ..e
                },
                _ => e,
            })
        }
    });
    // The page draws itself anew when the token is read again after a change (a rotation,
    // say), taking the element that had focus with it: focus then goes to the page's
    // fallback rather than staying on <body>.
    let changed = StoredValue::new(false);
    crate::effect::watch(move |_| {
        if token.with(|t| t.as_ref().is_some_and(Result::is_ok)) && changed.get_value() {
            changed.set_value(false);
            request_animation_frame(|| {
                let on_body = document()
                    .active_element()
                    .is_none_or(|e| e.tag_name().eq_ignore_ascii_case("body"));
                if on_body {
                    crate::components::modal::restore_focus(None);
                }
            });
        }
    });
    let opened = query_param("tab").and_then(|t| Tab::from_slug(&t));
    let tab = RwSignal::new(opened.unwrap_or(Tab::Overview));
    crate::effect::watch(move |_| show_tab_in_url(tab.get()));
    let notice = RwSignal::new(None::<Notice>);

    view! {
        <section class="page">
            <p><A href=crate::router::last_address("/tokens")>"← API Tokens"</A></p>
            <Loaded resource=token loading="Loading token…" let:t>
                <TokenView token=t tab notice on_changed=move || {
                    changed.set_value(true);
                    token.refetch();
                } />
            </Loaded>
        </section>
    }
}

#[component]
fn TokenView(
    token: Token,
    tab: RwSignal<Tab>,
    notice: RwSignal<Option<Notice>>,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    let tabs = Tab::ALL.into_iter().map(|t| {
        view! {
            <button type="button" role="tab" id=format!("tab-{}", t.label().to_ascii_lowercase())
                aria-selected=move || (tab.get() == t).to_string()
                tabindex=move || if tab.get() == t { "0" } else { "-1" }
                on:click=move |_| tab.set(t)
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    let i = Tab::ALL.iter().position(|x| *x == tab.get_untracked()).unwrap_or(0);
                    match ev.key().as_str() {
                        "ArrowRight" => tab.set(Tab::ALL[(i + 1) % Tab::ALL.len()]),
                        "ArrowLeft" => tab.set(Tab::ALL[(i + Tab::ALL.len() - 1) % Tab::ALL.len()]),
                        _ => {}
                    }
                }>{t.label()}</button>
        }
    }).collect_view();
    let t = token.clone();
    view! {
        <div class="page-header">
            <h1>{token.name.clone()} " " <TokenStatusBadge status=token.status /></h1>
        </div>
        <NoticeBar notice />
        <div role="tablist" aria-label="Token" class="tabs">{tabs}</div>
        <div role="tabpanel" class="tabpanel" data-testid="tabpanel">
            {move || match tab.get() {
                Tab::Overview => view! { <Overview token=t.clone() /> }.into_any(),
                Tab::Permissions => view! { <PermissionsView token=t.clone() /> }.into_any(),
                Tab::History => view! { <History id=t.id /> }.into_any(),
                Tab::Manage => view! { <Manage token=t.clone() notice on_changed /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Overview(token: Token) -> impl IntoView {
    let now = js_sys::Date::now();
    let source = match token.source {
        shared::TokenSource::User => "Generated",
        shared::TokenSource::Preshared => "Pre-shared",
        shared::TokenSource::Bootstrap => "Env/flag-provided",
    };
    view! {
        <dl class="facts">
            <dt>"Token"</dt><dd><code>{token.hint.clone()}</code></dd>
            <dt>"Owner"</dt><dd>{token.owner_name.clone().unwrap_or_else(|| "Instance".into())}</dd>
            <dt>"Source"</dt><dd>{source}</dd>
            <dt>"Created"</dt><dd><TimeCell at=Some(token.created_at) now missing="" />
                {token.created_by.clone().map(|by| format!(" by {by}"))}</dd>
            <dt>"Expires"</dt><dd><TimeCell at=token.expires_at now missing="Never" /></dd>
            <dt>"Last used"</dt><dd><TimeCell at=token.last_used_at now missing="Never" />
                {token.last_used_ip.clone().map(|ip| format!(" from {ip}"))}
                {token.last_used_agent.clone().map(|a| format!(" ({a})"))}</dd>
            <dt>"Configurations"</dt><dd data-testid="config-scope">{reach(&token)}</dd>
            <dt>"Addresses"</dt><dd data-testid="allowed-addresses">{token.allowed_addresses.as_ref().map_or_else(
                || "Any address".to_owned(), |blocks| blocks.join(", "))}</dd>
            {token.lifetime_policy.map(|standing| view! {
                <dt>"Lifetime policy"</dt><dd data-testid="lifetime-policy">{match standing {
                    Standing::Beyond => "Beyond the organisation's policy: a token like it would not be made today. It keeps working; replace it with one within the policy.",
                    Standing::Exempt => "Exempt: the bootstrap token works while OWNER_TOKEN holds its value.",
                }}</dd>
            })}
            <dt>"Agents (24 h)"</dt><dd><RecentAgents token=token.id names=token.recent_agents.clone() now /></dd>
            {token.rotated_at.map(|at| view! {
                <dt>"Secret rotated"</dt><dd><TimeCell at=Some(at) now missing="" /></dd>
            })}
            {overlap(&token, now)}
            {token.revoked_at.map(|at| view! {
                <dt>"Revoked"</dt><dd><TimeCell at=Some(at) now missing="" />
                    {token.revoked_by.clone().map(|by| format!(" by {by}"))}</dd>
            })}
        </dl>
    }
}

/// Which configurations it may read: all, none (every one it named was deleted), or how
/// many, with their ids.
fn reach(token: &Token) -> AnyView {
    match token.config_scope.as_deref() {
        None => "All configurations".into_any(),
        Some([]) => "None: every configuration it named was deleted".into_any(),
        Some(ids) => {
            let count = match ids.len() {
                1 => "Only 1 configuration: ".to_owned(),
                n => format!("Only {n} configurations: "),
            };
            let ids = ids.to_vec();
            // Named as the configurations page names them; an id only while the list loads.
            let configs = Fetch::new(api::list_configs);
            let names = move || {
                let list = configs
                    .get()
                    .and_then(Result::ok)
                    .map(|l| l.items)
                    .unwrap_or_default();
                ids.iter()
                    .map(|id| {
                        list.iter()
                            .find(|c| c.id == *id)
                            .map_or_else(|| id.to_string(), |c| c.name.clone())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            view! { {count} {names} }.into_any()
        }
    }
}

/// While the secret before the last rotation still works: until when, and whether agents
/// presented it in the last hour (they still need the new one).
fn overlap(token: &Token, now: f64) -> Option<impl IntoView> {
    let until = token
        .previous_valid_until
        .filter(|u| u.millis() as f64 > now)?;
    let since = now as i64 - STILL_USED_WITHIN_MS;
    let still_used = token.previous_last_used_at.filter(|at| at.millis() > since);
    let ms = until.millis() as f64;
    Some(view! {
        <dt>"Previous secret"</dt>
        <dd data-testid="overlap">
            "Still accepted until " <time datetime=until.to_string()>{exact_time(ms)}</time>
            " (" {relative_time(ms, now)} "). "
            {match still_used {
                Some(at) => view! {
                    <strong>"Agents presented it in the last hour"</strong>
                    " (last " <TimeCell at=Some(at) now missing="" /> "): not all of them use the new secret yet."
                }.into_any(),
                None => "No agent presented it in the last hour.".into_any(),
            }}
        </dd>
    })
}

/// The agents whose heartbeat used the token in the last 24 hours, each with when it was last
/// seen and a link to it on the Agents page; just their ids where the fleet is not readable.
#[component]
fn RecentAgents(token: TokenId, names: Vec<String>, now: f64) -> impl IntoView {
    if names.is_empty() {
        return "None".into_any();
    }
    if !may(Resource::Agents, Action::Read) {
        return names.join(", ").into_any();
    }
    // This token's agents only (by the agents' token index), not the whole fleet.
    let fleet = Fetch::new(move || {
        let query = AgentQuery {
            token: Some(token),
            limit: MAX_AGENT_PAGE,
            ..AgentQuery::default()
        };
        async move { api::list_agents(&query, None).await }
    });
    view! {
        <ul class="recent-agents" data-testid="recent-agents">
            {move || {
                let seen = fleet.get().and_then(Result::ok).map(|list| list.items).unwrap_or_default();
                names.iter().map(|name| {
                    let last_seen = seen
                        .iter()
                        .find(|a| a.id == *name)
                        .map(|a| a.last_seen);
                    let link = format!("/agents?q={}", js_sys::encode_uri_component(name));
                    let name = name.clone();
                    view! {
                        <li><A href=link>{name}</A>
                            {last_seen.map(|at| view! { " \u{2014} last seen " <TimeCell at=Some(at) now missing="" /> })}</li>
                    }
                }).collect_view()
            }}
        </ul>
    }.into_any()
}

#[component]
fn PermissionsView(token: Token) -> impl IntoView {
    let (granted, effective) = (token.permissions, token.effective_permissions);
    let narrowed = (effective != granted).then(|| {
        view! {
            <p class="notice failure" data-testid="narrowed-permissions">
                "This token was given " <code>{granted.to_string()}</code> ", but it acts within its owner's role"
                {token.owner_name.clone().map(|o| format!(" ({o})"))}
                ", so it can do only what the grid shows. What it was given stays on record."
            </p>
        }
    });
    view! {
        <p>{permissions_summary(effective)} <span class="muted">" (" <code>{effective.to_string()}</code> ")"</span></p>
        {narrowed}
        <PermissionsGrid grid=RwSignal::new(effective) />
        <p class="help">"Permissions cannot be changed after creation: revoke or delete this token and create a new one. "
            "The owner's role also limits what the token can do."</p>
    }
}

#[component]
fn History(id: TokenId) -> impl IntoView {
    let events = Fetch::new(move || async move { api::token_history(id).await });
    view! {
        <Loaded resource=events loading="Loading history…" inline=true let:list>
            {
                let now = js_sys::Date::now();
                view! {
                    <ol class="history" data-testid="history">
                        {list.items.into_iter().map(|e| {
                            let what = e.kind.label();
                            view! {
                                <li><strong>{what}</strong>
                                    {e.detail.map(|d| format!(" {}", crate::format::local_instants(&d)))}
                                    {e.actor.map(|a| format!(" by {a}"))}
                                    " · " <TimeCell at=Some(e.at) now missing="" /></li>
                            }
                        }).collect_view()}
                    </ol>
                }
            }
        </Loaded>
    }
}

mod manage;
use manage::Manage;
