//! The Cloudflare Worker: the JSON API under `/api`, backed by D1. Static assets (the SPA) are
//! served by the Workers assets layer before this code runs; see `wrangler.toml`.

mod agent;
mod auth;
mod browser;
mod context;
mod db;
mod error;
mod forward;
mod http;
mod password;
mod platform;
mod principal;
mod response;
pub(crate) mod routes;
mod schedule;

use worker::{
    event, Context, Env, MessageBatch, Request, Response, Result, ScheduleContext, ScheduledEvent,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    // Never an `Err`: the runtime would answer it with a bare 500.
    Ok(routes::handle(req, env, ctx).await)
}

/// The daily Cron Trigger: expiry notice, housekeeping, audit sealing (`schedule.rs`).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    schedule::run(&env).await;
}

/// The audit forwarding queue and its dead-letter queue (`forward.rs`).
#[event(queue)]
async fn queue(batch: MessageBatch<forward::Forward>, env: Env, _ctx: Context) -> Result<()> {
    forward::consume(batch, &env).await
}
