//! How a program reads the value of one of its switches. Programs differ
//! in ways that matter (vLLM is off only for exactly `1`, Next.js for any
//! non-empty value, Gradio is on only for exactly `True`), so the catalogue
//! says, per switch, which values turn the feature off or on.

use serde::{Deserialize, Deserializer};

use super::catalogue::SwitchSpec;

/// A list of values, or `any` (any non-empty value).
#[derive(Debug, Clone)]
pub enum Values {
    Any,
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(word) if word == "any" => Ok(Values::Any),
            serde_json::Value::Array(items) => items
                .into_iter()
                .map(|item| {
                    scalar_text(&item).ok_or_else(|| D::Error::custom("values are scalars"))
                })
                .collect::<Result<_, _>>()
                .map(Values::List),
            _ => Err(D::Error::custom("expected a list of values or `any`")),
        }
    }
}

/// A scalar as the program sees it in its environment or configuration.
pub fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Null => Some(String::new()),
        _ => None,
    }
}

/// What a value does to the feature, as the program reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Off,
    On,
    /// Meant to turn the feature off, but the program does not read it so:
    /// the feature stays on. `works` says what does.
    NotAccepted {
        works: String,
    },
}

impl SwitchSpec {
    pub fn read(&self, value: &str) -> Reading {
        let same = |a: &str, b: &str| match self.caseless {
            true => a.eq_ignore_ascii_case(b),
            false => a == b,
        };
        match (&self.off, &self.on) {
            (Some(Values::Any), _) => match value.is_empty() {
                true => Reading::On,
                false => Reading::Off,
            },
            (Some(Values::List(off)), _) => {
                if off.iter().any(|accepted| same(accepted, value)) {
                    Reading::Off
                } else if off.first().is_some_and(|first| looks_alike(first, value)) {
                    Reading::NotAccepted {
                        works: format!("the program reads only {} as off", self.accepted_off()),
                    }
                } else {
                    Reading::On
                }
            }
            (None, Some(Values::Any)) => match value.is_empty() {
                true => Reading::Off,
                false => Reading::On,
            },
            (None, Some(Values::List(on))) => match on.iter().any(|v| same(v, value)) {
                true => Reading::On,
                false => Reading::Off,
            },
            (None, None) => Reading::On,
        }
    }

    /// The values that turn the feature off, for messages.
    pub fn accepted_off(&self) -> String {
        match (&self.off, &self.on) {
            (Some(Values::Any), _) => "any non-empty value".to_owned(),
            (Some(Values::List(values)), _) => {
                let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                let case = match self.caseless {
                    true => " (in any case)",
                    false => " (exactly)",
                };
                format!("{}{case}", list.join(" or "))
            }
            (None, Some(Values::Any)) => "an empty value".to_owned(),
            (None, Some(_)) => format!("`{}`", self.recommendation()),
            (None, None) => String::new(),
        }
    }

    /// Whether the switch is written in a chart's Helm values.
    pub fn is_helm(&self) -> bool {
        self.helm.is_some() || self.helm_flag.is_some()
    }

    /// How to write a Helm switch so that it reads off: `key: value`, or
    /// the flag in the first argument list.
    pub fn helm_fix(&self) -> String {
        let value = self.recommendation();
        match (&self.helm, &self.helm_flag) {
            (Some(key), _) => format!("set the Helm value `{key}: {value}`"),
            (None, Some(flag)) => format!(
                "add `{}={value}` to the Helm value `{}` (a list of arguments)",
                flag.flag,
                flag.lists.first().map(String::as_str).unwrap_or_default()
            ),
            (None, None) => String::new(),
        }
    }

    /// The value a hint proposes.
    pub fn recommendation(&self) -> String {
        if let Some(value) = &self.recommend {
            return value.clone();
        }
        match &self.off {
            Some(Values::List(values)) => values.first().cloned().unwrap_or_default(),
            Some(Values::Any) => "1".to_owned(),
            None => String::new(),
        }
    }
}

#[derive(PartialEq, Eq)]
enum Word {
    Yes,
    No,
    Other,
}

fn word(value: &str) -> Word {
    const YES: &[&str] = &["1", "true", "yes", "on", "y", "t", "enable", "enabled"];
    const NO: &[&str] = &[
        "0", "false", "no", "off", "n", "f", "disable", "disabled", "none", "",
    ];
    let lower = value.trim().to_ascii_lowercase();
    if YES.contains(&lower.as_str()) {
        Word::Yes
    } else if NO.contains(&lower.as_str()) {
        Word::No
    } else {
        Word::Other
    }
}

/// Whether `value` says the same thing as the accepted `off` value in
/// other words (`true` for `1`, `0` for `false`): the writer meant "off".
fn looks_alike(accepted: &str, value: &str) -> bool {
    match word(accepted) {
        Word::Yes => word(value) == Word::Yes,
        Word::No | Word::Other => word(value) == Word::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn switch(yaml: &str) -> SwitchSpec {
        let root = crate::yaml::parse_stream(yaml, crate::yaml::Limits::default())
            .pop()
            .and_then(|document| document.root)
            .expect("a switch");
        serde_json::from_value(root.to_json()).expect("a valid switch")
    }

    #[test]
    fn vllm_is_off_only_for_exactly_one() {
        let vllm = switch("{env: VLLM_NO_USAGE_STATS, off: ['1']}");
        assert_eq!(vllm.read("1"), Reading::Off);
        assert_eq!(
            vllm.read("true"),
            Reading::NotAccepted {
                works: "the program reads only `1` (exactly) as off".into()
            }
        );
        assert_eq!(vllm.read("0"), Reading::On);
    }

    #[test]
    fn nextjs_is_off_for_any_non_empty_value() {
        let next = switch("{env: NEXT_TELEMETRY_DISABLED, off: any}");
        assert_eq!(next.read("0"), Reading::Off);
        assert_eq!(next.read("false"), Reading::Off);
        assert_eq!(next.read(""), Reading::On);
    }

    #[test]
    fn gradio_is_on_only_for_exactly_true() {
        let gradio = switch("{env: GRADIO_ANALYTICS_ENABLED, on: ['True'], recommend: 'False'}");
        assert_eq!(gradio.read("True"), Reading::On);
        assert_eq!(gradio.read("true"), Reading::Off);
        assert_eq!(gradio.read("yes"), Reading::Off);
        assert_eq!(gradio.recommendation(), "False");
    }

    #[test]
    fn caseless_lists_and_enable_named_switches() {
        let hub = switch(
            "{env: HF_HUB_DISABLE_TELEMETRY, off: ['1', 'ON', 'YES', 'TRUE'], caseless: true}",
        );
        assert_eq!(hub.read("true"), Reading::Off);
        assert_eq!(hub.read("false"), Reading::On);
        let grafana = switch("{env: GF_ANALYTICS_REPORTING_ENABLED, off: ['false']}");
        assert_eq!(
            grafana.read("no"),
            Reading::NotAccepted {
                works: "the program reads only `false` (exactly) as off".into()
            }
        );
        assert_eq!(grafana.read("true"), Reading::On);
    }
}
