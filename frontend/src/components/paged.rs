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
}

/// The loader of `state`: called with no cursor it loads the first page, with one the page
/// there. `fetch` asks the API for a page; `after` runs once an answer is taken.
pub fn pager<S, Fut>(
    state: RwSignal<S>,
    fetch: impl Fn(Option<S::Cursor>) -> Fut + Send + Sync + 'static,
    after: impl Fn() + Send + Sync + 'static,
) -> Callback<Option<S::Cursor>>
where
    S: Paged,
    Fut: Future<Output = Result<S::Answer, ApiFailure>> + 'static,
{
    // Each first page starts a new generation; a next page belongs to the current one.
    let generation = StoredValue::new(0u32);
    let after = StoredValue::new(after);
    Callback::new(move |cursor: Option<S::Cursor>| {
        let append = cursor.is_some();
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
