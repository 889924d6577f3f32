//! What the `cargo bench` targets share: each event timed alone, so that the percentiles are
//! of single events (criterion's sample means do not give them), and the heap allocations of
//! all of them counted by the bench binary's global allocator.

use std::alloc::System;
use std::future::Future;
use std::time::{Duration, Instant};

use stats_alloc::{Region, StatsAlloc};

/// Events timed per entry point, after as many untimed to warm up.
pub const EVENTS: usize = 10_000;

/// One entry point's figures.
pub struct Measured {
    p50: Duration,
    p99: Duration,
    allocations: f64,
    bytes: f64,
}

/// Runs `event(0..EVENTS)` untimed, then `event(EVENTS..2 * EVENTS)` timed one by one, with
/// the allocations counted by `allocator`, the bench's `#[global_allocator]`.
pub async fn measure<F, Fut>(allocator: &'static StatsAlloc<System>, mut event: F) -> Measured
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    for n in 0..EVENTS {
        event(n).await;
    }
    let mut took = Vec::with_capacity(EVENTS);
    let region = Region::new(allocator);
    for n in EVENTS..2 * EVENTS {
        let started = Instant::now();
        event(n).await;
        took.push(started.elapsed());
    }
    let allocated = region.change();
    took.sort_unstable();
    Measured {
        p50: took[EVENTS / 2],
        p99: took[EVENTS * 99 / 100],
        allocations: allocated.allocations as f64 / EVENTS as f64,
        bytes: allocated.bytes_allocated as f64 / EVENTS as f64,
    }
}

/// Prints `rows` as a Markdown table, as docs/benchmarks.md shows them.
pub fn print_table(rows: &[(&str, Measured)]) {
    println!("| entry point | p50 | p99 | allocations per event | bytes allocated per event |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, measured) in rows {
        println!(
            "| {name} | {:.1} µs | {:.1} µs | {:.0} | {:.0} |",
            measured.p50.as_secs_f64() * 1e6,
            measured.p99.as_secs_f64() * 1e6,
            measured.allocations,
            measured.bytes,
        );
    }
}
