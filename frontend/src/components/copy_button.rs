//! A "Copy" button that puts text on the clipboard and says whether the browser allowed it.

use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn CopyButton(
    /// What goes on the clipboard.
    #[prop(into)]
    text: String,
    /// The button's class: `secondary` beside a secret, `link` in a table.
    class: &'static str,
    /// The accessible name, when "Copy" alone would not say what is copied.
    #[prop(optional, into)]
    label: Option<String>,
    /// Runs with `true` once copied, `false` if the browser refused.
    #[prop(into)]
    on_copied: Callback<bool>,
) -> impl IntoView {
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
            // The button may be gone by now (its dialog closed): then nobody is waiting.
            let _ = on_copied.try_run(done.is_ok());
        });
    };
    view! { <button type="button" class=class aria-label=label on:click=copy>"Copy"</button> }
}
