//! Deleting one token: what it is, that it cannot be undone, and what breaks.

use super::confirm_dialog::ConfirmDialog;
use super::notice::Notice;
use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Token;

#[component]
pub fn DeleteTokenDialog(
    token: Token,
    deleting: RwSignal<Option<Token>>,
    notice: RwSignal<Option<Notice>>,
    #[prop(into)] on_done: Callback<()>,
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
                    notice.set(Some(Notice::Success(format!(
                        "Deleted \u{201c}{name}\u{201d}. It can no longer be used."
                    ))));
                    deleting.set(None);
                    on_done.run(());
                }
                // Someone else deleted it first: the outcome the user wanted already holds.
                Err(e) if e.status == 404 => {
                    notice.set(Some(Notice::Success(format!(
                        "\u{201c}{name}\u{201d} had already been deleted."
                    ))));
                    deleting.set(None);
                    on_done.run(());
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
                "and the token\u{2019}s history is removed with it. To keep an audit trail, revoke it instead."
            </p>
        </ConfirmDialog>
    }
}
