//! How the worker writes SQL: enum words are bound from their enums, never written
//! into SQL text; statements compose through `db::statement::Values`, so no placeholder number
//! is passed between functions and no SQL text is rewritten. Read from the source, as a
//! reviewer would check it.

use shared::api::EventKind;
use shared::audit::SubjectType;
use shared::roles::Role;
use shared::TokenSource;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn worker_sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    sources(&tests::repo_root().join("worker/src"), &mut files);
    assert!(files.len() > 20, "the worker's sources: {files:?}");
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("readable source");
            (f, text)
        })
        .collect()
}

/// Every line of the worker's sources, but comments, with where it is.
fn code_lines() -> Vec<(String, String)> {
    worker_sources()
        .into_iter()
        .flat_map(|(file, text)| {
            let name = file.display().to_string();
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim_start().starts_with("//"))
                .map(|(i, l)| (format!("{name}:{}", i + 1), l.to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn no_event_kind_role_source_or_subject_word_is_written_into_sql() {
    let mut words: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    words.extend(Role::ALL.iter().map(|r| r.as_str()));
    words.extend(
        [
            TokenSource::User,
            TokenSource::Preshared,
            TokenSource::Bootstrap,
        ]
        .map(TokenSource::as_str),
    );
    words.extend(
        [SubjectType::Token, SubjectType::User, SubjectType::Config].map(SubjectType::as_str),
    );
    assert!(words.len() >= 18, "{words:?}");
    let written: Vec<String> = code_lines()
        .into_iter()
        .filter(|(_, line)| words.iter().any(|w| line.contains(&format!("'{w}'"))))
        .map(|(at, line)| format!("{at}: {}", line.trim()))
        .collect();
    assert!(
        written.is_empty(),
        "bind these from their enums:\n{}",
        written.join("\n")
    );
}

#[test]
fn no_placeholder_number_travels_between_functions_and_no_sql_is_rewritten() {
    let offending: Vec<String> = code_lines()
        .into_iter()
        .filter(|(_, line)| {
            // A string literal that is a placeholder and nothing else ("?7"), or SQL text
            // rewritten by replacing one.
            bare_placeholder(line) || line.contains(".replace(\"?")
        })
        .map(|(at, line)| format!("{at}: {}", line.trim()))
        .collect();
    assert!(
        offending.is_empty(),
        "compose through db::statement::Values instead:\n{}",
        offending.join("\n")
    );
}

/// Whether `line` holds a string literal that is a bare placeholder, `"?7"`.
fn bare_placeholder(line: &str) -> bool {
    line.match_indices("\"?").any(|(i, _)| {
        let rest = &line[i + 2..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with('"')
    })
}
