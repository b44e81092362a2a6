//! Issue 24: the README's table of bindings and settings names everything the worker reads.
//! The names come from the worker's sources (`secret("…")`, `var("…")`, `setting(env, "…")`,
//! `d1("…")`, `queue("…")`) and from `wrangler.toml`'s bindings; a new one fails here until the
//! table says what it is, what needs it and what happens without it.

use std::collections::BTreeSet;
use std::path::Path;
use tests::repo_root;

/// Every `.rs` file under `dir`, read.
fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The string literals that follow each of `calls` in `text`: `secret("AUDIT_KEY")` gives
/// `AUDIT_KEY`.
fn names_after(text: &str, calls: &[&str]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for call in calls {
        for (at, _) in text.match_indices(call) {
            let rest = &text[at + call.len()..];
            if let Some(end) = rest.find('"') {
                let name = &rest[..end];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                    names.insert(name.to_owned());
                }
            }
        }
    }
    names
}

#[test]
fn every_binding_and_setting_the_worker_reads_is_in_the_readme_table() {
    let root = repo_root();
    let mut files = Vec::new();
    sources(&root.join("worker/src"), &mut files);
    let code = files.join("\n");
    let mut read = names_after(
        &code,
        &[
            "secret(\"",
            "var(\"",
            "setting(env, \"",
            "d1(\"",
            "queue(\"",
        ],
    );
    let toml = std::fs::read_to_string(root.join("wrangler.toml")).unwrap();
    read.extend(names_after(&toml, &["binding = \""]));
    // The scan itself can fail: it finds what is known to be there.
    for known in [
        "DB",
        "ASSETS",
        "AUDIT_QUEUE",
        "OWNER_TOKEN",
        "AUDIT_KEY",
        "AUDIT_WEBHOOK_URL",
    ] {
        assert!(read.contains(known), "the scan missed {known}: {read:?}");
    }

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = readme
        .split("### Every binding and setting")
        .nth(1)
        .expect("the README's table of bindings and settings")
        .split("\n### ")
        .next()
        .unwrap();
    let listed: BTreeSet<String> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect();
    let missing: Vec<&String> = read.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "read by the worker or bound in wrangler.toml, but not in the README's table: {missing:?}"
    );
    // Each row says what happens without it and when it is malformed.
    for line in table.lines().filter(|l| l.starts_with("| `")) {
        assert_eq!(line.matches(" | ").count(), 4, "five cells: {line}");
    }
}
