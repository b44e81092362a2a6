//! Users: who may sign in, with which role. Owner and Administrator only. What each row offers
//! comes from `shared::roles`, the rules the API enforces: nobody acts on someone who outranks
//! them, and the Owner role is only handed over, by the Owner (Transfer ownership).

use super::user_impact::{Consequence, UserImpact};
use crate::api;
use crate::components::confirm_dialog::{ConfirmDelete, ConfirmDialog};
use crate::components::form::{
    account_field, account_problem, form_error, on_submit, submit_action, DialogFooter, Errors,
    TextField,
};
use crate::components::loaded::{Fetch, Loaded};
use crate::components::modal::Modal;
use crate::components::notice::{Notice, NoticeBar};
use crate::components::password_dialog::ResetPasswordDialog;
use crate::components::time_cell::TimeCell;
use crate::format::sentence;
use crate::session::current_user;
use crate::session::may;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::account::PASSWORD_MIN;
use shared::api::{CreateUserRequest, UpdateUserRequest, User, UserList};
use shared::permissions::{Action, Resource};
use shared::roles::{
    grantable_roles, may_manage, may_reset_password, may_transfer_ownership, Role,
};
use shared::UserId;

type Users = Fetch<UserList>;

/// A change waiting for confirmation.
#[derive(Clone)]
enum Pending {
    Delete(User),
    Disable(User),
    MakeViewer(User),
    TransferOwnership(User),
    ResetPassword(User),
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = current_user();
    let users: Users = Fetch::new(api::list_users);
    let notice = RwSignal::new(None::<Notice>);
    let creating = RwSignal::new(false);
    let confirming = RwSignal::new(None::<Pending>);
    let my_role = me.as_ref().map_or(Role::Viewer, |u| u.role);
    let my_id = me.map(|u| u.id);

    // A change to a row, then the list as it now is; the outcome shows as a notice.
    let update = move |user: User, change: UpdateUserRequest, done: String| async move {
        match api::update_user(user.id, change).await {
            Ok(_) => notice.set(Some(Notice::Success(done))),
            Err(e) => notice.set(Some(Notice::Failure(e.message))),
        }
        confirming.set(None);
        users.refetch();
    };
    let apply = move |user, change, done| spawn_local(update(user, change, done));

    view! {
        <section class="page">
            <div class="page-header">
                <h1>"Users"</h1>
                {may(Resource::Users, Action::Write).then(|| view! {
                    <button type="button" class="primary" on:click=move |_| creating.set(true)>"+ Add user"</button>
                })}
            </div>
            <p class="lede">"Owners and Administrators manage every token; Managers only their own; Viewers none."</p>
            <NoticeBar notice />
            <Loaded resource=users loading="Loading users…" let:list>
                {
                    let now = js_sys::Date::now();
                    view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Users"><table class="tokens stack" data-testid="users-table">
                            <thead><tr>
                                <th scope="col">"User"</th><th scope="col">"Role"</th>
                                <th scope="col">"Status"</th><th scope="col">"Created"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.items.into_iter().map(|user| view! { <UserRow user now my_id my_role apply confirming /> }).collect_view()}
                            </tbody>
                        </table></div>
                    }
                }
            </Loaded>
        </section>
        {move || creating.get().then(|| view! {
            <CreateUserDialog my_role on_close=move |()| creating.set(false) on_created=move |done: String| {
                creating.set(false);
                notice.set(Some(Notice::Success(done)));
                users.refetch();
            } />
        })}
        {move || confirming.get().map(|pending| match pending {
            Pending::Delete(user) => {
                let name = user.username.clone();
                view! {
                    <ConfirmDelete title="Delete user?" confirm_label="Delete user"
                        delete=move || api::delete_user(user.id) done=move |()| format!("Deleted {name} and their tokens.")
                        notice on_close=move |()| confirming.set(None) on_deleted=move |()| users.refetch()>
                        <p>"Deleting " <strong>{user.username.clone()}</strong> " is permanent and cannot be undone. "
                           "Their API tokens are deleted with them, so any agent using those tokens loses access immediately."</p>
                        <UserImpact user=user.id consequence=Consequence::Deleted />
                    </ConfirmDelete>
                }.into_any()
            }
            Pending::TransferOwnership(user) => view! { <TransferOwnershipDialog user confirming /> }.into_any(),
            Pending::MakeViewer(user) => {
                let (name, done) = (user.username.clone(), format!("{} is now a Viewer; their active tokens were revoked.", user.username));
                let change = UpdateUserRequest { role: Some(Role::Viewer), disabled: None };
                view! {
                    <ConfirmUserChange user change title="Make this user a Viewer?" confirm_label="Make Viewer"
                        done consequence=Consequence::Revoked confirming update>
                        <p>"Viewers cannot hold tokens: every active token of " <strong>{name}</strong> " will be revoked now. Revocation cannot be undone."</p>
                    </ConfirmUserChange>
                }.into_any()
            }
            Pending::Disable(user) => {
                let (name, done) = (user.username.clone(), format!("{} is disabled; their tokens are refused until they are enabled again.", user.username));
                let change = UpdateUserRequest { role: None, disabled: Some(true) };
                view! {
                    <ConfirmUserChange user change title="Disable this user?" confirm_label="Disable user"
                        done consequence=Consequence::Refused confirming update>
                        <p><strong>{name}</strong> " can no longer sign in, and every API token they own is refused on its next request. "
                           "Enable them again to restore both."</p>
                    </ConfirmUserChange>
                }.into_any()
            }
            Pending::ResetPassword(user) => view! {
                <ResetPasswordDialog user on_close=move |()| confirming.set(None) on_done=move |done: String| {
                    confirming.set(None);
                    notice.set(Some(Notice::Success(done)));
                } />
            }.into_any(),
        })}
    }
}

#[component]
fn UserRow(
    user: User,
    now: f64,
    my_id: Option<UserId>,
    my_role: Role,
    apply: impl Fn(User, UpdateUserRequest, String) + Copy + 'static,
    confirming: RwSignal<Option<Pending>>,
) -> impl IntoView {
    // The Owner's own account changes only by handing ownership over; nobody edits it. Nor
    // does anyone disable, demote or delete themselves here (the API refuses it too).
    let is_me = Some(user.id) == my_id;
    let can_edit = may_manage(my_role, user.role) && user.role != Role::Owner && !is_me;
    let can_transfer = may_transfer_ownership(my_role) && !is_me && !user.disabled;
    // One's own password needs the current one: Change password, in the top bar.
    let can_reset = may_reset_password(my_role, user.role) && !is_me;
    let for_reset = user.clone();
    let roles = grantable_roles(my_role);
    let for_transfer = user.clone();

    let (for_role, for_toggle, for_delete) = (user.clone(), user.clone(), user.clone());
    let on_role = move |ev: leptos::ev::Event| {
        let Some(role) = Role::parse(&event_target_value(&ev)) else {
            return;
        };
        if role == Role::Viewer {
            confirming.set(Some(Pending::MakeViewer(for_role.clone())));
        } else {
            let msg = format!("{} is now {}.", for_role.username, role.label());
            apply(
                for_role.clone(),
                UpdateUserRequest {
                    role: Some(role),
                    disabled: None,
                },
                msg,
            );
        }
    };
    // Disabling cuts their agents off: confirmed first, with what it affects. Enabling is not.
    let toggle = move |_| {
        if !for_toggle.disabled {
            confirming.set(Some(Pending::Disable(for_toggle.clone())));
            return;
        }
        apply(
            for_toggle.clone(),
            UpdateUserRequest {
                role: None,
                disabled: Some(false),
            },
            format!("{} is enabled again.", for_toggle.username),
        );
    };
    let own_note = format!("own-account-{}", user.id);
    view! {
        <tr data-testid="user-row">
            <td class="name">{user.display_name.clone()} <span class="muted">" (" {user.username.clone()} ")"</span>
                {is_me.then(|| view! { <span class="badge badge-role">"you"</span> })}</td>
            <td data-label="Role">
                <select aria-label=format!("Role of {}", user.username) disabled=!can_edit on:change=on_role
                    aria-describedby=is_me.then(|| own_note.clone())>
                    {roles.iter().map(|&r| view! { <option value=r.as_str() selected=r == user.role>{r.label()}</option> }).collect_view()}
                    {(!roles.contains(&user.role)).then(|| view! { <option value=user.role.as_str() selected>{user.role.label()}</option> })}
                </select>
            </td>
            <td data-label="Status"><span class=if user.disabled { "badge badge-revoked" } else { "badge badge-active" }>
                {if user.disabled { "disabled" } else { "enabled" }}</span></td>
            <td data-label="Created"><TimeCell at=Some(user.created_at) now missing="" /></td>
            <td class="actions">
                {if is_me {
                    view! {
                        <span class="muted" id=own_note data-testid="own-account-note">
                            {if my_role == Role::Owner {
                                "Your own account: as the Owner you step down by transferring ownership to someone else."
                            } else {
                                "Your own account: another Administrator or the Owner can disable, demote or delete it, so you cannot lock yourself out."
                            }}
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="link" disabled=!can_edit on:click=toggle
                            aria-label=format!("{} user {}", if user.disabled { "Enable" } else { "Disable" }, user.username)>
                            {if user.disabled { "Enable" } else { "Disable" }}
                        </button>
                        <button type="button" class="link danger-text" disabled=!can_edit
                            aria-label=format!("Delete user {}", user.username)
                            on:click=move |_| confirming.set(Some(Pending::Delete(for_delete.clone())))>"Delete"</button>
                    }.into_any()
                }}
                {can_reset.then(|| view! {
                    <button type="button" class="link"
                        aria-label=format!("Reset the password of {}", user.username)
                        on:click=move |_| confirming.set(Some(Pending::ResetPassword(for_reset.clone())))>"Reset password"</button>
                })}
                {can_transfer.then(|| view! {
                    <button type="button" class="link"
                        aria-label=format!("Transfer ownership to {}", user.username)
                        on:click=move |_| confirming.set(Some(Pending::TransferOwnership(for_transfer.clone())))>"Transfer ownership"</button>
                })}
            </td>
        </tr>
    }
}

/// A change that cuts a user's agents off, confirmed first with what it affects: becoming a
/// Viewer (who holds no tokens, so theirs are revoked) or being disabled (theirs are refused).
#[component]
fn ConfirmUserChange<F, Fut>(
    user: User,
    change: UpdateUserRequest,
    title: &'static str,
    confirm_label: &'static str,
    /// The notice once done.
    done: String,
    consequence: Consequence,
    confirming: RwSignal<Option<Pending>>,
    update: F,
    children: Children,
) -> impl IntoView
where
    F: Fn(User, UpdateUserRequest, String) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let (target, id) = (user.clone(), user.id);
    let apply = submit_action(
        move |()| {
            let applied = update(target.clone(), change.clone(), done.clone());
            async move {
                applied.await;
                Ok::<_, api::ApiFailure>(())
            }
        },
        |()| (),
    );
    view! {
        <ConfirmDialog title confirm_label action=apply on_close=move |()| confirming.set(None)>
            {children()}
            <UserImpact user=id consequence />
        </ConfirmDialog>
    }
}

/// The Owner hands the role over: the other user becomes Owner, the caller an Administrator.
#[component]
fn TransferOwnershipDialog(user: User, confirming: RwSignal<Option<Pending>>) -> impl IntoView {
    let transfer = submit_action(
        move |()| api::transfer_ownership(user.id),
        // Every page's view of what the caller may do just changed: start afresh.
        |_| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        },
    );
    view! {
        <ConfirmDialog title="Transfer ownership?" confirm_label="Transfer ownership" action=transfer
            on_close=move |()| confirming.set(None)>
            <p><strong>{user.display_name.clone()}</strong> " (" {user.username.clone()} ") becomes the Owner of this instance, "
               "and you become an Administrator. There is only ever one Owner; only they can hand the role on again."</p>
        </ConfirmDialog>
    }
}

#[component]
fn CreateUserDialog(
    my_role: Role,
    #[prop(into)] on_close: Callback<()>,
    /// Told what was done, in a sentence for the page's notice.
    #[prop(into)]
    on_created: Callback<String>,
) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Manager);
    let invalid = RwSignal::new(None::<String>);
    let roles = grantable_roles(my_role);
    let create = submit_action(
        |body: &CreateUserRequest| api::create_user(body.clone()),
        move |user: User| {
            on_created.run(format!("Added {} as {}.", user.username, user.role.label()))
        },
    );
    let pending = create.pending();
    let submit = on_submit(create, invalid, move || {
        let (username, password) = (username.get_untracked(), password.get_untracked());
        if let Some(problem) = account_problem(&username, &password) {
            return Err(sentence(&problem));
        }
        Ok(CreateUserRequest {
            username,
            password,
            role: role.get_untracked(),
            display_name: Some(display_name.get_untracked()).filter(|d| !d.trim().is_empty()),
        })
    });
    let errors = Errors::new(form_error(create, invalid), |m| {
        account_field(m, [Some("new-username"), Some("new-password"), None])
    });
    view! {
        <Modal title="Add user" on_close>
            <form on:submit=submit novalidate>
                <TextField id="new-username" label="Username" value=username autocomplete="off" autofocus=true errors />
                <TextField id="new-display-name" label="Display name (optional)" value=display_name autocomplete="off" />
                <TextField id="new-password" label="Initial password" value=password kind="password" autocomplete="new-password" errors />
                <p class="help">{format!("At least {PASSWORD_MIN} characters. Share it with the user privately.")}</p>
                <label for="new-role">"Role"</label>
                <select id="new-role" on:change=move |ev| if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }>
                    {roles.into_iter().map(|r| view! { <option value=r.as_str() selected=r == Role::Manager>{r.label()}</option> }).collect_view()}
                </select>
                <DialogFooter error=errors.rest() pending label="Add user" busy="Adding…" on_close />
            </form>
        </Modal>
    }
}
