//! Secret scanning reports as GitHub signs them: P-256 keys made with openssl, and their
//! signatures over a report's body.

/// Runs openssl with `args`; its output.
fn openssl(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A new P-256 private key, in PEM at `path`.
pub fn new_key(path: &std::path::Path) {
    let path = path.to_str().unwrap();
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        path,
    ]);
}

/// A P-256 key pair made for this test with openssl: (private PEM path, public PEM).
pub fn scanning_key(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let private = dir.join("scan-key.pem");
    new_key(&private);
    let public = openssl(&["ec", "-in", private.to_str().unwrap(), "-pubout"]);
    (private, String::from_utf8(public).unwrap())
}

/// base64 of the DER ECDSA-SHA256 signature of `body`.
pub fn sign(private: &std::path::Path, body: &[u8]) -> String {
    use base64::Engine;
    let file = private.with_extension("body");
    std::fs::write(&file, body).unwrap();
    let (key, file) = (private.to_str().unwrap(), file.to_str().unwrap());
    let signature = openssl(&["dgst", "-sha256", "-sign", key, file]);
    base64::engine::general_purpose::STANDARD.encode(signature)
}

/// A report as GitHub sends it, naming `key-1`, whose signature verifies under no key: what
/// the worker answers before it checks one (no keys, or a setting it cannot use).
pub fn unverifiable_report(server: &crate::TestServer) -> reqwest::RequestBuilder {
    server
        .http()
        .post(server.url("/api/secret-scanning"))
        .header("Content-Type", "application/json")
        .header("Github-Public-Key-Identifier", "key-1")
        .header("Github-Public-Key-Signature", "MEUCIQ==")
        .body("[]")
}
