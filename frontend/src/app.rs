//! The shell and the route table: every page the app has, in one place. Pages behind sign-in
//! share [`Shell`], which loads the signed-in user once and provides it as `session::CurrentUser`.

use crate::api;
use crate::pages::{
    agents::AgentsPage, configs::ConfigsPage, not_found::NotFound, setup::SetupPage,
    signin::SignInPage, token_detail::TokenDetailPage, tokens::TokensPage, users::UsersPage,
};
use crate::session::may;
use crate::session::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::path;
use shared::api::User;
use shared::permissions::{Action, Resource};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/signin") view=SignInPage />
                <Route path=path!("/setup") view=SetupPage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=|| {
                        // A Viewer cannot read tokens: their home is the configurations.
                        let home = if may(Resource::Tokens, Action::Read) { "/tokens" } else { "/configs" };
                        view! { <Redirect path=home /> }
                    } />
                    <Route path=path!("tokens") view=TokensPage />
                    <Route path=path!("tokens/:id") view=TokenDetailPage />
                    <Route path=path!("users") view=UsersPage />
                    <Route path=path!("configs") view=ConfigsPage />
                    <Route path=path!("agents") view=AgentsPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Loads who is signed in; without a session the API client sends the browser to sign-in.
#[component]
fn Shell() -> impl IntoView {
    let me = LocalResource::new(api::me);
    move || {
        match me.get() {
        None => view! { <p class="page muted" role="status">"Loading…"</p> }.into_any(),
        Some(Ok(envelope)) => {
            let user = envelope.user;
            provide_context(CurrentUser(user.clone()));
            view! {
                <TopBar user />
                <main id="main">
                    <Outlet />
                </main>
            }
            .into_any()
        }
        Some(Err(e)) => view! {
            <section class="page">
                <div class="load-error" role="alert">
                    <p>{e.message}</p>
                    <button type="button" class="secondary" on:click=move |_| me.refetch()>"Try again"</button>
                </div>
            </section>
        }
        .into_any(),
    }
    }
}

#[component]
fn TopBar(user: User) -> impl IntoView {
    let manages_users = user
        .role
        .permissions()
        .allows(Resource::Users, Action::Read);
    let sign_out = leptos::prelude::Action::new_local(|()| async {
        // Even if the server could not be reached, leave: the cookie is HttpOnly and the
        // sign-in page is where the user wanted to go.
        let _ = api::logout().await;
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(api::SIGN_IN_PATH);
        }
    });
    let (pending, done) = (sign_out.pending(), sign_out.version());
    // Stays disabled once done, while the browser leaves for sign-in.
    let leaving = move || pending.get() || done.get() > 0;
    view! {
        <header class="topbar">
            <span class="brand">"Telegraf fleet controller"</span>
            <nav aria-label="Main">
                {may(Resource::Tokens, Action::Read).then(|| view! { <A href="/tokens">"API Tokens"</A> })}
                <A href="/configs">"Configurations"</A>
                <A href="/agents">"Agents"</A>
                {manages_users.then(|| view! { <A href="/users">"Users"</A> })}
            </nav>
            <div class="whoami" data-testid="whoami">
                <span>{user.display_name.clone()}</span>
                <span class="badge badge-role">{user.role.label()}</span>
                <button type="button" class="secondary" on:click=move |_| { sign_out.dispatch(()); } disabled=leaving>
                    "Sign out"
                </button>
            </div>
        </header>
    }
}
