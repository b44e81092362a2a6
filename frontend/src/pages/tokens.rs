//! The API Tokens page: filter, search, sort and page through tokens; select rows for bulk
//! delete, revoke or reassign; create tokens; delete one behind a confirmation.

use crate::api::{self, TokenListQuery};
use crate::components::bulk_confirm::BulkConfirm;
use crate::components::create_token_dialog::CreateTokenDialog;
use crate::components::delete_token_dialog::DeleteTokenDialog;
use crate::components::notice::{Notice, NoticeBar};
use crate::components::reassign_dialog::ReassignDialog;
use crate::components::time_cell::TimeCell;
use crate::format::{count, permissions_summary};
use crate::session::current_user;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::Token;
use shared::TokenId;
use std::collections::BTreeSet;

/// What a page of tokens looks like on screen right now.
#[derive(Debug, Clone, Default)]
struct Listing {
    items: Vec<Token>,
    total: u64,
    next: Option<String>,
    loading: bool,
    failed: Option<String>,
    loaded_once: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Delete,
    Revoke,
    Reassign,
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let me = current_user();
    let may_reassign = me.is_some_and(|u| shared::roles::may_reassign(u.role));
    let filters = RwSignal::new(TokenListQuery {
        sort: "createdAt".into(),
        order: "desc".into(),
        ..Default::default()
    });
    let search = RwSignal::new(String::new());
    let listing = RwSignal::new(Listing::default());
    let selected = RwSignal::new(BTreeSet::<TokenId>::new());
    let creating = RwSignal::new(false);
    let deleting = RwSignal::new(None::<Token>);
    let bulk = RwSignal::new(None::<Bulk>);
    let notice = RwSignal::new(None::<Notice>);
    // Answers to an older query must not overwrite a newer one.
    let generation = StoredValue::new(0u32);

    let load = move |cursor: Option<String>| {
        let append = cursor.is_some();
        let query = TokenListQuery {
            cursor,
            ..filters.get_untracked()
        };
        let this = generation.get_value() + u32::from(!append);
        generation.set_value(this);
        listing.update(|l| {
            l.loading = true;
            l.failed = None;
        });
        spawn_local(async move {
            let result = api::list_tokens(query).await;
            if generation.get_value() != this {
                return;
            }
            listing.update(|l| {
                l.loading = false;
                match result {
                    Ok(page) => {
                        if append {
                            l.items.extend(page.items);
                        } else {
                            l.items = page.items;
                        }
                        l.total = page.total;
                        l.next = page.next_cursor;
                        l.loaded_once = true;
                    }
                    Err(e) => l.failed = Some(e.message),
                }
            });
            // A selection only ever names rows that are on screen.
            let visible: BTreeSet<TokenId> =
                listing.with_untracked(|l| l.items.iter().map(|t| t.id.clone()).collect());
            selected.update(|s| s.retain(|id| visible.contains(id)));
        });
    };
    let reload = move || load(None);
    Effect::new(move |_| {
        filters.track();
        reload();
    });

    let selected_tokens = move || {
        let ids = selected.get();
        listing.with(|l| {
            l.items
                .iter()
                .filter(|t| ids.contains(&t.id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let all_selected = move || {
        let n = selected.with(BTreeSet::len);
        n > 0 && n == listing.with(|l| l.items.len())
    };
    let toggle_all = move |_| {
        if all_selected() {
            selected.set(BTreeSet::new());
        } else {
            selected
                .set(listing.with_untracked(|l| l.items.iter().map(|t| t.id.clone()).collect()));
        }
    };
    let after_bulk = move |message: String| {
        notice.set(Some(Notice::Success(message)));
        bulk.set(None);
        selected.set(BTreeSet::new());
        reload();
    };

    view! {
        <section class="page">
            <div class="page-header">
                <h1>"API Tokens"</h1>
                <button type="button" class="primary" on:click=move |_| creating.set(true)>
                    "+ Create API Token"
                </button>
            </div>
            <p class="lede">
                "Telegraf agents and scripts authenticate with these tokens. "
                "A deleted or revoked token stops working on its next request."
            </p>
            <NoticeBar notice />
            <form class="toolbar" role="search" on:submit=move |ev| {
                ev.prevent_default();
                filters.update(|f| f.q = search.get_untracked());
            }>
                <label class="visually-hidden" for="token-search">"Search by description"</label>
                <input id="token-search" type="search" placeholder="Search by description"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
                <button type="submit" class="secondary">"Search"</button>
                <label for="token-status">"Status"</label>
                <select id="token-status" on:change=move |ev| filters.update(|f| f.status = event_target_value(&ev))>
                    <option value="">"All"</option>
                    <option value="active">"Active"</option>
                    <option value="revoked">"Revoked"</option>
                    <option value="expired">"Expired"</option>
                </select>
                <label for="token-sort">"Sort"</label>
                <select id="token-sort" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    let (sort, order) = value.split_once(':').unwrap_or(("createdAt", "desc"));
                    let (sort, order) = (sort.to_owned(), order.to_owned());
                    filters.update(|f| { f.sort = sort; f.order = order; });
                }>
                    <option value="createdAt:desc">"Newest first"</option>
                    <option value="createdAt:asc">"Oldest first"</option>
                    <option value="name:asc">"Description A–Z"</option>
                    <option value="name:desc">"Description Z–A"</option>
                    <option value="lastUsedAt:desc">"Recently used"</option>
                    <option value="expiresAt:asc">"Expiring soonest"</option>
                </select>
            </form>

            <Show when=move || !selected.with(BTreeSet::is_empty)>
                <div class="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
                    <strong>{move || format!("{} selected", selected.with(BTreeSet::len))}</strong>
                    <button type="button" class="danger" on:click=move |_| bulk.set(Some(Bulk::Delete))>"Delete"</button>
                    <button type="button" class="secondary" on:click=move |_| bulk.set(Some(Bulk::Revoke))>"Revoke"</button>
                    {may_reassign.then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| bulk.set(Some(Bulk::Reassign))>"Reassign"</button>
                    })}
                    <button type="button" class="link" on:click=move |_| selected.set(BTreeSet::new())>"Clear selection"</button>
                </div>
            </Show>

            {move || {
                let l = listing.get();
                if let Some(failure) = l.failed.clone().filter(|_| l.items.is_empty()) {
                    return view! {
                        <div class="load-error" role="alert">
                            <p>"The tokens could not be loaded: " {failure}</p>
                            <button type="button" class="secondary" on:click=move |_| reload()>"Try again"</button>
                        </div>
                    }.into_any();
                }
                if !l.loaded_once {
                    return view! { <p class="muted" role="status">"Loading tokens…"</p> }.into_any();
                }
                if l.items.is_empty() {
                    let filtered = filters.with(|f| !f.q.is_empty() || !f.status.is_empty());
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
                let shown = format!("Showing {} of {}", l.items.len(), count(l.total as usize, "token"));
                let items = l.items;
                view! {
                    <table class="tokens" data-testid="tokens-table">
                        <caption class="visually-hidden">"API tokens"</caption>
                        <thead>
                            <tr>
                                <th scope="col"><input type="checkbox" aria-label="Select all tokens on this page"
                                    prop:checked=all_selected on:change=toggle_all /></th>
                                <th scope="col">"Description"</th>
                                <th scope="col">"Token"</th>
                                <th scope="col">"Owner"</th>
                                <th scope="col">"Permissions"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col">"Expires"</th>
                                <th scope="col">"Last used"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || items.clone() key=|t| (t.id.clone(), t.status, t.owner_id.clone()) let:token>
                                <TokenRow token now selected on_delete=move |t| deleting.set(Some(t)) />
                            </For>
                        </tbody>
                    </table>
                    <div class="table-footer">
                        <span class="muted">{shown}</span>
                        {l.next.clone().map(|cursor| view! {
                            <button type="button" class="secondary" disabled=move || listing.with(|l| l.loading)
                                on:click=move |_| load(Some(cursor.clone()))>"Load more"</button>
                        })}
                    </div>
                }.into_any()
            }}
        </section>

        <Show when=move || creating.get()>
            <CreateTokenDialog
                on_close=move |()| creating.set(false)
                on_created=move |t: Token| {
                    notice.set(Some(Notice::Success(format!("Created \u{201c}{}\u{201d}.", t.name))));
                    reload();
                }
            />
        </Show>
        {move || deleting.get().map(|token| view! { <DeleteTokenDialog token deleting notice on_done=reload /> })}
        {move || bulk.get().map(|action| {
            let tokens = selected_tokens();
            let ids: Vec<TokenId> = tokens.iter().map(|t| t.id).collect();
            let n = ids.len();
            let noun = count(n, "token");
            match action {
                Bulk::Reassign => view! {
                    <ReassignDialog ids on_close=move |()| bulk.set(None) on_done=after_bulk />
                }.into_any(),
                Bulk::Delete | Bulk::Revoke => {
                    let delete = action == Bulk::Delete;
                    let verb = if delete { "Delete" } else { "Revoke" };
                    view! { <BulkConfirm ids tokens delete title=format!("{verb} {noun}?") label=format!("{verb} {noun}")
                        on_close=move |()| bulk.set(None) on_done=after_bulk /> }.into_any()
                }
            }
        })}
    }
}

#[component]
fn TokenRow(
    token: Token,
    now: f64,
    selected: RwSignal<BTreeSet<TokenId>>,
    #[prop(into)] on_delete: Callback<Token>,
) -> impl IntoView {
    let status = token.status.as_str();
    let id = token.id.clone();
    let (for_check, for_toggle, for_delete) = (id.clone(), id.clone(), token.clone());
    let name = token.name.clone();
    view! {
        <tr data-testid="token-row" data-token-id=id.to_string()>
            <td><input type="checkbox" aria-label=format!("Select {}", token.name)
                prop:checked=move || selected.with(|s| s.contains(&for_check))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| { if on { s.insert(for_toggle.clone()); } else { s.remove(&for_toggle); } });
                } /></td>
            <td class="name"><A href=format!("/tokens/{id}")>{token.name.clone()}</A></td>
            <td><code>{token.hint.clone()}</code></td>
            <td>{token.owner_name.clone().unwrap_or_else(|| "Instance".into())}</td>
            <td title=token.permissions.to_string()>{permissions_summary(token.permissions)}</td>
            <td><span class=format!("badge badge-{status}")>{status}</span></td>
            <td><TimeCell at=Some(token.created_at) now missing="" /></td>
            <td><TimeCell at=token.expires_at now missing="Never" /></td>
            <td><TimeCell at=token.last_used_at now missing="Never" /></td>
            <td class="actions">
                <button type="button" class="link danger-text" aria-label=format!("Delete token {name}")
                    on:click=move |_| on_delete.run(for_delete.clone())>"Delete"</button>
            </td>
        </tr>
    }
}
