//! The app's one kind of effect. Leptos' `Effect::new` copies its scheduling (an async loop
//! per effect) into the app once for every closure type it is given; every effect here goes
//! through [`watch`], whose closure is boxed, so that machinery exists once.

use leptos::prelude::Effect;

/// Runs `f` now and again whenever a signal it read changes; `f` is told whether this is the
/// first run.
pub fn watch(f: impl Fn(bool) + 'static) {
    boxed(Box::new(f));
}

fn boxed(f: Box<dyn Fn(bool)>) {
    Effect::new(move |before: Option<()>| f(before.is_none()));
}
