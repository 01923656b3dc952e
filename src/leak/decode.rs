//! Secrets hidden under an encoding: a base64 `user:password` (HTTP basic
//! auth, Docker's `auth`), a Docker config whose `auth` entries are
//! base64 inside base64 (a `kubernetes.io/dockerconfigjson` Secret's value),
//! and a JWT whose base64url payload names a Kubernetes service account.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use super::catalogue::Decoder;

/// Whether the decoded candidate really holds a credential.
pub fn holds_credential(decoder: Decoder, candidate: &str) -> bool {
    match decoder {
        Decoder::BasicAuth => decode_text(candidate).is_some_and(|text| has_password(&text)),
        Decoder::DockerConfig => {
            decode_text(candidate).is_some_and(|text| docker_config_has_password(&text))
        }
        Decoder::KubernetesServiceAccount => is_service_account_token(candidate),
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

/// The issuer of legacy (Secret-based) service account tokens.
const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";

/// Whether a JWT (`header.payload.signature`) is a Kubernetes service
/// account token: its payload (base64url, padding optional) is a JSON object
/// that says `"iss": "kubernetes/serviceaccount"` (a legacy token, whose
/// other claims are `kubernetes.io/serviceaccount/...`) or carries a
/// `kubernetes.io` claim (a bound token, whose issuer is the cluster's URL).
fn is_service_account_token(candidate: &str) -> bool {
    let mut parts = candidate.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')) else {
        return false;
    };
    let Ok(serde_json::Value::Object(claims)) = serde_json::from_slice(&bytes) else {
        return false;
    };
    claims.get("iss").and_then(|iss| iss.as_str()) == Some(LEGACY_ISSUER)
        || claims
            .keys()
            .any(|claim| claim == "kubernetes.io" || claim.starts_with("kubernetes.io/"))
}

fn docker_config_has_password(text: &str) -> bool {
    !registries_with_credentials(text).is_empty()
}

/// The registries of a Docker config (JSON text) whose entry holds a
/// password: an `auth` that decodes to `user:password`, or a `password`.
pub fn registries_with_credentials(config: &str) -> Vec<String> {
    let Ok(config) = serde_json::from_str::<serde_json::Value>(config) else {
        return Vec::new();
    };
    let Some(auths) = config.get("auths").and_then(|auths| auths.as_object()) else {
        return Vec::new();
    };
    auths
        .iter()
        .filter(|(_, entry)| {
            let auth = entry.get("auth").and_then(|auth| auth.as_str());
            let password = entry.get("password").and_then(|password| password.as_str());
            auth.is_some_and(|auth| decode_text(auth).is_some_and(|text| has_password(&text)))
                || password.is_some_and(|password| !password.is_empty())
        })
        .map(|(registry, _)| registry.clone())
        .collect()
}

/// The same for a Docker config written base64-encoded, as a Secret's `data`
/// holds it.
pub fn registries_with_credentials_base64(encoded: &str) -> Vec<String> {
    decode_text(encoded).map_or_else(Vec::new, |config| registries_with_credentials(&config))
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

    /// A JWT with these claims, a fixed header and a made-up signature. The
    /// payload is unpadded base64url, as JWTs have it.
    fn jwt(claims: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"fixture"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims);
        format!("{header}.{payload}.c2lnbmF0dXJlLW9mLW5vLWtleQ")
    }

    fn is_k8s(token: &str) -> bool {
        holds_credential(Decoder::KubernetesServiceAccount, token)
    }

    #[test]
    fn legacy_service_account_tokens_are_recognised_by_their_issuer() {
        let legacy = r#"{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"apps","kubernetes.io/serviceaccount/secret.name":"reader-token-x7k2p","kubernetes.io/serviceaccount/service-account.name":"reader","sub":"system:serviceaccount:apps:reader"}"#;
        assert!(is_k8s(&jwt(legacy)));
        // The issuer alone is enough, and so is a legacy claim alone.
        assert!(is_k8s(&jwt(r#"{"iss":"kubernetes/serviceaccount"}"#)));
        assert!(is_k8s(&jwt(
            r#"{"kubernetes.io/serviceaccount/namespace":"apps"}"#
        )));
    }

    #[test]
    fn bound_service_account_tokens_are_recognised_by_their_claim() {
        let bound = r#"{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":1767225600,"iat":1767222000,"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{"namespace":"apps","pod":{"name":"reader-0","uid":"00000000-0000-0000-0000-000000000001"},"serviceaccount":{"name":"reader","uid":"00000000-0000-0000-0000-000000000002"}},"nbf":1767222000,"sub":"system:serviceaccount:apps:reader"}"#;
        assert!(is_k8s(&jwt(bound)));
    }

    #[test]
    fn the_payload_may_be_padded() {
        let claims = r#"{"iss":"kubernetes/serviceaccount"}"#;
        let padded = base64::engine::general_purpose::URL_SAFE.encode(claims);
        assert!(padded.ends_with('='), "{padded}");
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        assert!(is_k8s(&format!("{header}.{padded}.c2lnbmF0dXJl")));
    }

    #[test]
    fn other_jwts_are_not_service_account_tokens() {
        // Another issuer, without kubernetes.io claims.
        assert!(!is_k8s(&jwt(
            r#"{"iss":"https://accounts.example.org","sub":"1234"}"#
        )));
        // The issuer's name in another claim, or as a value, does not count.
        assert!(!is_k8s(&jwt(r#"{"aud":"kubernetes/serviceaccount"}"#)));
        assert!(!is_k8s(&jwt(r#"{"note":"kubernetes.io"}"#)));
        // Claims that are not an object, a payload that is not JSON or not
        // base64url, and tokens without three parts.
        assert!(!is_k8s(&jwt(r#"["kubernetes.io"]"#)));
        assert!(!is_k8s(&jwt("kubernetes/serviceaccount")));
        assert!(!is_k8s("eyJhbGciOiJub25lIn0.not*base64.c2ln"));
        let token = jwt(r#"{"iss":"kubernetes/serviceaccount"}"#);
        let (two_parts, _) = token.rsplit_once('.').unwrap();
        assert!(!is_k8s(two_parts));
        assert!(!is_k8s(&format!("{token}.extra")));
    }
}
