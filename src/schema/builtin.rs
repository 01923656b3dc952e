//! The JSON Schemas of the built-in kinds, from k8s-openapi's `schemars`
//! feature for the Kubernetes version the build targets (the `v1_31`
//! feature in Cargo.toml: the cluster's k3s 1.31).
//!
//! A schema is generated when its kind is first seen: most runs touch a
//! dozen of the eighty kinds, and generating all of them would cost every
//! run a few milliseconds for nothing.

use k8s_openapi::Resource;
use k8s_openapi::schemars::JsonSchema;
use k8s_openapi::schemars::r#gen::SchemaSettings;
use serde_json::{Value, json};

/// A built-in kind and how to make its schema.
pub struct BuiltinKind {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub schema: fn() -> Value,
    /// Whether its objects live in a namespace.
    pub namespaced: fn() -> bool,
}

macro_rules! builtin_kinds {
    ($($path:path),* $(,)?) => {
        /// Every kind a manifest can create. Subresources (Scale, Eviction,
        /// TokenRequest), `List` types and discovery documents are not
        /// manifests and are left out.
        pub static KINDS: &[BuiltinKind] = &[$(
            BuiltinKind {
                group: <$path as Resource>::GROUP,
                version: <$path as Resource>::VERSION,
                kind: <$path as Resource>::KIND,
                schema: schema_of::<$path>,
                namespaced: is_namespaced::<$path>,
            },
        )*];
    };
}

use k8s_openapi::*;

fn is_namespaced<T: Resource>() -> bool
where
    T::Scope: 'static,
{
    std::any::TypeId::of::<T::Scope>()
        == std::any::TypeId::of::<k8s_openapi::NamespaceResourceScope>()
}

/// Whether objects of a built-in kind live in a namespace; `None` for a
/// kind that is not built in.
pub fn namespaced(group: &str, kind: &str) -> Option<bool> {
    KINDS
        .iter()
        .find(|known| known.group == group && known.kind == kind)
        .map(|known| (known.namespaced)())
}

builtin_kinds![
    api::admissionregistration::v1::MutatingWebhookConfiguration,
    api::admissionregistration::v1::ValidatingAdmissionPolicy,
    api::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
    api::admissionregistration::v1::ValidatingWebhookConfiguration,
    api::admissionregistration::v1alpha1::ValidatingAdmissionPolicy,
    api::admissionregistration::v1alpha1::ValidatingAdmissionPolicyBinding,
    api::admissionregistration::v1beta1::ValidatingAdmissionPolicy,
    api::admissionregistration::v1beta1::ValidatingAdmissionPolicyBinding,
    api::apiserverinternal::v1alpha1::StorageVersion,
    api::apps::v1::ControllerRevision,
    api::apps::v1::DaemonSet,
    api::apps::v1::Deployment,
    api::apps::v1::ReplicaSet,
    api::apps::v1::StatefulSet,
    api::authentication::v1::SelfSubjectReview,
    api::authentication::v1::TokenReview,
    api::authentication::v1alpha1::SelfSubjectReview,
    api::authentication::v1beta1::SelfSubjectReview,
    api::authorization::v1::LocalSubjectAccessReview,
    api::authorization::v1::SelfSubjectAccessReview,
    api::authorization::v1::SelfSubjectRulesReview,
    api::authorization::v1::SubjectAccessReview,
    api::autoscaling::v1::HorizontalPodAutoscaler,
    api::autoscaling::v2::HorizontalPodAutoscaler,
    api::batch::v1::CronJob,
    api::batch::v1::Job,
    api::certificates::v1::CertificateSigningRequest,
    api::certificates::v1alpha1::ClusterTrustBundle,
    api::coordination::v1::Lease,
    api::coordination::v1alpha1::LeaseCandidate,
    api::core::v1::Binding,
    api::core::v1::ComponentStatus,
    api::core::v1::ConfigMap,
    api::core::v1::Endpoints,
    api::core::v1::Event,
    api::core::v1::LimitRange,
    api::core::v1::Namespace,
    api::core::v1::Node,
    api::core::v1::PersistentVolume,
    api::core::v1::PersistentVolumeClaim,
    api::core::v1::Pod,
    api::core::v1::PodTemplate,
    api::core::v1::ReplicationController,
    api::core::v1::ResourceQuota,
    api::core::v1::Secret,
    api::core::v1::Service,
    api::core::v1::ServiceAccount,
    api::discovery::v1::EndpointSlice,
    api::events::v1::Event,
    api::flowcontrol::v1::FlowSchema,
    api::flowcontrol::v1::PriorityLevelConfiguration,
    api::flowcontrol::v1beta3::FlowSchema,
    api::flowcontrol::v1beta3::PriorityLevelConfiguration,
    api::networking::v1::Ingress,
    api::networking::v1::IngressClass,
    api::networking::v1::NetworkPolicy,
    api::networking::v1beta1::IPAddress,
    api::networking::v1beta1::ServiceCIDR,
    api::node::v1::RuntimeClass,
    api::policy::v1::PodDisruptionBudget,
    api::rbac::v1::ClusterRole,
    api::rbac::v1::ClusterRoleBinding,
    api::rbac::v1::Role,
    api::rbac::v1::RoleBinding,
    api::resource::v1alpha3::DeviceClass,
    api::resource::v1alpha3::PodSchedulingContext,
    api::resource::v1alpha3::ResourceClaim,
    api::resource::v1alpha3::ResourceClaimTemplate,
    api::resource::v1alpha3::ResourceSlice,
    api::scheduling::v1::PriorityClass,
    api::storage::v1::CSIDriver,
    api::storage::v1::CSINode,
    api::storage::v1::CSIStorageCapacity,
    api::storage::v1::StorageClass,
    api::storage::v1::VolumeAttachment,
    api::storage::v1alpha1::VolumeAttributesClass,
    api::storage::v1beta1::VolumeAttributesClass,
    api::storagemigration::v1alpha1::StorageVersionMigration,
    apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
    kube_aggregator::pkg::apis::apiregistration::v1::APIService,
];

/// The schema of `T`, with every definition it refers to, fixed up where
/// k8s-openapi's generated schema differs from what the API server accepts.
pub fn schema_of<T: JsonSchema>() -> Value {
    let root = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    // A RootSchema is plain data: its serialisation cannot fail, and an
    // empty schema (accepting anything) would be the only sane fallback.
    let mut schema = serde_json::to_value(root).unwrap_or_else(|_| json!({}));
    fix_up(&mut schema);
    schema
}

/// What the API server takes for a quantity (apimachinery's
/// `resource.ParseQuantity`), as published in CRDs' schemas.
pub const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

pub const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
pub const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
/// Any JSON value: a CRD schema's `enum`, `default` and `example` entries.
const ANY_JSON: &str = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON";

/// Where the generated schemas are wrong for manifests:
/// - a Quantity is typed as a string, but the API server also takes a YAML
///   number (`memory: 128`, `cpu: 1`); and a string must parse;
/// - an IntOrString has no type at all (only the extension), so anything
///   would pass;
/// - a CRD schema's JSON values (`enum: [Eager, Lazy]`, `default: 1`) are
///   typed as objects, but are any JSON;
/// - descriptions are dropped: the validator never reads them, and they are
///   most of every schema's size.
fn fix_up(schema: &mut Value) {
    strip_descriptions(schema);
    if let Some(definitions) = schema.get_mut("definitions").and_then(Value::as_object_mut) {
        if let Some(quantity) = definitions.get_mut(QUANTITY) {
            *quantity = json!({"type": ["string", "number"], "pattern": QUANTITY_PATTERN});
        }
        if let Some(any) = definitions.get_mut(ANY_JSON) {
            *any = json!({});
        }
        if let Some(int_or_string) = definitions.get_mut(INT_OR_STRING) {
            *int_or_string =
                json!({"type": ["integer", "string"], "x-kubernetes-int-or-string": true});
        }
    }
}

/// Removes `description` keywords, and the `allOf` of one `$ref` that
/// schemars wraps a described reference in. A property named `description`
/// is a schema (an object), never a string, so it stays.
pub fn strip_descriptions(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("description").is_some_and(Value::is_string) {
                map.remove("description");
            }
            if map.len() == 1
                && let Some(Value::Array(all)) = map.get_mut("allOf")
                && all.len() == 1
            {
                let only = all.remove(0);
                *schema = only;
                strip_descriptions(schema);
                return;
            }
            map.values_mut().for_each(strip_descriptions);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_descriptions),
        _ => {}
    }
}

/// The schema of ObjectMeta: the `metadata` of custom resources too.
pub fn object_meta() -> Value {
    schema_of::<apimachinery::pkg::apis::meta::v1::ObjectMeta>()
}
