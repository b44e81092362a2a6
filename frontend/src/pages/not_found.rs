//! Any path the app does not know.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. "<A href="/">"Go to the start page"</A>"."</p>
        </section>
    }
}
