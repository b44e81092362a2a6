//! Above the table: search, status and sort, and the bar of actions on the selected rows.

use super::Bulk;
use crate::api;
use crate::components::choices::{all_then, choices};
use crate::components::loaded::Fetch;
use crate::session::may;
use leptos::prelude::*;
use shared::listing::{parse_status, Order, SortKey, StatusFilter, TokenQuery};
use shared::permissions::{Action, Resource};
use shared::{TokenId, UserId};
use std::sync::Arc;

/// The Sort choices: `sort:order`, and what the list says. Every order a column header can
/// choose is here too, so the select always names the order on screen.
const SORTS: [(&str, &str); 8] = [
    ("createdAt:desc", "Newest first"),
    ("createdAt:asc", "Oldest first"),
    ("name:asc", "Description A–Z"),
    ("name:desc", "Description Z–A"),
    ("lastUsedAt:desc", "Recently used"),
    ("lastUsedAt:asc", "Least recently used"),
    ("expiresAt:asc", "Expiring soonest"),
    ("expiresAt:desc", "Expiring latest"),
];

#[component]
pub(super) fn Toolbar(filters: RwSignal<TokenQuery>) -> impl IntoView {
    // The box shows the search in effect (from the address too) until the user types.
    let search = RwSignal::new(filters.with_untracked(|f| f.q.clone().unwrap_or_default()));
    crate::effect::watch(move |_| search.set(filters.with(|f| f.q.clone().unwrap_or_default())));
    let on_sort = move |value: String| {
        let (sort, order) = value.split_once(':').unwrap_or(("createdAt", "desc"));
        let sort = SortKey::parse(sort).unwrap_or(SortKey::CreatedAt);
        let order = Order::parse(order).unwrap_or(Order::Desc);
        filters.update(|f| {
            f.sort = sort;
            f.order = order;
        });
    };
    view! {
        <form class="toolbar" role="search" on:submit=move |ev| {
            ev.prevent_default();
            filters.update(|f| f.q = Some(search.get_untracked()).filter(|q| !q.is_empty()));
        }>
            <label class="visually-hidden" for="token-search">"Search by description, owner or the token's last four characters"</label>
            <input id="token-search" type="search" placeholder="Description, owner or last 4"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
            <button type="submit" class="secondary">"Search"</button>
            <label for="token-status">"Status"</label>
            {choices(
                "token-status",
                all_then("All", StatusFilter::all().map(|s| (s.as_str(), s.label()))),
                Arc::new(move || filters.with(|f| f.status.map(|s| s.as_str()).unwrap_or_default().to_owned())),
                Arc::new(move |v| filters.update(|f| f.status = parse_status(&v))),
            )}
            <label class="inline"><input type="checkbox" id="token-beyond" prop:checked=move || filters.with(|f| f.beyond_policy)
                on:change=move |ev| filters.update(|f| f.beyond_policy = event_target_checked(&ev)) />"Beyond lifetime policy"</label>
            {may(Resource::Users, Action::Read).then(|| view! { <OwnerFilter filters /> })}
            <label for="token-sort">"Sort"</label>
            {choices(
                "token-sort",
                SORTS.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())).collect(),
                Arc::new(move || filters.with(|f| format!("{}:{}", f.sort.as_str(), f.order.as_str()))),
                Arc::new(on_sort),
            )}
        </form>
    }
}

/// For those who see every token: only one owner's.
#[component]
fn OwnerFilter(filters: RwSignal<TokenQuery>) -> impl IntoView {
    let users = Fetch::new(api::list_users);
    view! {
        <label for="token-owner">"Owner"</label>
        {move || {
            let mut owners = all_then("All owners", std::iter::empty());
            if let Some(Ok(list)) = users.get() {
                owners.extend(list.items.into_iter().map(|u| {
                    (u.id.to_string(), format!("{} ({})", u.display_name, u.username))
                }));
            }
            choices(
                "token-owner",
                owners,
                Arc::new(move || filters.with(|f| f.owner.map(|o| o.to_string()).unwrap_or_default())),
                Arc::new(move |v| filters.update(|f| f.owner = UserId::parse(&v))),
            )
        }}
    }
}

/// What can be done to the selected rows; shown only while some are selected.
#[component]
pub(super) fn BulkBar(
    selected: RwSignal<Vec<TokenId>>,
    bulk: RwSignal<Option<Bulk>>,
    may_reassign: bool,
) -> impl IntoView {
    // Built once when the first row is selected, not again for each row after it.
    let any = Memo::new(move |_| !selected.with(Vec::is_empty));
    view! {
        {move || any.get().then(|| view! {
            <div class="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
                <strong>{move || format!("{} selected", selected.with(Vec::len))}</strong>
                // Revoke keeps a record and comes first; Delete, which keeps nothing, last.
                <button type="button" class="secondary" on:click=move |_| bulk.set(Some(Bulk::Revoke))>"Revoke"</button>
                {may_reassign.then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| bulk.set(Some(Bulk::Reassign))>"Reassign"</button>
                })}
                <button type="button" class="danger" on:click=move |_| bulk.set(Some(Bulk::Delete))>"Delete"</button>
                <button type="button" class="link" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
            </div>
        })}
    }
}
