//! A real modal dialog on the native `<dialog>` element: `showModal()` makes the rest of the
//! page inert (focus stays inside) and Escape raises `cancel`, which we turn into `on_close`.

use leptos::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};
use wasm_bindgen::JsCast;

static NEXT_ID: AtomicU32 = AtomicU32::new(0);

thread_local! {
    /// What had focus when each open dialog opened, innermost last.
    static OPENERS: std::cell::RefCell<Vec<Option<web_sys::HtmlElement>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Puts focus back on what opened the dialog; when that went away with what the dialog did
/// (the bulk bar once its rows are deleted), on the page's `data-focus-fallback` region (the
/// list), else on the main landmark, so keyboard users go on from where they were.
pub(crate) fn restore_focus(opener: Option<web_sys::HtmlElement>) {
    if let Some(opener) = opener.filter(|o| o.is_connected()) {
        let _ = opener.focus();
        return;
    }
    let found = ["main [data-focus-fallback]", "main"]
        .into_iter()
        .find_map(|css| document().query_selector(css).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(target) = found {
        if !target.has_attribute("tabindex") {
            let _ = target.set_attribute("tabindex", "-1");
        }
        let _ = target.focus();
    }
}

#[component]
pub fn Modal(
    /// The heading, also the dialog's accessible name.
    #[prop(into)]
    title: String,
    /// Escape or any cancel button.
    #[prop(into)]
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    // Focus goes back where it came from when the dialog goes away (see `restore_focus`).
    let opener = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    OPENERS.with(|o| o.borrow_mut().push(opener));
    on_cleanup(|| {
        let opener = OPENERS.with(|o| o.borrow_mut().pop()).flatten();
        request_animation_frame(move || restore_focus(opener));
    });
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    dialog.on_load(|element| {
        // Fails only if the element is already open or detached; neither leaves a broken page.
        let _ = element.show_modal();
    });
    let title_id = format!("modal-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby=labelled_by
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <h2 id=title_id>{title}</h2>
            {children()}
        </dialog>
    }
}
