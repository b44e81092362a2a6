//! An instant in a table: relative ("3 days ago"), with the exact time on hover.

use crate::format::{exact_time, relative_time};
use leptos::prelude::*;
use shared::time::Timestamp;

#[component]
pub fn TimeCell(
    at: Option<Timestamp>,
    now: f64,
    /// What to show when there is no instant ("Never").
    missing: &'static str,
    /// The exact time on screen, the relative one beside it (a record people cite, such as
    /// the audit log), rather than on hover only.
    #[prop(optional)]
    exact: bool,
) -> impl IntoView {
    match at {
        Some(at) if exact => {
            let ms = at.millis() as f64;
            view! {
                <time datetime=at.to_string()>{exact_time(ms)}</time>
                " " <span class="muted">{format!("({})", relative_time(ms, now))}</span>
            }
            .into_any()
        }
        Some(at) => {
            let ms = at.millis() as f64;
            view! { <time datetime=at.to_string() title=exact_time(ms)>{relative_time(ms, now)}</time> }
                .into_any()
        }
        None => view! { <span class="muted">{missing}</span> }.into_any(),
    }
}
