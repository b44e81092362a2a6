//! The one loading-and-failure pattern for data a page fetches: a polite status line while the
//! first answer is on its way, the failure as an alert, and otherwise the view of the value.
//! While a resource refetches, the last value stays on screen (as a `Transition` would).

use crate::api::ApiFailure;
use leptos::prelude::*;

#[component]
pub fn Loaded<T, V, F>(
    resource: LocalResource<Result<T, ApiFailure>>,
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
        None => view! { <p class="muted" role="status">{loading}</p> }.into_any(),
        Some(Err(e)) if inline => {
            view! { <p class="form-error" role="alert">{e.message}</p> }.into_any()
        }
        Some(Err(e)) => {
            view! { <div class="load-error" role="alert"><p>{e.message}</p></div> }.into_any()
        }
        Some(Ok(value)) => children(value).into_any(),
    }
}
