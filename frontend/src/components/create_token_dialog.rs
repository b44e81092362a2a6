//! "Create API Token": the form, then the new secret, shown exactly once with a Copy button.

use super::modal::Modal;
use crate::api;
use crate::format::sentence;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{CreatedToken, Token};
use shared::name::NAME_MAX_CHARS;
use shared::TokenName;

#[component]
pub fn CreateTokenDialog(
    #[prop(into)] on_close: Callback<()>,
    /// Runs as soon as the token exists, so the list can refresh behind the dialog.
    #[prop(into)]
    on_created: Callback<Token>,
) -> impl IntoView {
    let created = RwSignal::new(None::<CreatedToken>);
    view! {
        <Modal title="Create API Token" on_close>
            {move || match created.get() {
                None => view! { <CreateForm on_close on_created created /> }.into_any(),
                Some(c) => view! { <ShowSecretOnce secret=c.secret name=c.token.name on_close /> }.into_any(),
            }}
        </Modal>
    }
}

#[component]
fn CreateForm(
    on_close: Callback<()>,
    on_created: Callback<Token>,
    created: RwSignal<Option<CreatedToken>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        // The same rule the server applies, checked first so the common mistakes need no round trip.
        if let Err(e) = TokenName::parse(&name.get_untracked()) {
            error.set(Some(sentence(&e.to_string())));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::create_token(name.get_untracked()).await;
            // The dialog may have been closed meanwhile; its signals are then gone.
            let _ = pending.try_set(false);
            match result {
                Ok(c) => {
                    on_created.run(c.token.clone());
                    let _ = created.try_set(Some(c));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };
    view! {
        <form on:submit=submit novalidate>
            <label for="token-name">"Description"</label>
            <input
                id="token-name"
                name="name"
                type="text"
                required
                autofocus
                maxlength=NAME_MAX_CHARS.to_string()
                placeholder="e.g. Production Telegraf agents"
                aria-describedby="token-name-help"
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <p id="token-name-help" class="help">"A name that tells you later where this token is used. It must be unique."</p>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="modal-actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create Token" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn ShowSecretOnce(secret: String, name: String, on_close: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(None::<Result<(), ()>>);
    let to_copy = secret.clone();
    let copy = move |_| {
        let text = to_copy.clone();
        spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let result = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
            let _ = copied.try_set(Some(result.map(|_| ()).map_err(|_| ())));
        });
    };
    view! {
        <p class="warning" role="alert">
            "Copy the token for \u{201c}" {name} "\u{201d} now. For your security it cannot be shown again."
        </p>
        <div class="secret">
            <code data-testid="new-token-secret">{secret}</code>
            <button type="button" class="secondary" on:click=copy>"Copy"</button>
        </div>
        <p class="help" aria-live="polite">
            {move || match copied.get() {
                None => "",
                Some(Ok(())) => "Copied to the clipboard.",
                Some(Err(())) => "Copying was refused by the browser; select the token and press Ctrl+C.",
            }}
        </p>
        <div class="modal-actions">
            <button type="button" class="primary" on:click=move |_| on_close.run(()) autofocus>
                "Done"
            </button>
        </div>
    }
}
