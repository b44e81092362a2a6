//! A client that behaves exactly like Telegraf: the Authorization scheme of its version, its
//! User-Agent, and the three requests an agent makes. Its answers are checked against the
//! OpenAPI document like every other.

use crate::TestServer;
use reqwest::Method;
use serde_json::Value;

/// A Telegraf process: its token, the scheme its version uses, and its User-Agent.
pub struct Telegraf<'a> {
    pub server: &'a TestServer,
    pub token: String,
    /// `1.38.x` and earlier send `Token …`, later ones `Bearer …`.
    pub version: &'static str,
}

impl<'a> Telegraf<'a> {
    /// Telegraf 1.39 (Bearer) with this token string.
    pub fn new(server: &'a TestServer, token: &str) -> Self {
        Telegraf {
            server,
            token: token.to_owned(),
            version: "1.39.0",
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        // 1.38 and earlier send INFLUX_TOKEN as "Token …"; 1.39+ send TELEGRAF_CONTROLLER_TOKEN as "Bearer …".
        let scheme = if self.version.starts_with("1.38") {
            "Token"
        } else {
            "Bearer"
        };
        self.server
            .http()
            .request(method, self.server.url(path))
            .header("Authorization", format!("{scheme} {}", self.token))
            .header("User-Agent", format!("Telegraf/{}", self.version))
    }

    /// `--config <url>`: GET the TOML.
    pub async fn fetch(&self, config_id: impl std::fmt::Display) -> reqwest::Response {
        let path = format!("/api/configs/{config_id}/toml");
        self.server.send(self.request(Method::GET, &path)).await
    }

    /// `--config-url-watch-interval`: HEAD, to compare `Last-Modified`.
    pub async fn poll(&self, config_id: impl std::fmt::Display) -> reqwest::Response {
        let path = format!("/api/configs/{config_id}/toml");
        self.server.send(self.request(Method::HEAD, &path)).await
    }

    /// The heartbeat output plugin.
    pub async fn heartbeat(&self, body: &Value) -> reqwest::Response {
        let request = self.request(Method::POST, "/agents/heartbeat").json(body);
        self.server.send(request).await
    }
}

/// A heartbeat body from the agent `id`, as Telegraf 1.39 sends it.
pub fn beat(id: &str) -> Value {
    serde_json::json!({"id": id, "version": "Telegraf 1.39.0"})
}
