//! Judging one AdmissionReview: the same engine, rules and configuration as
//! `charter check`, on the object of the request.

use std::collections::HashMap;
use std::sync::Arc;

use kube::core::DynamicObject;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};

use crate::check::{self, CheckOptions, Prepared};
use crate::config::{Config, FailOn};
use crate::date::Date;
use crate::finding::Finding;
use crate::rules::{Check, Rule, Severity};

/// The only review version the server speaks (`admissionReviewVersions: [v1]`).
pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";

/// What is built once at start and shared by every request.
pub struct Judge {
    pub prepared: Prepared,
    pub options: CheckOptions,
    pub config: Config,
    pub rules: Vec<Rule>,
    pub fail_on: FailOn,
    /// The enabled whole-set rules: on one object they cannot see the rest
    /// of the deployment, which the audit annotation says.
    pub set_rules: String,
}

impl Judge {
    pub fn new(
        options: CheckOptions,
        config: Config,
        rules: Vec<Rule>,
        fail_on: FailOn,
    ) -> Result<Judge, check::CheckError> {
        let prepared = Prepared::new(&options, &config)?;
        let set_rules: Vec<&str> = rules
            .iter()
            .filter(
                |rule| matches!(&rule.check, Check::Set(check) if !check.complete_on_one_object()),
            )
            .filter(|rule| config.severity_of(rule.meta).is_some())
            .map(|rule| rule.meta.id)
            .collect();
        let judge = Judge {
            prepared,
            options,
            config,
            rules,
            fail_on,
            set_rules: set_rules.join(","),
        };
        // Rules compile their patterns and tables on first use: one check
        // at start pays for that, not the first admission request.
        let warm_up = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"warm-up\"},\
                       \"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}}}";
        check::check_texts(
            &judge.prepared,
            &judge.options,
            &judge.config,
            &judge.rules,
            vec![("warm-up".to_owned(), Arc::from(warm_up))],
            Date::today_utc(),
        );
        Ok(judge)
    }
}

/// A request the server cannot judge, and the HTTP status that says so.
#[derive(Debug)]
pub struct BadRequest {
    pub status: u16,
    pub message: String,
}

impl BadRequest {
    fn new(message: impl Into<String>) -> Self {
        BadRequest {
            status: 400,
            message: message.into(),
        }
    }
}

/// Who the request is about, for logs (identifiers only, no values).
#[derive(Debug, Default, Clone)]
pub struct Subject {
    pub uid: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub operation: String,
    pub dry_run: bool,
}

/// The answer, with what the metrics and logs need.
pub struct Answer {
    pub body: Vec<u8>,
    pub allowed: bool,
    pub subject: Subject,
    /// Unsuppressed findings: rule id and severity.
    pub findings: Vec<(&'static str, &'static str)>,
}

/// Parses a review, checks its object and encodes the answering review.
pub fn review(judge: &Judge, body: &[u8]) -> Result<Answer, BadRequest> {
    let request = parse(body)?;
    let mut subject = Subject {
        uid: request.uid.clone(),
        kind: request.kind.kind.clone(),
        namespace: request.namespace.clone().unwrap_or_default(),
        name: request.name.clone(),
        operation: format!("{:?}", request.operation).to_uppercase(),
        dry_run: request.dry_run,
    };
    let mut response = AdmissionResponse::from(&request);
    let mut found = Vec::new();
    match request.operation {
        // Nothing is left to judge in an object being deleted, and CONNECT
        // (exec, port-forward) carries options, not an object.
        Operation::Delete | Operation::Connect => {}
        Operation::Create | Operation::Update => {
            let Some(mut object) = request.object else {
                return Err(BadRequest::new(format!(
                    "`request.object` is missing: a {} must carry the object",
                    subject.operation
                )));
            };
            // The API server fills the namespace from the request path; an
            // object written without one still belongs there, and exemptions
            // select on it.
            if object.metadata.namespace.is_none() {
                object.metadata.namespace = request.namespace.clone();
            }
            if subject.name.is_empty() {
                subject.name = object
                    .metadata
                    .name
                    .clone()
                    .or_else(|| object.metadata.generate_name.clone())
                    .unwrap_or_default();
            }
            // JSON is YAML: the object goes through the same loader as a
            // file, so its findings carry the same JSON pointers.
            let text = serde_json::to_string(&object).map_err(|error| {
                BadRequest::new(format!("`request.object` cannot be re-encoded: {error}"))
            })?;
            let name = format!(
                "admission:{}/{}/{}",
                subject.kind, subject.namespace, subject.name
            );
            let outcome = check::check_texts(
                &judge.prepared,
                &judge.options,
                &judge.config,
                &judge.rules,
                vec![(name, Arc::from(text))],
                Date::today_utc(),
            );
            response = verdict(judge, response, &outcome.findings);
            found = outcome
                .findings
                .iter()
                .filter(|finding| !finding.is_suppressed())
                .map(|finding| (finding.rule.id, finding.severity.as_str()))
                .collect();
        }
    }
    let allowed = response.allowed;
    let body = serde_json::to_vec(&response.into_review())
        .map_err(|error| BadRequest::new(format!("cannot encode the answer: {error}")))?;
    Ok(Answer {
        body,
        allowed,
        subject,
        findings: found,
    })
}

/// Reads the review, refusing what is not an `admission.k8s.io/v1`
/// AdmissionReview with a request and a uid.
fn parse(body: &[u8]) -> Result<AdmissionRequest<DynamicObject>, BadRequest> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let review: AdmissionReview<DynamicObject> =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            match path.as_str() {
                "." | "" => BadRequest::new(format!("body is not an AdmissionReview: {inner}")),
                _ => BadRequest::new(format!(
                    "body is not an AdmissionReview: at `{path}`: {inner}"
                )),
            }
        })?;
    if review.types.api_version != API_VERSION || review.types.kind != KIND {
        return Err(BadRequest::new(format!(
            "expected apiVersion `{API_VERSION}` and kind `{KIND}`, got `{}` and `{}`",
            review.types.api_version, review.types.kind
        )));
    }
    let request: AdmissionRequest<DynamicObject> = review
        .try_into()
        .map_err(|_| BadRequest::new("the AdmissionReview has no `request`"))?;
    if request.uid.is_empty() {
        return Err(BadRequest::new("`request.uid` is empty"));
    }
    Ok(request)
}

/// Turns findings into the response: findings at or above the threshold
/// deny, warnings below it come back as warnings, and the audit
/// annotations say what was suppressed and which rules saw only this object.
fn verdict(judge: &Judge, response: AdmissionResponse, findings: &[Finding]) -> AdmissionResponse {
    let mut denying = Vec::new();
    let mut warnings = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let path = finding.path.as_deref().unwrap_or("");
        let at = match path {
            "" => String::new(),
            path => format!(" at {path}"),
        };
        if finding.is_suppressed() {
            if !suppressed.contains(&finding.rule.id) {
                suppressed.push(finding.rule.id);
            }
        } else if judge.fail_on.fails(finding.severity) {
            denying.push(format!(
                "- {}{at}: {} (fix: {})",
                finding.rule.id,
                one_line(&finding.message),
                one_line(&finding.hint)
            ));
        } else if finding.severity == Severity::Warning {
            warnings.push(format!(
                "{}{at}: {}",
                finding.rule.id,
                one_line(&finding.message)
            ));
        }
    }
    let mut annotations = HashMap::new();
    if !judge.set_rules.is_empty() {
        annotations.insert(
            "partial-set-rules".to_owned(),
            format!(
                "{}: judged on this object alone, as in a pre-commit run; what they check \
                 against other resources of the deployment (ConfigMaps, Secrets, policies, \
                 bindings, other workloads), which an admission request does not carry, \
                 was skipped",
                judge.set_rules
            ),
        );
    }
    if !suppressed.is_empty() {
        annotations.insert("suppressed-rules".to_owned(), suppressed.join(","));
    }
    let mut response = response;
    response.audit_annotations = annotations;
    if !warnings.is_empty() {
        response.warnings = Some(warnings);
    }
    if denying.is_empty() {
        return response;
    }
    let count = denying.len();
    let message = format!(
        "charter: {count} finding{} at or above `{}`:\n{}",
        if count == 1 { "" } else { "s" },
        judge.fail_on.as_str(),
        denying.join("\n")
    );
    response.deny(message)
}

/// Collapses a multi-line message or hint into one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
