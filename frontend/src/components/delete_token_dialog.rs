//! Deleting one token: what it is, that it cannot be undone, and what breaks.

use super::bulk_confirm::AgentUseWarning;
use super::confirm_dialog::ConfirmDelete;
use super::notice::Notice;
use crate::api;
use leptos::prelude::*;
use shared::api::Token;

#[component]
pub fn DeleteTokenDialog(
    token: Token,
    deleting: RwSignal<Option<Token>>,
    notice: RwSignal<Option<Notice>>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let id = token.id;
    let name = token.name.clone();
    view! {
        <ConfirmDelete
            title="Delete API token?"
            confirm_label="Delete token"
            // Someone else deleted it first: the outcome the user wanted already holds.
            delete=move || async move {
                match api::delete_token(id).await {
                    Ok(()) => Ok(false),
                    Err(e) if e.status == 404 => Ok(true),
                    Err(e) => Err(e),
                }
            }
            done=move |already: bool| {
                if already {
                    format!("\u{201c}{name}\u{201d} had already been deleted.")
                } else {
                    format!("Deleted \u{201c}{name}\u{201d}. It can no longer be used.")
                }
            }
            notice
            on_close=move |()| deleting.set(None)
            on_deleted=on_done
        >
            <p>
                "Deleting \u{201c}" <strong>{token.name.clone()}</strong> "\u{201d} (" <code>{token.hint.clone()}</code>
                ") is permanent and cannot be undone."
            </p>
            <p>
                "Any agent or client using this token will lose access immediately, "
                "and the token\u{2019}s history is removed with it. To keep an audit trail, revoke it instead."
            </p>
            <AgentUseWarning tokens=vec![token.clone()] />
        </ConfirmDelete>
    }
}
