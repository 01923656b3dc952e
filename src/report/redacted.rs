//! File texts with secret values masked, for every format that quotes
//! source: the human snippets and SARIF's `region.snippet`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::redact;
use crate::source::{FileId, Mark, SourceFile};

/// Redacted copies of the run's files, made once per file that needs one.
pub struct RedactedSources<'a> {
    files: &'a [SourceFile],
    texts: HashMap<FileId, Option<SourceFile>>,
}

impl<'a> RedactedSources<'a> {
    pub fn new(files: &'a [SourceFile]) -> Self {
        RedactedSources {
            files,
            texts: HashMap::new(),
        }
    }

    /// The file with its secrets masked, when its text was kept.
    pub fn get(&mut self, file: FileId) -> Option<&SourceFile> {
        let files = self.files;
        self.texts
            .entry(file)
            .or_insert_with(|| {
                let source = files.get(file)?;
                let text = source.text.as_deref()?;
                let redacted = Arc::from(redact::redacted_text(text, &source.secrets));
                Some(SourceFile::new(source.name.clone(), None, Some(redacted)))
            })
            .as_ref()
    }

    /// One line of a file, secrets masked.
    pub fn line(&mut self, file: FileId, line: u32) -> Option<&str> {
        self.get(file)?.line_text(line)
    }
}

/// The text of a region that holds a secret, from `start` up to `end`,
/// masked as a whole (`AKIA****`), when the file's text was kept.
pub fn region(source: &SourceFile, start: Mark, end: Mark) -> Option<String> {
    let text = source.text.as_deref()?;
    let slice = text.get(source.offset_of(start)?..source.offset_of(end)?)?;
    // The slice starts at line 1, column 1; its end moves with it.
    let end = match end.line == start.line {
        true => Mark::new(1, end.column.saturating_sub(start.column) + 1),
        false => Mark::new(end.line - start.line + 1, end.column),
    };
    Some(redact::redacted_text(slice, &[(Mark::FILE_START, end)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_back_with_their_secrets_masked() {
        let mut file = SourceFile::new(
            "s.yaml".into(),
            None,
            Some("kind: Secret\ndata:\n  token: c3VwZXJzZWNyZXR2YWx1ZQ==\n".into()),
        );
        file.secrets.push((Mark::new(3, 10), Mark::new(3, 38)));
        let files = [file];
        let mut sources = RedactedSources::new(&files);
        assert_eq!(sources.line(0, 3), Some("  token: c3Vw****"));
        assert_eq!(sources.line(0, 1), Some("kind: Secret"));
        assert_eq!(sources.line(1, 1), None);
        assert_eq!(
            region(&files[0], Mark::new(3, 10), Mark::new(3, 38)),
            Some("c3Vw****".to_owned())
        );
        // A quoted secret keeps its quotes outside the mask.
        let file = SourceFile::new(
            "q.env".into(),
            None,
            Some("A=1\nKEY=\"sk-live-0123456789\" # x\n".into()),
        );
        assert_eq!(
            region(&file, Mark::new(2, 5), Mark::new(2, 25)),
            Some("\"sk-l****\"".to_owned())
        );
    }
}
