//! The app's router: the address as a signal, links that change it without a reload, and the
//! back and forward buttons. The route table itself is a `match` in `app.rs`. (leptos_router
//! did the same with about 80 KB of the SPA's wasm; this app needs none of its nesting.)

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the app is: the path and the query string (with its `?`, or empty).
#[derive(Debug, Clone, Copy)]
pub struct Location {
    pub path: RwSignal<String>,
    pub query: RwSignal<String>,
}

fn window_location() -> (String, String) {
    web_sys::window()
        .map(|w| w.location())
        .map(|l| {
            (
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default(),
            )
        })
        .unwrap_or_else(|| ("/".to_owned(), String::new()))
}

/// Reads the address and follows the back and forward buttons; every component then reads
/// the location with [`use_location`].
pub fn provide_location() -> Location {
    let (path, query) = window_location();
    let location = Location {
        path: RwSignal::new(path),
        query: RwSignal::new(query),
    };
    let on_pop = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        let (path, query) = window_location();
        location.path.set(path);
        location.query.set(query);
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    on_pop.forget();
    CURRENT.with(|c| c.set(Some(location)));
    location
}

thread_local! {
    /// The one location of the page, set once by [`provide_location`]; kept here rather than
    /// in a context so that code running after an `await` (no reactive owner) can navigate.
    static CURRENT: std::cell::Cell<Option<Location>> = const { std::cell::Cell::new(None) };
}

pub fn use_location() -> Location {
    CURRENT
        .with(std::cell::Cell::get)
        .expect("the app provides its location before rendering any page")
}

/// Goes to `href` (a same-site path, with or without a query) as a link would: a new history
/// entry, or with `replace` the current one rewritten (redirects, state kept in the URL).
pub fn navigate(href: &str, replace: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
        };
    }
    let (path, query) = window_location();
    if let Some(location) = CURRENT.with(std::cell::Cell::get) {
        location.path.set(path);
        location.query.set(query);
    }
    if !replace {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Keeps a page's filters in its address: each change of `state` is a history entry (so back
/// undoes it), and the address (reload, back, forward, a shared link) sets `state`. An address
/// with values `read` ignored is corrected in place on arrival.
pub fn keep_in_address<T>(
    path: &'static str,
    state: RwSignal<T>,
    write: fn(&T) -> String,
    read: fn(&str) -> T,
) where
    T: PartialEq + Send + Sync + 'static,
{
    let location = use_location();
    crate::effect::watch(move |first| show_in_address(location, path, state.with(write), first));
    crate::effect::watch(move |_| {
        let wanted = read(&location.query.get());
        if location.path.get_untracked() == path && state.with_untracked(|s| *s != wanted) {
            state.set(wanted);
        }
    });
}

/// Not generic: remembers `address` as `path`'s query and, on that page, puts it in the
/// address bar (replacing the entry the first time, adding one after).
fn show_in_address(location: Location, path: &'static str, address: String, first: bool) {
    LAST_QUERY.with(|last| {
        let mut last = last.borrow_mut();
        match last.iter_mut().find(|(p, _)| *p == path) {
            Some((_, query)) => query.clone_from(&address),
            None => last.push((path, address.clone())),
        }
    });
    if location.path.get_untracked() == path && address != location.query.get_untracked() {
        navigate(&format!("{path}{address}"), first);
    }
}

thread_local! {
    /// The query each page that keeps its state in the address had last, by path (a few
    /// lists: a list of pairs).
    static LAST_QUERY: std::cell::RefCell<Vec<(&'static str, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `path` as it was last shown, with its filters and order (a back link to a list returns to
/// the list as it was, not to its defaults).
pub fn last_address(path: &'static str) -> String {
    let query = LAST_QUERY.with(|last| {
        let last = last.borrow();
        last.iter()
            .find(|(p, _)| *p == path)
            .map(|(_, q)| q.clone())
            .unwrap_or_default()
    });
    format!("{path}{query}")
}

/// One value of the query string, decoded.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    web_sys::UrlSearchParams::new_with_str(query).ok()?.get(key)
}

/// The value of `key` in the current address, read once (not tracked).
pub fn query_param(key: &str) -> Option<String> {
    query_value(&use_location().query.get_untracked(), key)
}

/// Whether a link to `href` is the current page or a page below it (`/tokens` is current on
/// `/tokens/…` too), for `aria-current`.
pub fn is_current(path: &str, href: &str) -> bool {
    let href = href.trim_end_matches('/');
    path == href
        || (path.starts_with(href) && path[href.len()..].starts_with('/') && !href.is_empty())
}

/// A link inside the app: a plain `<a href>` (so opening it in a new tab, copying it and
/// middle-clicking work as everywhere), whose ordinary click changes the page without a
/// reload, marked `aria-current="page"` while it is the current page.
#[component]
pub fn A(#[prop(into)] href: String, children: Children) -> impl IntoView {
    let location = use_location();
    let target = href.clone();
    let current = {
        let href = href.clone();
        move || is_current(&location.path.get(), &href).then_some("page")
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let plain =
            ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key());
        if plain && !ev.default_prevented() {
            ev.prevent_default();
            navigate(&target, false);
        }
    };
    view! { <a href=href aria-current=current on:click=on_click>{children()}</a> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn a_section_link_is_current_on_its_pages_and_nowhere_else() {
        assert!(is_current("/tokens", "/tokens"));
        assert!(is_current(
            "/tokens/9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab",
            "/tokens"
        ));
        assert!(!is_current("/tokens-archive", "/tokens"));
        assert!(!is_current("/configs", "/tokens"));
        assert!(
            !is_current("/tokens", "/"),
            "the start page link marks nothing"
        );
    }

    #[wasm_bindgen_test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value("?tab=history", "tab").as_deref(),
            Some("history")
        );
        assert_eq!(
            query_value("?next=%2Ftokens%3Fq%3Da%20b", "next").as_deref(),
            Some("/tokens?q=a b")
        );
        assert_eq!(query_value("", "tab"), None);
    }
}
