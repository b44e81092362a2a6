//! The API Tokens page: every token with its hint and age, creation, and deletion behind a
//! confirmation that says it is permanent.

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::create_token_dialog::CreateTokenDialog;
use crate::components::notice::{Notice, NoticeBar};
use crate::format::{count, exact_time, parse_time, relative_time};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{Token, TokenList};

#[component]
pub fn TokensPage() -> impl IntoView {
    let tokens = LocalResource::new(api::list_tokens);
    let creating = RwSignal::new(false);
    let deleting = RwSignal::new(None::<Token>);
    let notice = RwSignal::new(None::<Notice>);

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
                "A deleted token stops working on its next request."
            </p>
            <NoticeBar notice />
            {move || match tokens.get() {
                None => view! { <p class="muted" role="status">"Loading tokens…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="load-error" role="alert">
                        <p>"The tokens could not be loaded: " {e.message}</p>
                        <button type="button" class="secondary" on:click=move |_| tokens.refetch()>"Try again"</button>
                    </div>
                }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => view! {
                    <div class="empty">
                        <p>"No API tokens yet."</p>
                        <p class="muted">"Create one to let a Telegraf agent fetch its configuration and report heartbeats."</p>
                    </div>
                }.into_any(),
                Some(Ok(list)) => view! { <TokenTable list on_delete=move |t| deleting.set(Some(t)) /> }.into_any(),
            }}
        </section>
        <Show when=move || creating.get()>
            <CreateTokenDialog
                on_close=move |()| creating.set(false)
                on_created=move |t: Token| {
                    notice.set(Some(Notice::Success(format!("Created \u{201c}{}\u{201d}.", t.name))));
                    tokens.refetch();
                }
            />
        </Show>
        {move || deleting.get().map(|token| view! { <DeleteTokenDialog token deleting notice tokens /> })}
    }
}

#[component]
fn TokenTable(list: TokenList, #[prop(into)] on_delete: Callback<Token>) -> impl IntoView {
    let now = js_sys::Date::now();
    let shown = list.items.len();
    let total = list.total as usize;
    view! {
        <table class="tokens" data-testid="tokens-table">
            <caption class="visually-hidden">"API tokens"</caption>
            <thead>
                <tr>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Token"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                <For each=move || list.items.clone() key=|t| t.id.clone() let:token>
                    <TokenRow token now on_delete />
                </For>
            </tbody>
        </table>
        <p class="muted table-footer">
            {if shown < total { format!("Showing {shown} of {}", count(total, "token")) } else { count(total, "token") }}
        </p>
    }
}

#[component]
fn TokenRow(token: Token, now: f64, on_delete: Callback<Token>) -> impl IntoView {
    let created = parse_time(&token.created_at);
    let status = token.status.as_str();
    let name = token.name.clone();
    let for_delete = token.clone();
    view! {
        <tr data-testid="token-row" data-token-id=token.id.clone()>
            <td class="name">{token.name.clone()}</td>
            <td><code>{token.hint.clone()}</code></td>
            <td><span class=format!("badge badge-{status}")>{status}</span></td>
            <td>
                {created.map(|ms| view! {
                    <time datetime=token.created_at.clone() title=exact_time(ms)>{relative_time(ms, now)}</time>
                })}
            </td>
            <td class="actions">
                <button
                    type="button"
                    class="link danger-text"
                    aria-label=format!("Delete token {name}")
                    on:click=move |_| on_delete.run(for_delete.clone())
                >
                    "Delete"
                </button>
            </td>
        </tr>
    }
}

#[component]
fn DeleteTokenDialog(
    token: Token,
    deleting: RwSignal<Option<Token>>,
    notice: RwSignal<Option<Notice>>,
    tokens: LocalResource<Result<TokenList, api::ApiFailure>>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let name = token.name.clone();
    let id = token.id.clone();
    let confirm = move |()| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let (id, name) = (id.clone(), name.clone());
        spawn_local(async move {
            let result = api::delete_token(&id).await;
            let _ = pending.try_set(false);
            match result {
                Ok(()) => {
                    notice.set(Some(Notice::Success(format!("Deleted \u{201c}{name}\u{201d}. It can no longer be used."))));
                    deleting.set(None);
                    tokens.refetch();
                }
                // Someone else deleted it first: the outcome the user wanted already holds.
                Err(e) if e.status == 404 => {
                    notice.set(Some(Notice::Success(format!("\u{201c}{name}\u{201d} had already been deleted."))));
                    deleting.set(None);
                    tokens.refetch();
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };
    view! {
        <ConfirmDialog
            title="Delete API token?"
            confirm_label="Delete token"
            pending
            error
            on_confirm=confirm
            on_close=move |()| deleting.set(None)
        >
            <p>
                "Deleting \u{201c}" <strong>{token.name.clone()}</strong> "\u{201d} (" <code>{token.hint.clone()}</code>
                ") is permanent and cannot be undone."
            </p>
            <p>
                "Any agent or client using this token will lose access immediately, "
                "and the token\u{2019}s history is removed with it."
            </p>
        </ConfirmDialog>
    }
}
