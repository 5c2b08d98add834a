//! Every shipped policy parses, checks clean and round-trips through `fmt`.
