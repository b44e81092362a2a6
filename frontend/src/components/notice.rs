//! The outcome of the last action, announced politely to screen readers.

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Success(String),
    Failure(String),
}

#[component]
pub fn NoticeBar(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    view! {
        <div class="notice-area" role="status" aria-live="polite" data-testid="notice">
            {move || {
                notice
                    .get()
                    .map(|n| {
                        let (class, text) = match n {
                            Notice::Success(text) => ("notice success", text),
                            Notice::Failure(text) => ("notice failure", text),
                        };
                        view! {
                            <div class=class>
                                <span>{text}</span>
                                <button
                                    type="button"
                                    class="link"
                                    aria-label="Dismiss message"
                                    on:click=move |_| notice.set(None)
                                >
                                    "×"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
