//! The server's edges: what every request meets before a handler runs, and how every
//! refusal reads. Handlers only do their job and return `Result<_, ApiError>`.
//!
//! - [`ApiError`]: one shape for every refusal (`{"error": …, "field": …}`, with
//!   `Retry-After` when there is a time to come back), so a merchant's integration
//!   reads them all the same way.
//! - [`shopfront`]: the guard of every route store pages call: the origin allow-list,
//!   CORS headers on every answer (refusals included) and preflights, and one
//!   rate-limit budget per client across all of them.
//! - [`connections`]: the accept loop: a connection cap, hyper's header-read timeout,
//!   draining at shutdown.
//! - [`Checked`]: a JSON body of a wire type, its content type and size checked, read
//!   and checked by the type itself (naming the bad field).

pub mod connections;
mod error;
mod json;
pub mod shopfront;

pub use error::ApiError;
pub use json::{Checked, Contract};
pub use shopfront::Shopfront;
