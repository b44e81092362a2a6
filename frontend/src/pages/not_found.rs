//! Any path the app does not know.

use crate::router::A;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. "<A href="/">"Go to the start page"</A>"."</p>
        </section>
    }
}
