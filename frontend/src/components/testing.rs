//! What the components' browser tests share: mounting a view and letting it settle.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Lets effects (such as a dialog's `showModal`), event handlers and spawned tasks run.
pub async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Mounts `view` in a fresh element of the page; drop the handle and remove the host after.
pub fn mount<V: IntoView + 'static>(
    view: impl FnOnce() -> V + 'static,
) -> (impl Sized, web_sys::Element) {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), view);
    (handle, host)
}

pub fn find(host: &web_sys::Element, css: &str) -> web_sys::HtmlElement {
    host.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {css}"))
        .unchecked_into()
}
