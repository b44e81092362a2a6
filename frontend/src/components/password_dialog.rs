//! Passwords: "Change password" (one's own, with the current one; the account's other sessions
//! end) and "Reset password" (an Owner or Administrator sets another user's; all of that
//! user's sessions end). Both check the new password against the same rules as setup before
//! sending it, and ask for it twice.

use crate::api;
use crate::components::form::{
    account_field, form_error, on_submit, submit_action, DialogFooter, Errors, TextField,
};
use crate::components::modal::Modal;
use crate::format::sentence;
use leptos::prelude::*;
use shared::account::{validate_password, PASSWORD_MIN};
use shared::api::{ChangePasswordRequest, SetPasswordRequest, User};

/// The new password, twice, checked before anything is sent.
fn new_password_problem(password: &str, repeated: &str) -> Option<String> {
    if let Err(e) = validate_password(password) {
        return Some(sentence(&e.to_string()));
    }
    (password != repeated).then(|| "The two new passwords do not match.".to_owned())
}

#[component]
pub fn ChangePasswordDialog(
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<String>);
    let change = submit_action(
        |body: &ChangePasswordRequest| api::change_password(body.clone()),
        move |()| on_changed.run(()),
    );
    let pending = change.pending();
    let submit = on_submit(change, invalid, move || {
        let (current, new) = (current.get_untracked(), new.get_untracked());
        if current.is_empty() {
            return Err("Enter your current password.".into());
        }
        if let Some(problem) = new_password_problem(&new, &repeated.get_untracked()) {
            return Err(problem);
        }
        Ok(ChangePasswordRequest {
            current_password: current,
            new_password: new,
        })
    });
    // "Enter your current password." and the server's "the current password is not correct"
    // stand under the current password; the new one's rules and repetition under theirs.
    let errors = Errors::new(form_error(change, invalid), |m| {
        if m.to_ascii_lowercase().contains("current password") {
            Some("current-password")
        } else {
            account_field(
                m,
                [
                    None,
                    Some("change-new-password"),
                    Some("change-repeat-password"),
                ],
            )
        }
    });
    view! {
        <Modal title="Change password" on_close>
            <form on:submit=submit novalidate>
                <TextField id="current-password" label="Current password" value=current kind="password" autocomplete="current-password" autofocus=true errors />
                <TextField id="change-new-password" label="New password" value=new kind="password" autocomplete="new-password" describedby="change-password-help" errors />
                <p id="change-password-help" class="help">{format!("At least {PASSWORD_MIN} characters. Your other sessions will be signed out.")}</p>
                <TextField id="change-repeat-password" label="Repeat the new password" value=repeated kind="password" autocomplete="new-password" errors />
                <DialogFooter error=errors.rest() pending label="Change password" busy="Changing…" on_close />
            </form>
        </Modal>
    }
}

#[component]
pub fn ResetPasswordDialog(
    user: User,
    #[prop(into)] on_close: Callback<()>,
    /// Told what was done, in a sentence for the page's notice.
    #[prop(into)]
    on_done: Callback<String>,
) -> impl IntoView {
    let new = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<String>);
    let id = user.id;
    let done = format!(
        "The password of {} is set; every session of theirs has ended.",
        user.username
    );
    let reset = submit_action(
        move |body: &SetPasswordRequest| api::set_password(id, body.clone()),
        move |()| on_done.run(done.clone()),
    );
    let pending = reset.pending();
    let submit = on_submit(reset, invalid, move || {
        let password = new.get_untracked();
        if let Some(problem) = new_password_problem(&password, &repeated.get_untracked()) {
            return Err(problem);
        }
        Ok(SetPasswordRequest {
            new_password: password,
        })
    });
    let errors = Errors::new(form_error(reset, invalid), |m| {
        account_field(
            m,
            [
                None,
                Some("reset-new-password"),
                Some("reset-repeat-password"),
            ],
        )
    });
    view! {
        <Modal title=format!("Reset the password of {}", user.username) on_close>
            <form on:submit=submit novalidate>
                <p>"Every session of " <strong>{user.display_name.clone()}</strong> " ends now; they sign in again with the new password. Share it with them privately."</p>
                <TextField id="reset-new-password" label="New password" value=new kind="password" autocomplete="new-password" autofocus=true describedby="reset-password-help" errors />
                <p id="reset-password-help" class="help">{format!("At least {PASSWORD_MIN} characters.")}</p>
                <TextField id="reset-repeat-password" label="Repeat the new password" value=repeated kind="password" autocomplete="new-password" errors />
                <DialogFooter error=errors.rest() pending label="Reset password" busy="Resetting…" on_close />
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::new_password_problem;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn a_new_password_must_follow_the_rules_and_match_its_repetition() {
        assert!(new_password_problem("short", "short")
            .unwrap()
            .contains("at least 10"));
        assert_eq!(
            new_password_problem("long enough now", "long enough mow").as_deref(),
            Some("The two new passwords do not match.")
        );
        assert_eq!(
            new_password_problem("long enough now", "long enough now"),
            None
        );
    }
}
