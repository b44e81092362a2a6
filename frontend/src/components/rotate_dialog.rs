//! "Rotate secret": choose how long the old secret keeps working, then the new secret, shown
//! exactly once, as on creation.

use super::create_token_dialog::SecretDialog;
use super::form::{form_error, on_submit, submit_action, DialogFooter};
use crate::api;
use leptos::prelude::*;
use shared::api::{CreatedToken, Token};
use shared::rotation::OVERLAP_CHOICES;
use shared::TokenId;

#[component]
pub fn RotateDialog(
    token: Token,
    #[prop(into)] on_close: Callback<()>,
    /// Runs as soon as the new secret exists (told so in a sentence for the page's notice), so
    /// the page can refresh behind the dialog.
    #[prop(into)]
    on_rotated: Callback<String>,
) -> impl IntoView {
    let rotated = RwSignal::new(None::<CreatedToken>);
    let name = token.name.clone();
    view! {
        <SecretDialog title=format!("Rotate \u{201c}{name}\u{201d}") shown=rotated on_close
            form=move || view! { <RotateForm token=token.clone() rotated on_rotated on_close /> } />
    }
}

#[component]
fn RotateForm(
    token: Token,
    rotated: RwSignal<Option<CreatedToken>>,
    on_rotated: Callback<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let id: TokenId = token.id;
    // Agents that used the token lately would be cut off by an immediate switch: then the
    // old secret keeps working for a day by default, and the form says why.
    let day_ago = js_sys::Date::now() - 86_400_000.0;
    let used_lately = !token.recent_agents.is_empty()
        || token
            .last_used_at
            .is_some_and(|at| at.millis() as f64 > day_ago);
    let (default, why) = if used_lately {
        let who = if token.recent_agents.is_empty() {
            "This token was used in the last 24 hours".to_owned()
        } else {
            format!(
                "Agents used this token in the last 24 hours ({})",
                token.recent_agents.join(", ")
            )
        };
        ("PT24H", format!("{who}: the old secret keeps working for 24 hours by default, so they can move over without an outage."))
    } else {
        (
            "PT0S",
            "Nothing used this token in the last 24 hours, so by default the old secret stops now."
                .to_owned(),
        )
    };
    let overlap = RwSignal::new(default.to_owned());
    let invalid = RwSignal::new(None::<String>);
    let rotate = submit_action(
        move |overlap: &String| api::rotate_token(id, overlap.clone()),
        move |created: CreatedToken| {
            on_rotated.run(format!(
                "Rotated \u{201c}{}\u{201d}. Give the new secret to its agents.",
                created.token.name
            ));
            rotated.set(Some(created));
        },
    );
    let pending = rotate.pending();
    let error = form_error(rotate, invalid);
    let submit = on_submit(rotate, invalid, move || Ok(overlap.get_untracked()));
    view! {
        <form on:submit=submit novalidate>
            <p>"A new secret replaces the current one. The token keeps its name, owner, permissions, expiry and history."</p>
            <label for="rotate-overlap">"Old secret keeps working for"</label>
            <select id="rotate-overlap" autofocus prop:value=move || overlap.get()
                on:change=move |ev| overlap.set(event_target_value(&ev))>
                {OVERLAP_CHOICES.iter().map(|(value, label)| view! {
                    <option value=*value selected=*value == default>{*label}</option>
                }).collect_view()}
            </select>
            <p class="help" data-testid="rotate-default">{why}</p>
            <p class="help">"Give agents time to pick up the new secret; after that the old one is refused like a revoked token."</p>
            <DialogFooter error pending label="Rotate secret" busy="Rotating\u{2026}" on_close />
        </form>
    }
}
