//! Benchmark of `validate` (parse + lower + evaluate + dependency graph and its order) on
//! configurations from `../shared/tools/gen_tf.py` at 1k, 10k and 100k resources, with hcl-rs's
//! `hcl::parse` on the same text in the same run for comparison.
//!
//! Run: `cargo bench --bench validate` (generated files are cached under `target/bench-inputs`).
//! Outputs are dropped outside the timed region for both sides (`iter_with_large_drop`): the CLI
//! exits without freeing the trees, and hcl-rs's figure is then its parse alone.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scwform::graph::DependencyGraph;
use scwform::model::evaluate::{EvalOptions, NoPriorValues};
use scwform::model::load::{LoadOptions, load_texts};

/// Generates (once) and reads the configuration with `n` resources, or `None` without `../shared`.
#[allow(clippy::print_stderr)]
fn input(n: usize) -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generator = root.join("../shared/tools/gen_tf.py");
    if !generator.is_file() {
        eprintln!("skipping: ../shared/tools/gen_tf.py is absent");
        return None;
    }
    let dir: PathBuf = root.join("target/bench-inputs");
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join(format!("gen_{n}.tf"));
    if !file.is_file() {
        let status = Command::new("python3")
            .arg(&generator)
            .arg(n.to_string())
            .arg(&file)
            .status()
            .ok()?;
        if !status.success() {
            eprintln!("skipping: gen_tf.py failed");
            return None;
        }
    }
    std::fs::read_to_string(file).ok()
}

fn validate(text: &str) -> (scwform::model::load::Loaded, usize) {
    let options = LoadOptions {
        eval: EvalOptions {
            validate_only: true,
            ..EvalOptions::default()
        },
        ..LoadOptions::default()
    };
    let loaded = load_texts(
        vec![("main.tf".to_owned(), text.to_owned())],
        &options,
        &NoPriorValues,
    );
    assert!(
        !loaded.diagnostics.has_errors(),
        "generated configuration validates"
    );
    let graph = DependencyGraph::new(&loaded.config);
    let ordered = graph.order().map(|o| o.len()).unwrap_or_default();
    (loaded, ordered)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    for n in [1_000, 10_000, 100_000] {
        let Some(text) = input(n) else { return };
        group.throughput(Throughput::Bytes(text.len() as u64));
        if n >= 100_000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("hcl_rs_parse", n), &text, |b, t| {
            b.iter_with_large_drop(|| hcl::parse(black_box(t)).expect("hcl-rs parses"));
        });
        group.bench_with_input(BenchmarkId::new("scwform_validate", n), &text, |b, t| {
            b.iter_with_large_drop(|| validate(black_box(t)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
