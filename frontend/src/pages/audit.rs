//! The audit log: every change a person or a token made, newest first, filtered by who and
//! what (in the address), paged by cursor, with a check of the hash chain on demand.

use crate::api;
use crate::components::choices::{all_then, choices, Chosen};
use crate::components::copy_button::CopyButton;
use crate::components::paged::{paged_region, pager, reload_on, PageAnswer, Pages, RegionWords};
use crate::components::time_cell::TimeCell;
use crate::router::{keep_in_address, use_location, A};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::actor::ActorKind;
use shared::audit::{
    AuditAction, AuditEntry, AuditList, AuditQuery, AuditVerification, Outcome, SubjectType,
};
use shared::routes::Endpoint;
use std::sync::Arc;

impl PageAnswer for AuditList {
    type Item = AuditEntry;
    type Cursor = i64;

    fn split(self) -> (Vec<AuditEntry>, Option<i64>) {
        let next = self.next_cursor.and_then(|c| c.parse().ok());
        (self.items, next)
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let filters = RwSignal::new(AuditQuery::from_address(
        &use_location().query.get_untracked(),
    ));
    keep_in_address(
        "/audit",
        filters,
        AuditQuery::to_address,
        AuditQuery::from_address,
    );
    let page = RwSignal::new(Pages::<AuditList>::default());
    let load = pager(
        page,
        move |before| {
            let query = AuditQuery {
                before,
                ..filters.get_untracked()
            };
            async move { api::list_audit(&query).await }
        },
        || {},
    );
    reload_on(filters, load);
    view! {
        <section class="page">
            <div class="page-header">
                <h1>"Audit log"</h1>
                <VerifyChain />
            </div>
            <p class="lede">"Every change made by a person or an API token, newest first. Entries are chained by SHA-256: none can be changed or removed unnoticed. A deleted token is recorded without its name or id."</p>
            <Forwarding />
            <AuditFilters filters />
            {paged_region(
                page,
                load,
                RegionWords { label: "Audit entries", loading: "Loading the audit log…", more: "Load older entries" },
                || view! { <div class="empty"><p>"No entry matches."</p></div> }.into_any(),
                |items, _| view! { <AuditTable items /> }.into_any(),
            )}
        </section>
    }
}

/// The kinds of actor the filter offers, as it names them.
const KINDS: [(ActorKind, &str); 5] = [
    (ActorKind::User, "A person"),
    (ActorKind::Token, "An API token"),
    (ActorKind::BootstrapToken, "The bootstrap token"),
    (ActorKind::SecretScanning, "Secret scanning"),
    (ActorKind::System, "The system"),
];

/// Where forwarding to `AUDIT_WEBHOOK_URL` stands, when it is configured.
#[component]
fn Forwarding() -> impl IntoView {
    let state = crate::components::loaded::Fetch::new(api::audit_forwarding);
    move || {
        let f = state.get().and_then(Result::ok).filter(|f| f.configured)?;
        let now = js_sys::Date::now();
        let mut said = format!("Forwarding: {} entries waiting", f.waiting);
        if f.dead_lettered > 0 {
            said.push_str(&format!(
                "; {} in the dead-letter queue, not delivered",
                f.dead_lettered
            ));
        }
        if let Some(error) = &f.last_error {
            said.push_str(&format!("; last try: {error}"));
        }
        Some(view! {
            <p class="help" role="status" data-testid="audit-forwarding">{said}
                {f.last_delivered_at.map(|at| view! { "; last delivered " <TimeCell at=Some(at) now missing="" /> })}
            </p>
        })
    }
}

#[component]
fn AuditFilters(filters: RwSignal<AuditQuery>) -> impl IntoView {
    let actor = RwSignal::new(filters.with_untracked(|f| f.actor.clone().unwrap_or_default()));
    crate::effect::watch(move |_| actor.set(filters.with(|f| f.actor.clone().unwrap_or_default())));
    let chosen = |of: fn(&AuditQuery) -> Option<&'static str>| -> Chosen {
        Arc::new(move || filters.with(|f| of(f).unwrap_or_default().to_owned()))
    };
    view! {
        <form class="toolbar" role="search" on:submit=move |ev| {
            ev.prevent_default();
            filters.update(|f| f.actor = Some(actor.get_untracked().trim().to_owned()).filter(|a| !a.is_empty()));
        }>
            <label for="audit-actor">"Who"</label>
            <input id="audit-actor" type="search" placeholder="Username"
                prop:value=move || actor.get() on:input=move |ev| actor.set(event_target_value(&ev)) />
            <button type="submit" class="secondary">"Filter"</button>
            <label for="audit-action">"Action"</label>
            {choices(
                "audit-action",
                all_then("All", AuditAction::ALL.iter().map(|a| (a.as_str(), a.label()))),
                chosen(|f| f.action.map(AuditAction::as_str)),
                Arc::new(move |v| filters.update(|f| f.action = AuditAction::parse(&v))),
            )}
            <label for="audit-outcome">"Outcome"</label>
            {choices(
                "audit-outcome",
                all_then("All", Outcome::ALL.iter().map(|o| (o.as_str(), o.label()))),
                chosen(|f| f.outcome.map(Outcome::as_str)),
                Arc::new(move |v| filters.update(|f| f.outcome = v.parse().ok())),
            )}
            <label for="audit-kind">"By"</label>
            {choices(
                "audit-kind",
                all_then("Anyone", KINDS.iter().map(|(k, label)| (k.as_str(), *label))),
                chosen(|f| f.kind.map(ActorKind::as_str)),
                Arc::new(move |v| filters.update(|f| f.kind = v.parse().ok())),
            )}
        </form>
    }
}

#[component]
fn AuditTable(items: Vec<AuditEntry>) -> impl IntoView {
    let now = js_sys::Date::now();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Audit entries">
            <table class="tokens audit stack" data-testid="audit-table">
                <caption class="visually-hidden">"Audit entries, newest first"</caption>
                <thead><tr>
                    <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th>
                    <th scope="col">"On"</th><th scope="col">"Detail"</th><th scope="col">"From"</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|e| view! { <AuditRow e now /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AuditRow(e: AuditEntry, now: f64) -> impl IntoView {
    let action = if e.count > 1 {
        format!("{} \u{00d7} {}", e.action.label(), e.count)
    } else {
        e.action.label().to_owned()
    };
    let who = match (&e.actor_token, e.actor_kind) {
        (Some(token), _) => format!("{} (token \u{201c}{token}\u{201d})", e.actor),
        (None, Some(ActorKind::Token)) => format!("{} (a deleted token)", e.actor),
        (None, Some(ActorKind::BootstrapToken)) => "the bootstrap token (OWNER_TOKEN)".to_owned(),
        _ => e.actor.clone(),
    };
    let on = match (e.subject_type, e.subject_id.clone(), e.subject_name.clone()) {
        (Some(SubjectType::Token), Some(id), name) => {
            view! { <A href=format!("/tokens/{id}")>{name.unwrap_or(id)}</A> }.into_any()
        }
        (Some(SubjectType::Token), None, _) => view! { <span class="muted">"a deleted token"</span> }.into_any(),
        (None, _, _) if e.action == AuditAction::TokenDeleted => {
            view! { <span class="muted">{if e.count > 1 { "deleted tokens" } else { "a deleted token" }}</span> }.into_any()
        }
        (_, _, Some(name)) => name.into_any(),
        _ => view! { <span class="muted">"\u{2014}"</span> }.into_any(),
    };
    view! {
        <tr data-testid="audit-row" data-seq=e.seq.to_string()>
            <td data-label="When"><TimeCell at=Some(e.at) now missing="" exact=true /></td>
            <td data-label="Who">{who}</td>
            <td data-label="Action">{action}
                {(e.outcome != Outcome::Success).then(|| view! {
                    " " <span class=format!("badge badge-{}", e.outcome.as_str()) data-testid="audit-outcome">{e.outcome.label()}</span>
                })}</td>
            <td data-label="On">{on}</td>
            <td data-label="Detail">{e.detail.as_deref().map(crate::format::local_instants).unwrap_or_default()}</td>
            <td data-label="From" title=e.user_agent.clone()>{e.client_ip.clone().unwrap_or_default()}</td>
        </tr>
    }
}

/// Recomputes the chain on the server and says whether it holds, or where it breaks.
#[component]
fn VerifyChain() -> impl IntoView {
    let result = RwSignal::new(None::<Result<AuditVerification, String>>);
    let checking = RwSignal::new(false);
    // Entries checked so far, while a long log is checked in parts.
    let so_far = RwSignal::new(0u64);
    let verify = move |_| {
        checking.set(true);
        so_far.set(0);
        spawn_local(async move {
            let mut done: Option<AuditVerification> = None;
            let mut after = None;
            let outcome = loop {
                match api::verify_audit(after.take()).await {
                    Err(e) => break Err(e.message),
                    Ok(part) => {
                        let whole = match done.take() {
                            Some(before) => before.then(part),
                            None => part,
                        };
                        so_far.set(whole.entries);
                        match (whole.next, whole.head.clone()) {
                            (Some(seq), Some(head)) if whole.intact => {
                                after = Some((seq, head));
                                done = Some(whole);
                            }
                            _ => break Ok(whole),
                        }
                    }
                }
            };
            result.set(Some(outcome));
            checking.set(false);
        });
    };
    view! {
        <div class="verify">
            // A plain download: the browser sends the session cookie with it.
            <a class="button secondary" href=Endpoint::ExportAudit.route().url(&[]) download="audit.ndjson"
                title="Every entry with what its hash covers, oldest first, one JSON object a line: scripts/verify-audit.mjs checks it anywhere">"Export"</a>
            <button type="button" class="secondary" disabled=move || checking.get() on:click=verify>
                {move || match (checking.get(), so_far.get()) {
                    (false, _) => "Verify chain".to_owned(),
                    (true, 0) => "Checking\u{2026}".to_owned(),
                    (true, n) => format!("Checking\u{2026} {n} so far"),
                }}
            </button>
            <p role="status" data-testid="verify-result">
                {move || result.get().map(|r| match r {
                    Ok(v) if v.intact => format!(
                        "Intact: {} entries, {}{}",
                        v.entries,
                        match &v.key_id {
                            Some(id) => format!("keyed with \u{201c}{id}\u{201d} ({} of them keyed)", v.keyed_entries),
                            None => "unkeyed (AUDIT_KEY is not set: anyone who can write the database could rewrite it)".to_owned(),
                        },
                        if v.head.is_some() { "; latest hash:" } else { "" }
                    ),
                    Ok(v) => format!(
                        "Broken at entry {}: {}",
                        v.broken_at.unwrap_or_default(),
                        v.problem.unwrap_or_default()
                    ),
                    Err(e) => e,
                })}
            </p>
            // The whole head hash, to copy and compare with an export or a later check.
            {move || result.get().and_then(Result::ok).filter(|v| v.intact).and_then(|v| v.head).map(|head| {
                let copied = RwSignal::new(None::<bool>);
                view! {
                    <p class="head-hash"><code data-testid="verify-head">{head.clone()}</code>
                        " " <CopyButton text=head class="link" label="Copy the latest hash".to_owned()
                            on_copied=move |ok| copied.set(Some(ok)) />
                        <span class="muted" role="status">{move || copied.get().map(|ok| if ok { " Copied." } else { " The browser did not allow copying; select the hash instead." })}</span></p>
                }
            })}
        </div>
    }
}
