//! The route table of the worker's API: every method and path it answers, in one place.
//!
//! The worker dispatches on [`Endpoint`] and the OpenAPI document is checked against
//! [`ROUTES`], so the two cannot drift apart.

/// Everything the worker's API can do; the worker maps each to one handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Health,
    AuthStatus,
    Setup,
    Login,
    Logout,
    Me,
    ListUsers,
    CreateUser,
    UpdateUser,
    DeleteUser,
    ListTokens,
    CreateToken,
    TokenCapabilities,
    BulkDeleteTokens,
    BulkRevokeTokens,
    BulkReassignTokens,
    GetToken,
    TokenHistory,
    RevokeToken,
    ReassignToken,
    DeleteToken,
    ListConfigs,
    CreateConfig,
    GetConfig,
    UpdateConfig,
    DeleteConfig,
    ConfigToml,
    ListAgents,
    Heartbeat,
    OpenApi,
}

impl Endpoint {
    /// Endpoints Telegraf agents call: token only, with the exact 401 messages of SPEC 5.
    pub fn is_agent(self) -> bool {
        matches!(self, Self::ConfigToml | Self::Heartbeat)
    }

    /// Endpoints anyone may call: everything else needs a session or an API token.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Self::Health | Self::AuthStatus | Self::Setup | Self::Login | Self::OpenApi
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// Literal segments, or `{name}` for one path parameter.
    pub path: &'static str,
    pub endpoint: Endpoint,
}

const fn route(method: &'static str, path: &'static str, endpoint: Endpoint) -> Route {
    Route {
        method,
        path,
        endpoint,
    }
}

/// Literal paths come before parameterised ones at the same depth, so
/// `/api/tokens/capabilities` can never be read as a token id.
pub const ROUTES: &[Route] = &[
    route("GET", "/api/health", Endpoint::Health),
    route("GET", "/api/auth/status", Endpoint::AuthStatus),
    route("POST", "/api/auth/setup", Endpoint::Setup),
    route("POST", "/api/auth/login", Endpoint::Login),
    route("POST", "/api/auth/logout", Endpoint::Logout),
    route("GET", "/api/auth/me", Endpoint::Me),
    route("GET", "/api/users", Endpoint::ListUsers),
    route("POST", "/api/users", Endpoint::CreateUser),
    route("PATCH", "/api/users/{id}", Endpoint::UpdateUser),
    route("DELETE", "/api/users/{id}", Endpoint::DeleteUser),
    route("GET", "/api/tokens", Endpoint::ListTokens),
    route("POST", "/api/tokens", Endpoint::CreateToken),
    route(
        "GET",
        "/api/tokens/capabilities",
        Endpoint::TokenCapabilities,
    ),
    route(
        "POST",
        "/api/tokens/bulk-delete",
        Endpoint::BulkDeleteTokens,
    ),
    route(
        "POST",
        "/api/tokens/bulk-revoke",
        Endpoint::BulkRevokeTokens,
    ),
    route(
        "POST",
        "/api/tokens/bulk-reassign",
        Endpoint::BulkReassignTokens,
    ),
    route("GET", "/api/tokens/{id}", Endpoint::GetToken),
    route("DELETE", "/api/tokens/{id}", Endpoint::DeleteToken),
    route("GET", "/api/tokens/{id}/history", Endpoint::TokenHistory),
    route("POST", "/api/tokens/{id}/revoke", Endpoint::RevokeToken),
    route("POST", "/api/tokens/{id}/reassign", Endpoint::ReassignToken),
    route("GET", "/api/configs", Endpoint::ListConfigs),
    route("POST", "/api/configs", Endpoint::CreateConfig),
    route("GET", "/api/configs/{id}", Endpoint::GetConfig),
    route("PUT", "/api/configs/{id}", Endpoint::UpdateConfig),
    route("DELETE", "/api/configs/{id}", Endpoint::DeleteConfig),
    route("GET", "/api/configs/{id}/toml", Endpoint::ConfigToml),
    route("GET", "/api/agents", Endpoint::ListAgents),
    route("POST", "/agents/heartbeat", Endpoint::Heartbeat),
    route("GET", "/api/docs/openapi.json", Endpoint::OpenApi),
];

/// What a method and path resolve to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolution<'p> {
    /// The endpoint and the path parameters in order of appearance.
    Found(Endpoint, Vec<&'p str>),
    /// The path exists; these methods are allowed on it.
    MethodNotAllowed(Vec<&'static str>),
    NotFound,
}

/// Matches a request against [`ROUTES`]. `HEAD` is answered by the `GET` route.
pub fn resolve<'p>(method: &str, path: &'p str) -> Resolution<'p> {
    let wanted = if method == "HEAD" { "GET" } else { method };
    let mut allowed = Vec::new();
    let mut path_found: Option<&'static str> = None;
    for r in ROUTES {
        let Some(params) = match_path(r.path, path) else {
            continue;
        };
        // Once a literal route matched, a parameterised one of another shape must not.
        if path_found.is_some_and(|p| p != r.path) {
            continue;
        }
        path_found = Some(r.path);
        if r.method == wanted {
            return Resolution::Found(r.endpoint, params);
        }
        allowed.push(r.method);
    }
    if allowed.is_empty() {
        Resolution::NotFound
    } else {
        if allowed.contains(&"GET") {
            allowed.push("HEAD");
        }
        Resolution::MethodNotAllowed(allowed)
    }
}

fn match_path<'p>(pattern: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut params = Vec::new();
    let mut pattern_segments = pattern.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return Some(params),
            (Some(p), Some(s)) if p.starts_with('{') && !s.is_empty() => params.push(s),
            (Some(p), Some(s)) if p == s => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_literal_and_parameterised_paths() {
        assert_eq!(
            resolve("GET", "/api/health"),
            Resolution::Found(Endpoint::Health, vec![])
        );
        assert_eq!(
            resolve("HEAD", "/api/health"),
            Resolution::Found(Endpoint::Health, vec![])
        );
        assert_eq!(
            resolve("POST", "/api/tokens"),
            Resolution::Found(Endpoint::CreateToken, vec![])
        );
        assert_eq!(
            resolve("DELETE", "/api/tokens/abc"),
            Resolution::Found(Endpoint::DeleteToken, vec!["abc"])
        );
    }

    #[test]
    fn wrong_method_lists_the_allowed_ones() {
        assert_eq!(
            resolve("PUT", "/api/tokens"),
            Resolution::MethodNotAllowed(vec!["GET", "POST", "HEAD"])
        );
        assert_eq!(
            resolve("PUT", "/api/tokens/abc"),
            Resolution::MethodNotAllowed(vec!["GET", "DELETE", "HEAD"])
        );
        assert_eq!(
            resolve("GET", "/api/tokens/capabilities"),
            Resolution::Found(Endpoint::TokenCapabilities, vec![])
        );
        assert_eq!(
            resolve("DELETE", "/api/tokens/capabilities"),
            Resolution::MethodNotAllowed(vec!["GET", "HEAD"])
        );
        assert_eq!(
            resolve("GET", "/api/tokens/bulk-delete"),
            Resolution::MethodNotAllowed(vec!["POST"])
        );
        assert_eq!(
            resolve("PUT", "/api/users/abc"),
            Resolution::MethodNotAllowed(vec!["PATCH", "DELETE"])
        );
    }

    #[test]
    fn unknown_and_malformed_paths_are_not_found() {
        for path in [
            "/api",
            "/api/",
            "/api/tokens/",
            "/api/tokens/a/b",
            "/api/healthz",
            "/api/tokens//",
            "",
        ] {
            assert_eq!(resolve("GET", path), Resolution::NotFound, "{path}");
        }
        assert_eq!(resolve("DELETE", "/api/tokens/"), Resolution::NotFound);
    }

    #[test]
    fn every_route_is_unique_and_under_a_known_prefix() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.method, r.path)), "duplicate {r:?}");
            assert!(
                r.path.starts_with("/api/") || r.path.starts_with("/agents/"),
                "{r:?}"
            );
        }
    }
}
