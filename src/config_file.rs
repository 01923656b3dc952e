//! Reads one setting out of a configuration file carried in a ConfigMap
//! (`grafana.ini`, `traefik.yml`, `settings.yml`), with the line it is on.

use crate::source::Mark;
use crate::yaml::{self, Value};

/// A setting's value as the program reads it, and where it is written
/// inside the file (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSetting {
    pub value: String,
    pub mark: Option<Mark>,
}

/// Looks `path` (dot-separated; `section.key` for INI) up in `text`, read
/// in the format the file name says. Keys compare ignoring ASCII case
/// (Traefik's and Grafana's do).
pub fn lookup(file_name: &str, text: &str, path: &str) -> Option<FileSetting> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".ini") || lower.ends_with(".cfg") || lower.ends_with(".conf") {
        ini(text, path)
    } else if lower.ends_with(".toml") {
        toml_value(text, path)
    } else {
        yaml_value(text, path)
    }
}

fn yaml_value(text: &str, path: &str) -> Option<FileSetting> {
    let root = yaml::parse_stream(text, yaml::Limits::default())
        .into_iter()
        .find_map(|document| document.root)?;
    let mut node = &root;
    let mut mark = root.start;
    for key in path.split('.') {
        let entry = node
            .entries()?
            .iter()
            .rev()
            .find(|entry| entry.key.eq_ignore_ascii_case(key))?;
        // A setting is where its key is written, as everywhere in charter.
        (node, mark) = (&entry.node, entry.key_mark);
    }
    let value = match &node.value {
        Value::String(text) => text.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::Null => String::new(),
        Value::Sequence(_) | Value::Mapping(_) => return None,
    };
    Some(FileSetting {
        value,
        mark: Some(mark),
    })
}

fn toml_value(text: &str, path: &str) -> Option<FileSetting> {
    let table: toml::Table = text.parse().ok()?;
    let first = path.split('.').next()?;
    let mut current: &toml::Value = table
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(first))
        .map(|(_, value)| value)?;
    for key in path.split('.').skip(1) {
        current = current
            .as_table()?
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)?;
    }
    let value = match current {
        toml::Value::String(text) => text.clone(),
        toml::Value::Boolean(flag) => flag.to_string(),
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Float(number) => number.to_string(),
        _ => return None,
    };
    Some(FileSetting {
        value,
        mark: toml_key_line(text, path),
    })
}

/// The line of the last `key = ...` assignment of `path`'s last key after
/// its table header (the toml crate keeps no positions).
fn toml_key_line(text: &str, path: &str) -> Option<Mark> {
    let (table, key) = path.rsplit_once('.').unwrap_or(("", path));
    let mut in_table = table.is_empty();
    let mut found = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            let header = header.trim_end_matches(']').trim();
            in_table = header.eq_ignore_ascii_case(table);
            continue;
        }
        let name = trimmed.split('=').next().unwrap_or_default().trim();
        let dotted = format!("{table}.{key}");
        let matches = (in_table && name.eq_ignore_ascii_case(key))
            || (!table.is_empty() && name.eq_ignore_ascii_case(&dotted));
        if matches && trimmed.contains('=') {
            let column = line.len() - line.trim_start().len() + 1;
            found = Some(Mark::new(
                u32::try_from(index + 1).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            ));
        }
    }
    found
}

/// Grafana-style INI: `[section]` headers, `key = value`, `;` and `#`
/// comments; the last assignment wins.
fn ini(text: &str, path: &str) -> Option<FileSetting> {
    let (section, key) = path.split_once('.').unwrap_or(("", path));
    let mut current = String::new();
    let mut found = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with(';') || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            current = name.trim().to_owned();
            continue;
        }
        let Some((name, value)) = trimmed.split_once('=') else {
            continue;
        };
        if current.eq_ignore_ascii_case(section) && name.trim().eq_ignore_ascii_case(key) {
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            let column = line.len() - line.trim_start().len() + 1;
            found = Some(FileSetting {
                value: value.to_owned(),
                mark: Some(Mark::new(
                    u32::try_from(index + 1).unwrap_or(u32::MAX),
                    u32::try_from(column).unwrap_or(u32::MAX),
                )),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_yaml_and_toml() {
        let grafana = "[server]\nhttp_port = 3000\n\n[analytics]\n; reporting_enabled = false\n  reporting_enabled = true\n";
        assert_eq!(
            lookup("grafana.ini", grafana, "analytics.reporting_enabled"),
            Some(FileSetting {
                value: "true".into(),
                mark: Some(Mark::new(6, 3))
            })
        );
        assert_eq!(
            lookup("grafana.ini", grafana, "analytics.check_for_updates"),
            None
        );
        let traefik = "global:\n  checkNewVersion: false\n";
        assert_eq!(
            lookup("traefik.yml", traefik, "global.checknewversion"),
            Some(FileSetting {
                value: "false".into(),
                mark: Some(Mark::new(2, 3))
            })
        );
        let toml = "[entryPoints.web]\n  address = \":80\"\n[global]\n  checkNewVersion = true\n";
        assert_eq!(
            lookup("traefik.toml", toml, "global.checkNewVersion"),
            Some(FileSetting {
                value: "true".into(),
                mark: Some(Mark::new(4, 3))
            })
        );
        assert_eq!(
            lookup(
                "settings.yml",
                "search:\n  autocomplete:\n",
                "search.autocomplete"
            )
            .map(|s| s.value),
            Some(String::new())
        );
        assert_eq!(lookup("x.yaml", "- not a mapping", "a.b"), None);
    }
}
