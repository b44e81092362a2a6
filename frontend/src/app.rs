//! The shell and the route table: every page the app has, in one place.

use crate::pages::{not_found::NotFound, tokens::TokensPage};
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="topbar">
                <span class="brand">"Telegraf fleet controller"</span>
                <nav aria-label="Main">
                    <A href="/tokens">"API Tokens"</A>
                </nav>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/tokens" /> } />
                    <Route path=path!("/tokens") view=TokensPage />
                </Routes>
            </main>
        </Router>
    }
}
