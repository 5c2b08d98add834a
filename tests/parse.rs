//! Parse errors, rendered as a user sees them.
