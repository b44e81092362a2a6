//! An instant in a table: relative ("3 days ago"), with the exact time on hover.

use crate::format::{exact_time, parse_time, relative_time};
use leptos::prelude::*;

#[component]
pub fn TimeCell(
    at: Option<String>,
    now: f64,
    /// What to show when there is no instant ("Never").
    missing: &'static str,
) -> impl IntoView {
    match at
        .as_deref()
        .and_then(|text| parse_time(text).map(|ms| (text.to_owned(), ms)))
    {
        Some((text, ms)) => {
            view! { <time datetime=text title=exact_time(ms)>{relative_time(ms, now)}</time> }
                .into_any()
        }
        None => view! { <span class="muted">{missing}</span> }.into_any(),
    }
}
