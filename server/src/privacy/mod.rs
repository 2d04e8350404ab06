//! What the shop keeps about shoppers, and for how long.
//!
//! - `urls`: page addresses are stored without their query string and fragment unless
//!   the merchant keeps them (`keep_url_query`): queries carry emails, order numbers,
//!   reset tokens and campaign ids the shop does not need to answer anyone.
//! - `retention`: feedback and ended conversations older than the configured periods
//!   are deleted by every instance, hourly.
//! - `erase`: everything about one shopper (by visitor id or email) deleted at once, for
//!   a GDPR erasure request: `shopdesk-server forget` and `POST /v1/admin/forget`.

pub mod erase;
pub mod retention;
pub mod urls;
