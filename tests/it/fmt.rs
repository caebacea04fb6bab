//! `scwform fmt`: byte-identical to `terraform fmt` on the reference fixtures, and the
//! command's behaviour (exit codes, `--check`, `--diff`, `--recursive`, stdin, safety).

use std::fs;
use std::path::{Path, PathBuf};

use scwform::format::format_source;

use crate::common;

/// Every `input/X.tf` formats to `canonical/X.tf` (made by HashiCorp's formatter).
#[test]
#[allow(clippy::print_stderr)]
fn fmt_matches_terraform_on_every_fixture() {
    let Some(shared) = common::shared_dir("fmt fixtures") else {
        return;
    };
    let input = shared.join("fixtures/hcl/input");
    let canonical = shared.join("fixtures/hcl/canonical");
    let mut names: Vec<PathBuf> = fs::read_dir(&input)
        .expect("the fixtures directory is readable")
        .map(|e| e.expect("directory entries are readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {}", input.display());
    let mut mismatches = Vec::new();
    for path in &names {
        let name = path.file_name().expect("a file has a name");
        let src = fs::read_to_string(path).expect("fixtures are UTF-8");
        let want =
            fs::read_to_string(canonical.join(name)).expect("every input has a canonical twin");
        let got = format_source(&src);
        if got != want {
            mismatches.push(first_difference(Path::new(name), &got, &want));
        }
        assert_eq!(
            format_source(&got),
            got,
            "formatting {} twice changes it",
            name.display()
        );
    }
    eprintln!(
        "fmt fixtures: {} of {} match terraform fmt",
        names.len() - mismatches.len(),
        names.len()
    );
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
}

/// Hand-written corner cases, with `terraform fmt`'s own output as the expectation.
#[test]
fn fmt_matches_terraform_on_corner_cases() {
    let dir = common::repo_root().join("tests/fixtures/fmt");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/fixtures/fmt is readable")
        .map(|e| e.expect("directory entries are readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "in"))
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 30,
        "expected the corner cases in {}",
        dir.display()
    );
    let mut mismatches = Vec::new();
    for input in &inputs {
        let src = fs::read_to_string(input).expect("cases are UTF-8");
        let want =
            fs::read_to_string(input.with_extension("out")).expect("every case has its .out");
        let got = format_source(&src);
        if got != want {
            mismatches.push(first_difference(
                input.strip_prefix(&dir).unwrap_or(input),
                &got,
                &want,
            ));
        }
        assert_eq!(
            format_source(&got),
            got,
            "formatting {} twice changes it",
            input.display()
        );
    }
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
}

fn first_difference(name: &Path, got: &str, want: &str) -> String {
    let line = got
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
    format!(
        "{}: line {}: got {:?}, want {:?}",
        name.display(),
        line + 1,
        got.lines().nth(line).unwrap_or("<end>"),
        want.lines().nth(line).unwrap_or("<end>")
    )
}

/// What one `scwform fmt` run did.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `scwform fmt ARGS` in `dir`, feeding `stdin`.
fn fmt_in(dir: &Path, args: &[&str], stdin: &str) -> Outcome {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(common::scwform_bin())
        .arg("fmt")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the scwform binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the input");
    let out = child.wait_with_output().expect("scwform exits");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const UGLY: &str = "resource \"scaleway_account_project\" \"main\" {\nname=\"main\"\n    description = \"${var.d}\"\n}\n";
const PRETTY: &str = "resource \"scaleway_account_project\" \"main\" {\n  name        = \"main\"\n  description = var.d\n}\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("the test directory is writable");
    }
    fs::write(&path, text).expect("the test directory is writable");
    path
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("the file is readable")
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory can be created")
}

#[test]
fn fmt_rewrites_changed_files_in_place_and_lists_them() {
    let dir = temp_dir();
    let ugly = write(dir.path(), "a.tf", UGLY);
    let pretty = write(dir.path(), "b.tf", PRETTY);
    let vars = write(dir.path(), "c.tfvars", "x=1\nyy=2\n");
    let other = write(dir.path(), "notes.txt", UGLY);
    let out = fmt_in(dir.path(), &[], "");
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "a.tf\nc.tfvars\n", "")
    );
    assert_eq!(read(&ugly), PRETTY);
    assert_eq!(read(&pretty), PRETTY);
    assert_eq!(read(&vars), "x  = 1\nyy = 2\n");
    assert_eq!(read(&other), UGLY);
    // A second run finds nothing to do.
    let again = fmt_in(dir.path(), &[], "");
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn fmt_check_lists_files_needing_format_exits_3_and_writes_nothing() {
    let dir = temp_dir();
    let ugly = write(dir.path(), "main.tf", UGLY);
    write(dir.path(), "ok.tf", PRETTY);
    let out = fmt_in(dir.path(), &["--check"], "");
    assert_eq!((out.code, out.stdout.as_str()), (3, "main.tf\n"));
    assert_eq!(read(&ugly), UGLY);
}

#[test]
fn fmt_check_exits_0_when_everything_is_formatted() {
    let dir = temp_dir();
    write(dir.path(), "main.tf", PRETTY);
    let out = fmt_in(dir.path(), &["--check"], "");
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn fmt_diff_prints_a_unified_diff_after_the_file_name() {
    let dir = temp_dir();
    write(dir.path(), "main.tf", UGLY);
    let out = fmt_in(dir.path(), &["--check", "--diff", "main.tf"], "");
    assert_eq!(out.code, 3);
    insta::assert_snapshot!(out.stdout, @r#"
    main.tf
    --- old/main.tf
    +++ new/main.tf
    @@ -1,4 +1,4 @@
     resource "scaleway_account_project" "main" {
    -name="main"
    -    description = "${var.d}"
    +  name        = "main"
    +  description = var.d
     }
    "#);
}

#[test]
fn fmt_recursive_descends_into_subdirectories_but_not_hidden_ones() {
    let dir = temp_dir();
    write(dir.path(), "top.tf", UGLY);
    let nested = write(dir.path(), "modules/net/main.tf", UGLY);
    let hidden = write(dir.path(), ".terraform/modules/x/main.tf", UGLY);
    let flat = fmt_in(dir.path(), &["--check"], "");
    assert_eq!((flat.code, flat.stdout.as_str()), (3, "top.tf\n"));
    let deep = fmt_in(dir.path(), &["--recursive"], "");
    assert_eq!(
        (deep.code, deep.stdout.as_str()),
        (0, "modules/net/main.tf\ntop.tf\n")
    );
    assert_eq!(read(&nested), PRETTY);
    assert_eq!(read(&hidden), UGLY);
}

#[test]
fn fmt_dash_formats_stdin_to_stdout() {
    let dir = temp_dir();
    let out = fmt_in(dir.path(), &["-"], UGLY);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, PRETTY, "")
    );
    let check = fmt_in(dir.path(), &["--check", "-"], UGLY);
    assert_eq!((check.code, check.stdout.as_str()), (3, ""));
    let clean = fmt_in(dir.path(), &["--check", "-"], PRETTY);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
    // As with Terraform, the text printed for stdin always ends with a newline...
    let unterminated = fmt_in(dir.path(), &["-"], "a=1");
    assert_eq!(
        (unterminated.code, unterminated.stdout.as_str()),
        (0, "a = 1\n")
    );
    let empty = fmt_in(dir.path(), &["-"], "");
    assert_eq!((empty.code, empty.stdout.as_str()), (0, "\n"));
    // ... while a file keeps its ending.
    let file = write(dir.path(), "x.tf", "a=1");
    assert_eq!(fmt_in(dir.path(), &["x.tf"], "").code, 0);
    assert_eq!(read(&file), "a = 1");
}

#[test]
fn fmt_reports_a_missing_path_with_exit_2() {
    let dir = temp_dir();
    let out = fmt_in(dir.path(), &["nowhere.tf"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("No file or directory at nowhere.tf"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("scw::fmt::path_not_found"),
        "{}",
        out.stderr
    );
}

#[test]
fn fmt_refuses_files_that_are_not_terraform() {
    let dir = temp_dir();
    let other = write(dir.path(), "notes.txt", UGLY);
    let out = fmt_in(dir.path(), &["notes.txt"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("scw::fmt::unsupported_file"),
        "{}",
        out.stderr
    );
    assert_eq!(read(&other), UGLY);
}

#[cfg(unix)]
#[test]
fn fmt_keeps_the_file_mode_when_rewriting() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = temp_dir();
    let path = write(dir.path(), "main.tf", UGLY);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod works");
    let out = fmt_in(dir.path(), &[], "");
    assert_eq!(out.code, 0);
    assert_eq!(read(&path), PRETTY);
    let mode = fs::metadata(&path)
        .expect("the file exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn fmt_leaves_an_unparsable_file_untouched_and_exits_2() {
    let dir = temp_dir();
    let broken_text = "resource \"x\" \"y\" {\n  a =\n";
    let broken = write(dir.path(), "broken.tf", broken_text);
    let fine = write(dir.path(), "fine.tf", UGLY);
    let out = fmt_in(dir.path(), &[], "");
    assert_eq!(out.code, 2);
    // The other file is still formatted.
    assert_eq!(out.stdout, "fine.tf\n");
    assert_eq!(read(&fine), PRETTY);
    assert_eq!(
        fs::read(&broken).expect("the file is readable"),
        broken_text.as_bytes()
    );
    assert!(out.stderr.contains("scw::parse::"), "{}", out.stderr);
    assert!(out.stderr.contains("broken.tf"), "{}", out.stderr);
    // The same under --check: 2 wins over 3.
    let check = fmt_in(dir.path(), &["--check"], "");
    assert_eq!(check.code, 2);
    let stdin = fmt_in(dir.path(), &["-"], broken_text);
    assert_eq!((stdin.code, stdin.stdout.as_str()), (2, ""));
}

// https://github.com/scwform/scwform/issues/9 (item 6): `fmt -` aborted on ~27,600 nested blocks
// and took 4.4 s at 20,000 (the formatter indented and walked every level before the parser
// refused the depth).
#[test]
fn issue_9_fmt_of_absurdly_deep_nesting_is_refused_cleanly_not_a_crash() {
    let dir = temp_dir();
    let nest = |open: &str, middle: &str, close: &str, n: usize| {
        format!("{}{middle}{}", open.repeat(n), close.repeat(n))
    };
    let cases = [
        ("30,000 nested blocks", nest("a {\n", "", "}\n", 30_000)),
        (
            "20,000 nested tuples",
            format!("x = {}\n", nest("[", "1", "]", 20_000)),
        ),
        (
            "20,000 nested objects",
            format!("x = {}\n", nest("{a = ", "1", "}", 20_000)),
        ),
        (
            "20,000 nested parentheses",
            format!("x = {}\n", nest("(", "1", ")", 20_000)),
        ),
        (
            "40,000 chained splats",
            format!("x = a{}\n", "[*].b".repeat(40_000)),
        ),
    ];
    for (what, text) in cases {
        let out = fmt_in(dir.path(), &["-"], &text);
        // Nothing half-written: no output, exit 2, the parser's diagnostic.
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (2, ""),
            "{what}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("scw::parse::too_complex"),
            "{what}: {}",
            out.stderr
        );
    }
    // Up to the limit, deep text is formatted as usual.
    let ok = fmt_in(dir.path(), &["-"], &nest("a {\n", "", "}\n", 500));
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stdout
            .contains(&format!("{}a {{\n", " ".repeat(2 * 499)))
    );
}

/// The parser accepts blanks after a heredoc opener (`<<EOT ␉`), which HashiCorp's scanner,
/// and so the formatter, does not read as a heredoc: formatting would break it, so the
/// meaning check must keep the file as it is.
#[test]
fn fmt_refuses_to_write_when_the_result_would_not_mean_the_same() {
    let dir = temp_dir();
    let text = "a = <<EOT \nhello\nEOT\n";
    let path = write(dir.path(), "main.tf", text);
    if scwform::parse::parse_source(text, scwform::diag::FileId(0)).is_err() {
        // The parser now rejects this input too: then it is the parse check that protects it.
        let out = fmt_in(dir.path(), &[], "");
        assert_eq!(out.code, 2);
        assert_eq!(read(&path), text);
        return;
    }
    let out = fmt_in(dir.path(), &[], "");
    assert_eq!((out.code, out.stdout.as_str()), (2, ""));
    assert!(
        out.stderr.contains("scw::fmt::meaning_changed"),
        "{}",
        out.stderr
    );
    assert_eq!(read(&path), text);
}

#[test]
fn fmt_shows_paths_relative_to_the_working_directory() {
    let dir = temp_dir();
    write(dir.path(), "top.tf", UGLY);
    let sub = dir.path().join("sub");
    write(&sub, "x.tf", UGLY);
    let out = fmt_in(&sub, &["--check", "--recursive", ".."], "");
    assert_eq!((out.code, out.stdout.as_str()), (3, "x.tf\n../top.tf\n"));
    let absolute = dir.path().join("top.tf");
    let out = fmt_in(dir.path(), &["--check", &absolute.to_string_lossy()], "");
    assert_eq!((out.code, out.stdout.as_str()), (3, "top.tf\n"));
}
