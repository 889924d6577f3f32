//! The stack's process as Linux shows it in `/proc`: its peak memory (`VmHWM`, which the
//! kernel keeps, so one read at the end is enough), its CPU time, and its open file
//! descriptors, counted every 100 ms on one thread of its own (the kernel keeps no peak of
//! those).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::StackPeaks;

/// How often the open file descriptors are counted.
const EVERY: Duration = Duration::from_millis(100);

/// Counts a process's open file descriptors until finished.
pub(super) struct Sampler {
    pid: u32,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Option<usize>>,
}

impl Sampler {
    /// Starts counting process `pid`'s open file descriptors.
    pub(super) fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut peak = None;
            loop {
                peak = peak.max(open_files(pid));
                if stopped.load(Ordering::Relaxed) {
                    return peak;
                }
                std::thread::sleep(EVERY);
            }
        });
        Self { pid, stop, thread }
    }

    /// Stops counting; the peaks seen.
    pub(super) fn finish(self) -> StackPeaks {
        self.stop.store(true, Ordering::Relaxed);
        let open_files = self.thread.join().ok().flatten();
        let process = self.pid.to_string();
        StackPeaks {
            pid: self.pid,
            memory_kib: status_kib(&process, "VmHWM"),
            open_files,
            cpu: cpu_time(&process),
        }
    }
}

/// How many file descriptors process `pid` has open; `None` if it cannot be read.
fn open_files(pid: u32) -> Option<usize> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()
        .map(Iterator::count)
}

/// The CPU time process `process` (a pid or `self`) has used, user and system, from
/// `/proc/<process>/stat` (in the kernel's fixed 100 ticks a second).
pub(super) fn cpu_time(process: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: count fields after it.
    let (_, after_name) = stat.rsplit_once(')')?;
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// A `kB` field of `/proc/<process>/status` (`process` a pid or `self`).
pub(super) fn status_kib(process: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    status.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_s_peak_memory_and_files_are_read() {
        let peak = status_kib("self", "VmHWM").expect("Linux shows VmHWM");
        assert!(peak > 0);
        assert!(status_kib("self", "NoSuchField").is_none());
        let sampler = Sampler::start(std::process::id());
        let peaks = sampler.finish();
        assert!(peaks.memory_kib.is_some_and(|kib| kib > 0));
        assert!(peaks.open_files.is_some_and(|count| count >= 3));
        assert!(peaks.cpu.is_some());
    }
}
