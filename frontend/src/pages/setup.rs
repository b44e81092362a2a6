//! First run: create the Owner account. Once any user exists the API refuses and this page
//! sends the visitor to sign-in.

use crate::api;
use crate::format::sentence;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::account::{validate_password, Username, PASSWORD_MIN};
use shared::api::SetupRequest;

#[component]
pub fn SetupPage() -> impl IntoView {
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let to_signin = navigate.clone();
    spawn_local(async move {
        if let Ok(status) = api::auth_status().await {
            if !status.setup_required {
                to_signin(api::SIGN_IN_PATH, Default::default());
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let problem = Username::parse(&username.get_untracked())
            .err()
            .map(|e| e.to_string())
            .or_else(|| {
                validate_password(&password.get_untracked())
                    .err()
                    .map(|e| e.to_string())
            })
            .or_else(|| {
                (password.get_untracked() != confirm.get_untracked())
                    .then(|| "the passwords do not match".to_owned())
            });
        if let Some(problem) = problem {
            error.set(Some(sentence(&problem)));
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let body = SetupRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
            display_name: Some(display_name.get_untracked()).filter(|d| !d.trim().is_empty()),
        };
        spawn_local(async move {
            match api::setup(body).await {
                Ok(_) => navigate("/tokens", Default::default()),
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
                <h1>"Create the owner account"</h1>
                <p class="help">"This instance has no users yet. The first account becomes its Owner."</p>
                <label for="setup-username">"Username"</label>
                <input id="setup-username" type="text" autocomplete="username" autofocus
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev)) />
                <label for="setup-display-name">"Display name (optional)"</label>
                <input id="setup-display-name" type="text" autocomplete="name"
                    prop:value=move || display_name.get() on:input=move |ev| display_name.set(event_target_value(&ev)) />
                <label for="setup-password">"Password"</label>
                <input id="setup-password" type="password" autocomplete="new-password" aria-describedby="setup-password-help"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                <p id="setup-password-help" class="help">{format!("At least {PASSWORD_MIN} characters.")}</p>
                <label for="setup-confirm">"Repeat the password"</label>
                <input id="setup-confirm" type="password" autocomplete="new-password"
                    prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev)) />
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create owner account" }}
                </button>
            </form>
        </main>
    }
}
