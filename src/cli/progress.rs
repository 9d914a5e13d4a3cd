//! A progress display (indicatif) for long audits on an interactive terminal: the stage and
//! the time so far. Silent when stderr is not a terminal (cron, systemd, pipes).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A spinner on stderr if it is a terminal, else nothing at all.
    pub fn on_terminal() -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress { bar }
    }

    pub fn stage(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    /// Clears the display before the summary is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
