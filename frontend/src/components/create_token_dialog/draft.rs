//! The Create form as typed so far, put in the tab's session storage when the session ends
//! while the dialog is open: sign-in comes back to the list, which reopens the dialog as it
//! was and drops the draft. The pre-shared token string is never kept (a secret is stored
//! nowhere in clear).

const KEY: &str = "draft.create-token";

/// Name, expiry choice, custom date, preset and custom permissions, one a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub name: String,
    pub expiry: String,
    pub custom_date: String,
    pub preset: String,
    pub grid: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn load() -> Option<Draft> {
    let text = storage()?.get_item(KEY).ok()??;
    let mut lines = text.split('\n').map(str::to_owned);
    Some(Draft {
        name: lines.next()?,
        expiry: lines.next()?,
        custom_date: lines.next()?,
        preset: lines.next()?,
        grid: lines.next()?,
    })
}

pub fn save(draft: &Draft) {
    // A name holds no newline (the rules refuse control characters), so lines separate.
    let text = [
        &draft.name,
        &draft.expiry,
        &draft.custom_date,
        &draft.preset,
        &draft.grid,
    ]
    .map(|field| field.replace('\n', " "))
    .join("\n");
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, &text);
    }
}

pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}
