use super::*;
use crate::sealed::tests::sealed_shape;

fn scanner() -> Scanner {
    Scanner::new(Catalogue::load(None).expect("catalogue")).expect("scanner")
}

/// `(detector id, line, column)` of every leak in `text`.
fn found(scanner: &Scanner, text: &str) -> Vec<(String, u32, u32)> {
    scanner
        .scan("notes.txt", text)
        .iter()
        .map(|leak| {
            (
                scanner.detector(leak).id.clone(),
                leak.start.line,
                leak.start.column,
            )
        })
        .collect()
}

/// A deterministic generator for fakes.
pub(crate) struct Random(pub u64);

impl Random {
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

#[test]
fn every_detector_finds_its_own_fakes_and_never_shows_them() {
    let scanner = scanner();
    let mut random = Random(0x5EED);
    for (index, detector) in scanner.catalogue.detectors.iter().enumerate() {
        for _ in 0..50 {
            let (line, parts) = catalogue::expand_fake(&detector.fake, |n| random.below(n))
                .unwrap_or_else(|error| panic!("{}: {error}", detector.id));
            let text = format!("# notes\n{line}\n");
            let leaks = scanner.scan("notes.txt", &text);
            assert!(
                leaks
                    .iter()
                    .any(|leak| leak.detector == index && leak.start.line == 2),
                "{} misses its fake `{line}`: {leaks:?}",
                detector.id
            );
            for leak in &leaks {
                for part in parts.iter().filter(|part| part.len() >= 8) {
                    assert!(
                        !leak.redacted.contains(part.as_str()),
                        "{} shows its secret",
                        detector.id
                    );
                }
                assert!(leak.redacted.ends_with("****"));
                assert!(leak.hash.starts_with("sha256:") && leak.hash.len() == 71);
            }
        }
    }
}

#[test]
fn what_is_not_a_secret_is_not_reported() {
    let scanner = scanner();
    let sealed = sealed_shape(4096, 24, 9);
    let not_secrets = [
        "password: {{ .Values.db.password }}",
        "  password: \"{{ required \"db password\" .Values.password }}\"",
        "token: ${GITHUB_TOKEN}",
        "password: $(DB_PASSWORD)",
        "DB_PASSWORD=$DB_PASSWORD",
        "api_key: 123e4567-e89b-12d3-a456-426614174000",
        "image: ghcr.io/open-webui/open-webui@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "token: sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "secret_commit = 3f786850e387550fdab836ed7e6dc881de23001b",
        "    checksum/secret: 2b0f7a3c9e1d4b6a8c0e2f4a6b8d0c2e4f6a8b0d2c4e6f8a0b2d4c6e8f0a2b4c",
        "  \"integrity\": \"sha512-Vi+rZ3XWfBnnTZ0q7OHvn6Ka7lMM4lWLY7yZ0Mmar0lQRgKD5xEmjUgD7pZvL8W1V1bFbV/IlA62BgZmKkD+ZQ==\",",
        "avatar_token: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "secretName: litellm-master-key",
        "existingSecret: open-webui-postgres",
        "passwordFile: /run/secrets/postgres/password",
        "token_url: https://auth.example.org/oauth/token",
        "repository: https://ghcr.io/open-webui/open-webui",
        "DATABASE_URL=postgres://litellm:password@postgres:5432/litellm",
        "DATABASE_URL=postgres://litellm:${PGPASSWORD}@postgres:5432/litellm",
        "password: changeme-before-deploying",
        "api_key: short",
        "the token is issued by the identity provider",
    ];
    for line in not_secrets {
        assert_eq!(found(&scanner, line), [], "{line}");
    }
    let sealed_line = format!("    password: {sealed}");
    assert_eq!(found(&scanner, &sealed_line), []);
}

#[test]
fn positions_are_exact_and_columns_count_characters() {
    let scanner = scanner();
    // Columns count characters: `☕` and `é` are one column each.
    let text =
        "first line\nsecond\n# ☕ DATABASE_URL=\"postgres://café:R4nd0mPa55w0rdQ@db:5432/app\"\n";
    assert_eq!(
        found(&scanner, text),
        [("url-credentials".to_owned(), 3, 35)]
    );
    let leaks = scanner.scan("notes.txt", text);
    assert_eq!(leaks[0].end.column, 35 + "R4nd0mPa55w0rdQ".len() as u32);
    assert_eq!(leaks[0].redacted, "R4nd****");
}

#[test]
fn the_most_specific_detector_speaks() {
    let scanner = scanner();
    // Both the AWS key id detector and the generic one match this value.
    let text = "aws_access_key = AKIAQ3EGRQKDVT7TWRQA\n";
    assert_eq!(
        found(&scanner, text),
        [("aws-access-key-id".to_owned(), 1, 18)]
    );
}

#[test]
fn charter_allow_marks_the_line() {
    let scanner = scanner();
    let text = "db_password = \"Zx81kQw0pLm3Nb7Vc5Xa2Sd9\"  # charter:allow test fixture\n";
    let leaks = scanner.scan("notes.txt", text);
    assert_eq!(leaks.len(), 1);
    assert!(leaks[0].allowed_inline);
}

#[test]
fn lock_files_are_not_scanned() {
    let scanner = scanner();
    let text = "db_password = \"Zx81kQw0pLm3Nb7Vc5Xa2Sd9\"\n";
    assert!(scanner.scan("web/package-lock.json", text).is_empty());
    assert_eq!(scanner.scan("web/settings.json", text).len(), 1);
}

#[test]
fn entropy_is_shannon_in_bits() {
    assert_eq!(entropy("aaaa"), 0.0);
    assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    assert!(entropy("Zx81kQw0pLm3Nb7Vc5Xa2Sd9") > 4.0);
}
