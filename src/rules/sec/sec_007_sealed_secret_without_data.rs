//! SEC-007: a SealedSecret that seals nothing.

use super::{encrypted_data, is_sealed_secret};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "SEC-007",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "SealedSecret without encryptedData",
    rationale: "A SealedSecret's values live in `spec.encryptedData`. Without it (or with it \
                empty) the controller creates an empty Secret, and whatever reads the Secret fails \
                at run time, usually after the values were meant to be added by hand.",
    fix: "Seal the values with kubeseal (`kubectl create secret generic NAME --from-literal=... \
          --dry-run=client -o yaml | kubeseal -o yaml`) and commit the output whole.",
    failing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: open-webui-secret
  namespace: ai-frontend
spec:
  encryptedData: {}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: open-webui-secret
  namespace: ai-frontend
spec:
  encryptedData:
    WEBUI_SECRET_KEY: AgBK6+hZybPdOD4p6YYYaKt1nmhbSGCxvdFrzuyNwFI/XALKS1NiVQ155cZAGn6Ura+5980fM5negXrf/IJLHadUG4w9GXCebraq6QY682I8axbHNc1N9BPjUhnyGGV/UDATR2wuPoAizRLa8uav6GOA1Upq0yeJzYUwYXQYx4oBipsTDZZ2zgQocJgLLLSl4xFeKgu0SVEBBqPKWcLD5GRsUool6kXfOJpAOHIYyercsywjF+LVCk/2Ni2WMEtHS1e3wjX4pTvxkHSydREHczktQPAa9LP0aPwYgw82XhR37QU6crukPZk1nJzgYqYtUK9OYtgpLKFooIlOOOMIaFPxFeKzAyr+H9nDT2PfXGiIgW+WzMiFqg6Ie1oa1C+0PVbxvW16zgvurBSH/xkmthWE6pPLuqZQQF6u/MzRfv8xbFonfSkJj/dwq9AXi/OwryWTUb+ed87eFAKJKTKN2PWOFf2fXSwu+2orrU/PFMqp0FrefinmvACT2ATmk2Xl+kDySGmSxwQMzTh8SXryWNGel8bEx/I7RxAdCtvGw3EKOiZywoieU/S7srPQjiXYdsYAlBG+9dKC4Eb9t5UFJ8g+zGtSihkUL+awDbJnqX2XkqGkoIc0UJ/id3d7rEvL8e9IzrRYfHWRkfiZj60Pw8Xa9pHQDs9IqI2yv9o8XUA8Ke9PZlcf9+icJMoyq/zi6pUXSyMM6CqiCBE1Mi4=
  template:
    metadata:
      name: open-webui-secret
      namespace: ai-frontend
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, SealedSecretWithoutData)
}

struct SealedSecretWithoutData;

impl ResourceCheck for SealedSecretWithoutData {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        // The deprecated `spec.data` form is SEC-009's.
        if !is_sealed_secret(resource) || resource.get("/spec/data").is_some() {
            return;
        }
        if encrypted_data(resource).is_empty() {
            out.report(
                resource,
                "/spec/encryptedData",
                format!(
                    "{} has no values in `spec.encryptedData`",
                    resource.display()
                ),
            );
        }
    }
}
