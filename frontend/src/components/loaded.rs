//! Data a page fetches, and the one loading-and-failure pattern for it: a polite status line
//! while the first answer is on its way, the failure as an alert, and otherwise the view of
//! the value. While it fetches again, the last value stays on screen (as a `Transition` would).
//!
//! [`Fetch`] stands in for Leptos' `LocalResource`: the same reads and `refetch`, but one
//! effect and one spawned future for every fetch in the app rather than a copy of the async
//! machinery per answer type, which kept about 20 KB (brotli) out of the download.

use crate::api::ApiFailure;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What a fetch has so far: nothing yet, or its last answer.
pub type Answer<T> = Option<Result<T, ApiFailure>>;

/// An answer the page asked for; runs again when a signal its fetcher read changes, or on
/// [`Fetch::refetch`]. An answer that arrives after a newer request started is dropped.
pub struct Fetch<T: 'static> {
    answer: RwSignal<Answer<T>, LocalStorage>,
    again: Trigger,
}

impl<T> Clone for Fetch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Fetch<T> {}

impl<T: 'static> Fetch<T> {
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiFailure>> + 'static,
    {
        let answer = RwSignal::new_local(None);
        let again = Trigger::new();
        start(
            again,
            Box::new(move |latest, n| {
                let future = fetch();
                Box::pin(async move {
                    let value = future.await;
                    if latest.get() == n {
                        answer.try_set(Some(value));
                    }
                })
            }),
        );
        Fetch { answer, again }
    }

    /// The last answer, tracked.
    pub fn get(&self) -> Answer<T>
    where
        T: Clone,
    {
        self.answer.get()
    }

    pub fn with<U>(&self, f: impl FnOnce(&Answer<T>) -> U) -> U {
        self.answer.with(f)
    }

    /// Fetches again; the current answer stays until the new one arrives.
    pub fn refetch(&self) {
        self.again.notify();
    }
}

/// A fetcher, given the shared request counter and its own number.
type Launch = Box<dyn Fn(Rc<Cell<u32>>, u32) -> Pin<Box<dyn Future<Output = ()>>>>;

/// Not generic, so the effect and the spawn exist once in the app.
fn start(again: Trigger, launch: Launch) {
    let latest = Rc::new(Cell::new(0));
    crate::effect::watch(move |_| {
        again.track();
        let n = latest.get() + 1;
        latest.set(n);
        spawn_local(launch(latest.clone(), n));
    });
}

#[component]
pub fn Loaded<T, V, F>(
    resource: Fetch<T>,
    /// What the status line says while loading ("Loading agents…").
    loading: &'static str,
    /// Show a failure as a form's error line instead of a page's error block.
    #[prop(optional)]
    inline: bool,
    children: F,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
{
    move || match resource.get() {
        Some(Ok(value)) => children(value).into_any(),
        other => not_loaded(other.and_then(Result::err), loading, inline),
    }
}

/// Not generic: what every [`Loaded`] shows until it has a value.
fn not_loaded(failure: Option<ApiFailure>, loading: &'static str, inline: bool) -> AnyView {
    match failure {
        None => view! { <p class="muted" role="status">{loading}</p> }.into_any(),
        Some(e) if inline => {
            view! { <p class="form-error" role="alert">{e.message}</p> }.into_any()
        }
        Some(e) => {
            view! { <div class="load-error" role="alert"><p>{e.message}</p></div> }.into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{mount, settle};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn failure() -> ApiFailure {
        ApiFailure {
            status: 0,
            code: "network_error".into(),
            ids: Vec::new(),
            message: "Could not reach the server.".into(),
        }
    }

    #[wasm_bindgen_test]
    async fn shows_loading_then_the_value_or_the_failure() {
        let (handle, host) = mount(|| {
            let fine = Fetch::new(|| async {
                settle().await;
                Ok::<_, ApiFailure>(3)
            });
            let broken = Fetch::new(|| async { Err::<u32, _>(failure()) });
            view! {
                <div id="fine"><Loaded resource=fine loading="Loading things…" let:n>
                    <span class="n">{n}</span>
                </Loaded></div>
                <div id="broken"><Loaded resource=broken loading="Loading…" let:n>{n}</Loaded></div>
                <div id="inline"><Loaded resource=broken loading="Loading…" inline=true let:n>{n}</Loaded></div>
            }
        });
        // Leptos marks where dynamic text and views go with empty comments; they are not content.
        let html = |id: &str| {
            let html = host.query_selector(id).unwrap().unwrap().inner_html();
            html.replace("<!---->", "")
        };
        assert_eq!(
            html("#fine"),
            r#"<p class="muted" role="status">Loading things…</p>"#
        );
        for _ in 0..5 {
            settle().await;
        }
        assert_eq!(html("#fine"), r#"<span class="n">3</span>"#);
        assert_eq!(
            html("#broken"),
            r#"<div class="load-error" role="alert"><p>Could not reach the server.</p></div>"#
        );
        assert_eq!(
            html("#inline"),
            r#"<p class="form-error" role="alert">Could not reach the server.</p>"#
        );
        drop(handle);
        host.remove();
    }

    #[wasm_bindgen_test]
    async fn a_late_answer_to_an_older_request_is_dropped_and_refetch_asks_again() {
        type Handles = (RwSignal<u32>, Fetch<(u32, u32)>);
        let handles: std::rc::Rc<std::cell::Cell<Option<Handles>>> = Default::default();
        let calls = std::rc::Rc::new(std::cell::Cell::new(0));
        let (out, counted) = (handles.clone(), calls.clone());
        let (handle, host) = mount(move || {
            let which = RwSignal::new(1u32);
            let fetch = Fetch::new(move || {
                let n = which.get();
                counted.set(counted.get() + 1);
                let call = counted.get();
                async move {
                    // The first request answers last.
                    let waits = if n == 1 { 6 } else { 1 };
                    for _ in 0..waits {
                        settle().await;
                    }
                    Ok::<_, ApiFailure>((n, call))
                }
            });
            out.set(Some((which, fetch)));
        });
        let (which, fetch) = handles.get().unwrap();
        settle().await;
        assert_eq!(calls.get(), 1, "the first request started");
        which.set(2);
        for _ in 0..10 {
            settle().await;
        }
        assert_eq!(calls.get(), 2);
        assert_eq!(
            fetch.get(),
            Some(Ok((2, 2))),
            "the older request's late answer does not replace the newer one"
        );
        fetch.refetch();
        for _ in 0..4 {
            settle().await;
        }
        assert_eq!(fetch.get(), Some(Ok((2, 3))), "refetch asked again");
        drop(handle);
        host.remove();
    }
}
