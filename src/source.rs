//! Source files as charter read them, and positions inside them.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::chart::sources::TemplateSource;

/// A 1-based line and 1-based column (counted in Unicode scalar values, the way
/// editors and `kubectl` error messages count them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mark {
    pub line: u32,
    pub column: u32,
}

impl Mark {
    pub const FILE_START: Mark = Mark { line: 1, column: 1 };

    pub fn new(line: u32, column: u32) -> Self {
        Mark { line, column }
    }
}

impl std::fmt::Display for Mark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Index of a file in a run's file table; files are numbered in sorted
/// display-name order so that output never depends on walk or thread order.
pub type FileId = usize;

/// One input: a file on disk, standard input, or the configuration file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to users: the path as it was reached, or `<stdin>`.
    pub name: String,
    /// Where the file lives on disk (absolute), when it does.
    pub path: Option<PathBuf>,
    /// The text, when the file could be read as UTF-8 text.
    pub text: Option<Arc<str>>,
    /// Ranges of the text that hold secret values, masked wherever the text
    /// is shown (see `redact`).
    pub secrets: Vec<(Mark, Mark)>,
    /// The templates Helm rendered the text from (its `# Source:` comments).
    pub templates: Vec<TemplateSource>,
    /// For a chart charter rendered for an ArgoCD Application: that
    /// Application (`namespace/name`), whose resources the text holds.
    pub application: Option<String>,
    /// Read only as context (`--context`): its resources inform whole-set
    /// rules, and nothing in it is checked or reported.
    pub context: bool,
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(name: String, path: Option<PathBuf>, text: Option<Arc<str>>) -> Self {
        SourceFile {
            name,
            path,
            text,
            secrets: Vec::new(),
            templates: Vec::new(),
            application: None,
            context: false,
            line_starts: OnceLock::new(),
        }
    }

    /// Byte offset of a mark, clamped to the line it names. Only rendering needs
    /// byte offsets, so the line table is built on first use.
    pub fn offset_of(&self, mark: Mark) -> Option<usize> {
        let text = self.text.as_deref()?;
        offset_in(
            text,
            self.line_starts.get_or_init(|| line_starts(text)),
            mark,
        )
    }

    /// The Helm template a line was rendered from, when the text is Helm output.
    pub fn template_at(&self, line: u32) -> Option<&TemplateSource> {
        crate::chart::sources::source_at(&self.templates, line)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let text = self.text.as_deref()?;
        let starts = self.line_starts.get_or_init(|| line_starts(text));
        line_slice(text, starts, line)
    }
}

pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr_newlines(text).map(|i| i + 1))
        .collect()
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
}

pub(crate) fn line_slice<'t>(text: &'t str, starts: &[usize], line: u32) -> Option<&'t str> {
    let index = (line as usize).checked_sub(1)?;
    let start = *starts.get(index)?;
    let end = starts.get(index + 1).map_or(text.len(), |&next| next);
    let slice = &text[start..end];
    Some(slice.trim_end_matches(['\n', '\r']))
}

pub(crate) fn offset_in(text: &str, starts: &[usize], mark: Mark) -> Option<usize> {
    let line = line_slice(text, starts, mark.line)?;
    let start = starts[(mark.line - 1) as usize];
    let within = line
        .char_indices()
        .nth(mark.column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    Some(start + within)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_not_bytes() {
        let file = SourceFile::new("x".into(), None, Some("a: é\nbé: c\n".into()));
        assert_eq!(file.offset_of(Mark::new(2, 1)), Some(6));
        // column 4 on line 2 is `c`, after the two-byte `é`.
        assert_eq!(file.offset_of(Mark::new(2, 5)), Some(11));
        assert_eq!(file.line_text(2), Some("bé: c"));
        assert_eq!(file.line_text(9), None);
    }

    #[test]
    fn columns_past_the_end_clamp_to_the_line() {
        let file = SourceFile::new("x".into(), None, Some("ab\r\ncd".into()));
        assert_eq!(file.offset_of(Mark::new(1, 40)), Some(2));
        assert_eq!(file.line_text(1), Some("ab"));
        assert_eq!(file.line_text(2), Some("cd"));
    }
}
