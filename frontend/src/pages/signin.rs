//! Sign-in. On a fresh instance it sends the visitor to first-run setup instead.

use crate::api;
use crate::components::form::{
    form_error, on_submit, submit_action, FormError, SubmitButton, TextField,
};
use crate::router::{navigate, query_param};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::LoginRequest;

#[component]
pub fn SignInPage() -> impl IntoView {
    let next = query_param("next");
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<String>);
    let expired = next.is_some();

    spawn_local(async move {
        if let Ok(status) = api::auth_status().await {
            if status.setup_required {
                navigate("/setup", true);
            }
        }
    });

    let login = submit_action(
        |body: &LoginRequest| api::login(body.clone()),
        move |_| {
            // Only same-site paths: an absolute URL in `next` must not send the user away.
            let next = next
                .clone()
                .filter(|n| n.starts_with('/') && !n.starts_with("//"))
                .unwrap_or_else(|| "/".to_owned());
            navigate(&next, false);
        },
    );
    let pending = login.pending();
    let submit = on_submit(login, invalid, move || {
        let (username, password) = (username.get_untracked(), password.get_untracked());
        if username.trim().is_empty() || password.is_empty() {
            return Err("Enter your username and password.".into());
        }
        Ok(LoginRequest { username, password })
    });

    view! {
        <main class="auth-page">
            <form class="auth-card" on:submit=submit novalidate>
                <h1>"Sign in"</h1>
                {expired.then(|| view! { <p class="help">"Your session has ended. Sign in to continue."</p> })}
                <TextField id="signin-username" label="Username" value=username autocomplete="username" autofocus=true />
                <TextField id="signin-password" label="Password" value=password kind="password" autocomplete="current-password" />
                <FormError error=form_error(login, invalid) />
                <SubmitButton pending label="Sign in" busy="Signing in…" />
            </form>
        </main>
    }
}
