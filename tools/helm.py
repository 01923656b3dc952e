"""`helm template` on Helm v4's own engine, from the PyPI package helm-python-sdk.

charter renders charts by running `helm template`. CI machines have no helm
binary, so tests and CI run this instead: the templates are rendered by
Helm's Go code (libhelm_c, loaded by helm_python), and only the command line
and the output stream are rebuilt here, the way `helm template` writes them:
each manifest as `---\n# Source: CHART/templates/FILE\n...`, in Helm's install
order, hooks last, NOTES.txt left out.

    helm template [NAME] CHART [-f FILE|-]... [--set K=V]... [--set-string K=V]...
                  [--set-json K=JSON]... [-n NAMESPACE] [--include-crds]
    helm version
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, NoReturn

import helm_python as helm

# Helm's InstallOrder (pkg/release/util/kind_sorter.go): the order
# `helm template` prints manifests in. Kinds not listed come after, by name.
INSTALL_ORDER = [
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret",
    "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
    "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
    "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role",
    "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
    "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
    "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
]

# Helm's releaseutil.SplitManifests separator.
SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")


def fail(message: str) -> NoReturn:
    print(f"Error: {message}", file=sys.stderr)
    sys.exit(1)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's values merge: maps merge key by key, anything else replaces."""
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def user_values(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for option in args.values:
        for path in filter(None, option.split(",")):
            if path == "-":
                text = sys.stdin.read()
            else:
                try:
                    with open(path, encoding="utf-8") as file:
                        text = file.read()
                except OSError as error:
                    fail(f"open {path}: {error.strerror.lower()}")
            try:
                merge(values, helm.values_from_yaml(text) or {})
            except helm.HelmError as error:
                fail(f"failed to parse {path}: {error}")
    # Helm applies --set, --set-string and --set-json in their command-line
    # order; argparse keeps each list in order, and that is how Helm users
    # write them (one kind after another).
    parsers = (
        (args.set, helm.parse_set_string),
        (args.set_string, helm.parse_set_string_values),
        (args.set_json, helm.parse_set_json),
    )
    for expressions, parse in parsers:
        for expression in expressions:
            try:
                merge(values, parse(expression))
            except helm.HelmError as error:
                fail(f"failed parsing --set data: {error}")
    return values


def split_manifests(text: str) -> list[str]:
    documents = SEPARATOR.split(text)
    return [document.strip() for document in documents if document.strip()]


def head(source: str, document: str) -> dict[str, Any]:
    try:
        parsed = helm.values_from_yaml(document)
    except helm.HelmError as error:
        fail(f"YAML parse error on {source}: {error}")
    return parsed if isinstance(parsed, dict) else {}


def is_hook(parsed: dict[str, Any]) -> bool:
    metadata = parsed.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return isinstance(annotations, dict) and "helm.sh/hook" in annotations


def order_key(kind: str) -> tuple[int, str]:
    if kind in INSTALL_ORDER:
        return (INSTALL_ORDER.index(kind), "")
    return (len(INSTALL_ORDER), kind)


def template(args: argparse.Namespace) -> None:
    if args.chart is None:
        name, chart_path = "release-name", args.name
    else:
        name, chart_path = args.name, args.chart
    if chart_path is None:
        fail('"helm template" requires at least 1 argument')
    values = user_values(args)
    try:
        chart = helm.Chart.load(chart_path)
    except helm.HelmError as error:
        fail(str(error))
    with chart:
        try:
            rendered = chart.render(
                values,
                name=name,
                namespace=args.namespace,
                is_install=True,
            )
        except helm.HelmError as error:
            fail(str(error))
        crds = chart.crds if args.include_crds else []

    manifests: list[tuple[str, str, str]] = []
    hooks: list[tuple[str, str]] = []
    for source in sorted(rendered):
        if source.endswith("NOTES.txt"):
            continue
        for document in split_manifests(rendered[source]):
            parsed = head(source, document)
            if is_hook(parsed):
                hooks.append((source, document))
            else:
                manifests.append((str(parsed.get("kind") or ""), source, document))
    manifests.sort(key=lambda manifest: order_key(manifest[0]))

    out = sys.stdout
    for crd in crds:
        out.write(f"---\n# Source: {crd['name']}\n{crd['data'].strip()}\n")
    for _, source, document in manifests:
        out.write(f"---\n# Source: {source}\n{document}\n")
    for source, document in hooks:
        out.write(f"---\n# Source: {source}\n{document}\n")


def version(_: argparse.Namespace) -> None:
    print(json.dumps({"Version": helm.helm_sdk_version(), "engine": "helm-python-sdk"}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="helm", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    rendering = commands.add_parser("template", help="render a chart's templates")
    rendering.add_argument("name", nargs="?")
    rendering.add_argument("chart", nargs="?")
    rendering.add_argument("-f", "--values", action="append", default=[])
    rendering.add_argument("--set", action="append", default=[])
    rendering.add_argument("--set-string", action="append", default=[])
    rendering.add_argument("--set-json", action="append", default=[])
    rendering.add_argument("-n", "--namespace")
    rendering.add_argument("--include-crds", action="store_true")
    rendering.set_defaults(run=template)

    versioning = commands.add_parser("version", help="print the engine's Helm version")
    versioning.set_defaults(run=version)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
