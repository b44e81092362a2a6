//! Each endpoint's operation: what it does, its parameters, its body and its answers. The
//! match is exhaustive, so an endpoint cannot be added without its documentation.

use super::*;

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

pub(super) fn operation(endpoint: Endpoint) -> Op<'static> {
    let op = |id, summary, tag| Op {
        id,
        summary,
        tag,
        id_param: false,
        query: vec![],
        body: None,
        responses: vec![],
    };
    let not_found = || error("404", "No such token visible to the caller");
    let user_not_found = || error("404", "No such user");
    match endpoint {
        Endpoint::Health => Op { responses: vec![ok("200", "The worker runs", "Health")], ..op("health", "Liveness check", "system") },
        Endpoint::OpenApi => Op { responses: vec![(String::from("200"), json!({ "description": "This document", "content": { "application/json": { "schema": { "type": "object" } } } }))], ..op("openapi", "This OpenAPI document", "system") },
        Endpoint::AuthStatus => Op { responses: vec![ok("200", "Whether first-run setup is still needed", "AuthStatus")], ..op("authStatus", "First-run status", "auth") },
        Endpoint::Setup => Op {
            body: Some("SetupRequest"),
            responses: vec![ok("201", "The Owner, signed in (Set-Cookie)", "UserEnvelope"), error("403", "Sent from another origin"), error("409", "Setup already done")],
            ..op("setup", "Create the Owner while no user exists", "auth")
        },
        Endpoint::Login => Op {
            body: Some("LoginRequest"),
            responses: vec![ok("200", "Signed in (Set-Cookie: the session, and a device cookie that makes this browser a known one)", "UserEnvelope"), error("401", "Wrong username or password"), error("403", "Account disabled, or sent from another origin"), error("429", "Too many attempts from browsers without a valid device cookie: 20 a minute from this address, 5 in 15 minutes for this username from this address, or 50 an hour for this username (a browser with one has 5 in 15 minutes of its own, then counts as unknown); see Retry-After")],
            ..op("login", "Sign in", "auth")
        },
        Endpoint::Logout => Op { responses: vec![empty("204", "Signed out; the cookie is cleared")], ..op("logout", "Sign out", "auth") },
        Endpoint::Me => Op { responses: vec![ok("200", "The signed-in user", "UserEnvelope"), error("404", "The bootstrap token has no user")], ..op("me", "Who am I", "auth") },
        Endpoint::ListUsers => Op { responses: vec![ok("200", "All users", "UserList")], ..op("listUsers", "List users", "users") },
        Endpoint::CreateUser => Op { body: Some("CreateUserRequest"), responses: vec![ok("201", "The new user", "User"), error("403", "The role outranks the caller's, or is Owner (never granted, only transferred)"), error("409", "Username taken, or the instance has no Owner yet")], ..op("createUser", "Create a user", "users") },
        Endpoint::UpdateUser => Op {
            id_param: true,
            body: Some("UpdateUserRequest"),
            responses: vec![ok("200", "The changed user", "User"), error("403", "The user or the new role outranks the caller, or the role is Owner"), user_not_found(), error("409", "The Owner: transfer ownership first")],
            ..op("updateUser", "Change a user's role or disabled flag (demotion to Viewer revokes their tokens)", "users")
        },
        Endpoint::DeleteUser => Op { id_param: true, responses: vec![empty("204", "Deleted with their tokens"), error("403", "The user outranks the caller"), user_not_found(), error("409", "The Owner: transfer ownership first")], ..op("deleteUser", "Delete a user and their tokens", "users") },
        Endpoint::TransferOwnership => Op {
            id_param: true,
            responses: vec![ok("200", "The new Owner; the former Owner is now an Administrator", "User"), error("403", "Only the Owner, signed in (never with a token)"), user_not_found(), error("409", "The user is disabled")],
            ..op("transferOwnership", "Hand the Owner role to another user", "users")
        },
        Endpoint::ChangePassword => Op {
            body: Some("ChangePasswordRequest"),
            responses: vec![empty("204", "Changed; the account's other sessions have ended, this one stays"), error("403", "wrong_password: the current password is not correct"), error("429", "Five password checks for this account in 15 minutes (counted apart from sign-in); see Retry-After")],
            ..op("changePassword", "Change your own password", "auth")
        },
        Endpoint::SetPassword => Op {
            id_param: true,
            body: Some("SetPasswordRequest"),
            responses: vec![empty("204", "Set; every session of that user has ended"), error("403", "The user outranks the caller, or is the caller (use changePassword)"), user_not_found()],
            ..op("setPassword", "Set another user's password (Owners and Administrators, in person)", "users")
        },
        Endpoint::ListTokens => Op {
            query: vec![
                query("status", "Only tokens in this state; expiring: active and expiring within 7 days", json!({ "type": "string", "enum": crate::listing::StatusFilter::all().map(|s| s.as_str()).collect::<Vec<_>>() })),
                query("q", "Case-insensitive part of the description or of the owner's name, or the hint's last four characters (alone or as the whole hint)", json!({ "type": "string", "maxLength": 255 })),
                query("owner", "Only this user's tokens", json!({ "type": "string", "format": "uuid" })),
                query("policy", "beyond: only tokens beyond the organisation's lifetime policy (never expiring, or expiring later than it allows from now)", json!({ "type": "string", "enum": ["beyond"] })),
                query("sort", "Sort key", json!({ "type": "string", "enum": ["createdAt", "name", "lastUsedAt", "expiresAt"], "default": "createdAt" })),
                query("order", "Sort direction", json!({ "type": "string", "enum": ["asc", "desc"], "default": "desc" })),
                query("limit", "Page size", json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50 })),
                query("cursor", "nextCursor of the previous page (same sort and order)", json!({ "type": "string" })),
            ],
            responses: vec![ok("200", "One page of tokens", "TokenList")],
            ..op("listTokens", "List tokens (Owner/Administrator: all; Manager: own)", "tokens")
        },
        Endpoint::CreateToken => Op {
            body: Some("CreateTokenRequest"),
            responses: vec![ok("201", "The token and its secret, shown this once (created with a token, it expires no later than that token)", "CreatedToken"), error("403", "permission_exceeds_role, or beyond_token_policy: the expiry (or none) is beyond the organisation's lifetime policy"), error("409", "token_name_conflict, token_value_conflict, or no_owner (the bootstrap token before setup)"), error("503", "misconfigured: a pre-shared rawToken while DISABLE_PRESHARED_TOKENS is neither true nor false")],
            ..op("createToken", "Create a token", "tokens")
        },
        Endpoint::TokenCapabilities => Op { responses: vec![ok("200", "What token creation allows here", "Capabilities"), error("503", "misconfigured: DISABLE_PRESHARED_TOKENS is neither true nor false")], ..op("tokenCapabilities", "Token creation capabilities", "tokens") },
        Endpoint::BulkDeleteTokens => Op {
            body: Some("BulkRequest"),
            responses: vec![ok("200", "All deleted", "BulkDeleted"), error("404", "Some ids match no token you can manage; nothing changed")],
            ..op("bulkDeleteTokens", "Delete 1 to 1,000 tokens, all or none", "tokens")
        },
        Endpoint::BulkRevokeTokens => Op {
            body: Some("BulkRequest"),
            responses: vec![ok("200", "All revoked", "BulkRevoked"), error("404", "Some ids match no token you can manage; nothing changed"), error("409", "Some are already revoked; nothing changed")],
            ..op("bulkRevokeTokens", "Revoke 1 to 1,000 tokens, all or none", "tokens")
        },
        Endpoint::BulkReassignTokens => Op {
            body: Some("BulkReassignRequest"),
            responses: vec![ok("200", "All reassigned", "BulkReassigned"), error("404", "Unknown user, or ids that match no token; nothing changed")],
            ..op("bulkReassignTokens", "Reassign 1 to 1,000 tokens to a user, all or none", "tokens")
        },
        Endpoint::GetToken => Op { id_param: true, responses: vec![ok("200", "The token", "Token"), not_found()], ..op("getToken", "One token", "tokens") },
        Endpoint::TokenHistory => Op { id_param: true, responses: vec![ok("200", "Newest first", "EventList"), not_found()], ..op("tokenHistory", "A token's history", "tokens") },
        Endpoint::RevokeToken => Op { id_param: true, responses: vec![ok("200", "The revoked token", "Token"), not_found(), error("409", "Already revoked")], ..op("revokeToken", "Revoke a token (irreversible)", "tokens") },
        Endpoint::ReassignToken => Op {
            id_param: true,
            body: Some("ReassignRequest"),
            responses: vec![ok("200", "The reassigned token", "Token"), error("404", "No such token or user")],
            ..op("reassignToken", "Move a token to another user", "tokens")
        },
        Endpoint::ListConfigs => Op { responses: vec![ok("200", "All configurations", "ConfigList")], ..op("listConfigs", "List configurations", "configs") },
        Endpoint::CreateConfig => Op {
            body: Some("ConfigRequest"),
            responses: vec![ok("201", "The new configuration", "Config"), error("409", "Name taken")],
            ..op("createConfig", "Create a configuration (the TOML must parse; a 400 names line and column)", "configs")
        },
        Endpoint::GetConfig => Op { id_param: true, responses: vec![ok("200", "The configuration", "Config"), error("404", "No such configuration")], ..op("getConfig", "One configuration", "configs") },
        Endpoint::UpdateConfig => Op {
            id_param: true,
            body: Some("ConfigRequest"),
            responses: vec![ok("200", "The saved configuration", "Config"), error("404", "No such configuration"), error("409", "Name taken")],
            ..op("updateConfig", "Replace a configuration's name and TOML", "configs")
        },
        Endpoint::DeleteConfig => Op { id_param: true, responses: vec![empty("204", "Deleted"), error("404", "No such configuration")], ..op("deleteConfig", "Delete a configuration", "configs") },
        Endpoint::ConfigToml => Op {
            id_param: true,
            responses: vec![
                (String::from("200"), json!({ "description": "The TOML, with Last-Modified (HEAD: headers only)", "headers": { "Last-Modified": { "schema": { "type": "string" } } }, "content": { "application/toml": { "schema": { "type": "string" } } } })),
                empty("304", "Not modified since If-Modified-Since"),
                error("404", "No such configuration"),
            ],
            ..op("configToml", "The configuration as TOML, for Telegraf's --config (needs configs:read)", "agents")
        },
        Endpoint::ListAgents => Op {
            query: vec![
                query("state", "Only agents in this state", json!({ "type": "string", "enum": crate::agent::AgentState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>() })),
                query("q", "Only agents whose id or hostname contains this (ASCII letters in any case)", json!({ "type": "string", "maxLength": 255 })),
                query("token", "Only agents whose latest heartbeat used this token", json!({ "type": "string", "format": "uuid" })),
                query("cursor", "nextCursor of the previous page", json!({ "type": "string" })),
                query("limit", "Page size", json!({ "type": "integer", "minimum": 1, "maximum": crate::agent::MAX_AGENT_PAGE, "default": crate::agent::AGENT_PAGE })),
            ],
            responses: vec![ok("200", "One page of agents that sent a heartbeat, most recently seen first", "AgentList")],
            ..op("listAgents", "List agents", "agents")
        },
        Endpoint::Heartbeat => Op {
            body: Some("Heartbeat"),
            responses: vec![empty("204", "Recorded")],
            ..op("heartbeat", "Telegraf's heartbeat output plugin posts here (needs heartbeat:write)", "agents")
        },
        Endpoint::UpdateToken => Op {
            id_param: true,
            body: Some("UpdateTokenRequest"),
            responses: vec![ok("200", "The token as changed; an agent's very next request is judged by it", "Token"), not_found(), error("400", "A malformed field, or a configuration that does not exist"), error("403", "A token would give a scope wider than its own, or change a token that can do more than it")],
            ..op("updateToken", "Change a token's configuration scope", "tokens")
        },
        Endpoint::RotateToken => Op {
            id_param: true,
            body: Some("RotateRequest"),
            responses: vec![ok("200", "The same token with a new secret, shown this once; the previous secret works until previousValidUntil", "CreatedToken"), not_found(), error("403", "The token can do more than the caller, a token would rotate one that outlives it, or beyond_token_policy: the token lives beyond the organisation's lifetime policy"), error("409", "Revoked or expired tokens are not rotated")],
            ..op("rotateToken", "Replace a token's secret, keeping the old one for an overlap window", "tokens")
        },
        Endpoint::ListAudit => Op {
            query: vec![
                query("actor", "Only entries by this username (as recorded; case-insensitive)", json!({ "type": "string", "maxLength": 255 })),
                query("action", "Only this action", json!({ "type": "string", "enum": crate::audit::AuditAction::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>() })),
                query("outcome", "Only entries that ended so (entries from before outcomes were recorded are successes)", json!({ "type": "string", "enum": crate::audit::Outcome::ALL.iter().map(|o| o.as_str()).collect::<Vec<_>>() })),
                query("kind", "Only entries by this kind of actor", json!({ "type": "string", "enum": ["user", "token", "bootstrap_token", "secret_scanning", "system"] })),
                query("cursor", "nextCursor of the previous page", json!({ "type": "string", "pattern": "^[1-9][0-9]{0,17}$" })),
                query("limit", "Page size", json!({ "type": "integer", "minimum": 1, "maximum": crate::audit::MAX_PAGE, "default": crate::audit::DEFAULT_PAGE })),
            ],
            responses: vec![ok("200", "One page, newest first", "AuditList"), error("503", "misconfigured: AUDIT_KEY is malformed (the message says how)")],
            ..op("listAudit", "The audit log", "audit")
        },
        Endpoint::VerifyAudit => Op {
            query: vec![
                query("after", "Go on from an earlier part: its next (with head); from the first entry without", json!({ "type": "integer", "minimum": 1 })),
                query("head", "The earlier part's head, which the first entry checked here must link to", json!({ "type": "string", "pattern": "^[0-9a-f]{64}$" })),
            ],
            responses: vec![ok("200", "Whether every entry of this part (up to 5,000) links to the one before and matches its hash (an HMAC under its AUDIT_KEY key when keyed); names the first that does not; next, when the log goes on", "AuditVerification"), error("400", "after without head or the reverse, a malformed one, or an unknown parameter"), error("503", "misconfigured: AUDIT_KEY is malformed (the message says how)")],
            ..op("verifyAudit", "Recompute the audit log's hash chain", "audit")
        },
        Endpoint::ExportAudit => Op {
            query: vec![query("from", "The first entry's seq (default 1); up to 5,000 entries an answer, and a Link header (rel=next) to the next part when the log goes on", json!({ "type": "integer", "minimum": 1 }))],
            responses: vec![
                (String::from("200"), json!({ "description": "Every sealed entry from `from` on, oldest first: per entry every field its hash covers, its prevHash and hash (one JSON object a line; with Accept: text/csv, CSV with a header row)", "content": { "application/x-ndjson": { "schema": { "$ref": "#/components/schemas/ExportLine" } }, "text/csv": { "schema": { "type": "string" } } } })),
                error("400", "from is not a positive whole number, or an unknown parameter"),
                error("503", "misconfigured: AUDIT_KEY is malformed (the message says how)"),
            ],
            ..op("exportAudit", "Export the audit log for verification anywhere (scripts/verify-audit.mjs)", "audit")
        },
        Endpoint::AuditForwarding => Op {
            responses: vec![ok("200", "How forwarding audit entries to AUDIT_WEBHOOK_URL (through Cloudflare Queues) stands", "AuditForwarding"), error("503", "misconfigured: AUDIT_WEBHOOK_URL is not an http(s) URL")],
            ..op("auditForwarding", "The audit log's forwarding state", "audit")
        },
        Endpoint::GetTokenPolicy => Op {
            responses: vec![ok("200", "The organisation's token lifetime policy, which every new token and rotation must meet", "TokenPolicySettings")],
            ..op("getTokenPolicy", "The token lifetime policy", "settings")
        },
        Endpoint::SetTokenPolicy => Op {
            body: Some("TokenPolicyRequest"),
            responses: vec![ok("200", "The policy as set; existing tokens beyond it are marked (lifetimePolicy: beyond), never changed", "TokenPolicySettings"), error("400", "maxLifetime is not a duration in days or weeks, or longer than 36,525 days"), error("403", "Only the Owner, signed in (never with a token)")],
            ..op("setTokenPolicy", "Set the token lifetime policy (the Owner, in person)", "settings")
        },
        Endpoint::SecretScanning => Op {
            body: Some("SecretScanningReport"),
            responses: vec![ok("200", "One verdict per reported string; every true positive is now revoked", "SecretScanningVerdicts"), error("503", "misconfigured: SECRET_SCANNING_KEYS or SECRET_SCANNING_KEYS_URL is malformed, or the list at the URL cannot be had (the message says which and how)")],
            ..op("secretScanning", "Leaked-token reports from a secret scanner (GitHub's partner format), signed with ECDSA P-256", "secret scanning")
        },
        Endpoint::DeleteToken => Op { id_param: true, responses: vec![empty("204", "Deleted with its history"), not_found()], ..op("deleteToken", "Delete a token and its history (irreversible)", "tokens") },
    }
}
