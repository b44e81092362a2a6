//! Reassign one or many tokens to another user: pick the user, confirm with the count.

use super::bulk_confirm::AgentUseWarning;
use super::form::{form_error, on_submit, submit_action, DialogFooter};
use super::loaded::{Fetch, Loaded};
use super::modal::Modal;
use crate::api;
use crate::format::count;
use crate::session::current_role;
use leptos::prelude::*;
use shared::api::Token;
use shared::roles::may_reassign_to;
use shared::TokenId;

#[component]
pub fn ReassignDialog(
    ids: Vec<TokenId>,
    /// The tokens themselves, when known: agents that used them recently are named.
    #[prop(optional)]
    tokens: Vec<Token>,
    #[prop(into)] on_close: Callback<()>,
    /// Runs with the outcome in words once every token has moved.
    #[prop(into)]
    on_done: Callback<String>,
) -> impl IntoView {
    let users = Fetch::new(api::list_users);
    // Offer only the users the server would accept: none who outrank the caller, no Viewers.
    let my_role = current_role();
    let choice = RwSignal::new(String::new());
    let noun = count(ids.len(), "token");
    let label = format!("Reassign {noun}");
    let invalid = RwSignal::new(None::<String>);
    let reassign = submit_action(
        move |user_id: &String| {
            let (ids, user_id) = (ids.clone(), user_id.clone());
            async move {
                if let [id] = ids[..] {
                    let t = api::reassign_token(id, user_id).await?;
                    let owner = t.owner_name.unwrap_or_default();
                    Ok(format!("Reassigned \u{201c}{}\u{201d} to {owner}.", t.name))
                } else {
                    let r = api::bulk_reassign(&ids, user_id).await?;
                    Ok(format!(
                        "Reassigned {}.",
                        count(r.reassigned as usize, "token")
                    ))
                }
            }
        },
        move |message: String| on_done.run(message),
    );
    let pending = reassign.pending();
    let error = form_error(reassign, invalid);
    let submit = on_submit(reassign, invalid, move || {
        Some(choice.get_untracked())
            .filter(|user_id| !user_id.is_empty())
            .ok_or_else(|| "Choose the user who will own the tokens.".to_owned())
    });
    view! {
        <Modal title=format!("Reassign {noun}") on_close>
            <form on:submit=submit novalidate>
                <p>"The new owner's role limits what the tokens can do from their next request on. A token never acts with more than the role of the person who created it."</p>
                <label for="reassign-user">"New owner"</label>
                <Loaded resource=users loading="Loading users…" inline=true let:list>
                    <select id="reassign-user" on:change=move |ev| choice.set(event_target_value(&ev))>
                        <option value="">"Choose a user…"</option>
                        {list.items.into_iter().filter(|u| may_reassign_to(my_role, u.role).is_ok() && !u.disabled).map(|u| view! {
                            <option value=u.id.to_string()>{format!("{} ({}, {})", u.display_name, u.username, u.role.label())}</option>
                        }).collect_view()}
                    </select>
                </Loaded>
                <AgentUseWarning tokens />
                <DialogFooter error pending label busy="Reassigning…" on_close />
            </form>
        </Modal>
    }
}
