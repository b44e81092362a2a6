//! Pieces used by more than one page, or big enough to stand alone.

pub mod bulk_confirm;
pub mod confirm_dialog;
pub mod create_token_dialog;
pub mod delete_token_dialog;
pub mod modal;
pub mod notice;
pub mod reassign_dialog;
pub mod time_cell;
