//! The token detail's actions: what it reaches (configurations, addresses), and revoke,
//! rotate, reassign and delete, each confirmed.

use super::*;
use crate::components::form::{form_error, on_submit, FormError, SubmitButton};
use crate::components::reach::{Reach, ReachFields};
use shared::api::UpdateTokenRequest;

#[component]
pub(super) fn Manage(
    token: Token,
    notice: RwSignal<Option<Notice>>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let me = current_user();
    let may_reassign = me
        .as_ref()
        .is_some_and(|u| shared::roles::may_reassign(u.role));
    let confirm = RwSignal::new(None::<Confirm>);
    // Revoking changes something only for a token that works or would again (the server's
    // rule, `TokenStatus::may_revoke`).
    let status = token.status;
    let unrevocable = !status.may_revoke();
    // A secret is worth replacing only while the token works, and only by someone who may
    // hold it (the server's rule: nothing above one's own role or permissions; the bootstrap
    // token's secret is OWNER_TOKEN's value and changes there).
    let rotatable = may(Resource::Tokens, Action::Write)
        && status.may_revoke()
        && me.as_ref().is_some_and(|u| {
            shared::roles::may_rotate(
                u.role,
                u.role.permissions(),
                None,
                token.acting_role,
                token.effective_permissions,
                token.source,
                token.expires_at.map(|t| t.millis()),
            )
            .is_ok()
        });
    let (id, name) = (token.id, token.name.clone());
    let changed = move |message: String| {
        notice.set(Some(Notice::Success(message)));
        confirm.set(None);
        on_changed.run(());
    };
    // Deleted elsewhere since the page loaded: no dialog offering to try again, the page
    // reloads and says the token is gone.
    let gone = move |failure: api::ApiFailure| {
        if failure.code == "token_not_found" {
            confirm.set(None);
            on_changed.run(());
        }
        failure
    };
    let revoke = submit_action(
        move |()| {
            let call = api::revoke_token(id);
            async move { call.await.map_err(gone) }
        },
        move |_| {
            changed(format!(
                "Revoked \u{201c}{name}\u{201d}. It no longer authenticates."
            ))
        },
    );
    let reach = Reach::new(token.config_scope.clone(), token.allowed_addresses.clone());
    let reach_invalid = RwSignal::new(None::<String>);
    let reach_name = token.name.clone();
    let save_reach = submit_action(
        move |body: &UpdateTokenRequest| api::update_token(id, body.clone()),
        move |_: Token| {
            changed(format!(
                "Saved what \u{201c}{reach_name}\u{201d} reaches. Its agents' very next request is judged by it."
            ))
        },
    );
    let reach_error = form_error(save_reach, reach_invalid);
    let reach_pending = save_reach.pending();
    let submit_reach = on_submit(save_reach, reach_invalid, move || {
        Ok(UpdateTokenRequest {
            config_scope: Some(reach.config_scope()?),
            allowed_addresses: Some(reach.allowed_addresses()),
        })
    });
    let delete = submit_action(
        move |()| {
            let call = api::delete_token(id);
            async move { call.await.map_err(gone) }
        },
        move |()| navigate("/tokens", false),
    );
    view! {
        <div class="manage" data-focus-fallback tabindex="-1" role="region" aria-label="Manage this token">
            <section>
                <h2>"Revoke"</h2>
                <p>"The token stops working immediately and stays listed as Revoked, as an audit trail."</p>
                <button type="button" class="secondary" disabled=unrevocable on:click=move |_| confirm.set(Some(Confirm::Revoke))>
                    {match status {
                        TokenStatus::Revoked => "Already revoked",
                        TokenStatus::Expired => "Expired: nothing to revoke",
                        _ => "Revoke token",
                    }}
                </button>
            </section>
            {may(Resource::Tokens, Action::Write).then(|| view! {
                <section data-testid="manage-reach">
                    <h2>"Reach"</h2>
                    <p>"The configurations it may read and the addresses it may be used from. A change holds from its agents' very next request; widening it takes being able to do everything the token can."</p>
                    <form on:submit=submit_reach novalidate>
                        <ReachFields reach />
                        <FormError error=reach_error />
                        <SubmitButton pending=reach_pending label="Save reach" busy="Saving…" />
                    </form>
                </section>
            })}
            {rotatable.then(|| view! {
                <section>
                    <h2>"Rotate"</h2>
                    <p>"Issue a new secret for this token, keeping the old one working for a while so agents can move over without an outage."</p>
                    <button type="button" class="secondary" on:click=move |_| confirm.set(Some(Confirm::Rotate))>"Rotate\u{2026}"</button>
                </section>
            })}
            {may_reassign.then(|| view! {
                <section>
                    <h2>"Reassign"</h2>
                    <p>"Move the token to another user; its permissions narrow to that user's role."</p>
                    <button type="button" class="secondary" on:click=move |_| confirm.set(Some(Confirm::Reassign))>"Reassign token"</button>
                </section>
            })}
            <section>
                <h2>"Delete"</h2>
                <p>"The token and all of its history are removed permanently. No record is kept."</p>
                <button type="button" class="danger" on:click=move |_| confirm.set(Some(Confirm::Delete))>"Delete token"</button>
            </section>
        </div>
        {move || confirm.get().map(|which| {
            let used = token.clone();
            let name = &token.name;
            let (title, label, action, warning) = match which {
                Confirm::Reassign => return view! {
                    <ReassignDialog ids=vec![id] tokens=vec![used.clone()] on_close=move |()| confirm.set(None) on_done=changed />
                }.into_any(),
                // The page refreshes once the dialog closes: the secret stays on screen until then.
                Confirm::Rotate => return view! {
                    <RotateDialog token=used.clone()
                        on_close=move |()| { confirm.set(None); on_changed.run(()); }
                        on_rotated=move |done: String| notice.set(Some(Notice::Success(done))) />
                }.into_any(),
                Confirm::Revoke => ("Revoke API token?", "Revoke token", revoke, format!(
                    "\u{201c}{name}\u{201d} will stop working on the next request of any agent using it. Revocation cannot be undone."
                )),
                Confirm::Delete => ("Delete API token?", "Delete token", delete, format!(
                    "Deleting \u{201c}{name}\u{201d} is permanent and cannot be undone. Any agent or client using this token will lose access immediately, and its history is removed with it."
                )),
            };
            view! {
                <ConfirmDialog title confirm_label=label action on_close=move |()| confirm.set(None)>
                    <p>{warning}</p>
                    <AgentUseWarning tokens=vec![used.clone()] />
                </ConfirmDialog>
            }.into_any()
        })}
    }
}
