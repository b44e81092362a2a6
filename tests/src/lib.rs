//! The test harness: real processes, owned by values that clean up after themselves.
//!
//! [`server::TestServer`] runs the built worker under `wrangler dev` on a free port with its own
//! temporary D1; [`browser::Browser`] runs chromedriver and headless Chromium. Both start their
//! children in a new process group and kill the whole group on drop, also when a test panics.

pub mod actors;
pub mod answers;
pub mod audit;
pub mod browser;
pub mod contract;
pub mod load;
mod process;
pub mod receiver;
pub mod scanning;
pub mod server;
pub mod snapshot;
pub mod telegraf;
pub mod wait;

pub use actors::{Actor, PASSWORD};
pub use browser::Browser;
pub use server::TestServer;
pub use telegraf::Telegraf;

/// The wall clock in Unix milliseconds, as the worker reads it.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis() as i64
}

/// The repository root (the workspace), where `wrangler.toml` and `node_modules` live.
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits inside the repository")
        .to_path_buf()
}

/// A TCP port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}
