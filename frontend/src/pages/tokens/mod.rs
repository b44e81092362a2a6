//! The API Tokens page: filter, search, sort and page through tokens; select rows for bulk
//! delete, revoke or reassign; create tokens; delete one behind a confirmation.
//!
//! This module holds the page's state and how it loads; `toolbar` the search, filters and
//! bulk bar; `list` the table.

mod list;
mod toolbar;

use crate::api;
use crate::components::bulk_confirm::BulkConfirm;
use crate::components::create_token_dialog::CreateTokenDialog;
use crate::components::delete_token_dialog::DeleteTokenDialog;
use crate::components::loaded::Fetch;
use crate::components::notice::{Notice, NoticeBar};
use crate::components::paged::{pager, reload_on, Paged};
use crate::components::reassign_dialog::ReassignDialog;
use crate::format::count;
use crate::router::{keep_in_address, use_location, A};
use crate::session::current_user;
use crate::session::may;
use leptos::prelude::*;
use list::TokenList;
use shared::api::{Token, TokenList};
use shared::listing::{Cursor, Order, SortKey, StatusFilter, TokenQuery, MAX_LIMIT};
use shared::permissions::{Action, Resource};
use shared::{TokenId, TokenStatus};
use toolbar::{BulkBar, Toolbar};

/// What a page of tokens looks like on screen right now.
#[derive(Debug, Clone, Default)]
struct Listing {
    items: Vec<Token>,
    total: u64,
    /// The server stopped counting: more than `total` match.
    total_capped: bool,
    /// Where the next page starts, for the query that loaded this one.
    next: Option<Cursor>,
    /// A search walking the list stopped before filling the page: `next` searches further.
    more_to_search: bool,
    loading: bool,
    failed: Option<String>,
    loaded_once: bool,
}

impl Paged for Listing {
    /// A page, with the order it was asked in (a cursor is read in its order).
    type Answer = (TokenList, SortKey, Order);
    type Cursor = Cursor;

    fn take(&mut self, (page, sort, order): Self::Answer, append: bool) {
        if append {
            self.items.extend(page.items);
        } else {
            self.items = page.items;
        }
        self.total = page.total;
        self.total_capped = page.total_capped;
        self.more_to_search = page.more_to_search;
        self.next = page
            .next_cursor
            .and_then(|raw| Cursor::parse(&raw, sort, order));
        self.loaded_once = true;
    }

    fn loading(&mut self) -> &mut bool {
        &mut self.loading
    }

    fn failed(&mut self) -> &mut Option<String> {
        &mut self.failed
    }

    fn next(&self) -> Option<Cursor> {
        self.next.clone()
    }
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
    // The list's filters and order live in the address: reload, back, forward and a shared
    // link show the same list. Each change is a history entry.
    let filters = RwSignal::new(TokenQuery::from_address(
        &use_location().query.get_untracked(),
    ));
    keep_in_address(
        "/tokens",
        filters,
        TokenQuery::to_address,
        TokenQuery::from_address,
    );
    let listing = RwSignal::new(Listing::default());
    let selected = RwSignal::new(Vec::<TokenId>::new());
    // A Create form left open when the session ended comes back after sign-in.
    let creating = RwSignal::new(
        crate::components::create_token_dialog::draft::load().is_some()
            && may(Resource::Tokens, Action::Write),
    );
    let deleting = RwSignal::new(None::<Token>);
    let revoking = RwSignal::new(None::<Token>);
    let bulk = RwSignal::new(None::<Bulk>);
    let notice = RwSignal::new(None::<Notice>);
    let load = pager(
        listing,
        move |cursor| {
            let query = TokenQuery {
                cursor,
                ..filters.get_untracked()
            };
            async move {
                let page = api::list_tokens(&query).await?;
                Ok((page, query.sort, query.order))
            }
        },
        move || {
            // A selection only ever names rows that are on screen.
            let visible: Vec<TokenId> =
                listing.with_untracked(|l| l.items.iter().map(|t| t.id).collect());
            selected.update(|s| s.retain(|id| visible.contains(id)));
        },
    );
    // Each reload of the list (after a create, revoke or bulk action) also re-reads the
    // expiry banner, which would otherwise keep naming tokens just revoked.
    let reloads = RwSignal::new(0u32);
    let reload = move || {
        load.run(false);
        reloads.update(|n| *n += 1);
    };
    reload_on(filters, load);

    view! {
        <section class="page">
            <div class="page-header">
                <h1>"API Tokens"</h1>
                {may(Resource::Tokens, Action::Write).then(|| view! {
                    <button type="button" class="primary" on:click=move |_| creating.set(true)>
                        "+ Create API Token"
                    </button>
                })}
            </div>
            <p class="lede">
                "Telegraf agents and scripts authenticate with these tokens. "
                "A deleted or revoked token stops working on its next request."
            </p>
            <NoticeBar notice />
            <ExpiryBanner reloads />
            <Toolbar filters />
            <BulkBar selected bulk may_reassign />
            <div data-focus-fallback tabindex="-1" aria-label="API tokens list" role="region">
                <TokenList listing filters selected load revoking deleting />
            </div>
        </section>

        {move || creating.get().then(|| view! {
            <CreateTokenDialog
                on_close=move |()| creating.set(false)
                on_created=move |done: String| {
                    notice.set(Some(Notice::Success(done)));
                    reload();
                }
            />
        })}
        {move || deleting.get().map(|token| view! { <DeleteTokenDialog token deleting notice on_done=reload /> })}
        {move || revoking.get().map(|token| {
            let title = format!("Revoke \u{201c}{}\u{201d}?", token.name);
            let done = move |message: String| {
                notice.set(Some(Notice::Success(message)));
                revoking.set(None);
                reload();
            };
            view! { <BulkConfirm tokens=vec![token] skipped=vec![] others=0 delete=false title label="Revoke token".to_owned()
                on_close=move |()| revoking.set(None) on_done=done /> }
        })}
        <BulkDialogs bulk listing selected notice on_done=reload />
    }
}

/// Agents in use are about to lose access: a banner when any token an agent used in the
/// last 24 hours expires within 7 days, linking to the "Expiring soon" filter.
#[component]
fn ExpiryBanner(reloads: RwSignal<u32>) -> impl IntoView {
    let expiring = Fetch::new(move || {
        reloads.track();
        async {
            let query = TokenQuery {
                status: Some(StatusFilter::ExpiringSoon),
                limit: MAX_LIMIT,
                ..TokenQuery::default()
            };
            api::list_tokens(&query).await
        }
    });
    move || {
        let since = js_sys::Date::now() as i64 - 86_400_000;
        let in_use = expiring
            .get()
            .and_then(Result::ok)
            .map(|list| {
                list.items
                    .iter()
                    .filter(|t| t.last_used_at.is_some_and(|at| at.millis() > since))
                    .count()
            })
            .unwrap_or(0);
        (in_use > 0).then(|| {
            let (what, verb) = if in_use == 1 {
                ("1 token".to_owned(), "expires")
            } else {
                (format!("{in_use} tokens"), "expire")
            };
            view! {
                <p class="notice warning" role="status" data-testid="expiry-banner">
                    {format!("{what} that agents used in the last 24 hours {verb} within 7 days. ")}
                    <A href="/tokens?status=expiring">"Show expiring tokens"</A>
                </p>
            }
        })
    }
}

/// The confirmation for the bulk bar's action, on the selected rows.
#[component]
fn BulkDialogs(
    bulk: RwSignal<Option<Bulk>>,
    listing: RwSignal<Listing>,
    selected: RwSignal<Vec<TokenId>>,
    notice: RwSignal<Option<Notice>>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    // Selected tokens deleted elsewhere since, by name: left out of the selection, named in
    // the dialog, which then offers the rest; the list is refreshed meanwhile.
    let gone = RwSignal::new(Vec::<String>::new());
    let on_gone = move |tokens: Vec<(TokenId, String)>| {
        selected.update(|s| {
            s.retain(|id| tokens.iter().all(|(gone, _)| gone != id));
        });
        gone.update(|g| g.extend(tokens.into_iter().map(|(_, name)| name)));
        on_done.run(());
    };
    let close = move || {
        gone.set(Vec::new());
        bulk.set(None);
    };
    let after_bulk = move |message: String| {
        notice.set(Some(Notice::Success(message)));
        close();
        selected.set(Vec::new());
        on_done.run(());
    };
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
    move || {
        bulk.get().map(|action| {
            let tokens = selected_tokens();
            let ids: Vec<TokenId> = tokens.iter().map(|t| t.id).collect();
            let noun = count(ids.len(), "token");
            match action {
                Bulk::Reassign => view! {
                    <ReassignDialog ids tokens on_close=move |()| close() on_done=after_bulk />
                }
                .into_any(),
                Bulk::Delete | Bulk::Revoke => {
                    let delete = action == Bulk::Delete;
                    let verb = if delete { "Delete" } else { "Revoke" };
                    let me = current_user().map(|u| u.id);
                    let others = tokens.iter().filter(|t| t.owner_id != me).count();
                    // Revoking applies only to tokens that still work or could again.
                    let (skipped, tokens): (Vec<Token>, Vec<Token>) = tokens
                        .into_iter()
                        .partition(|t| !delete && !t.status.may_revoke());
                    let mut skipped: Vec<(String, &'static str)> = skipped
                        .into_iter()
                        .map(|t| {
                            (
                                t.name,
                                if t.status == TokenStatus::Revoked {
                                    "already revoked"
                                } else {
                                    "expired"
                                },
                            )
                        })
                        .collect();
                    skipped.extend(
                        gone.get()
                            .into_iter()
                            .map(|name| (name, "deleted elsewhere since you selected it")),
                    );
                    let (title, label) = if skipped.is_empty() {
                        (format!("{verb} {noun}?"), format!("{verb} {noun}"))
                    } else {
                        let rest = tokens.len();
                        (
                            format!("{verb} the other {rest}?"),
                            format!("{verb} the other {rest}"),
                        )
                    };
                    view! { <BulkConfirm tokens skipped others delete title label
                    on_close=move |()| close() on_done=after_bulk on_gone /> }
                    .into_any()
                }
            }
        })
    }
}
