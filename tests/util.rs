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

/// Every scenario and shipped policy (`tests/scenarios/*.policy`, `policies/*.policy`), in name order.
pub fn all_policies() -> Vec<SourceFile> {
    let mut out = Vec::new();
    for dir in ["tests/scenarios", "policies"] {
        let mut paths: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "policy"))
            .collect();
        paths.sort();
        for p in paths {
            out.push(source(format!("{dir}/{}", p.file_name().unwrap().to_string_lossy())));
        }
    }
    assert!(out.len() > 30, "expected the scenario and shipped policies");
    out
}
