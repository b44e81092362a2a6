//! The route table of the worker's API: every method and path it answers, and who may call
//! it, in one place.
//!
//! The worker dispatches on [`Endpoint`] and checks each route's [`Access`] once, before any
//! handler runs; the OpenAPI document's security and its 401/403 answers come from the same
//! field, and the permission-matrix test reads it. They cannot drift apart.

use crate::permissions::{Action, Resource};

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
    TransferOwnership,
    ChangePassword,
    SetPassword,
    ListTokens,
    CreateToken,
    TokenCapabilities,
    BulkDeleteTokens,
    BulkRevokeTokens,
    BulkReassignTokens,
    GetToken,
    UpdateToken,
    TokenHistory,
    RevokeToken,
    ReassignToken,
    RotateToken,
    DeleteToken,
    ListConfigs,
    CreateConfig,
    GetConfig,
    UpdateConfig,
    DeleteConfig,
    ConfigToml,
    ListAgents,
    Heartbeat,
    ListAudit,
    VerifyAudit,
    ExportAudit,
    AuditForwarding,
    GetTokenPolicy,
    SetTokenPolicy,
    SecretScanning,
    OpenApi,
}

/// Who may call a route. Dispatch authenticates and checks this before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials.
    Public,
    /// Any session or API token; the handler needs no particular permission.
    SignedIn,
    /// A session or an API token whose effective permissions include this pair.
    Needs(Resource, Action),
    /// What Telegraf agents call: an API token only (refused with SPEC 5's exact messages),
    /// holding this pair.
    Agent(Resource, Action),
    /// A person's act: a session, never an API token, holding this pair.
    Person(Resource, Action),
    /// A person acting on their own account: any session, never an API token, and no
    /// permission beyond being signed in.
    OwnAccount,
    /// A secret scanner's report: no session or token; the body's ECDSA signature, by a key
    /// from `SECRET_SCANNING_KEYS` or `SECRET_SCANNING_KEYS_URL`, is the credential. The handler checks it before anything.
    Signed,
}

impl Access {
    /// The permission the route needs, if any.
    pub fn permission(self) -> Option<(Resource, Action)> {
        match self {
            Self::Public | Self::SignedIn | Self::OwnAccount | Self::Signed => None,
            Self::Needs(r, a) | Self::Agent(r, a) | Self::Person(r, a) => Some((r, a)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// Literal segments, or `{name}` for one path parameter.
    pub path: &'static str,
    pub endpoint: Endpoint,
    pub access: Access,
}

const fn route(
    method: &'static str,
    path: &'static str,
    endpoint: Endpoint,
    access: Access,
) -> Route {
    Route {
        method,
        path,
        endpoint,
        access,
    }
}

use Access::{Agent, Needs, OwnAccount, Person, Public, Signed, SignedIn};
use Action::{Delete, Read, Write};
use Resource::{Agents, Configs, Heartbeat, Tokens, Users};

/// Literal paths come before parameterised ones at the same depth, so
/// `/api/tokens/capabilities` can never be read as a token id.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route("GET", "/api/health", Endpoint::Health, Public),
    route("GET", "/api/auth/status", Endpoint::AuthStatus, Public),
    route("POST", "/api/auth/setup", Endpoint::Setup, Public),
    route("POST", "/api/auth/login", Endpoint::Login, Public),
    route("POST", "/api/auth/logout", Endpoint::Logout, SignedIn),
    route("GET", "/api/auth/me", Endpoint::Me, SignedIn),
    route("POST", "/api/auth/password", Endpoint::ChangePassword, OwnAccount),
    route("GET", "/api/users", Endpoint::ListUsers, Needs(Users, Read)),
    route("POST", "/api/users", Endpoint::CreateUser, Needs(Users, Write)),
    route("PATCH", "/api/users/{id}", Endpoint::UpdateUser, Needs(Users, Write)),
    route("DELETE", "/api/users/{id}", Endpoint::DeleteUser, Needs(Users, Delete)),
    route("POST", "/api/users/{id}/transfer-ownership", Endpoint::TransferOwnership, Person(Users, Write)),
    route("POST", "/api/users/{id}/password", Endpoint::SetPassword, Person(Users, Write)),
    route("GET", "/api/tokens", Endpoint::ListTokens, Needs(Tokens, Read)),
    route("POST", "/api/tokens", Endpoint::CreateToken, Needs(Tokens, Write)),
    route("GET", "/api/tokens/capabilities", Endpoint::TokenCapabilities, Needs(Tokens, Read)),
    route("POST", "/api/tokens/bulk-delete", Endpoint::BulkDeleteTokens, Needs(Tokens, Delete)),
    route("POST", "/api/tokens/bulk-revoke", Endpoint::BulkRevokeTokens, Needs(Tokens, Write)),
    route("POST", "/api/tokens/bulk-reassign", Endpoint::BulkReassignTokens, Needs(Tokens, Write)),
    route("GET", "/api/tokens/{id}", Endpoint::GetToken, Needs(Tokens, Read)),
    route("PATCH", "/api/tokens/{id}", Endpoint::UpdateToken, Needs(Tokens, Write)),
    route("DELETE", "/api/tokens/{id}", Endpoint::DeleteToken, Needs(Tokens, Delete)),
    route("GET", "/api/tokens/{id}/history", Endpoint::TokenHistory, Needs(Tokens, Read)),
    route("POST", "/api/tokens/{id}/revoke", Endpoint::RevokeToken, Needs(Tokens, Write)),
    route("POST", "/api/tokens/{id}/reassign", Endpoint::ReassignToken, Needs(Tokens, Write)),
    route("POST", "/api/tokens/{id}/rotate", Endpoint::RotateToken, Needs(Tokens, Write)),
    route("GET", "/api/configs", Endpoint::ListConfigs, Needs(Configs, Read)),
    route("POST", "/api/configs", Endpoint::CreateConfig, Needs(Configs, Write)),
    route("GET", "/api/configs/{id}", Endpoint::GetConfig, Needs(Configs, Read)),
    route("PUT", "/api/configs/{id}", Endpoint::UpdateConfig, Needs(Configs, Write)),
    route("DELETE", "/api/configs/{id}", Endpoint::DeleteConfig, Needs(Configs, Delete)),
    route("GET", "/api/configs/{id}/toml", Endpoint::ConfigToml, Agent(Configs, Read)),
    route("GET", "/api/agents", Endpoint::ListAgents, Needs(Agents, Read)),
    route("POST", "/agents/heartbeat", Endpoint::Heartbeat, Agent(Heartbeat, Write)),
    route("GET", "/api/audit", Endpoint::ListAudit, Needs(Users, Read)),
    route("GET", "/api/audit/verify", Endpoint::VerifyAudit, Needs(Users, Read)),
    route("GET", "/api/audit/export", Endpoint::ExportAudit, Needs(Users, Read)),
    route("GET", "/api/audit/forwarding", Endpoint::AuditForwarding, Needs(Users, Read)),
    route("GET", "/api/settings/token-policy", Endpoint::GetTokenPolicy, SignedIn),
    route("PUT", "/api/settings/token-policy", Endpoint::SetTokenPolicy, Person(Users, Write)),
    route("POST", "/api/secret-scanning", Endpoint::SecretScanning, Signed),
    route("GET", "/api/docs/openapi.json", Endpoint::OpenApi, Public),
];

impl Route {
    /// The path with its `{name}` segments filled, in order, by `params`: what a client
    /// calls (the SPA builds every URL it asks the API for this way).
    pub fn url(&self, params: &[&str]) -> String {
        let mut params = params.iter();
        self.path
            .split('/')
            .map(|segment| match segment.starts_with('{') {
                true => params.next().copied().unwrap_or_default(),
                false => segment,
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl Endpoint {
    /// The route of this endpoint (each endpoint has exactly one).
    pub fn route(self) -> &'static Route {
        ROUTES
            .iter()
            .find(|r| r.endpoint == self)
            .unwrap_or(&ROUTES[0])
    }

    pub fn access(self) -> Access {
        self.route().access
    }

    /// Endpoints Telegraf agents call: token only, with the exact 401 messages of SPEC 5.
    pub fn is_agent(self) -> bool {
        matches!(self.access(), Access::Agent(..))
    }

    /// Endpoints anyone may call: everything else needs a session or an API token.
    pub fn is_public(self) -> bool {
        self.access() == Access::Public
    }
}

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
    fn every_route_builds_a_url_that_resolves_back_to_it_with_its_parameters() {
        for route in ROUTES {
            let params: Vec<String> = (0..route.path.matches('{').count())
                .map(|i| format!("p{i}-{:?}", route.endpoint).to_lowercase())
                .collect();
            let given: Vec<&str> = params.iter().map(String::as_str).collect();
            let url = route.url(&given);
            assert!(!url.contains('{'), "{url}");
            assert_eq!(
                resolve(route.method, &url),
                Resolution::Found(route.endpoint, given.clone()),
                "{url}"
            );
        }
        assert_eq!(
            Endpoint::RotateToken.route().url(&["abc"]),
            "/api/tokens/abc/rotate"
        );
    }

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
            Resolution::MethodNotAllowed(vec!["GET", "PATCH", "DELETE", "HEAD"])
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
    fn each_endpoint_has_exactly_one_route_and_agents_and_public_ones_are_few() {
        let mut endpoints = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(endpoints.insert(r.endpoint), "{:?} twice", r.endpoint);
            assert_eq!(r.endpoint.route(), r);
        }
        let public: Vec<Endpoint> = ROUTES
            .iter()
            .filter(|r| r.access == Access::Public)
            .map(|r| r.endpoint)
            .collect();
        assert_eq!(
            public,
            vec![
                Endpoint::Health,
                Endpoint::AuthStatus,
                Endpoint::Setup,
                Endpoint::Login,
                Endpoint::OpenApi
            ]
        );
        assert_eq!(
            Endpoint::TransferOwnership.access(),
            Access::Person(Resource::Users, Action::Write),
            "ownership moves only by a person's act"
        );
        let agent: Vec<Endpoint> = ROUTES
            .iter()
            .filter(|r| matches!(r.access, Access::Agent(..)))
            .map(|r| r.endpoint)
            .collect();
        assert_eq!(agent, vec![Endpoint::ConfigToml, Endpoint::Heartbeat]);
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
