//! Who is signed in, as every page inside the shell sees it, and what the shared role rules
//! let them do. The shell provides it; pages read it, without importing the shell.

use leptos::prelude::*;
use shared::api::User;
use shared::permissions::{Action, Resource};
use shared::roles::Role;

/// The signed-in user, for every page inside the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser(pub User);

/// The signed-in user, when inside the shell.
pub fn current_user() -> Option<User> {
    use_context::<CurrentUser>().map(|c| c.0)
}

/// The signed-in user's role; outside the shell, the least one.
pub fn current_role() -> Role {
    current_user().map_or(Role::Viewer, |u| u.role)
}

/// Whether the signed-in user's role allows `action` on `resource`: screens offer only what
/// the server would accept from them.
pub fn may(resource: Resource, action: Action) -> bool {
    current_role().permissions().allows(resource, action)
}
