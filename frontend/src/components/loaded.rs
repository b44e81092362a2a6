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
            let fine = LocalResource::new(|| async {
                settle().await;
                Ok::<_, ApiFailure>(3)
            });
            let broken = LocalResource::new(|| async { Err::<u32, _>(failure()) });
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
}
