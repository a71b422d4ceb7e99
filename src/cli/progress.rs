//! Progress of a long command (a sweep's runs, a calibration's evaluations) on standard
//! error: a bar on a terminal, plain lines in a log.
//!
//! Why two forms: a batch job's standard error is a file, where a bar that redraws itself
//! is noise and no bar at all leaves a shard silent for hours between its first line and
//! its last. So when standard error is not a terminal, a line is printed at every tenth
//! of the work and, when a tenth takes longer, at least once a minute (a ticker thread,
//! so a slow batch still shows the job is alive). `--quiet` prints neither.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often a log gets a line when no tenth of the work is crossed.
const EVERY: Duration = Duration::from_secs(60);

/// A command's progress, shown as its standard error allows.
pub(super) struct Progress {
    bar: ProgressBar,
    lines: Option<Arc<Lines>>,
    ticker: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// Progress of `len` steps called `unit` ("runs"): a bar in `style` on a terminal,
    /// lines starting with `label` ("loyalsim sweep: NAME") in a log, nothing with
    /// `quiet`.
    pub(super) fn new(
        quiet: bool,
        len: u64,
        unit: &'static str,
        label: String,
        style: impl FnOnce() -> ProgressStyle,
    ) -> Progress {
        if quiet {
            return Progress::hidden();
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            bar.set_style(style());
            return Progress {
                bar,
                lines: None,
                ticker: None,
            };
        }
        Progress::lines(len, unit, label, EVERY, |line| eprintln!("{line}"))
    }

    fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            lines: None,
            ticker: None,
        }
    }

    /// Plain lines through `print`, at every tenth and at least every `every`.
    fn lines(
        len: u64,
        unit: &'static str,
        label: String,
        every: Duration,
        print: impl Fn(&str) + Send + Sync + 'static,
    ) -> Progress {
        let now = Instant::now();
        let lines = Arc::new(Lines {
            label,
            unit,
            len,
            began: now,
            at: Mutex::new(At {
                done: 0,
                tenths: 0,
                last_line: now,
                message: String::new(),
            }),
            print: Box::new(print),
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let ticking = Arc::clone(&lines);
        let ticker = std::thread::spawn(move || {
            loop {
                let wait = {
                    let at = ticking.at.lock().expect("progress lock");
                    every.saturating_sub(at.last_line.elapsed())
                };
                match stopped.recv_timeout(wait) {
                    Err(RecvTimeoutError::Timeout) => {
                        let mut at = ticking.at.lock().expect("progress lock");
                        if at.last_line.elapsed() >= every {
                            ticking.say(&mut at);
                        }
                    }
                    _ => return,
                }
            }
        });
        Progress {
            bar: ProgressBar::hidden(),
            lines: Some(lines),
            ticker: Some((stop, ticker)),
        }
    }

    /// `done` steps of the work are finished.
    pub(super) fn set_position(&self, done: u64) {
        self.bar.set_position(done);
        if let Some(lines) = &self.lines {
            let mut at = lines.at.lock().expect("progress lock");
            at.done = done;
            let tenths = done.saturating_mul(10) / lines.len.max(1);
            if tenths > at.tenths {
                at.tenths = tenths;
                lines.say(&mut at);
            }
        }
    }

    /// A short note shown after the count ("best objective 0.0123").
    pub(super) fn set_message(&self, message: String) {
        if let Some(lines) = &self.lines {
            lines.at.lock().expect("progress lock").message = message.clone();
        }
        self.bar.set_message(message);
    }

    /// Clears the bar and stops the ticker.
    pub(super) fn finish(mut self) {
        self.bar.finish_and_clear();
        self.stop();
    }

    fn stop(&mut self) {
        if let Some((stop, ticker)) = self.ticker.take() {
            drop(stop);
            let _ = ticker.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The plain lines' state, shared with the ticker.
struct Lines {
    label: String,
    unit: &'static str,
    len: u64,
    began: Instant,
    at: Mutex<At>,
    print: Box<dyn Fn(&str) + Send + Sync>,
}

struct At {
    done: u64,
    /// Tenths of the work already announced.
    tenths: u64,
    last_line: Instant,
    message: String,
}

impl Lines {
    fn say(&self, at: &mut At) {
        at.last_line = Instant::now();
        (self.print)(&line(
            &self.label,
            self.unit,
            at.done,
            self.len,
            self.began.elapsed(),
            &at.message,
        ));
    }
}

/// "loyalsim sweep: NAME: 480/1000 runs (48%) · 12.3 runs/s · 39 s elapsed · about 42 s
/// left".
fn line(label: &str, unit: &str, done: u64, len: u64, elapsed: Duration, message: &str) -> String {
    // Rounded down: 100% only when all is done.
    let percent = (done.saturating_mul(100)).checked_div(len).unwrap_or(100);
    let secs = elapsed.as_secs_f64();
    let mut out = format!("{label}: {done}/{len} {unit} ({percent}%)");
    if !message.is_empty() {
        out.push_str(&format!(" · {message}"));
    }
    if done > 0 && secs > 0.0 {
        let rate = done as f64 / secs;
        out.push_str(&format!(" · {rate:.1} {unit}/s"));
    }
    out.push_str(&format!(" · {} elapsed", duration(secs)));
    if done > 0 && done < len {
        let left = secs * (len - done) as f64 / done as f64;
        if left >= 0.5 {
            out.push_str(&format!(" · about {} left", duration(left)));
        }
    }
    out
}

/// "42 s", "3 min 05 s", "2 h 07 min".
fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording(len: u64, every: Duration) -> (Progress, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = Arc::clone(&seen);
        let p = Progress::lines(len, "runs", "loyalsim sweep: x".into(), every, move |l| {
            into.lock().unwrap().push(l.to_string())
        });
        (p, seen)
    }

    #[test]
    fn a_log_gets_a_line_at_every_tenth() {
        let (p, seen) = recording(200, Duration::from_secs(3600));
        for done in (0..=200).step_by(16).chain([200]) {
            p.set_position(done);
        }
        p.finish();
        let seen = seen.lock().unwrap();
        // 16, 32, …: each tenth announced once, at the first batch that crosses it.
        let counts: Vec<&str> = seen.iter().map(|l| l.split(' ').nth(3).unwrap()).collect();
        assert_eq!(
            counts,
            [
                "32/200", "48/200", "64/200", "80/200", "112/200", "128/200", "144/200", "160/200",
                "192/200", "200/200"
            ]
        );
        assert!(
            seen[0].starts_with("loyalsim sweep: x: 32/200 runs (16%) · "),
            "{}",
            seen[0]
        );
        assert!(!seen[9].contains(" left"), "{}", seen[9]);
    }

    #[test]
    fn a_log_hears_from_a_slow_job_at_least_every_interval() {
        let (p, seen) = recording(1000, Duration::from_millis(40));
        p.set_position(3);
        std::thread::sleep(Duration::from_millis(300));
        p.finish();
        let n = {
            let seen = seen.lock().unwrap();
            assert!(seen.len() >= 3, "{seen:?}");
            assert!(
                seen.iter().all(|l| l.contains(" 3/1000 runs (0%)")),
                "{seen:?}"
            );
            seen.len()
        };
        // Stopped: no line after finish.
        std::thread::sleep(Duration::from_millis(160));
        assert_eq!(seen.lock().unwrap().len(), n);
    }

    #[test]
    fn durations_read_as_a_person_says_them() {
        assert_eq!(duration(41.6), "42 s");
        assert_eq!(duration(185.0), "3 min 05 s");
        assert_eq!(duration(7620.0), "2 h 07 min");
        assert_eq!(
            line("l", "evaluations", 0, 10, Duration::ZERO, "best 1"),
            "l: 0/10 evaluations (0%) · best 1 · 0 s elapsed"
        );
        assert_eq!(
            line("l", "runs", 480, 1000, Duration::from_secs(40), ""),
            "l: 480/1000 runs (48%) · 12.0 runs/s · 40 s elapsed · about 43 s left"
        );
        // Nothing left to wait for is not "about 0 s".
        assert_eq!(
            line("l", "runs", 999, 1000, Duration::from_secs(40), ""),
            "l: 999/1000 runs (99%) · 25.0 runs/s · 40 s elapsed"
        );
    }
}
