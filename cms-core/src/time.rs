//! Time helpers: all stored timestamps are UTC, truncated to whole seconds so
//! both backends store, compare and round-trip them identically.

use chrono::{NaiveDateTime, Timelike, Utc};

/// Now, in UTC, to the second.
pub fn now() -> NaiveDateTime {
    let n = Utc::now().naive_utc();
    n.with_nanosecond(0).unwrap_or(n)
}

/// Truncates a timestamp to whole seconds.
pub fn truncate(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(0).unwrap_or(t)
}
