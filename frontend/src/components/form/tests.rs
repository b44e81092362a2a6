use super::*;
use crate::components::testing::{find, mount, settle};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A form whose submit fails the first time and succeeds the second.
#[wasm_bindgen_test]
async fn a_submit_shows_progress_then_its_failure_and_validation_comes_first() {
    let done = RwSignal::new(0);
    let (handle, host) = mount(move || {
        let name = RwSignal::new(String::new());
        let invalid = RwSignal::new(None::<String>);
        let save = submit_action(
            |attempt: &u32| {
                let attempt = *attempt;
                async move {
                    // Long enough for the test to look at the form while it waits.
                    for _ in 0..10 {
                        settle().await;
                    }
                    if attempt == 1 {
                        Err(ApiFailure {
                            status: 409,
                            code: "conflict".into(),
                            ids: Vec::new(),
                            message: "That name is taken.".into(),
                        })
                    } else {
                        Ok(attempt)
                    }
                }
            },
            move |_| done.update(|n| *n += 1),
        );
        let attempts = StoredValue::new(0);
        let submit = on_submit(save, invalid, move || {
            if name.get_untracked().is_empty() {
                return Err("Enter a name.".into());
            }
            attempts.update_value(|n| *n += 1);
            Ok(attempts.get_value())
        });
        view! {
            <form on:submit=submit>
                <TextField id="f-name" label="Name" value=name autofocus=true />
                <FormError error=form_error(save, invalid) />
                <SubmitButton pending=save.pending() label="Save" busy="Saving…" />
            </form>
        }
    });
    settle().await;
    let label = find(&host, "label");
    assert_eq!(label.get_attribute("for").as_deref(), Some("f-name"));
    let input = find(&host, "input#f-name");
    assert_eq!(input.get_attribute("type").as_deref(), Some("text"));
    assert!(input.has_attribute("autofocus"));
    assert!(!input.has_attribute("autocomplete"));
    let button = find(&host, "button[type=submit].primary");
    let error = || host.query_selector("p.form-error[role=alert]").unwrap();

    button.click();
    settle().await;
    assert_eq!(error().unwrap().text_content().unwrap(), "Enter a name.");

    let input: web_sys::HtmlInputElement = wasm_bindgen::JsCast::unchecked_into(input);
    input.set_value("edge");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    button.click();
    settle().await;
    assert!(error().is_none(), "a new submit clears the old message");
    assert_eq!(button.text_content().unwrap(), "Saving…");
    assert!(button.has_attribute("disabled"));
    for _ in 0..15 {
        settle().await;
    }
    assert_eq!(button.text_content().unwrap(), "Save");
    assert_eq!(
        error().unwrap().text_content().unwrap(),
        "That name is taken."
    );
    assert_eq!(done.get_untracked(), 0);

    button.click();
    for _ in 0..15 {
        settle().await;
    }
    assert!(error().is_none());
    assert_eq!(done.get_untracked(), 1);
    drop(handle);
    host.remove();
}
