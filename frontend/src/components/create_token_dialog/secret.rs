//! The new token's secret, shown once, with what to paste where.

use super::*;

#[component]
pub(super) fn ShowSecretOnce(
    secret: String,
    name: String,
    /// The token's configuration scope, for the lines ready to paste.
    scope: Option<Vec<shared::ConfigId>>,
    copied: RwSignal<Option<bool>>,
    /// Whether the dialog is asking "Close anyway?".
    asking: RwSignal<bool>,
    /// Asks first unless the secret was copied.
    on_close: Callback<()>,
    /// Closes for good.
    on_leave: Callback<()>,
) -> impl IntoView {
    let to_copy = secret.clone();
    let ready = secret.clone();
    // Focus starts on the secret's Copy button, the one thing to do here, and comes back to
    // it from "Go back".
    let focus_copy = || {
        request_animation_frame(|| {
            let button = document()
                .query_selector("dialog[open] .secret button")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(button) = button {
                let _ = button.focus();
            }
        })
    };
    focus_copy();
    view! {
        <p class="warning" role="alert">
            "Copy the token for \u{201c}" {name} "\u{201d} now. For your security it cannot be shown again."
        </p>
        <div class="secret">
            <code data-testid="new-token-secret">{secret}</code>
            <CopyButton text=to_copy class="secondary" on_copied=move |ok| copied.set(Some(ok)) />
        </div>
        <ReadyLines secret=ready scope on_copied=move |ok| copied.set(Some(ok)) />
        <p class="help" aria-live="polite">
            {move || match copied.get() {
                None => "",
                Some(true) => "Copied to the clipboard.",
                Some(false) => "Copying was refused by the browser; select the token and press Ctrl+C.",
            }}
        </p>
        {move || if asking.get() {
            let go_back = NodeRef::<leptos::html::Button>::new();
            go_back.on_load(|button| {
                let _ = button.focus();
            });
            view! {
                <div class="confirm-close" role="alertdialog" aria-labelledby="confirm-close-text" data-testid="confirm-close">
                    <p id="confirm-close-text"><strong>"You have not copied this token. Close anyway?"</strong>
                        " It cannot be shown again; without it you would have to create another."</p>
                    <div class="modal-actions">
                        <button type="button" class="secondary" node_ref=go_back on:click=move |_| { asking.set(false); focus_copy(); }>"Go back"</button>
                        <button type="button" class="danger" on:click=move |_| on_leave.run(())>"Close anyway"</button>
                    </div>
                </div>
            }.into_any()
        } else {
            view! {
                <div class="modal-actions">
                    <button type="button" class="primary" on:click=move |_| on_close.run(()) autofocus>
                        "Done"
                    </button>
                </div>
            }.into_any()
        }}
    }
}
