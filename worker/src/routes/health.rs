//! `GET /api/health`: answers without touching D1, so it measures only that the worker runs.

use shared::api::Health;
use worker::Response;

pub fn get() -> Response {
    crate::response::json(
        200,
        &Health {
            status: "ok".to_owned(),
        },
    )
}
