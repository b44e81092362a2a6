//! Under a new secret: the lines people paste next, with the secret already in them, for a
//! configuration they pick: the Telegraf command in both of Telegraf's variable names, and a
//! `curl` check that the token works. A token scoped to configurations is offered only those:
//! a line for any other would be refused.

use super::copy_button::CopyButton;
use crate::api;
use crate::components::loaded::Fetch;
use leptos::prelude::*;
use shared::api::Config;
use shared::config::{agent_command, TokenVariable};
use shared::ConfigId;

/// The three lines for one configuration's URL.
pub fn lines_for(secret: &str, toml_url: &str) -> [(&'static str, String); 3] {
    [
        (
            "Telegraf 1.39 and later",
            agent_command(TokenVariable::TelegrafController, Some(secret), toml_url),
        ),
        (
            "Telegraf 1.38 and earlier",
            agent_command(TokenVariable::Influx, Some(secret), toml_url),
        ),
        (
            "Check with curl",
            format!("curl -sS -H \"Authorization: Bearer {secret}\" {toml_url}"),
        ),
    ]
}

#[component]
pub fn ReadyLines(
    secret: String,
    /// The configurations the token may read (`None`: all).
    scope: Option<Vec<ConfigId>>,
    /// Told when a line (which holds the secret) was copied.
    #[prop(into)]
    on_copied: Callback<bool>,
) -> impl IntoView {
    let configs = Fetch::new(api::list_configs);
    let chosen = RwSignal::new(None::<Config>);
    move || {
        let list = configs
            .get()
            .and_then(Result::ok)
            .map(|l| l.items)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| scope.as_ref().is_none_or(|ids| ids.contains(&c.id)))
            .collect::<Vec<_>>();
        if list.is_empty() {
            return None;
        }
        let current = chosen.get().or_else(|| list.first().cloned())?;
        let url = api::config_toml_url(current.id);
        let options = list.clone();
        let secret = secret.clone();
        Some(view! {
            <section class="ready-lines" data-testid="ready-lines">
                <label for="ready-config">"Ready to paste, for the configuration"</label>
                <select id="ready-config" on:change=move |ev| {
                    let id = event_target_value(&ev);
                    chosen.set(options.iter().find(|c| c.id.to_string() == id).cloned());
                }>
                    {list.iter().map(|c| view! {
                        <option value=c.id.to_string() selected=c.id == current.id>{c.name.clone()}</option>
                    }).collect_view()}
                </select>
                <dl>
                    {lines_for(&secret, &url).into_iter().map(|(what, line)| view! {
                        <dt>{what}</dt>
                        <dd><code>{line.clone()}</code>
                            <CopyButton text=line class="link" label=format!("Copy: {what}") on_copied /></dd>
                    }).collect_view()}
                </dl>
            </section>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_line_carries_the_secret_and_the_url() {
        let url = "https://tc.example/api/configs/9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab/toml";
        let lines = lines_for("tc-apiv1_abc", url);
        assert!(lines
            .iter()
            .all(|(_, l)| l.contains("tc-apiv1_abc") && l.contains(url)));
        assert!(lines[0]
            .1
            .starts_with("TELEGRAF_CONTROLLER_TOKEN=tc-apiv1_abc telegraf --config"));
        assert!(lines[1].1.starts_with("INFLUX_TOKEN=tc-apiv1_abc"));
        assert!(lines[2].1.contains("Authorization: Bearer tc-apiv1_abc"));
    }
}
