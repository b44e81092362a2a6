//! First run: create the Owner account. Once any user exists the API refuses and this page
//! sends the visitor to sign-in.

use crate::api;
use crate::components::form::{
    account_field, account_problem, form_error, on_submit, submit_action, Errors, FormError,
    SubmitButton, TextField,
};
use crate::format::sentence;
use crate::router::navigate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::account::PASSWORD_MIN;
use shared::api::SetupRequest;

#[component]
pub fn SetupPage() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<String>);

    spawn_local(async move {
        if let Ok(status) = api::auth_status().await {
            if !status.setup_required {
                navigate(api::SIGN_IN_PATH, true);
            }
        }
    });

    let setup = submit_action(
        |body: &SetupRequest| api::setup(body.clone()),
        move |_| navigate("/tokens", false),
    );
    let pending = setup.pending();
    let submit = on_submit(setup, invalid, move || {
        let (username, password) = (username.get_untracked(), password.get_untracked());
        let problem = account_problem(&username, &password).or_else(|| {
            (password != confirm.get_untracked())
                .then(|| "the two passwords do not match".to_owned())
        });
        match problem {
            Some(problem) => Err(sentence(&problem)),
            None => Ok(SetupRequest {
                username,
                password,
                display_name: Some(display_name.get_untracked()).filter(|d| !d.trim().is_empty()),
            }),
        }
    });

    let errors = Errors::new(form_error(setup, invalid), |m| {
        account_field(
            m,
            [
                Some("setup-username"),
                Some("setup-password"),
                Some("setup-confirm"),
            ],
        )
    });
    view! {
        <main class="auth-page">
            <form class="auth-card" on:submit=submit novalidate>
                <h1>"Create the owner account"</h1>
                <p class="help">"This instance has no users yet. The first account becomes its Owner."</p>
                <TextField id="setup-username" label="Username" value=username autocomplete="username" autofocus=true errors />
                <TextField id="setup-display-name" label="Display name (optional)" value=display_name autocomplete="name" />
                <TextField id="setup-password" label="Password" value=password kind="password" autocomplete="new-password"
                    describedby="setup-password-help" errors />
                <p id="setup-password-help" class="help">{format!("At least {PASSWORD_MIN} characters.")}</p>
                <TextField id="setup-confirm" label="Repeat the password" value=confirm kind="password" autocomplete="new-password" errors />
                <FormError error=errors.rest() />
                <SubmitButton pending label="Create owner account" busy="Creating…" />
            </form>
        </main>
    }
}
