//! One module per route.

pub mod agents;
pub mod audit;
pub mod configs;
pub mod not_found;
pub mod settings;
pub mod setup;
pub mod signin;
pub mod token_detail;
pub mod tokens;
pub mod user_impact;
pub mod users;
