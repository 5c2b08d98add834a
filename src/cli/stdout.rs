//! Standard output that never panics.
//!
//! `print!` panics when standard output is a pipe whose reader has gone
//! (`smpolicy diff A B | head -1`): Rust ignores SIGPIPE, so the write fails
//! with `BrokenPipe`. Everything the CLI prints goes through here instead (the
//! binary's `print!`/`println!` macros, and [`Stdout`] for writers): the first
//! failed write is remembered and every later write is dropped. At the end,
//! [`finish`] keeps the command's exit code when the reader simply went away
//! (the verdict does not change because nobody read it), and turns any other
//! failure (a full disk, a closed descriptor) into an error: output that was
//! lost is never reported as success.

use super::Exit;
use std::io::{ErrorKind, Write};
use std::sync::Mutex;

/// The first error writing standard output, if any.
static FAILED: Mutex<Option<std::io::Error>> = Mutex::new(None);

/// Whether standard output has failed (later writes are dropped).
pub fn failed() -> bool {
    FAILED.lock().map(|f| f.is_some()).unwrap_or(true)
}

fn remember(e: std::io::Error) -> std::io::Error {
    let copy = std::io::Error::new(e.kind(), e.to_string());
    if let Ok(mut f) = FAILED.lock() {
        if f.is_none() {
            *f = Some(e);
        }
    }
    copy
}

/// Standard output as a writer: errors are returned (so a loop can stop) and
/// remembered; after the first one, every write fails at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if failed() {
            return Err(ErrorKind::BrokenPipe.into());
        }
        std::io::stdout().lock().write(buf).map_err(remember)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if failed() {
            return Err(ErrorKind::BrokenPipe.into());
        }
        std::io::stdout().lock().write_all(buf).map_err(remember)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if failed() {
            return Err(ErrorKind::BrokenPipe.into());
        }
        std::io::stdout().lock().flush().map_err(remember)
    }
}

/// What `print!` does in this binary.
pub fn print(args: std::fmt::Arguments<'_>) {
    let _ = Stdout.write_fmt(args);
}

/// What `eprint!` does in this binary: a failure is ignored (there is nowhere
/// left to report it).
pub fn eprint(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// Flushes standard output and gives the exit code: `code` when everything
/// was written or the reader went away, [`Exit::Error`] (with a message) when
/// output was lost for another reason.
pub fn finish(code: Exit) -> Exit {
    let _ = Stdout.flush();
    let failure = FAILED.lock().ok().and_then(|mut f| f.take());
    match failure {
        None => code,
        Some(e) if e.kind() == ErrorKind::BrokenPipe => code,
        Some(e) => {
            eprint(format_args!("error: cannot write to standard output: {e}\n"));
            Exit::Error
        }
    }
}
