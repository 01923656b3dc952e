//! SEC-009: a SealedSecret in the deprecated `spec.data` form.

use super::is_sealed_secret;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "SEC-009",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "SealedSecret uses the deprecated spec.data",
    rationale: "The first SealedSecret format sealed the whole Secret as one blob in `spec.data`. \
                It is deprecated: it cannot be updated one key at a time, hides which keys exist, \
                and is left from kubeseal releases old enough to have been sealed against a \
                certificate that has likely rotated since.",
    fix: "Re-seal the Secret with a current kubeseal, which writes `spec.encryptedData` (one \
          sealed value per key), and delete `spec.data`.",
    failing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: legacy
  namespace: ai-backend
spec:
  data: AgBLt1ZdxJXbFl7B4nRBKxte4nFK+9L1I34vqsFj2tzLRFW6aiR5lt1B4Yih8ORqyH1oU70Yyz3yWJ0lxILUWG2h5WFQcdRGSfV1BSl7x41MOzxNAtWMoojj1HzcYJhnC+5g7Gp0hC9Xx/BHA4KN0HBe2nhRJT7zOVCMU18eYEhF5872Jq5E7+h/RgSFj033ZCIuZ+MPg/ZT8YGLMl6EKDU+aU4iWst010St8Yy3heR6avdpyTcUrbH5LRvpbAnnDTmZCxzxyB7hZOXCdoKlXY1lOWeRKzqHlGJpKQxZcHmLAWngzX1XzPsFC9+QIXmq1jHNKNgq//B3uwczlgWm/BRdYmnEesSqTwcqkBP/w7/YEQ70sbyKlDJ7irZgUbpIxi/DsFx817lWk73O7KhOBKa/XBI9ZHsD1epMUTdK+b70CVJqVtRkZ13prb8tq/VCWiU2G6XHmzSpWXuomXbv+6JGaZQvyc2yr5SP/3/eEMc2DdSt+gw6bnFY5lK/P/Xs5T8Wi9U+azTo1ObEI5H2qSVuYfZOyzD2fZj8B81ceHxsjRH8KEULd2GoWtnOjPmQK39ddgLMbA43zfxYK9xee8N2G4A5oU0NbcxXddg8FX0lhKVEYOWEurCHcKPFY82r3w/F59ZnP3ydyzf63HFnn+jh0W3cbeNwvSGtgIAIisFSQI4ro5mTdram6+vBFLkDO95y+pdTP8vDMP/E5TG1yQ==
",
    ),
    passing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: legacy
  namespace: ai-backend
spec:
  encryptedData:
    token: AgDpbic+w+ytPPoqQ3EMFnM2QZZd0dR0fyy8Z2/zgJBu62KXFfZKQ9eBM/ayMS6c+D8wxJUK9MnD44YhWuMWppcFenlwdcVOK8IO9OipLUoSp4x2MOmey1xdiboQ+bBEqiIOxFPS25SSo9SBiBHM56jXSEXq4wQ9+QmqTXvswDyFBjkaRkqzGIF+gd4ulsL0mGPS73apNraTkSvw68wajvgLRFozeqaUtsCoZT83IqDojEvhpaWMMsw4mZhQ96uk44oQSPtS0geJs9k0iLQ4gRYO62K4kQqqhTa8A4qzT2XpmtJsbZVv7aYrVpnfeKxe5J6HV453POXyoy1vGD4Lo3zMSa1brOUFQ3kpxmZ7NTLYu/FGDcUawSDn3bxA+c5d4ox4AppKOZtlCS3/mQu9GNPAnAqriE7C+l1bL2vPQ3ex7BPqHJOuP07t3M7dURf4og7Le6oK7sNTPzTOvyGzMsBSrrJfWhiDxewWNIZcVCAOHdgyvhjmS4E9vqGgGEIHa63mTfQ9Loz+dt+z6yPdZu2C7dYX0O7MWE5OvvM55cg2bUi50aXYJkjkuSNTXP3+cT2cvoDPmg8QqEb1UUIFWLBQi9CT8IzMbzFpSl9vNZQn2XTpRVs6nQ3O4Rp4iDRFp4h+NsCMhvBSGAsvixganLwzqm7a6WunFkdjw4K+6udQjsRyzLiHIw/Wri9A6uUn5lidPmCuxupDHw2gBBJ3flg=
  template:
    metadata:
      name: legacy
      namespace: ai-backend
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, DeprecatedSealedData)
}

struct DeprecatedSealedData;

impl ResourceCheck for DeprecatedSealedData {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if is_sealed_secret(resource) && resource.get("/spec/data").is_some() {
            out.report(
                resource,
                "/spec/data",
                format!(
                    "{} is sealed in the deprecated `spec.data` form",
                    resource.display()
                ),
            );
        }
    }
}
