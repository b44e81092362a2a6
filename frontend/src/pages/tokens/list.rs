//! The tokens table: its loading, failure and empty states, the rows, and "Load more".

use super::Listing;
use crate::components::badges::TokenStatusBadge;
use crate::components::time_cell::TimeCell;
use crate::format::{count, permissions_summary, thousands};
use crate::router::A;
use crate::session::may;
use leptos::prelude::*;
use shared::api::Token;
use shared::expiry::days_left_label;
use shared::listing::{Order, SortKey, TokenQuery, COUNT_CAP, SEARCH_WINDOW};
use shared::permissions::{Action, Resource};
use shared::token_state::{Facts, Rule};
use shared::{TokenId, TokenStatus};

/// The headings between the select-all box and the actions, with the order a sortable one
/// chooses.
const COLUMNS: [(&str, Option<SortKey>); 8] = [
    ("Description", Some(SortKey::Name)),
    ("Token", None),
    ("Owner", None),
    ("Permissions", None),
    ("Status", None),
    ("Created", Some(SortKey::CreatedAt)),
    ("Expires", Some(SortKey::ExpiresAt)),
    ("Last used", Some(SortKey::LastUsedAt)),
];

/// A column heading; a sortable one is a button that sorts by it (again: the other way), and
/// says with `aria-sort` how the list is sorted.
#[component]
fn Heading(
    name: &'static str,
    key: Option<SortKey>,
    filters: RwSignal<TokenQuery>,
) -> impl IntoView {
    let Some(key) = key else {
        return view! { <th scope="col">{name}</th> }.into_any();
    };
    let sorted = move || filters.with(|f| (f.sort == key).then_some(f.order));
    let aria_sort = move || match sorted() {
        Some(Order::Asc) => "ascending",
        Some(Order::Desc) => "descending",
        None => "none",
    };
    let arrow = move || match sorted() {
        Some(Order::Asc) => "\u{25b2}",
        Some(Order::Desc) => "\u{25bc}",
        None => "",
    };
    let sort = move |_| {
        filters.update(|f| {
            f.order = match (f.sort == key, f.order) {
                (true, Order::Asc) => Order::Desc,
                (true, Order::Desc) => Order::Asc,
                (false, _) => key.natural_order(),
            };
            f.sort = key;
        });
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <button type="button" class="sort" on:click=sort>
                {name}<span class="sort-arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
    .into_any()
}

#[component]
pub(super) fn TokenList(
    listing: RwSignal<Listing>,
    filters: RwSignal<TokenQuery>,
    selected: RwSignal<Vec<TokenId>>,
    /// Loads the first page (`false`) or the next one (`true`).
    load: Callback<bool>,
    /// Set to the token whose Revoke or Delete was pressed: the page opens its dialog.
    revoking: RwSignal<Option<Token>>,
    deleting: RwSignal<Option<Token>>,
) -> impl IntoView {
    let all_selected = move || {
        let n = selected.with(Vec::len);
        n > 0 && n == listing.with(|l| l.items.len())
    };
    let toggle_all = move |_| {
        if all_selected() {
            selected.set(Vec::new());
        } else {
            selected.set(listing.with_untracked(|l| l.items.iter().map(|t| t.id).collect()));
        }
    };
    move || {
        let l = listing.get();
        if let Some(failure) = l.failed.clone().filter(|_| l.items.is_empty()) {
            return view! {
                <div class="load-error" role="alert">
                    <p>"The tokens could not be loaded: " {failure}</p>
                    <button type="button" class="secondary" on:click=move |_| load.run(false)>"Try again"</button>
                </div>
            }.into_any();
        }
        if !l.loaded_once {
            return view! { <p class="muted" role="status">"Loading tokens…"</p> }.into_any();
        }
        // A listing that walks the list (a common search, the Active filter) examined its
        // share of tokens without filling the page: more may match further on.
        let further = (l.next.is_some() && l.more_to_search).then(|| {
            view! {
                <button type="button" class="secondary" disabled=move || listing.with(|l| l.loading)
                    on:click=move |_| load.run(true)>"Search further"</button>
            }
        });
        if l.items.is_empty() && further.is_some() {
            return view! {
                <div class="empty" data-testid="search-further">
                    <p>{format!("No match among the {} tokens looked at so far.", thousands(SEARCH_WINDOW))}</p>
                    <p class="muted">"The list is looked through a stretch at a time, so that a search never holds up the agents."</p>
                    {further}
                </div>
            }.into_any();
        }
        if l.items.is_empty() {
            let filtered =
                filters.with(|f| f.q.is_some() || f.status.is_some() || f.owner.is_some());
            return view! {
                <div class="empty">
                    {if filtered {
                        view! { <p>"No tokens match these filters."</p> }.into_any()
                    } else {
                        view! {
                            <p>"No API tokens yet."</p>
                            <p class="muted">"Create one to let a Telegraf agent fetch its configuration and report heartbeats."</p>
                        }.into_any()
                    }}
                </div>
            }.into_any();
        }
        let now = js_sys::Date::now();
        let shown = if l.total_capped && l.total < COUNT_CAP {
            format!(
                "Showing {} of at least {} tokens",
                l.items.len(),
                thousands(l.total)
            )
        } else if l.total_capped {
            format!(
                "Showing {} of more than {} tokens",
                l.items.len(),
                thousands(l.total)
            )
        } else {
            format!(
                "Showing {} of {}",
                l.items.len(),
                count(l.total as usize, "token")
            )
        };
        let items = l.items;
        view! {
            <div class="table-scroll"><table class="tokens stack" data-testid="tokens-table">
                <caption class="visually-hidden">"API tokens"</caption>
                <thead>
                    <tr>
                        <th scope="col"><input type="checkbox" aria-label="Select all tokens on this page"
                            prop:checked=all_selected on:change=toggle_all /></th>
                        {COLUMNS.map(|(name, key)| view! { <Heading name key filters /> })}
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|token| view! { <TokenRow token now selected revoking deleting /> }).collect_view()}
                </tbody>
            </table></div>
            <div class="table-footer">
                <span class="muted">{shown}</span>
                {match further {
                    Some(further) => further.into_any(),
                    None => l.next.is_some().then(|| view! {
                        <button type="button" class="secondary" disabled=move || listing.with(|l| l.loading)
                            on:click=move |_| load.run(true)>"Load more"</button>
                    }).into_any(),
                }}
            </div>
        }.into_any()
    }
}

#[component]
fn TokenRow(
    token: Token,
    now: f64,
    selected: RwSignal<Vec<TokenId>>,
    revoking: RwSignal<Option<Token>>,
    deleting: RwSignal<Option<Token>>,
) -> impl IntoView {
    let id = token.id;
    let for_delete = token.clone();
    let for_revoke = token.clone();
    // Revoke keeps a record; it is offered first, wherever it still changes something.
    let revocable = may(Resource::Tokens, Action::Write) && token.status.may_revoke();
    let for_permissions = token.clone();
    let name = token.name.clone();
    let days_left = expiring_soon(&token, now);
    view! {
        <tr data-testid="token-row" data-token-id=id.to_string()>
            <td class="select"><input type="checkbox" aria-label=format!("Select {}", token.name)
                prop:checked=move || selected.with(|s| s.contains(&id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| { s.retain(|x| *x != id); if on { s.push(id); } });
                } /></td>
            <td class="name"><A href=format!("/tokens/{id}")>{token.name.clone()}</A></td>
            <td data-label="Token"><code>{token.hint.clone()}</code></td>
            <td data-label="Owner">{token.owner_name.clone().unwrap_or_else(|| "Instance".into())}</td>
            <td data-label="Permissions" title=token.effective_permissions.to_string()><EffectivePermissions token=for_permissions /></td>
            <td data-label="Status"><TokenStatusBadge status=token.status /></td>
            <td data-label="Created"><TimeCell at=Some(token.created_at) now missing="" /></td>
            <td data-label="Expires"><TimeCell at=token.expires_at now missing="Never" />
                {days_left.map(|left| view! { " " <span class="days-left" data-testid="days-left">{left}</span> })}
                {(token.lifetime_policy == Some(shared::token_policy::Standing::Beyond)).then(|| view! {
                    " " <span class="badge badge-beyond" data-testid="beyond-policy"
                        title="It lives longer than the organisation's lifetime policy allows a new token: it keeps working until revoked or expired">"Beyond policy"</span>
                })}</td>
            <td data-label="Last used"><TimeCell at=token.last_used_at now missing="Never" /></td>
            <td class="actions">
                {revocable.then(|| view! {
                    <button type="button" class="link" aria-label=format!("Revoke token {}", for_revoke.name)
                        on:click=move |_| revoking.set(Some(for_revoke.clone()))>"Revoke"</button>
                })}
                {may(Resource::Tokens, Action::Delete).then(|| view! {
                    <button type="button" class="link danger-text" aria-label=format!("Delete token {name}")
                        on:click=move |_| deleting.set(Some(for_delete.clone()))>"Delete"</button>
                })}
            </td>
        </tr>
    }
}

/// "3 days left", for a token that works and expires within the "expiring soon" window.
fn expiring_soon(token: &Token, now: f64) -> Option<String> {
    let at = token.expires_at?.millis();
    let now = now as i64;
    Rule::expiring_soon(now)
        .holds(&Facts {
            revoked_at: token.revoked_at.map(|t| t.millis()),
            expires_at: Some(at),
            owner_disabled: token.status == TokenStatus::OwnerDisabled,
        })
        .then(|| days_left_label(at, now))
}

/// What the token may really do; when that is less than it was given, the cell says so.
#[component]
fn EffectivePermissions(token: Token) -> impl IntoView {
    let narrowed = token.effective_permissions != token.permissions;
    view! {
        {permissions_summary(token.effective_permissions)}
        {narrowed.then(|| view! {
            <span class="narrowed" title=format!("Given {}", token.permissions)>"narrowed by its owner's role"</span>
        })}
    }
}
