//! The organisation's settings: the token lifetime policy, which everyone reads (the create
//! dialog offers nothing beyond it) and only the Owner changes.

use crate::api;
use crate::components::form::{form_error, on_submit, FormError, SubmitButton};
use crate::components::loaded::{Fetch, Loaded};
use crate::components::notice::{Notice, NoticeBar};
use crate::format::sentence;
use crate::router::A;
use crate::session::current_role;
use leptos::prelude::*;
use shared::api::{TokenPolicyRequest, TokenPolicySettings};
use shared::roles::may_set_token_policy;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let policy = Fetch::new(api::token_policy);
    let notice = RwSignal::new(None::<Notice>);
    view! {
        <section class="page">
            <div class="page-header"><h1>"Settings"</h1></div>
            <NoticeBar notice />
            <h2>"Token lifetime policy"</h2>
            <p class="lede">"How long a new token may live. Tokens made or rotated after a change must meet it; tokens already beyond it keep working, are marked \u{201c}Beyond policy\u{201d} in the list, and are ended only by a person."</p>
            <Loaded resource=policy loading="Loading the policy\u{2026}" children=move |p: TokenPolicySettings| view! {
                <PolicyForm current=p notice on_saved=move |()| policy.refetch() />
            } />
        </section>
    }
}

#[component]
fn PolicyForm(
    current: TokenPolicySettings,
    notice: RwSignal<Option<Notice>>,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let owner = may_set_token_policy(current_role());
    let days = RwSignal::new(
        current
            .max_lifetime
            .as_deref()
            .map(|m| m.trim_matches(['P', 'D']).to_owned())
            .unwrap_or_default(),
    );
    let required = RwSignal::new(current.require_expiry);
    let invalid = RwSignal::new(None::<String>);
    let save = submit_action_for_policy(notice, on_saved);
    let error = form_error(save, invalid);
    let pending = save.pending();
    let submit = on_submit(save, invalid, move || {
        let days = days.get_untracked().trim().to_owned();
        let max_lifetime = match days.as_str() {
            "" => None,
            d if d.parse::<u32>().is_ok_and(|n| n >= 1) => Some(format!("P{d}D")),
            _ => return Err("Give the maximum lifetime as a whole number of days, or leave it empty for no maximum.".into()),
        };
        Ok(TokenPolicyRequest {
            max_lifetime,
            require_expiry: required.get_untracked(),
        })
    });
    let has_max = move || !days.get().trim().is_empty();
    view! {
        <p data-testid="policy-summary"><strong>"Now: "</strong>{sentence(&current.summary)}</p>
        <p class="help">{current.exempt.clone()}</p>
        <p><A href="/tokens?policy=beyond">"Tokens beyond the policy"</A></p>
        {if owner {
            view! {
                <form class="narrow" on:submit=submit novalidate>
                    <label for="policy-days">"Maximum lifetime, in days"</label>
                    <input id="policy-days" type="number" min="1" max="36525" inputmode="numeric"
                        placeholder="No maximum" aria-describedby="policy-days-help"
                        prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                    <p id="policy-days-help" class="help">"Empty: no maximum. 90 is a common choice."</p>
                    <label class="inline">
                        <input id="policy-required" type="checkbox" prop:checked=move || required.get() || has_max()
                            disabled=has_max on:change=move |ev| required.set(event_target_checked(&ev)) />
                        "Every new token must have an expiry"
                    </label>
                    <FormError error />
                    <SubmitButton pending label="Save policy" busy="Saving…" />
                </form>
            }.into_any()
        } else {
            view! { <p class="help">"Only the Owner changes the policy."</p> }.into_any()
        }}
    }
}

fn submit_action_for_policy(
    notice: RwSignal<Option<Notice>>,
    on_saved: Callback<()>,
) -> crate::components::form::Submit<TokenPolicyRequest> {
    crate::components::form::submit_action(
        |body: &TokenPolicyRequest| api::set_token_policy(body.clone()),
        move |p: TokenPolicySettings| {
            notice.set(Some(Notice::Success(format!(
                "Saved: {}. New tokens and rotations must meet it.",
                p.summary
            ))));
            on_saved.run(());
        },
    )
}
