//! The one context every handler receives: the request, the environment, D1 opened once, one
//! `now` for the whole request and, on authenticated routes, who is calling. Public routes get
//! a `Ctx<()>`, so a handler that needs a principal cannot be reached without one.

use crate::db;
use crate::error::ApiError;
use crate::platform::now_ms;
use crate::principal::Principal;
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
