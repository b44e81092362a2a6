//! Sign-in. On a fresh instance it sends the visitor to first-run setup instead.

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::LoginRequest;

#[component]
pub fn SignInPage() -> impl IntoView {
    let navigate = use_navigate();
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let expired = query.with_untracked(|q| q.get("next").is_some());

    let to_setup = navigate.clone();
    spawn_local(async move {
        if let Ok(status) = api::auth_status().await {
            if status.setup_required {
                to_setup("/setup", Default::default());
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        if username.get_untracked().trim().is_empty() || password.get_untracked().is_empty() {
            error.set(Some("Enter your username and password.".into()));
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let body = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::login(body).await {
                Ok(_) => {
                    // Only same-site paths: an absolute URL in `next` must not send the user away.
                    let next = query
                        .with_untracked(|q| q.get("next"))
                        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
                        .unwrap_or_else(|| "/tokens".to_owned());
                    navigate(&next, Default::default());
                }
                Err(e) => {
                    let _ = pending.try_set(false);
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };

    view! {
        <main class="auth-page">
            <form class="auth-card" on:submit=submit novalidate>
                <h1>"Sign in"</h1>
                {expired.then(|| view! { <p class="help">"Your session has ended. Sign in to continue."</p> })}
                <label for="signin-username">"Username"</label>
                <input
                    id="signin-username"
                    type="text"
                    autocomplete="username"
                    autofocus
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <label for="signin-password">"Password"</label>
                <input
                    id="signin-password"
                    type="password"
                    autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
