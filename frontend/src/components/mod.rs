//! Pieces used by more than one page, or big enough to stand alone.

pub mod badges;
pub mod bulk_confirm;
pub mod choices;
pub mod confirm_dialog;
pub mod copy_button;
pub mod create_token_dialog;
pub mod delete_token_dialog;
pub mod form;
pub mod loaded;
pub mod modal;
pub mod notice;
pub mod paged;
pub mod password_dialog;
pub mod permissions_grid;
pub mod reach;
pub mod ready_lines;
pub mod reassign_dialog;
pub mod rotate_dialog;
#[cfg(test)]
mod testing;
pub mod time_cell;
