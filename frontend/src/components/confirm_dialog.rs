//! A confirmation for an irreversible action: says what will happen, names the action on its
//! button, shows progress and, on failure, why, without closing.

use super::form::{action_error, submit_action, FormError, Submit};
use super::modal::Modal;
use super::notice::Notice;
use crate::api::ApiFailure;
use leptos::prelude::*;
use std::future::Future;

#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    /// The button's words: what it does ("Delete token"), never "OK".
    #[prop(into)]
    confirm_label: String,
    /// What confirming does; its failure keeps the dialog open and says why.
    action: Submit<()>,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let pending = action.pending();
    let on_confirm = move || {
        if !pending.get_untracked() {
            action.dispatch(());
        }
    };
    view! {
        <Modal title on_close>
            <div class="modal-body">{children()}</div>
            <FormError error=action_error(action) />
            <div class="modal-actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(()) autofocus>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="danger"
                    data-testid="confirm-action"
                    disabled=move || pending.get()
                    on:click=move |_| on_confirm()
                >
                    {move || if pending.get() { "Working…".to_owned() } else { confirm_label.clone() }}
                </button>
            </div>
        </Modal>
    }
}

/// Deleting one thing: the confirmation, the call, then the outcome as a notice, the dialog
/// closed and the list refreshed.
#[component]
pub fn ConfirmDelete<T, F, Fut, D>(
    #[prop(into)] title: String,
    #[prop(into)] confirm_label: String,
    /// The API call that deletes.
    delete: F,
    /// The notice's words, from the call's answer.
    done: D,
    notice: RwSignal<Option<Notice>>,
    #[prop(into)] on_close: Callback<()>,
    /// Runs last, once deleted: refresh what is listed.
    #[prop(into)]
    on_deleted: Callback<()>,
    children: Children,
) -> impl IntoView
where
    T: 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiFailure>> + 'static,
    D: Fn(T) -> String + 'static,
{
    let action = submit_action(
        move |()| delete(),
        move |answer| {
            notice.set(Some(Notice::Success(done(answer))));
            on_close.run(());
            on_deleted.run(());
        },
    );
    view! { <ConfirmDialog title confirm_label action on_close>{children()}</ConfirmDialog> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{mount, settle};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn open_dialog() -> Option<web_sys::Element> {
        document().query_selector("dialog[open]").ok().flatten()
    }

    #[wasm_bindgen_test]
    async fn opens_modal_names_its_action_and_cancels_on_escape() {
        let closed = RwSignal::new(0);
        let confirmed = RwSignal::new(0);
        let (handle, host) = mount(move || {
            view! {
                <ConfirmDialog
                    title="Delete API token?"
                    confirm_label="Delete token"
                    action=submit_action(|()| async { Ok(()) }, move |()| confirmed.update(|n| *n += 1))
                    on_close=move |()| closed.update(|n| *n += 1)
                >
                    <p>"This cannot be undone."</p>
                </ConfirmDialog>
            }
        });
        settle().await;

        let dialog = open_dialog().expect("the dialog is shown as a modal");
        assert!(dialog.get_attribute("aria-labelledby").is_some());
        let text = dialog.text_content().unwrap_or_default();
        assert!(
            text.contains("Delete API token?") && text.contains("cannot be undone"),
            "{text}"
        );
        let confirm: web_sys::HtmlElement = dialog
            .query_selector("[data-testid=confirm-action]")
            .unwrap()
            .unwrap()
            .unchecked_into();
        assert_eq!(confirm.text_content().unwrap(), "Delete token");
        confirm.click();
        settle().await;
        assert_eq!(confirmed.get_untracked(), 1);

        // A synthetic Escape does not trigger the browser's own cancel; dispatch `cancel` as it would.
        let cancel = web_sys::Event::new_with_event_init_dict("cancel", &{
            let i = web_sys::EventInit::new();
            i.set_cancelable(true);
            i
        })
        .unwrap();
        dialog.dispatch_event(&cancel).unwrap();
        settle().await;
        assert_eq!(
            closed.get_untracked(),
            1,
            "cancel (Escape) reaches on_close"
        );
        assert!(
            cancel.default_prevented(),
            "the dialog does not close itself behind the app's back"
        );
        drop(handle);
        host.remove();
    }
}
