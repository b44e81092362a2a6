//! A list read a page at a time (the token list, the audit log): the first page replaces what
//! is listed, each next one is appended, and an answer to a query that a newer one replaced
//! is dropped, so a slow answer never overwrites a newer list.

use crate::api::ApiFailure;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// What a paged page keeps: it takes each answer, and says whether a request runs or failed.
pub trait Paged: Send + Sync + 'static {
    /// One page's answer, as the page's fetcher returns it.
    type Answer: 'static;
    /// Where a next page starts.
    type Cursor: Send + Sync + 'static;

    /// Takes a page: the first one replaces the list (`append` false), a next one extends it.
    fn take(&mut self, answer: Self::Answer, append: bool);
    /// Whether a request is under way.
    fn loading(&mut self) -> &mut bool;
    /// Why the last request failed, in words a person can act on.
    fn failed(&mut self) -> &mut Option<String>;
    /// Where the next page starts, if there is one.
    fn next(&self) -> Option<Self::Cursor>;
}

/// The loader of `state`: `run(false)` loads the first page, `run(true)` the next one (where
/// the last page said it starts). `fetch` asks the API for a page; `after` runs once an answer
/// is taken. One type of loader for every list, whatever its cursor.
pub fn pager<S, Fut>(
    state: RwSignal<S>,
    fetch: impl Fn(Option<S::Cursor>) -> Fut + Send + Sync + 'static,
    after: impl Fn() + Send + Sync + 'static,
) -> Callback<bool>
where
    S: Paged,
    Fut: Future<Output = Result<S::Answer, ApiFailure>> + 'static,
{
    // Each first page starts a new generation; a next page belongs to the current one.
    let generation = StoredValue::new(0u32);
    let after = StoredValue::new(after);
    Callback::new(move |append: bool| {
        let cursor = if append {
            match state.with_untracked(Paged::next) {
                Some(cursor) => Some(cursor),
                None => return,
            }
        } else {
            None
        };
        let this = generation.get_value() + u32::from(!append);
        generation.set_value(this);
        state.update(|s| {
            *s.loading() = true;
            *s.failed() = None;
        });
        let answer = fetch(cursor);
        spawn_local(async move {
            let result = answer.await;
            if generation.get_value() != this {
                return;
            }
            state.update(|s| {
                *s.loading() = false;
                match result {
                    Ok(page) => s.take(page, append),
                    Err(e) => *s.failed() = Some(e.message),
                }
            });
            after.with_value(|after| after());
        });
    })
}

/// An API answer that is one page of a list: its items, and where the next page starts.
pub trait PageAnswer: 'static {
    type Item: Clone + Send + Sync + 'static;
    type Cursor: Clone + Send + Sync + 'static;

    fn split(self) -> (Vec<Self::Item>, Option<Self::Cursor>);
}

/// What a plain paged list keeps (the audit log, the agents): the items so far, where the
/// next page starts, and how the last request went.
pub struct Pages<A: PageAnswer> {
    pub items: Vec<A::Item>,
    pub next: Option<A::Cursor>,
    pub loading: bool,
    pub failed: Option<String>,
}

impl<A: PageAnswer> Default for Pages<A> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            next: None,
            loading: false,
            failed: None,
        }
    }
}

impl<A: PageAnswer> Paged for Pages<A>
where
    Pages<A>: Send + Sync,
{
    type Answer = A;
    type Cursor = A::Cursor;

    fn take(&mut self, answer: A, append: bool) {
        let (items, next) = answer.split();
        if !append {
            self.items.clear();
        }
        self.items.extend(items);
        self.next = next;
    }

    fn loading(&mut self) -> &mut bool {
        &mut self.loading
    }

    fn failed(&mut self) -> &mut Option<String> {
        &mut self.failed
    }

    fn next(&self) -> Option<A::Cursor> {
        self.next.clone()
    }
}

/// What a paged region says: its name for assistive technology, while the first page loads,
/// and on the button that loads the next.
pub struct RegionWords {
    pub label: &'static str,
    pub loading: &'static str,
    pub more: &'static str,
}

/// The region a plain paged list shows in: why the last request failed (with "Try again"),
/// the list or, without items, the loading line or what `empty` says, then the button that
/// loads the next page while there is one.
pub fn paged_region<A: PageAnswer>(
    page: RwSignal<Pages<A>>,
    load: Callback<bool>,
    words: RegionWords,
    empty: impl Fn() -> AnyView + Send + Sync + 'static,
    list: impl Fn(Vec<A::Item>, bool) -> AnyView + Send + Sync + 'static,
) -> impl IntoView
where
    Pages<A>: Send + Sync,
{
    let RegionWords {
        label,
        loading,
        more,
    } = words;
    view! {
        <div role="region" aria-label=label aria-busy=move || page.with(|p| p.loading).to_string()>
            {move || page.with(|p| p.failed.clone()).map(|e| view! {
                <div class="load-error" role="alert"><p>{e}</p>
                    <button type="button" class="secondary" on:click=move |_| load.run(false)>"Try again"</button></div>
            })}
            {move || {
                let (items, busy, next) = page.with(|p| (p.items.clone(), p.loading, p.next.is_some()));
                match (items.is_empty(), busy) {
                    (false, _) => list(items, next),
                    (true, true) => view! { <p class="muted" role="status">{loading}</p> }.into_any(),
                    (true, false) => empty(),
                }
            }}
            {move || page.with(|p| p.next.is_some()).then(|| view! {
                <button type="button" class="secondary load-more" disabled=move || page.with(|p| p.loading)
                    on:click=move |_| load.run(true)>{more}</button>
            })}
        </div>
    }
}

/// Loads the first page again whenever `filters` change (and once now).
pub fn reload_on<T: Send + Sync + 'static>(filters: RwSignal<T>, load: Callback<bool>) {
    crate::effect::watch(move |_| {
        filters.track();
        load.run(false);
    });
}
