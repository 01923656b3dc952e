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
        "    let token = parse_token(&input).context(\"reading the session token\")?;",
        "    let token = generate_session_token(user, Duration::from_secs(3600));",
        "    api_key = os.environ[\"OPENAI_API_KEY\"]",
        "passwordFile: /run/secrets/postgres/password",
        "token_url: https://auth.example.org/oauth/token",
        "repository: https://ghcr.io/open-webui/open-webui",
        "DATABASE_URL=postgres://litellm:password@postgres:5432/litellm",
        "DATABASE_URL=postgres://litellm:${PGPASSWORD}@postgres:5432/litellm",
        "password: changeme-before-deploying",
        "api_key: short",
        "the token is issued by the identity provider",
        // Near-misses of the known formats: prefixes in prose, values too
        // short, placeholders and low-entropy fillers.
        "Classic tokens start with ghp_, fine-grained ones with github_pat_.",
        "GITHUB_TOKEN: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "Project access tokens look like glpat- followed by 20 characters.",
        "  registration_token: GR134894112312312312312312312",
        "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "bot_token: xoxb-0000-0000",
        "Live keys start with sk_live_, restricted ones with rk_live_.",
        "OPENAI_API_KEY=sk-abc123",
        "Keys look like sk-proj-... or sk-ant-api03-...AA; never commit one.",
        "- (id)hf_requiredCharacteristicTypesForDisplayMetadata;",
        "hf_token = os.environ[\"HF_TOKEN\"]",
        "  apiKey: \"AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
        "  apiKey: \"AIzaSyabcdefghijklmnopqrstuvwxyz1234567\"",
        "AZURE_STORAGE_CONNECTION_STRING=UseDevelopmentStorage=true",
        "AccountKey=too-short==",
        "twilio_auth_token: 00000000000000000000000000000000",
        "SendGrid keys have the shape SG.<key id>.<secret>.",
        "npm_config_cache=/tmp/.npm",
        "NPM_TOKEN=${NPM_TOKEN}",
        "PyPI tokens start with pypi-AgEIcHlwaS5vcmc and go on for 150 characters.",
        "Docker Hub tokens start with dckr_pat_.",
        "Talk to the bot at https://t.me/charter_bot (chat id -1001234567890).",
        "<xsd:element name=\"AgencyIdentificationCode\" type=\"clm12345:AgencyIdentificationCodeContentType\"/>",
        "discord.py==2.3.2",
        "header.payload: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0 (no signature)",
        "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
        "-----BEGIN PUBLIC KEY-----",
        "-----END RSA PRIVATE KEY-----",
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

/// `template` expanded with the generator, as the fake tests do.
fn expand(template: &str, random: &mut Random) -> String {
    catalogue::expand_fake(template, |n| random.below(n))
        .unwrap_or_else(|error| panic!("{error}"))
        .0
}

#[test]
fn near_misses_with_random_parts_are_not_reported() {
    let scanner = scanner();
    let mut random = Random(0xFA15E);
    let near_misses = [
        // One character short, one too many.
        "see ghp_{A-Za-z0-9:35} in the log",
        "see ghp_{A-Za-z0-9:37} in the log",
        "maps key AIza{0-9A-Za-z:34} rotated",
        "bot: {1-9:1}{0-9:3}:A{A-Za-z0-9:34}",
        // A JWT-shaped path segment is not a token.
        "GET https://app.internal/share/eyJ{A-Za-z0-9:20}.eyJ{A-Za-z0-9:40}.{A-Za-z0-9_-:43}/view",
        // Project keys carry T3BlbkFJ.
        "rotated sk-proj-{A-Za-z0-9:40} last week",
        // Discord bot tokens start with M, N or O (a user id in base64).
        "discord: A{A-Za-z0-9:25}.{A-Za-z0-9:6}.{A-Za-z0-9:38}",
        // Identifiers, not secrets: a Twilio account SID, an age recipient.
        "TWILIO_ACCOUNT_SID=AC{0-9a-f:32}",
        "recipients: age1{qpzry9x8gf2tvdw0s3jn54khce6mua7l:58}",
        // The storage emulator's published key.
        "AZURITE=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFl{A-Za-z0-9+/:70}==;",
    ];
    for template in near_misses {
        for _ in 0..50 {
            let line = expand(template, &mut random);
            assert_eq!(found(&scanner, &line), [], "{line}");
        }
    }
}

#[test]
fn tokens_are_found_in_their_usual_surroundings() {
    let scanner = scanner();
    let mut random = Random(0xC0FFEE);
    let cases = [
        (
            "curl https://api.telegram.org/bot{1-9:1}{0-9:9}:A{A-Za-z0-9_-:34}/getMe",
            "telegram-bot-token",
        ),
        (
            "The token was eyJ{A-Za-z0-9:20}.eyJ{A-Za-z0-9:40}.{A-Za-z0-9:43}.",
            "jwt",
        ),
        (
            "https://app.internal/callback?access_token=eyJ{A-Za-z0-9:20}.eyJ{A-Za-z0-9:40}.{A-Za-z0-9_-:43}&state=1",
            "jwt",
        ),
        (
            "- glpat-{A-Za-z0-9_-:27}.01{a-z0-9:7} (routable)",
            "gitlab-access-token",
        ),
        (
            "  runner_token = 'glrt-t1_{A-Za-z0-9_-:27}.01{a-z0-9:7}'",
            "gitlab-runner-authentication-token",
        ),
        (
            "    \"SecretAccessKey\": \"{A-Za-z0-9:1}{A-Za-z0-9/+:39}\",",
            "aws-secret-access-key",
        ),
        (
            "aws configure set aws_secret_access_key {A-Za-z0-9:1}{A-Za-z0-9/+:39}",
            "aws-secret-access-key",
        ),
        (
            "client = Client(twilio.authToken = '{0-9a-f:32}')",
            "twilio-auth-token",
        ),
    ];
    for (template, detector) in cases {
        for _ in 0..50 {
            let line = expand(template, &mut random);
            let ids: Vec<String> = found(&scanner, &line).into_iter().map(|f| f.0).collect();
            assert_eq!(ids, [detector], "{line}");
        }
    }
    // A routable token is found whole, suffix included.
    let line = expand(
        "GITLAB_TOKEN=glpat-{A-Za-z0-9:27}.01{a-z0-9:7}",
        &mut random,
    );
    let leaks = scanner.scan("notes.txt", &line);
    assert_eq!(leaks.len(), 1);
    assert_eq!(leaks[0].end.column as usize, line.len() + 1);
}

/// Lines where a known format and a broader detector (a password in a URL,
/// a generic assignment, a plain JWT) match the same secret: the known
/// format speaks alone. Each broader detector really matches: it speaks
/// when the specific one is disabled.
#[test]
fn specific_formats_win_over_broader_detectors() {
    let full = scanner();
    let fake_of = |id: &str| {
        full.catalogue
            .detectors
            .iter()
            .find(|d| d.id == id)
            .unwrap_or_else(|| panic!("no detector {id}"))
            .fake
            .clone()
    };
    let cases = [
        (
            "openai-project-key",
            fake_of("openai-project-key"),
            "generic-secret-assignment",
        ),
        (
            "openai-legacy-key",
            fake_of("openai-legacy-key"),
            "generic-secret-assignment",
        ),
        (
            "anthropic-api-key",
            "anthropic_api_key: \"sk-ant-api03-{A-Za-z0-9_-:93}AA\"".to_owned(),
            "generic-secret-assignment",
        ),
        (
            "aws-secret-access-key",
            fake_of("aws-secret-access-key"),
            "generic-secret-assignment",
        ),
        (
            "twilio-auth-token",
            fake_of("twilio-auth-token"),
            "generic-secret-assignment",
        ),
        (
            "huggingface-token",
            fake_of("huggingface-token"),
            "generic-secret-assignment",
        ),
        (
            "telegram-bot-token",
            fake_of("telegram-bot-token"),
            "generic-secret-assignment",
        ),
        (
            "pypi-upload-token",
            fake_of("pypi-upload-token"),
            "generic-secret-assignment",
        ),
        (
            "npm-access-token",
            fake_of("npm-access-token"),
            "generic-secret-assignment",
        ),
        (
            "github-server-to-server-token",
            fake_of("github-server-to-server-token"),
            "url-credentials",
        ),
        (
            "gitlab-access-token",
            "url = https://oauth2:glpat-{A-Za-z0-9_-:20}@gitlab.internal/platform/charts.git"
                .to_owned(),
            "url-credentials",
        ),
        (
            "kubernetes-service-account-token",
            fake_of("kubernetes-service-account-token"),
            "jwt",
        ),
    ];
    let mut random = Random(0xB0B);
    for (specific, template, broader) in cases {
        let without = format!("version = 1\ndisabled = [\"{specific}\"]\n");
        let without =
            Scanner::new(Catalogue::load(Some(("test.toml", &without))).unwrap()).unwrap();
        let mut broader_found = 0;
        for _ in 0..20 {
            let line = expand(&template, &mut random);
            let ids = |scanner: &Scanner| -> Vec<String> {
                found(scanner, &line).into_iter().map(|f| f.0).collect()
            };
            assert_eq!(ids(&full), [specific], "{line}");
            // The generic detector's entropy bar drops some random values
            // (32 hex digits, say) that the specific detector keeps.
            broader_found += usize::from(ids(&without).iter().any(|id| id == broader));
        }
        assert!(broader_found > 0, "{broader} never matches `{template}`");
    }
}

#[test]
fn private_keys_of_every_kind_are_found() {
    let scanner = scanner();
    let headers = [
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN EC PRIVATE KEY-----",
        "-----BEGIN DSA PRIVATE KEY-----",
        // PKCS #8, plain and encrypted.
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "-----BEGIN SSH2 ENCRYPTED PRIVATE KEY-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        // In a block scalar of a Secret, and JSON-escaped in a key file.
        "    -----BEGIN EC PRIVATE KEY-----",
        "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n\",",
    ];
    for line in headers {
        let ids: Vec<String> = found(&scanner, line).into_iter().map(|f| f.0).collect();
        assert_eq!(ids, ["private-key"], "{line}");
    }
    let not_private = [
        "-----BEGIN PUBLIC KEY-----",
        "-----BEGIN RSA PUBLIC KEY-----",
        "-----BEGIN CERTIFICATE-----",
        "-----BEGIN CERTIFICATE REQUEST-----",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----",
        "-----BEGIN PGP MESSAGE-----",
        "-----BEGIN PGP SIGNATURE-----",
        "-----END OPENSSH PRIVATE KEY-----",
        "-----END PGP PRIVATE KEY BLOCK-----",
    ];
    for line in not_private {
        assert_eq!(found(&scanner, line), [], "{line}");
    }
}
