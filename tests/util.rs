//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test module uses a different subset")]
#![allow(clippy::panic, reason = "a missing test file should stop the test loudly")]

use smpolicy::diagnostic::{render, Diagnostic, RenderOptions};
use smpolicy::source::SourceFile;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a file relative to the repository root into a `SourceFile` named by that relative path.
pub fn source(rel: impl AsRef<Path>) -> SourceFile {
    let rel = rel.as_ref();
    let text = std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
    SourceFile::new(rel.to_string_lossy().replace('\\', "/"), text)
}

/// Renders diagnostics as a user sees them: no colour, 80 columns.
pub fn render_all(diags: &[Diagnostic], file: &SourceFile) -> String {
    diags.iter().map(|d| render(d, file, RenderOptions { color: false, width: 80 })).collect::<Vec<_>>().join("\n")
}
