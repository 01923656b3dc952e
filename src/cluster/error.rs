//! kube's errors in a user's words: what went wrong, not which layer saw it.

/// What a failed request means for the user: refused credentials, a TLS
/// failure, a server that cannot be reached, or the server's own message.
pub fn describe(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(response) => describe_status(response),
        kube::Error::Auth(_) => format!("cannot authenticate: {}", chain(error)),
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            let what = match transport_failure(error) {
                Transport::Tls => "TLS failure",
                Transport::Refused => "cannot reach the API server (connection refused)",
                Transport::Other => "cannot reach the API server",
            };
            // kube's own label ("ServiceError") says nothing to a user.
            let cause = std::error::Error::source(error).map_or_else(|| chain(error), chain);
            format!("{what}: {cause}")
        }
        other => chain(other),
    }
}

/// A status the server answered with (`kube::Error::Api`).
pub fn describe_status(response: &kube::core::ErrorResponse) -> String {
    let message = response.message.trim();
    match response.code {
        401 => format!("the server refused the credentials (401 Unauthorized): {message}"),
        403 => format!("forbidden (403): {message}"),
        code => format!("{code} {}: {message}", response.reason),
    }
}

enum Transport {
    Tls,
    Refused,
    Other,
}

fn transport_failure(error: &kube::Error) -> Transport {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = current {
        if error.downcast_ref::<rustls::Error>().is_some() {
            return Transport::Tls;
        }
        // An io::Error's `source` skips the error it wraps (where
        // hyper-rustls puts the rustls one, inside another io::Error): step
        // into it instead.
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return Transport::Refused;
            }
            if let Some(inner) = io.get_ref() {
                current = Some(inner as &(dyn std::error::Error + 'static));
                continue;
            }
        }
        current = error.source();
    }
    Transport::Other
}

/// The error and its causes, each said once (layers often repeat the text
/// of the error they wrap).
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut said = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        let text = cause.to_string();
        if !said.contains(&text) {
            said.push_str(": ");
            said.push_str(&text);
        }
        current = cause.source();
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::ErrorResponse;

    fn status(code: u16, reason: &str, message: &str) -> kube::Error {
        kube::Error::Api(ErrorResponse {
            status: "Failure".to_owned(),
            message: message.to_owned(),
            reason: reason.to_owned(),
            code,
        })
    }

    #[test]
    fn statuses_say_what_they_mean() {
        assert_eq!(
            describe(&status(401, "Unauthorized", "Unauthorized")),
            "the server refused the credentials (401 Unauthorized): Unauthorized"
        );
        assert_eq!(
            describe(&status(
                403,
                "Forbidden",
                "secrets is forbidden: User \"audit\" cannot list resource \"secrets\""
            )),
            "forbidden (403): secrets is forbidden: User \"audit\" cannot list resource \"secrets\""
        );
        assert_eq!(
            describe(&status(
                503,
                "ServiceUnavailable",
                "the server is currently unable"
            )),
            "503 ServiceUnavailable: the server is currently unable"
        );
    }
}
