//! How every form and confirmation talks to the API: one [`Submit`] per form, its pending
//! state on a [`SubmitButton`], and its failure (or the form's own validation message) in a
//! [`FormError`]. Also the labelled text field most forms are made of.

use crate::api::ApiFailure;
use crate::format::sentence;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::account::{validate_password, Username};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type Outcome = Result<(), ApiFailure>;
type Call<I> = Rc<dyn Fn(I) -> Pin<Box<dyn Future<Output = Outcome>>>>;

/// A form's call to the API: dispatched with the form's input, pending while it runs, its
/// failure kept for [`form_error`]. Stands in for Leptos' `Action` (which this app used only
/// this way) with one spawned future for every form in the app instead of a copy per input
/// type.
pub struct Submit<I: 'static> {
    pending: RwSignal<bool>,
    outcome: RwSignal<Option<Outcome>, LocalStorage>,
    call: StoredValue<Call<I>, LocalStorage>,
}

impl<I> Clone for Submit<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Submit<I> {}

impl<I: 'static> Submit<I> {
    pub fn pending(&self) -> Signal<bool> {
        self.pending.into()
    }

    /// Runs the call with `input`, unless one is already in flight.
    pub fn dispatch(&self, input: I) {
        if self.pending.get_untracked() {
            return;
        }
        let Some(call) = self.call.try_get_value() else {
            return;
        };
        run(call(input), self.pending, self.outcome);
    }
}

/// Not generic: the one spawn behind every form.
fn run(
    call: Pin<Box<dyn Future<Output = Outcome>>>,
    pending: RwSignal<bool>,
    outcome: RwSignal<Option<Outcome>, LocalStorage>,
) {
    pending.set(true);
    spawn_local(async move {
        let result = call.await;
        outcome.try_set(Some(result));
        pending.try_set(false);
    });
}

/// A submit that runs `call` with its input and, when the API answers yes, `on_ok` with the
/// answer. A failure stays in the submit's outcome, for [`form_error`] to show.
pub fn submit_action<I, T, Fut>(
    call: impl Fn(&I) -> Fut + 'static,
    on_ok: impl Fn(T) + 'static,
) -> Submit<I>
where
    I: 'static,
    T: 'static,
    Fut: Future<Output = Result<T, ApiFailure>> + 'static,
{
    let on_ok = Rc::new(on_ok);
    let call: Call<I> = Rc::new(move |input: I| {
        let (answer, on_ok) = (call(&input), on_ok.clone());
        Box::pin(async move { answer.await.map(|value| on_ok(value)) })
    });
    Submit {
        pending: RwSignal::new(false),
        outcome: RwSignal::new_local(None),
        call: StoredValue::new_local(call),
    }
}

/// The message under a form: the form's own validation message if it has one, else why the
/// last submit failed. Nothing while a submit is in flight.
pub fn form_error<I: 'static>(
    action: Submit<I>,
    invalid: RwSignal<Option<String>>,
) -> Signal<Option<String>> {
    let (pending, outcome) = (action.pending, action.outcome);
    Signal::derive(move || {
        invalid.get().or_else(|| {
            if pending.get() {
                return None;
            }
            outcome.with(|v| {
                v.as_ref()
                    .and_then(|r| r.as_ref().err())
                    .map(|e| e.message.clone())
            })
        })
    })
}

/// A form's submit handler: keeps the browser from submitting, ignores repeats while one is in
/// flight, and dispatches what `build` makes of the fields, or shows why it cannot. The
/// handler is one boxed type for every form, so the event wiring exists once in the app.
pub fn on_submit<I: Send + Sync + 'static>(
    action: Submit<I>,
    invalid: RwSignal<Option<String>>,
    build: impl Fn() -> Result<I, String> + Send + 'static,
) -> SubmitHandler {
    submit_handler(
        action.pending,
        invalid,
        Box::new(move || {
            build().map(|input| {
                invalid.set(None);
                action.dispatch(input);
            })
        }),
    )
}

/// What `on:submit` of a form built with [`on_submit`] runs.
pub type SubmitHandler = Box<dyn Fn(leptos::ev::SubmitEvent) + Send>;

/// Not generic: the one submit handler behind every form.
fn submit_handler(
    pending: RwSignal<bool>,
    invalid: RwSignal<Option<String>>,
    dispatch: Box<dyn Fn() -> Result<(), String> + Send>,
) -> SubmitHandler {
    Box::new(move |ev| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        if let Err(problem) = dispatch() {
            invalid.set(Some(problem));
        }
    })
}

/// Why the last submit failed, for actions without validation of their own.
pub fn action_error<I: 'static>(action: Submit<I>) -> Signal<Option<String>> {
    form_error(action, RwSignal::new(None))
}

/// The failure paragraph under a form, announced as soon as it appears.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="form-error" role="alert">{e}</p> })
    }
}

/// The form's primary button: disabled while the submit is in flight, saying so.
#[component]
pub fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    /// What the button does ("Sign in").
    #[prop(into)]
    label: String,
    /// What it says while working ("Signing in…").
    busy: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class="primary" disabled=move || pending.get()>
            {move || if pending.get() { busy.to_owned() } else { label.clone() }}
        </button>
    }
}

/// The end of a form in a dialog: why it failed, then Cancel and the submit button.
#[component]
pub fn DialogFooter(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] label: String,
    busy: &'static str,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <FormError error />
        <div class="modal-actions">
            <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
            <SubmitButton pending label busy />
        </div>
    }
}

/// A form's message (its own check's, or the server's), shown beside the field it is about,
/// or at the foot of the form when it is about none. `field_of` names the field (by its id)
/// a message is about; messages read as sentences wherever they stand.
#[derive(Clone, Copy)]
pub struct Errors {
    all: Signal<Option<String>>,
    field_of: fn(&str) -> Option<&'static str>,
}

impl Errors {
    pub fn new(all: Signal<Option<String>>, field_of: fn(&str) -> Option<&'static str>) -> Self {
        Self { all, field_of }
    }

    /// The message about the field `id`, if that is what the form's message is about.
    pub fn of(self, id: &'static str) -> Signal<Option<String>> {
        let Self { all, field_of } = self;
        Signal::derive(move || {
            all.get()
                .filter(|m| field_of(m) == Some(id))
                .map(|m| sentence(&m))
        })
    }

    /// The message about no field in particular, for the foot of the form.
    pub fn rest(self) -> Signal<Option<String>> {
        let Self { all, field_of } = self;
        Signal::derive(move || {
            all.get()
                .filter(|m| field_of(m).is_none())
                .map(|m| sentence(&m))
        })
    }

    /// What an input says about itself: `aria-invalid`, and `aria-describedby` naming its help
    /// (if any) and, while there is one, its message (`<id>-error`).
    pub fn describe(
        self,
        id: &'static str,
        help: Option<&'static str>,
    ) -> (Signal<Option<&'static str>>, Signal<Option<String>>) {
        let error = self.of(id);
        let invalid = Signal::derive(move || error.with(Option::is_some).then_some("true"));
        let describedby = Signal::derive(move || {
            let shown = error.with(Option::is_some).then(|| format!("{id}-error"));
            match (help, shown) {
                (Some(help), Some(e)) => Some(format!("{help} {e}")),
                (Some(help), None) => Some(help.to_owned()),
                (None, e) => e,
            }
        });
        (invalid, describedby)
    }

    /// The message beside the field `id`, as `<id>-error`.
    pub fn beside(self, id: &'static str) -> impl IntoView {
        let error = self.of(id);
        move || {
            error.get().map(
                |e| view! { <p id=format!("{id}-error") class="form-error" role="alert">{e}</p> },
            )
        }
    }
}

/// A label and its text (or password) input, bound to `value`; with `errors`, the form's
/// message about this field stands under it.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] autofocus: bool,
    /// The id of the help text under the field.
    #[prop(optional)]
    describedby: Option<&'static str>,
    #[prop(optional)] errors: Option<Errors>,
) -> impl IntoView {
    let (invalid, described) = match errors {
        Some(errors) => errors.describe(id, describedby),
        None => (
            Signal::stored(None),
            Signal::stored(describedby.map(str::to_owned)),
        ),
    };
    view! {
        <label for=id>{label}</label>
        <input id=id type=kind autocomplete=autocomplete autofocus=autofocus
            aria-describedby=move || described.get() aria-invalid=move || invalid.get()
            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        {errors.map(|errors| errors.beside(id))}
    }
}

/// Which field of an account form (username, password, its repetition) a message is about,
/// given the fields' ids in that order. The repetition's message ("do not match") is tested
/// first: it names passwords too.
pub fn account_field(
    message: &str,
    [username, password, repeat]: [Option<&'static str>; 3],
) -> Option<&'static str> {
    let m = message.to_ascii_lowercase();
    if m.contains("do not match") {
        repeat
    } else if m.contains("username") || m.contains("already exists") {
        username
    } else if m.contains("password") {
        password
    } else {
        None
    }
}

/// What is wrong with a new account's username or password, by the rules the server applies.
/// (The setup page's and the Add user dialog's first check.)
pub fn account_problem(username: &str, password: &str) -> Option<String> {
    Username::parse(username)
        .err()
        .map(|e| e.to_string())
        .or_else(|| validate_password(password).err().map(|e| e.to_string()))
}

#[cfg(test)]
mod tests;
