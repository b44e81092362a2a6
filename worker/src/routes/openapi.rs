//! `GET /api/docs/openapi.json`: the OpenAPI 3 document, built in `shared` from the same route
//! table the worker dispatches on.

use worker::Response;

pub fn get() -> Response {
    crate::response::json(200, &shared::openapi::document())
}
