//! Reassign one or many tokens to another user: pick the user, confirm with the count.

use shared::TokenId;
use super::modal::Modal;
use crate::api;
use crate::format::count;
use crate::session::current_role;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::roles::may_reassign_to;

#[component]
pub fn ReassignDialog(
    ids: Vec<TokenId>,
    #[prop(into)] on_close: Callback<()>,
    /// Runs with the outcome in words once every token has moved.
    #[prop(into)]
    on_done: Callback<String>,
) -> impl IntoView {
    let users = LocalResource::new(api::list_users);
    // Offer only the users the server would accept: none who outrank the caller, no Viewers.
    let my_role = current_role();
    let choice = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let n = ids.len();
    let noun = count(n, "token");
    let label = format!("Reassign {noun}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user_id = choice.get_untracked();
        if user_id.is_empty() {
            error.set(Some("Choose the user who will own the tokens.".into()));
            return;
        }
        pending.set(true);
        error.set(None);
        let ids = ids.clone();
        spawn_local(async move {
            let result = if ids.len() == 1 {
                api::reassign_token(ids[0], user_id).await.map(|t| {
                    format!(
                        "Reassigned \u{201c}{}\u{201d} to {}.",
                        t.name,
                        t.owner_name.unwrap_or_default()
                    )
                })
            } else {
                api::bulk_reassign(&ids, user_id)
                    .await
                    .map(|r| format!("Reassigned {}.", count(r.reassigned as usize, "token")))
            };
            let _ = pending.try_set(false);
            match result {
                Ok(message) => on_done.run(message),
                Err(e) => {
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };
    view! {
        <Modal title=format!("Reassign {noun}") on_close>
            <form on:submit=submit novalidate>
                <p>"The new owner's role limits what the tokens can do from their next request on. A token never acts with more than the role of the person who created it."</p>
                <label for="reassign-user">"New owner"</label>
                {move || match users.get() {
                    None => view! { <p class="muted" role="status">"Loading users…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <select id="reassign-user" on:change=move |ev| choice.set(event_target_value(&ev))>
                            <option value="">"Choose a user…"</option>
                            {list.items.into_iter().filter(|u| may_reassign_to(my_role, u.role).is_ok() && !u.disabled).map(|u| view! {
                                <option value=u.id.to_string()>{format!("{} ({}, {})", u.display_name, u.username, u.role.label())}</option>
                            }).collect_view()}
                        </select>
                    }.into_any(),
                }}
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <div class="modal-actions">
                    <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Reassigning…".to_owned() } else { label.clone() }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
