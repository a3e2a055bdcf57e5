//! Purchase order pages: the list (a partner's inbox, a brand's orders), creating and importing
//! drafts, the order page with its decisions, the evidence bundle.

pub mod create;
pub mod import;
pub mod kitting;
pub mod list;
pub mod page;
pub mod progress;
pub mod qc;
pub mod samples;
pub mod shipping;
pub mod view;

use super::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(list::routes())
        .merge(create::routes())
        .merge(import::routes())
        .merge(kitting::routes())
        .merge(page::routes())
        .merge(progress::routes())
        .merge(qc::routes())
        .merge(samples::routes())
        .merge(shipping::routes())
}

/// A fresh one-time token for a decision form, so a resubmitted form takes effect once.
pub fn submission_token() -> String {
    crate::auth::tokens::new_token()[..32].to_owned()
}
