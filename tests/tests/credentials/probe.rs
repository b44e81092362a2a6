//! How each route is called, with fresh fixtures where a call changes them.

use super::*;

/// How to call `endpoint` for call number `n`, with fresh fixtures where it changes them.
pub(super) async fn probe(endpoint: Endpoint, fx: &Fixtures, n: usize) -> Probe {
    use Endpoint as E;
    use Method as M;
    let route = endpoint.route();
    let method = M::from_bytes(route.method.as_bytes()).unwrap();
    let on = |id: &str| route.path.replace("{id}", id);
    match endpoint {
        E::Health | E::AuthStatus | E::OpenApi => Probe::new(method, route.path, 200),
        E::Setup => Probe::new(method, route.path, 409)
            .body(json!({"username": "again", "password": PASSWORD})),
        E::Login => Probe::new(method, route.path, 200)
            .body(json!({"username": "owner", "password": PASSWORD})),
        E::SecretScanning => Probe::new(method, route.path, 401).body(json!([])),
        E::Logout => Probe::new(method, route.path, 204).body(json!({})),
        E::Me
        | E::ListUsers
        | E::ListTokens
        | E::TokenCapabilities
        | E::ListConfigs
        | E::ListAgents
        | E::ListAudit
        | E::VerifyAudit
        | E::ExportAudit
        | E::AuditForwarding
        | E::GetTokenPolicy => Probe::new(method, route.path, 200),
        // No limit, set again: allowed calls change nothing the table goes on to use.
        E::SetTokenPolicy => Probe::new(method, route.path, 200)
            .body(json!({"maxLifetime": null, "requireExpiry": false})),
        // Past the access check a too-short password is refused and nothing changes (a real
        // change would end the sessions the table goes on using).
        E::ChangePassword => Probe::new(method, route.path, 400)
            .body(json!({"currentPassword": PASSWORD, "newPassword": "short"})),
        E::CreateUser => Probe::new(method, route.path, 201)
            .body(json!({"username": format!("made{n}"), "password": PASSWORD, "role": "viewer"})),
        E::UpdateUser => Probe::new(method, on(&fx.user(format!("upd{n}"), "viewer").await), 200)
            .body(json!({"disabled": true})),
        E::DeleteUser => Probe::new(method, on(&fx.user(format!("del{n}"), "viewer").await), 204),
        E::SetPassword => Probe::new(method, on(&fx.user(format!("pw{n}"), "viewer").await), 204)
            .body(json!({"newPassword": "a new password for them"})),
        E::TransferOwnership => {
            let heir = fx.user(format!("heir{n}"), "administrator").await;
            Probe::new(method, on(&heir), 200).body(json!({}))
        }
        E::CreateToken => Probe::new(method, route.path, 201)
            .body(json!({"name": format!("created {n}"), "permissions": "configs:read"})),
        E::GetToken | E::TokenHistory => Probe::new(method, on(&fx.token(n).await), 200),
        E::RevokeToken => Probe::new(method, on(&fx.token(n).await), 200).body(json!({})),
        E::DeleteToken => Probe::new(method, on(&fx.token(n).await), 204),
        E::UpdateToken => Probe::new(method, on(&fx.token(n).await), 200)
            .body(json!({"configScope": [fx.config(n).await]})),
        E::RotateToken => {
            Probe::new(method, on(&fx.token(n).await), 200).body(json!({"overlap": "PT1H"}))
        }
        E::ReassignToken => {
            let to = fx.user(format!("mover{n}"), "manager").await;
            Probe::new(method, on(&fx.token(n).await), 200).body(json!({"userId": to}))
        }
        E::BulkDeleteTokens | E::BulkRevokeTokens => {
            Probe::new(method, route.path, 200).body(json!({"ids": [fx.token(n).await]}))
        }
        E::BulkReassignTokens => {
            let to = fx.user(format!("bulkmover{n}"), "manager").await;
            Probe::new(method, route.path, 200)
                .body(json!({"ids": [fx.token(n).await], "userId": to}))
        }
        E::CreateConfig => Probe::new(method, route.path, 201)
            .body(json!({"name": format!("config {n}"), "toml": "a = 1"})),
        E::GetConfig | E::ConfigToml => Probe::new(method, on(&fx.config(n).await), 200),
        E::UpdateConfig => Probe::new(method, on(&fx.config(n).await), 200)
            .body(json!({"name": format!("renamed {n}"), "toml": "a = 2"})),
        E::DeleteConfig => Probe::new(method, on(&fx.config(n).await), 204),
        E::Heartbeat => Probe::new(method, route.path, 204)
            .body(json!({"id": format!("agent-{n}"), "version": "Telegraf 1.39.0"})),
    }
}
