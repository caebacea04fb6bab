//! The formatter alone (no parsing) on generated configurations:
//! `cargo bench --bench format` (set `SCWFORM_BENCH_TF` to a `.tf` file to also time it,
//! e.g. one made by `../shared/tools/gen_tf.py 100000 FILE`).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scwform::format::format_source;

/// A configuration of `n` small resources, written with uneven spacing so that every line
/// needs work.
fn generated(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(
            s,
            "resource \"scaleway_container_namespace\" \"ns{i}\" {{\nname=\"ns-{i}\"\n   project_id = scaleway_account_project.p{i}.id # owner\n  tags = [\"a\",\"b\"]\n  description = \"${{var.env}}\"\n}}\n\n"
        );
    }
    s
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("format_source");
    let src = generated(10_000);
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.bench_function("generated_10k_resources", |b| {
        b.iter(|| format_source(black_box(&src)));
    });
    if let Some(path) = std::env::var_os("SCWFORM_BENCH_TF") {
        let text = std::fs::read_to_string(path).expect("SCWFORM_BENCH_TF names a readable file");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.sample_size(10);
        group.bench_function("file", |b| b.iter(|| format_source(black_box(&text))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
