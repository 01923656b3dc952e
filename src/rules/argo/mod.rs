//! The `ARGO` family: ArgoCD sync waves and the app-of-apps (constitution,
//! article 3: GitOps via ArgoCD). The wave plan (ADR-002) is
//! `rules/waves.yaml`; the other rules' defaults are in `rules/argocd.yaml`.

pub mod app;
mod argo_001_sync_wave;
mod argo_002_planned_wave;
mod argo_003_dependency_order;
mod argo_004_resource_order;
mod argo_005_missing_path;
mod argo_006_floating_revision;
mod argo_007_chart_version;
mod argo_008_destination_namespace;
mod argo_009_default_project;
mod argo_010_automated_sync;
mod argo_011_repository_allow_list;
mod deps;

use super::Rule;

pub fn rules() -> Vec<Rule> {
    vec![
        argo_001_sync_wave::rule(),
        argo_002_planned_wave::rule(),
        argo_003_dependency_order::rule(),
        argo_004_resource_order::rule(),
        argo_005_missing_path::rule(),
        argo_006_floating_revision::rule(),
        argo_007_chart_version::rule(),
        argo_008_destination_namespace::rule(),
        argo_009_default_project::rule(),
        argo_010_automated_sync::rule(),
        argo_011_repository_allow_list::rule(),
    ]
}
