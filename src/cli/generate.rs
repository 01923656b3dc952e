//! `charter completions SHELL` and `charter man`: generated from the
//! command line's own definition, so they never fall behind it.

use clap::CommandFactory;

use super::{Cli, EXIT_CLEAN, write_stdout};

pub(super) fn completions(shell: clap_complete::Shell) -> miette::Result<u8> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "charter", &mut script);
    write_stdout(&String::from_utf8_lossy(&script));
    Ok(EXIT_CLEAN)
}

/// charter(1): the top-level page, then each subcommand's synopsis and
/// options as a section of its own (one page to install, not eight).
pub(super) fn man() -> miette::Result<u8> {
    let mut command = Cli::command();
    command.build();
    let mut page = Vec::new();
    let fail = |error: std::io::Error| miette::miette!("cannot render the manual page: {error}");
    // The whole page but its list of subcommands, which would point at
    // pages of their own (charter-check(1)); here they are sections.
    let top = clap_mangen::Man::new(command.clone());
    top.render_title(&mut page).map_err(fail)?;
    top.render_name_section(&mut page).map_err(fail)?;
    top.render_synopsis_section(&mut page).map_err(fail)?;
    top.render_description_section(&mut page).map_err(fail)?;
    top.render_options_section(&mut page).map_err(fail)?;
    top.render_extra_section(&mut page).map_err(fail)?;
    top.render_version_section(&mut page).map_err(fail)?;
    for sub in command
        .get_subcommands()
        .filter(|sub| sub.get_name() != "help")
    {
        let name = format!("charter {}", sub.get_name());
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        let mut section = Vec::new();
        let man = clap_mangen::Man::new(sub.clone().bin_name(&name));
        man.render_synopsis_section(&mut section).map_err(fail)?;
        man.render_options_section(&mut section).map_err(fail)?;
        // The sub-page's headings become subsections of its section.
        let section = String::from_utf8_lossy(&section)
            .replace(".SH SYNOPSIS\n", ".SS Synopsis\n")
            .replace(".SH OPTIONS\n", ".SS Options\n");
        page.extend_from_slice(
            format!(".SH \"{}\"\n{}\n", name.to_uppercase(), roff_text(&about)).as_bytes(),
        );
        page.extend_from_slice(section.as_bytes());
    }
    write_stdout(&String::from_utf8_lossy(&page));
    Ok(EXIT_CLEAN)
}

/// Text safe as a roff line: a leading `.` or `'` would be a request, and
/// `\` starts an escape.
fn roff_text(text: &str) -> String {
    let text = text.replace('\\', "\\e");
    match text.starts_with(['.', '\'']) {
        true => format!("\\&{text}"),
        false => text,
    }
}
