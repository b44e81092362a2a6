//! Configurations: the TOML agents fetch. Create and edit in a TOML editor area (the server
//! refuses TOML that does not parse, naming line and column), and copy the agent's command.

use crate::api;
use crate::components::confirm_dialog::ConfirmDelete;
use crate::components::copy_button::CopyButton;
use crate::components::form::{
    form_error, on_submit, submit_action, DialogFooter, Errors, TextField,
};
use crate::components::loaded::{Fetch, Loaded};
use crate::components::modal::Modal;
use crate::components::notice::{Notice, NoticeBar};
use crate::components::time_cell::TimeCell;
use crate::session::may;
use leptos::prelude::*;
use shared::api::{Config, ConfigRequest};
use shared::config::{agent_command, TokenVariable};
use shared::permissions::{Action, Resource};

type Configs = Fetch<shared::api::ConfigList>;

#[derive(Clone)]
enum Editing {
    New,
    Existing(Config),
}

#[component]
pub fn ConfigsPage() -> impl IntoView {
    let configs: Configs = Fetch::new(api::list_configs);
    let editing = RwSignal::new(None::<Editing>);
    let deleting = RwSignal::new(None::<Config>);
    let notice = RwSignal::new(None::<Notice>);
    view! {
        <section class="page">
            <div class="page-header">
                <h1>"Configurations"</h1>
                {may(Resource::Configs, Action::Write).then(|| view! {
                    <button type="button" class="primary" on:click=move |_| editing.set(Some(Editing::New))>"+ New configuration"</button>
                })}
            </div>
            <NoticeBar notice />
            <Loaded resource=configs loading="Loading configurations…" let:list>
                {if list.items.is_empty() {
                    view! { <div class="empty"><p>"No configurations yet."</p></div> }.into_any()
                } else {
                    let now = js_sys::Date::now();
                    view! {
                        <div class="table-scroll"><table class="tokens stack" data-testid="configs-table">
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Agent command"</th>
                                <th scope="col">"Scoped tokens"</th><th scope="col">"Updated"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.items.into_iter().map(|c| {
                                    let command = agent_command(TokenVariable::TelegrafController, None, &api::config_toml_url(c.id));
                                    let (for_edit, for_delete) = (c.clone(), c.clone());
                                    view! {
                                        <tr>
                                            <td class="name">{c.name.clone()}</td>
                                            <td data-label="Agent command"><code>{command.clone()}</code>
                                                <CopyButton text=command class="link" label=format!("Copy the command for {}", c.name)
                                                    on_copied=move |ok| notice.set(Some(copied(ok))) /></td>
                                            <td data-label="Scoped tokens" data-testid="scoped-tokens"
                                                title="Unrevoked tokens limited to configurations that include this one; tokens with all configurations read it too">{c.scoped_tokens.unwrap_or_default()}</td>
                                            <td data-label="Updated"><TimeCell at=Some(c.updated_at) now missing="" /></td>
                                            <td class="actions">
                                                {may(Resource::Configs, Action::Write).then(|| view! {
                                                    <button type="button" class="link" on:click=move |_| editing.set(Some(Editing::Existing(for_edit.clone())))>"Edit"</button>
                                                })}
                                                {may(Resource::Configs, Action::Delete).then(|| view! {
                                                    <button type="button" class="link danger-text" aria-label=format!("Delete configuration {}", c.name)
                                                        on:click=move |_| deleting.set(Some(for_delete.clone()))>"Delete"</button>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <p class="help">"Set API_TOKEN to a token with Configs Read first (export API_TOKEN=tc-apiv1_…), or put the token in its place. Telegraf 1.38 and earlier read INFLUX_TOKEN instead of TELEGRAF_CONTROLLER_TOKEN. The agent checks for edits every minute."</p>
                    }.into_any()
                }}
            </Loaded>
        </section>
        {move || editing.get().map(|e| view! { <ConfigEditor editing=e on_close=move |()| editing.set(None)
            on_saved=move |done: String| {
                notice.set(Some(Notice::Success(done)));
                editing.set(None);
                configs.refetch();
            } /> })}
        {move || deleting.get().map(|config| {
            let (id, name) = (config.id, config.name.clone());
            view! {
                <ConfirmDelete title="Delete configuration?" confirm_label="Delete configuration"
                    delete=move || api::delete_config(id) done=move |()| format!("Deleted \u{201c}{name}\u{201d}.")
                    notice on_close=move |()| deleting.set(None) on_deleted=move |()| configs.refetch()>
                    <p>"Agents that fetch \u{201c}" {config.name} "\u{201d} will get 404 from their next request. This cannot be undone."</p>
                </ConfirmDelete>
            }
        })}
    }
}

fn copied(ok: bool) -> Notice {
    if ok {
        Notice::Success("Copied the command.".into())
    } else {
        Notice::Failure(
            "Copying was refused by the browser; select the command and press Ctrl+C.".into(),
        )
    }
}

#[component]
fn ConfigEditor(
    editing: Editing,
    #[prop(into)] on_close: Callback<()>,
    /// Told what was done, in a sentence for the page's notice.
    #[prop(into)]
    on_saved: Callback<String>,
) -> impl IntoView {
    let (id, title, initial_name, initial_toml) = match editing {
        Editing::New => (
            None,
            "New configuration",
            String::new(),
            "[agent]\n  interval = \"10s\"\n".to_owned(),
        ),
        Editing::Existing(c) => (Some(c.id), "Edit configuration", c.name, c.toml),
    };
    let name = RwSignal::new(initial_name.clone());
    let toml = RwSignal::new(initial_toml.clone());
    // Escape or Cancel with unsaved edits asks first instead of dropping them.
    let changed = move || name.with(|n| *n != initial_name) || toml.with(|t| *t != initial_toml);
    let discarding = RwSignal::new(false);
    let close = Callback::new(move |()| {
        if changed() && !discarding.get_untracked() {
            discarding.set(true);
        } else {
            on_close.run(());
        }
    });
    let blank = move || toml.with(|t| t.trim().is_empty());
    let save = submit_action(
        move |body: &ConfigRequest| {
            let body = body.clone();
            async move {
                match id {
                    Some(id) => api::update_config(id, body).await,
                    None => api::create_config(body).await,
                }
            }
        },
        move |c: Config| {
            on_saved.run(format!(
                "Saved \u{201c}{}\u{201d}. Agents get it on their next poll.",
                c.name
            ))
        },
    );
    let pending = save.pending();
    let invalid = RwSignal::new(None);
    let submit = on_submit(save, invalid, move || {
        Ok(ConfigRequest {
            name: name.get_untracked(),
            toml: toml.get_untracked(),
        })
    });
    // The server's messages about the TOML (where it does not parse, its size) stand under
    // it; those about the name under the name.
    let errors = Errors::new(form_error(save, invalid), |m| {
        let m = m.to_ascii_lowercase();
        if m.contains("toml") {
            Some("config-toml")
        } else if m.contains("name") {
            Some("config-name")
        } else {
            None
        }
    });
    let (toml_invalid, toml_described) = errors.describe("config-toml", None);
    view! {
        <Modal title=title on_close=close>
            <form on:submit=submit novalidate>
                <TextField id="config-name" label="Name" value=name autofocus=true errors />
                <label for="config-toml">"TOML"</label>
                <textarea id="config-toml" class="toml" rows="16" spellcheck="false" prop:value=move || toml.get()
                    aria-invalid=move || toml_invalid.get() aria-describedby=move || toml_described.get()
                    on:input=move |ev| toml.set(event_target_value(&ev))></textarea>
                {errors.beside("config-toml")}
                {move || blank().then(|| view! {
                    <p class="warning" role="alert" data-testid="empty-toml">
                        "This configuration is empty: agents that fetch it get nothing to run and stop collecting."
                    </p>
                })}
                {move || discarding.get().then(|| view! {
                    {
                        let keep = NodeRef::<leptos::html::Button>::new();
                        keep.on_load(|button| {
                            let _ = button.focus();
                        });
                        view! {
                            <div class="confirm-close" role="alertdialog" aria-labelledby="discard-edits-text" data-testid="discard-edits">
                                <p id="discard-edits-text"><strong>"Discard your changes to this configuration?"</strong></p>
                                <div class="modal-actions">
                                    <button type="button" class="secondary" node_ref=keep on:click=move |_| discarding.set(false)>"Keep editing"</button>
                                    <button type="button" class="danger" on:click=move |_| on_close.run(())>"Discard changes"</button>
                                </div>
                            </div>
                        }
                    }
                })}
                <DialogFooter error=errors.rest() pending label="Save configuration" busy="Saving…" on_close=close />
            </form>
        </Modal>
    }
}
