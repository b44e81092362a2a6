//! What a token reaches besides its permissions, as the create dialog and the Manage tab
//! choose it: all configurations or a chosen few (a searchable list), and optionally the
//! client addresses it may be used from.

use crate::api;
use crate::components::loaded::Fetch;
use leptos::prelude::*;
use shared::ConfigId;

/// The choice as edited.
#[derive(Clone, Copy)]
pub struct Reach {
    /// Only the chosen configurations (else all).
    pub only: RwSignal<bool>,
    pub chosen: RwSignal<Vec<ConfigId>>,
    /// One block a line; empty for any address.
    pub addresses: RwSignal<String>,
}

impl Reach {
    pub fn new(scope: Option<Vec<ConfigId>>, addresses: Option<Vec<String>>) -> Self {
        Self {
            only: RwSignal::new(scope.is_some()),
            chosen: RwSignal::new(scope.unwrap_or_default()),
            addresses: RwSignal::new(addresses.unwrap_or_default().join("\n")),
        }
    }

    /// The request's `configScope` (`None`: all), or why the choice cannot be sent.
    pub fn config_scope(&self) -> Result<Option<Vec<String>>, String> {
        if !self.only.get_untracked() {
            return Ok(None);
        }
        let chosen = self.chosen.get_untracked();
        if chosen.is_empty() {
            return Err("Choose at least one configuration, or All configurations.".into());
        }
        Ok(Some(chosen.iter().map(ToString::to_string).collect()))
    }

    /// The request's `allowedAddresses` (`None`: any address); the server checks each block
    /// and names a bad one.
    pub fn allowed_addresses(&self) -> Option<Vec<String>> {
        let text = self.addresses.get_untracked();
        let blocks: Vec<String> = text
            .split(['\n', ',', ' '])
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect();
        (!blocks.is_empty()).then_some(blocks)
    }
}

#[component]
pub fn ReachFields(reach: Reach) -> impl IntoView {
    let configs = Fetch::new(api::list_configs);
    let search = RwSignal::new(String::new());
    let Reach {
        only,
        chosen,
        addresses,
    } = reach;
    let list = move || {
        let wanted = search.get().to_ascii_lowercase();
        configs
            .get()
            .and_then(Result::ok)
            .map(|l| l.items)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.name.to_ascii_lowercase().contains(&wanted))
            .map(|c| {
                let id = c.id;
                let checked = move || chosen.with(|ids| ids.contains(&id));
                view! {
                    <li><label>
                        <input type="checkbox" value=id.to_string() prop:checked=checked on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|ids| {
                                ids.retain(|x| *x != id);
                                if on { ids.push(id) }
                            });
                        } />
                        {c.name}
                    </label></li>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="reach" data-testid="config-scope-choice">
            <legend>"Configurations it may read"</legend>
            <label class="inline"><input type="radio" name="config-scope" value="all" prop:checked=move || !only.get()
                on:change=move |_| only.set(false) />"All configurations"</label>
            <label class="inline"><input type="radio" name="config-scope" value="only" prop:checked=move || only.get()
                on:change=move |_| only.set(true) />"Only these"</label>
            {move || only.get().then(|| view! {
                <input type="search" aria-label="Search configurations" placeholder="Search configurations"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
                <ul class="choices" aria-label="Configurations">{list}</ul>
                <p class="help">{move || format!("{} chosen. Any other is refused, as if it did not exist.", chosen.with(Vec::len))}</p>
            })}
        </fieldset>
        <label for="token-addresses">"Client addresses (optional)"</label>
        <textarea id="token-addresses" rows="2" spellcheck="false" aria-describedby="token-addresses-help"
            placeholder="203.0.113.0/24" prop:value=move || addresses.get()
            on:input=move |ev| addresses.set(event_target_value(&ev))></textarea>
        <p id="token-addresses-help" class="help">"IPv4 or IPv6 addresses or CIDR blocks, one a line. Requests from anywhere else are refused. Empty: any address."</p>
    }
}
