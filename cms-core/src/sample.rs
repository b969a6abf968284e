//! Sample content.
