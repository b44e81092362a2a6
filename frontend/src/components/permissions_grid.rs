//! Resource × Read/Write/Delete: the token detail's read-only ✓/— table and the create
//! dialog's checkboxes are one table.

use leptos::prelude::*;
use shared::permissions::{Action, Permissions, Resource};

#[component]
pub fn PermissionsGrid(
    grid: RwSignal<Permissions>,
    /// Checkboxes that change `grid`; without, ✓ and — marks.
    #[prop(optional)]
    editable: bool,
    /// What may be granted at all (the creator's role's permissions): the checkboxes beyond
    /// it are disabled, as the server would refuse them.
    #[prop(optional)]
    within: Option<Permissions>,
) -> impl IntoView {
    let grantable = move |r: Resource, a: Action| within.is_none_or(|w| w.allows(r, a));
    let cell = move |r: Resource, a: Action| {
        if !editable {
            let mark = if grid.get_untracked().allows(r, a) {
                "✓"
            } else {
                "—"
            };
            return view! { <td>{mark}</td> }.into_any();
        }
        view! {
            <td><input type="checkbox" aria-label=format!("{} {}", r.label(), a.label())
                disabled=!grantable(r, a)
                prop:checked=move || grid.get().allows(r, a)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    grid.update(|g| *g = if on { g.with(r, a) } else { g.without(r, a) });
                } /></td>
        }
        .into_any()
    };
    view! {
        // A region keyboard users can focus and scroll when the grid is wider than the screen
        // (its read-only cells hold nothing else to focus).
        <div class="table-scroll" tabindex="0" role="region" aria-label="Permissions grid"><table class="permissions-grid">
            <thead><tr><th scope="col">"Resource"</th>
                {Action::ALL.iter().copied().map(|a| view! { <th scope="col">{a.label()}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {Resource::ALL.iter().copied().map(|r| view! {
                    <tr><th scope="row">{r.label()}</th>
                        {Action::ALL.iter().copied().map(|a| cell(r, a)).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::testing::{find, mount, settle};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn read_only_marks_and_editable_checkboxes_are_the_same_table() {
        let edited = RwSignal::new(Permissions::telegraf_agent());
        let (handle, host) = mount(move || {
            view! {
                <div id="read"><PermissionsGrid grid=RwSignal::new(Permissions::telegraf_agent()) /></div>
                <div id="edit"><PermissionsGrid grid=edited editable=true /></div>
            }
        });
        settle().await;
        let read = find(&host, "#read table.permissions-grid");
        let edit = find(&host, "#edit table.permissions-grid");
        let rows = |t: &web_sys::HtmlElement| t.query_selector_all("tbody tr").unwrap().length();
        assert_eq!(rows(&read), Resource::ALL.len() as u32);
        assert_eq!(rows(&edit), rows(&read));
        assert!(read.query_selector("input").unwrap().is_none());
        let marks = read.text_content().unwrap();
        assert!(marks.contains('✓') && marks.contains('—'), "{marks}");

        let label = format!("{} {}", Resource::ALL[0].label(), Action::ALL[0].label());
        let before = edited
            .get_untracked()
            .allows(Resource::ALL[0], Action::ALL[0]);
        find(
            &edit,
            &format!("input[type=checkbox][aria-label='{label}']"),
        )
        .click();
        settle().await;
        assert_eq!(
            edited
                .get_untracked()
                .allows(Resource::ALL[0], Action::ALL[0]),
            !before
        );
        drop(handle);
        host.remove();
    }
}
