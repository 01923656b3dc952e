//! SEC-012: a sealed value that hides an empty string.

use super::{encrypted_data, is_sealed_secret};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::sealed::{self, SealedValue};
use crate::yaml::node::escape_token;

pub static META: RuleMeta = RuleMeta {
    id: "SEC-012",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Sealed value is empty",
    rationale: "The plaintext length of a sealed value can be read from its size: the ciphertext \
                is exactly as long as the plaintext. A value that seals zero bytes is almost always \
                a mistake (an unset shell variable passed to `--from-literal`), and the workload \
                gets an empty password or key.",
    fix: "Re-seal the key with its real value; if an empty value is intended, say so with an \
          exemption carrying the reason.",
    failing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: searxng-secret
  namespace: ai-frontend
spec:
  encryptedData:
    SEARXNG_SECRET: AgAXaA9JiAXhVQjgjuDrdmI9mcazM+3edfmWPkdC9vtSYcT5OHOmP0p5F7ZW8O6UkG42ZaKBuCGDsABHaJ0jCuWjPJ6wBoW5jTJ8D9ts9fVzF2blI5XIFAwGmRmCSUbkBehfD9SHcutsRAoy4eIaNgorYjPR/RQ4cXxb0yvqerDSUMEJFBXkEB54+0PYGVJHwcIJT/i19DFT4UzeORzNSsdZFMjsS7uk1O975fjftlet1qtyU8TJUEUxMQmNjbQvukSM/o7XZr4HcvqlFku7qYk2Z6X0t6nf/VO0atsjIyqSR05HeFTgDJkQ/lIEMHNDp0jPQOMNM7m2ck3q+C07L1Zd6mTCqoVYhX5XYv9ZO8vpuqNLN6VrqF1m+G3nVWycP95aJ81KbmdiSGvbOg368WsPqhXhC5RzwaYpXnYJesNML3Un5QeED3tJm9LD0cXmtnu4kY8b7ODQ0mJP97Gvj3/KZ5yrIVAy8O4OYTLITTjk6TIn0GOvuw8lMxQ8IZKsRY1DxWvb7mjwPKZej8Aly2fM4KO1ilL0UAU650m8LLbStCOW2Iu//nGr0u7py+4dhjzcCoqU4YEwD5WMH8SIHKdyg5abX6Ay/u6XBEzR+W2GHHW7zFhZhMrOS8t1e/3P6S20mEc9fb4mITPmnefgPFRZ3EJ892cwH4DVvbXKQgxP863DBdKZvbder6fF7P1Grx8=
  template:
    metadata:
      name: searxng-secret
      namespace: ai-frontend
",
    ),
    passing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: searxng-secret
  namespace: ai-frontend
spec:
  encryptedData:
    SEARXNG_SECRET: AgBK6+hZybPdOD4p6YYYaKt1nmhbSGCxvdFrzuyNwFI/XALKS1NiVQ155cZAGn6Ura+5980fM5negXrf/IJLHadUG4w9GXCebraq6QY682I8axbHNc1N9BPjUhnyGGV/UDATR2wuPoAizRLa8uav6GOA1Upq0yeJzYUwYXQYx4oBipsTDZZ2zgQocJgLLLSl4xFeKgu0SVEBBqPKWcLD5GRsUool6kXfOJpAOHIYyercsywjF+LVCk/2Ni2WMEtHS1e3wjX4pTvxkHSydREHczktQPAa9LP0aPwYgw82XhR37QU6crukPZk1nJzgYqYtUK9OYtgpLKFooIlOOOMIaFPxFeKzAyr+H9nDT2PfXGiIgW+WzMiFqg6Ie1oa1C+0PVbxvW16zgvurBSH/xkmthWE6pPLuqZQQF6u/MzRfv8xbFonfSkJj/dwq9AXi/OwryWTUb+ed87eFAKJKTKN2PWOFf2fXSwu+2orrU/PFMqp0FrefinmvACT2ATmk2Xl+kDySGmSxwQMzTh8SXryWNGel8bEx/I7RxAdCtvGw3EKOiZywoieU/S7srPQjiXYdsYAlBG+9dKC4Eb9t5UFJ8g+zGtSihkUL+awDbJnqX2XkqGkoIc0UJ/id3d7rEvL8e9IzrRYfHWRkfiZj60Pw8Xa9pHQDs9IqI2yv9o8XUA8Ke9PZlcf9+icJMoyq/zi6pUXSyMM6CqiCBE1Mi4=
  template:
    metadata:
      name: searxng-secret
      namespace: ai-frontend
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, EmptySealedValue)
}

struct EmptySealedValue;

impl ResourceCheck for EmptySealedValue {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_sealed_secret(resource) {
            return;
        }
        let entries = encrypted_data(resource);
        for entry in entries {
            let empty = entry.node.as_str().map(sealed::inspect);
            if let Some(SealedValue::Sealed {
                plaintext_len: 0, ..
            }) = empty
            {
                out.report(
                    resource,
                    &format!("/spec/encryptedData/{}", escape_token(&entry.key)),
                    format!(
                        "{} value `{}` seals an empty string",
                        resource.display(),
                        entry.key
                    ),
                );
            }
        }
    }
}
