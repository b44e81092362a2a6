//! Issue 24: the README's table of bindings and settings names everything the worker reads.
//! The names come from the worker's sources (`secret("…")`, `var("…")`, `setting(env, "…")`,
//! `d1("…")`, `queue("…")`), from `wrangler.toml`'s bindings and from what
//! `wrangler deploy --dry-run` says the bundle binds; a new one fails here until the table says
//! what it is, what needs it and what happens without it.

use std::collections::BTreeSet;
use std::path::Path;
use tests::repo_root;

/// The README's table of bindings and settings: the first cell of each row, each row checked
/// to say what needs it, what happens without it and when it is malformed.
fn readme_table() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let table = readme
        .split("### Every binding and setting")
        .nth(1)
        .expect("the README's table of bindings and settings")
        .split("\n### ")
        .next()
        .unwrap()
        .to_owned();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
    for row in &rows {
        assert_eq!(row.matches(" | ").count(), 4, "five cells: {row}");
    }
    rows.iter()
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect()
}

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

    let listed = readme_table();
    let missing: Vec<&String> = read.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "read by the worker or bound in wrangler.toml, but not in the README's table: {missing:?}"
    );
}

/// The Workers Free plan's limit on a Worker's size after gzip (the Paid plan allows 10 MiB).
const FREE_PLAN_GZIP_LIMIT_KIB: f64 = 3.0 * 1024.0;

#[test]
fn the_deploy_bundle_binds_what_the_readme_lists_and_fits_the_free_plan() {
    let dir = tempfile::tempdir().unwrap();
    let out = tests::server::wrangler_in(dir.path())
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(dir.path().join("bundle"))
        .output()
        .expect("run wrangler deploy --dry-run");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    // "env.AUDIT_QUEUE (audit-forward)   Queue", one a line.
    let bound: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("env."))
        .filter_map(|rest| rest.split([' ', '(']).next().map(str::to_owned))
        .collect();
    for known in ["DB", "ASSETS", "AUDIT_QUEUE"] {
        assert!(
            bound.contains(known),
            "the dry run does not bind {known}:\n{text}"
        );
    }
    let listed = readme_table();
    let missing: Vec<&String> = bound.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "bound by the bundle, not in the README's table: {missing:?}"
    );

    // "Total Upload: 1605.82 KiB / gzip: 598.24 KiB"
    let gzip_kib: f64 = text
        .lines()
        .find_map(|l| l.split("gzip: ").nth(1))
        .and_then(|v| v.trim().strip_suffix(" KiB"))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no gzip size in the dry run:\n{text}"));
    println!(
        "the worker's bundle: {gzip_kib:.0} KiB after gzip, x{:.2} of the Free plan's 3 MiB",
        gzip_kib / FREE_PLAN_GZIP_LIMIT_KIB
    );
    assert!(
        gzip_kib < FREE_PLAN_GZIP_LIMIT_KIB,
        "{gzip_kib} KiB after gzip"
    );
}
