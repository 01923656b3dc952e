//! `charter completions SHELL` and `charter man`, generated from the
//! command line's definition.

mod common;

use std::process::Command;

use common::charter;

/// What bash offers after `words` (the last one being completed), with the
/// script `charter completions bash` prints loaded as a user's shell would.
fn bash_completes(words: &[&str]) -> Vec<String> {
    let script = charter(&["completions", "bash"]);
    assert_eq!(script.code, 0, "{}", script.stderr);
    let current = words.last().copied().unwrap_or_default();
    let previous = words.len().checked_sub(2).map_or("", |index| words[index]);
    let quoted: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
    let program = format!(
        "{}\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_charter charter '{current}' '{previous}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.stdout,
        quoted.join(" "),
        words.len() - 1,
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_options() {
    let commands = bash_completes(&["charter", ""]);
    for expected in [
        "check",
        "audit",
        "serve",
        "rules",
        "explain",
        "completions",
        "man",
    ] {
        assert!(
            commands.iter().any(|word| word == expected),
            "{expected}: {commands:?}"
        );
    }
    assert_eq!(bash_completes(&["charter", "au"]), ["audit"]);
    let options = bash_completes(&["charter", "check", "--f"]);
    assert_eq!(options, ["--format", "--fail-on"]);
    let formats = bash_completes(&["charter", "check", "--format", ""]);
    assert_eq!(
        formats,
        ["human", "json", "sarif", "junit", "github", "gitlab"]
    );
    let audit = bash_completes(&["charter", "audit", "--re"]);
    assert_eq!(audit, ["--report", "--reject-unknown-kinds"]);
    let shells = bash_completes(&["charter", "completions", ""]);
    assert!(shells.iter().any(|word| word == "zsh"), "{shells:?}");
}

#[test]
fn zsh_and_fish_scripts_name_the_commands() {
    let zsh = charter(&["completions", "zsh"]);
    assert_eq!(zsh.code, 0);
    assert!(
        zsh.stdout.starts_with("#compdef charter\n"),
        "{:.200}",
        zsh.stdout
    );
    assert!(zsh.stdout.contains("'--report=[The report to write"));
    let fish = charter(&["completions", "fish"]);
    assert_eq!(fish.code, 0);
    assert!(fish.stdout.contains("complete -c charter"));
    assert!(
        fish.stdout.contains("-a \"audit\""),
        "{:.2000}",
        fish.stdout
    );
    let bad = charter(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("invalid value 'tcsh'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let man = charter(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    let page = &man.stdout;
    let title = page
        .lines()
        .find(|line| line.starts_with(".TH "))
        .expect("a .TH title line");
    assert!(title.starts_with(".TH charter 1 "), "{title}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION"] {
        assert!(page.contains(&format!("{section}\n")), "{section}");
    }
    for command in [
        "CHECK",
        "AUDIT",
        "SERVE",
        "RULES",
        "EXPLAIN",
        "COMPLETIONS",
        "MAN",
    ] {
        assert!(
            page.contains(&format!(".SH \"CHARTER {command}\"\n")),
            "charter {command}"
        );
    }
    assert!(
        page.contains("\\fB\\-\\-report\\fR"),
        "audit's options are listed"
    );
    // The exit statuses of the top-level help are in the page.
    assert!(page.contains("Exit status: 0 clean"));
    // No reference to pages that do not exist.
    assert!(!page.contains("charter\\-check(1)"));
}
