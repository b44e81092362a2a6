//! The one context every handler receives: the request, the environment, D1 opened once, one
//! `now` for the whole request and, on authenticated routes, who is calling. Public routes get
//! a `Ctx<()>`, so a handler that needs a principal cannot be reached without one.

use crate::db;
use crate::error::ApiError;
use crate::platform::now_ms;
use crate::principal::Principal;
use shared::audit::{clean_address, clean_user_agent};
use worker::{D1Database, Env, Request};

pub struct Ctx<'r, Who = Principal> {
    pub req: &'r mut Request,
    pub env: &'r Env,
    pub db: D1Database,
    /// One instant for everything the request decides and records.
    pub now: i64,
    pub who: Who,
}

impl<'r> Ctx<'r, ()> {
    pub fn new(req: &'r mut Request, env: &'r Env) -> Result<Self, ApiError> {
        Ok(Self {
            db: db::database(env)?,
            now: now_ms(),
            req,
            env,
            who: (),
        })
    }

    /// The same request, now known to come from `who`.
    pub fn signed_in(self, who: Principal) -> Ctx<'r, Principal> {
        Ctx {
            req: self.req,
            env: self.env,
            db: self.db,
            now: self.now,
            who,
        }
    }
}

impl<W> Ctx<'_, W> {
    /// Where the request came from, as an audit entry keeps it.
    pub fn origin(&self) -> db::audit::Origin {
        let agent = self.req.headers().get("User-Agent").ok().flatten();
        db::audit::Origin {
            ip: clean_address(crate::http::client_ip(self.req).as_deref()),
            user_agent: clean_user_agent(agent.as_deref()),
        }
    }
}

impl Ctx<'_, Principal> {
    /// Who is acting, for an audit entry: the caller, and where the request came from.
    pub fn audit_actor(&self) -> db::audit::Actor {
        db::audit::Actor {
            origin: Some(self.origin()),
            ..self.who.audit_actor()
        }
    }
}
