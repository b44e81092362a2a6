//! A `<select>` whose choice follows a signal: every list filter's, and the create dialog's
//! Expiration (whose choices the lifetime policy narrows).

use leptos::prelude::*;
use std::sync::Arc;

/// The value chosen now, read reactively.
pub type Chosen = Arc<dyn Fn() -> String + Send + Sync>;
/// What choosing a value does.
pub type Choose = Arc<dyn Fn(String) + Send + Sync>;

/// The select `id`: `options` as (value, label), the one `chosen` names marked, and `choose`
/// given the value picked. Not generic: every such select shares this one copy of the code
/// (a copy per select cost about 1 KB of the download each).
pub fn choices(
    id: &'static str,
    options: Vec<(String, String)>,
    chosen: Chosen,
    choose: Choose,
) -> AnyView {
    let current = chosen.clone();
    view! {
        <select id=id prop:value=move || current() on:change=move |ev| choose(event_target_value(&ev))>
            {options.into_iter().map(|(value, label)| {
                let chosen = chosen.clone();
                let is = value.clone();
                view! { <option value=value selected=move || chosen() == is>{label}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}

/// "All" (the empty value), then `options`: a filter's choices.
pub fn all_then(
    all: &'static str,
    options: impl Iterator<Item = (&'static str, &'static str)>,
) -> Vec<(String, String)> {
    std::iter::once(("", all))
        .chain(options)
        .map(|(value, label)| (value.to_owned(), label.to_owned()))
        .collect()
}
