//! The shell and the route table: every page the app has, in one place. Pages behind sign-in
//! share [`Shell`], which loads the signed-in user once and provides it as `session::CurrentUser`.

use crate::api;
use crate::components::loaded::Fetch;
use crate::components::password_dialog::ChangePasswordDialog;
use crate::pages::{
    agents::AgentsPage, audit::AuditPage, configs::ConfigsPage, not_found::NotFound,
    settings::SettingsPage, setup::SetupPage, signin::SignInPage, token_detail::TokenDetailPage,
    tokens::TokensPage, users::UsersPage,
};
use crate::router::{navigate, provide_location, A};
use crate::session::may;
use crate::session::CurrentUser;
use leptos::prelude::*;
use shared::api::User;
use shared::permissions::{Action, Resource};

/// Every page of the app, by its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    SignIn,
    Setup,
    /// `/`: sent on to the signed-in user's start page.
    Home,
    Tokens,
    Token(String),
    Users,
    Configs,
    Agents,
    Audit,
    Settings,
    NotFound,
}

impl Page {
    pub fn of(path: &str) -> Page {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["signin"] => Page::SignIn,
            ["setup"] => Page::Setup,
            [] => Page::Home,
            ["tokens"] => Page::Tokens,
            ["tokens", id] => Page::Token((*id).to_owned()),
            ["users"] => Page::Users,
            ["configs"] => Page::Configs,
            ["agents"] => Page::Agents,
            ["audit"] => Page::Audit,
            ["settings"] => Page::Settings,
            _ => Page::NotFound,
        }
    }

    /// What the page is, first in the tab's title, so tabs and history tell pages apart.
    pub fn title(&self) -> &'static str {
        match self {
            Page::SignIn => "Sign in",
            Page::Setup => "Set up",
            Page::Home => "Telegraf fleet controller",
            Page::Tokens => "API Tokens",
            Page::Token(_) => "API token",
            Page::Users => "Users",
            Page::Configs => "Configurations",
            Page::Agents => "Agents",
            Page::Audit => "Audit log",
            Page::Settings => "Settings",
            Page::NotFound => "Page not found",
        }
    }

    /// Pages behind sign-in, inside the shell with the top bar.
    fn signed_in(&self) -> bool {
        !matches!(self, Page::SignIn | Page::Setup | Page::NotFound)
    }
}

#[component]
pub fn App() -> impl IntoView {
    let location = provide_location();
    let page = Memo::new(move |_| Page::of(&location.path.get()));
    crate::effect::watch(move |_| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!(
                "{} \u{b7} Telegraf fleet controller",
                page.get().title()
            ));
        }
    });
    // The shell (`None`) stays mounted while the user moves between its pages; only the page
    // inside it changes.
    let outside_shell = Memo::new(move |_| Some(page.get()).filter(|p| !p.signed_in()));
    move || match outside_shell.get() {
        None => view! { <Shell page /> }.into_any(),
        Some(Page::SignIn) => view! { <SignInPage /> }.into_any(),
        Some(Page::Setup) => view! { <SetupPage /> }.into_any(),
        Some(_) => view! { <NotFound /> }.into_any(),
    }
}

/// What reading the page needs; `None` for pages every role reads.
fn needs(page: &Page) -> Option<(Resource, &'static str)> {
    // Read access to the resource is what the page's own request asks the API for.
    match page {
        Page::Tokens | Page::Token(_) => Some((Resource::Tokens, "API tokens")),
        Page::Users => Some((Resource::Users, "users")),
        Page::Audit => Some((Resource::Users, "the audit log")),
        _ => None,
    }
}

/// The page inside the shell.
fn signed_in_page(page: Page) -> AnyView {
    // Opened by address without the role for it: say so plainly, not the API's refusal.
    if let Some((_, what)) = needs(&page).filter(|(r, _)| !may(*r, Action::Read)) {
        return view! { <NoAccess what /> }.into_any();
    }
    match page {
        Page::Tokens => view! { <TokensPage /> }.into_any(),
        Page::Token(id) => view! { <TokenDetailPage id /> }.into_any(),
        Page::Users => view! { <UsersPage /> }.into_any(),
        Page::Configs => view! { <ConfigsPage /> }.into_any(),
        Page::Agents => view! { <AgentsPage /> }.into_any(),
        Page::Audit => view! { <AuditPage /> }.into_any(),
        Page::Settings => view! { <SettingsPage /> }.into_any(),
        _ => {
            // A Viewer cannot read tokens: their home is the configurations.
            let home = if may(Resource::Tokens, Action::Read) {
                "/tokens"
            } else {
                "/configs"
            };
            crate::effect::watch(move |_| navigate(home, true));
            ().into_any()
        }
    }
}

/// A page the signed-in role may not read, opened by its address.
#[component]
fn NoAccess(what: &'static str) -> impl IntoView {
    let role = crate::session::current_role().label();
    let home = if may(Resource::Tokens, Action::Read) {
        "/tokens"
    } else {
        "/configs"
    };
    view! {
        <section class="page" data-testid="no-access">
            <h1>"You don't have access to this page"</h1>
            <p>{format!("Your role, {role}, does not include {what}. An Administrator or the Owner can change your role if you need it.")}</p>
            <p><A href=home>"Go to your start page"</A></p>
        </section>
    }
}

/// Loads who is signed in; without a session the API client sends the browser to sign-in.
#[component]
fn Shell(page: Memo<Page>) -> impl IntoView {
    let me = Fetch::new(api::me);
    move || {
        match me.get() {
        None => view! { <p class="page muted" role="status">"Loading…"</p> }.into_any(),
        Some(Ok(envelope)) => {
            let user = envelope.user;
            provide_context(CurrentUser(user.clone()));
            view! {
                // The first Tab stop: past the top bar, straight to the page.
                <a class="skip-link" href="#main">"Skip to content"</a>
                <TopBar user />
                <main id="main" tabindex="-1">
                    {move || signed_in_page(page.get())}
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
    // Stays disabled once pressed, while the browser leaves for sign-in.
    let leaving = RwSignal::new(false);
    let sign_out = move || {
        leaving.set(true);
        leptos::task::spawn_local(async {
            // Even if the server could not be reached, leave: the cookie is HttpOnly and the
            // sign-in page is where the user wanted to go.
            let _ = api::logout().await;
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(api::SIGN_IN_PATH);
            }
        });
    };
    // On narrow screens the navigation and the account fold into one menu.
    let menu_open = RwSignal::new(false);
    let menu_button = NodeRef::<leptos::html::Button>::new();
    let location = crate::router::use_location();
    crate::effect::watch(move |_| {
        location.path.track();
        menu_open.set(false);
    });
    let changing_password = RwSignal::new(false);
    let changed = RwSignal::new(false);
    view! {
        <header class="topbar" class:open=move || menu_open.get()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                // Escape closes the phone menu and returns to its button, as a dialog would.
                if ev.key() == "Escape" && menu_open.get_untracked() {
                    menu_open.set(false);
                    if let Some(button) = menu_button.get_untracked() {
                        let _ = button.focus();
                    }
                }
            }>
            <span class="brand">"Telegraf fleet controller"</span>
            <button type="button" class="secondary menu-button" aria-controls="main-menu" node_ref=menu_button
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|o| *o = !*o)>"Menu"</button>
            <div id="main-menu" class="menu">
                <nav aria-label="Main">
                    {may(Resource::Tokens, Action::Read).then(|| view! { <A href="/tokens">"API Tokens"</A> })}
                    <A href="/configs">"Configurations"</A>
                    <A href="/agents">"Agents"</A>
                    {manages_users.then(|| view! { <A href="/users">"Users"</A> })}
                    {manages_users.then(|| view! { <A href="/audit">"Audit log"</A> })}
                    {manages_users.then(|| view! { <A href="/settings">"Settings"</A> })}
                </nav>
                <div class="whoami" data-testid="whoami">
                    <span>{user.display_name.clone()}</span>
                    <span class="badge badge-role">{user.role.label()}</span>
                    <button type="button" class="link" on:click=move |_| changing_password.set(true)>"Change password"</button>
                    <button type="button" class="secondary" on:click=move |_| sign_out() disabled=move || leaving.get()>
                        "Sign out"
                    </button>
                </div>
            </div>
            <p class="topbar-status" role="status">
                {move || changed.get().then_some("Password changed. Your other sessions were signed out.")}
            </p>
        </header>
        {move || changing_password.get().then(|| view! {
            <ChangePasswordDialog on_close=move |()| changing_password.set(false)
                on_changed=move |()| { changing_password.set(false); changed.set(true); } />
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::Page;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn every_address_names_one_page() {
        let id = "9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab";
        for (path, page) in [
            ("/", Page::Home),
            ("", Page::Home),
            ("/signin", Page::SignIn),
            ("/setup", Page::Setup),
            ("/tokens", Page::Tokens),
            ("/tokens/", Page::Tokens),
            (&format!("/tokens/{id}"), Page::Token(id.to_owned())),
            ("/users", Page::Users),
            ("/configs", Page::Configs),
            ("/agents", Page::Agents),
            ("/audit", Page::Audit),
            ("/settings", Page::Settings),
            ("/tokens/a/b", Page::NotFound),
            ("/nowhere", Page::NotFound),
        ] {
            assert_eq!(Page::of(path), page, "{path}");
        }
        assert!(!Page::NotFound.signed_in() && !Page::SignIn.signed_in());
        assert!(Page::Home.signed_in() && Page::Token(id.into()).signed_in());
    }
}
