//! Parser throughput: `scwform::parse::parse_source` side by side with `hcl::parse` (hcl-rs)
//! on files from `../shared/tools/gen_tf.py` (N = 1k, 10k, 100k resources), plus the
//! pathological inputs (200 levels of unclosed nesting) that must fail fast.
//!
//! Run: `cargo bench --bench parse`.
//! One-shot mode for peak-RSS measurement (no criterion): set `SCWFORM_PARSE_ONCE=<file>` and
//! optionally `SCWFORM_PARSER=hcl-rs`; see docs/performance.md `## Parser`.

#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use scwform::diag::FileId;
use scwform::parse::parse_source;

/// `../shared` beside the checkout (or two levels up, from a worktree).
fn shared_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [root.join("../shared"), root.join("../../shared")]
        .into_iter()
        .find(|d| d.is_dir())
}

/// Generates (once) the `gen_tf.py` file with `n` resources.
fn generated(shared: &Path, n: usize) -> Option<String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parse-bench");
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("gen_{n}.tf"));
    if !path.exists() {
        let status = Command::new("python3")
            .arg(shared.join("tools/gen_tf.py"))
            .arg(n.to_string())
            .arg(&path)
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    std::fs::read_to_string(path).ok()
}

/// The 200-level unclosed inputs of the parser brief.
fn pathological() -> Vec<(&'static str, String)> {
    let depth = 200;
    vec![
        ("object", format!("x = {}1\n", "{a = ".repeat(depth))),
        ("tuple", format!("x = {}1\n", "[".repeat(depth))),
        ("call", format!("x = {}1\n", "f(".repeat(depth))),
        ("template", format!("x = {}1\n", "\"${".repeat(depth))),
    ]
}

fn bench_generated(c: &mut Criterion) {
    let Some(shared) = shared_dir() else {
        eprintln!("skipping generated-file benchmarks: ../shared is absent");
        return;
    };
    let mut group = c.benchmark_group("parse_generated");
    for n in [1_000, 10_000, 100_000] {
        let Some(text) = generated(&shared, n) else {
            eprintln!("skipping N={n}: gen_tf.py failed");
            continue;
        };
        group.throughput(Throughput::Bytes(text.len() as u64));
        if n >= 100_000 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(20));
        } else {
            group.sample_size(20);
            group.measurement_time(Duration::from_secs(5));
        }
        // Parse time only: the tree is dropped outside the timed section, for both parsers.
        group.bench_with_input(BenchmarkId::new("scwform", n), &text, |b, t| {
            b.iter_batched(
                || (),
                |()| parse_source(black_box(t), FileId(0)).expect("generated file parses"),
                BatchSize::PerIteration,
            );
        });
        group.bench_with_input(BenchmarkId::new("hcl-rs", n), &text, |b, t| {
            b.iter_batched(
                || (),
                |()| hcl::parse(black_box(t)).expect("generated file parses"),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn bench_pathological(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_unclosed_200");
    group.sample_size(20);
    for (name, text) in pathological() {
        group.bench_with_input(BenchmarkId::new("scwform", name), &text, |b, t| {
            b.iter(|| parse_source(black_box(t), FileId(0)).expect_err("unclosed input fails"));
        });
    }
    group.finish();
}

/// Parses one file once and reports what it found (for `/usr/bin/time -v`).
fn parse_once(path: &str) {
    let text = std::fs::read_to_string(path).expect("SCWFORM_PARSE_ONCE names a readable file");
    if std::env::var("SCWFORM_PARSER").as_deref() == Ok("hcl-rs") {
        let body = hcl::parse(&text).expect("file parses");
        println!("hcl-rs: {} top-level items", body.iter().count());
    } else {
        let file = parse_source(&text, FileId(0)).expect("file parses");
        println!("scwform: {} top-level items", file.body.items.len());
    }
}

fn main() {
    if let Ok(path) = std::env::var("SCWFORM_PARSE_ONCE") {
        parse_once(&path);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench_generated(&mut c);
    bench_pathological(&mut c);
    c.final_summary();
}
