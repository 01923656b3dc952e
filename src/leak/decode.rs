//! Secrets hidden under an encoding: a base64 `user:password` (HTTP basic
//! auth, Docker's `auth`), and a Docker config whose `auth` entries are
//! base64 inside base64 (a `kubernetes.io/dockerconfigjson` Secret's value).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use super::catalogue::Decoder;

/// Whether the decoded candidate really holds a credential.
pub fn holds_credential(decoder: Decoder, candidate: &str) -> bool {
    match decoder {
        Decoder::BasicAuth => decode_text(candidate).is_some_and(|text| has_password(&text)),
        Decoder::DockerConfig => {
            decode_text(candidate).is_some_and(|text| docker_config_has_password(&text))
        }
    }
}

/// The decoded text; bytes that are not UTF-8 are kept as replacement
/// characters (a password may be any bytes).
fn decode_text(candidate: &str) -> Option<String> {
    let bytes = STANDARD
        .decode(candidate)
        .or_else(|_| STANDARD_NO_PAD.decode(candidate))
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// `user:password` with a non-empty password.
fn has_password(text: &str) -> bool {
    text.split_once(':')
        .is_some_and(|(user, password)| !user.is_empty() && !password.is_empty())
}

fn docker_config_has_password(text: &str) -> bool {
    let Ok(config) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let Some(auths) = config.get("auths").and_then(|auths| auths.as_object()) else {
        return false;
    };
    auths.values().any(|entry| {
        let auth = entry.get("auth").and_then(|auth| auth.as_str());
        let password = entry.get("password").and_then(|password| password.as_str());
        auth.is_some_and(|auth| decode_text(auth).is_some_and(|text| has_password(&text)))
            || password.is_some_and(|password| !password.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str) -> String {
        STANDARD.encode(text)
    }

    #[test]
    fn basic_auth_needs_a_password() {
        assert!(holds_credential(
            Decoder::BasicAuth,
            &encode("ci-bot:fixture-pass")
        ));
        assert!(!holds_credential(Decoder::BasicAuth, &encode("ci-bot:")));
        assert!(!holds_credential(
            Decoder::BasicAuth,
            &encode("no colon here")
        ));
        assert!(!holds_credential(Decoder::BasicAuth, "not base64!"));
    }

    #[test]
    fn docker_configs_are_decoded_twice() {
        let auth = encode("robot:fixture-pass");
        let config = format!("{{\"auths\":{{\"registry.example\":{{\"auth\":\"{auth}\"}}}}}}");
        assert!(holds_credential(Decoder::DockerConfig, &encode(&config)));
        let empty = "{\"auths\":{\"registry.example\":{}}}";
        assert!(!holds_credential(Decoder::DockerConfig, &encode(empty)));
        let password = "{\"auths\":{\"r\":{\"username\":\"u\",\"password\":\"p\"}}}";
        assert!(holds_credential(Decoder::DockerConfig, &encode(password)));
    }
}
