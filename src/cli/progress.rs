//! Progress on standard error for long work (`diff`, `compare`, `test`,
//! `eval --batch`), drawn with indicatif only when standard error is a
//! terminal, so pipes, files and CI logs stay clean.

use smpolicy::work::Work;
use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A bar (with `len`) or a spinner on standard error, when it is a terminal.
pub fn bar(len: Option<u64>, with_len: &str, without: &str) -> Option<indicatif::ProgressBar> {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let (bar, template) = match len {
        Some(len) => (ProgressBar::new(len), with_len),
        None => (ProgressBar::new_spinner(), without),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
    Some(bar)
}

/// Runs `f` with a [`Work`] whose progress is shown as `what` (`diff`: "nodes
/// of the search", a spinner; `compare`: "policies and situations", a bar) and
/// cleared when it ends.
pub fn run<T>(what: &str, f: impl FnOnce(&Work) -> T) -> T {
    let work = Work::new();
    if !std::io::stderr().is_terminal() {
        return f(&work);
    }
    let finished = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut shown: Option<(indicatif::ProgressBar, Option<u64>)> = None;
            // Nothing is drawn for work done within half a second.
            std::thread::sleep(Duration::from_millis(500));
            while !finished.load(Ordering::Relaxed) {
                let (done, total) = work.progress();
                if shown.as_ref().is_none_or(|(_, t)| *t != total) {
                    shown = bar(
                        total,
                        &format!("{what} {{pos}}/{{len}} [{{bar:30}}] {{elapsed}}"),
                        &format!("{{spinner}} {what}: {{pos}} so far, {{elapsed}}"),
                    )
                    .map(|b| (b, total));
                }
                if let Some((b, _)) = &shown {
                    b.set_position(done);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if let Some((b, _)) = shown {
                b.finish_and_clear();
            }
        });
        let out = f(&work);
        finished.store(true, Ordering::Relaxed);
        out
    })
}
