//! A confirmation for an irreversible action: says what will happen, names the action on its
//! button, shows progress and, on failure, why, without closing.

use super::modal::Modal;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    /// The button's words: what it does ("Delete token"), never "OK".
    #[prop(into)]
    confirm_label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <Modal title on_close>
            <div class="modal-body">{children()}</div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="modal-actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(()) autofocus>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="danger"
                    data-testid="confirm-action"
                    disabled=move || pending.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || if pending.get() { "Working…".to_owned() } else { confirm_label.clone() }}
                </button>
            </div>
        </Modal>
    }
}
