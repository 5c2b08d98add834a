//! Checker diagnostics, rendered as a user sees them.
