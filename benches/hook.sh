#!/usr/bin/env bash
# The hook's answer time on a 5-file commit in a repository of 5,000
# manifests (README, "Pre-commit and CI"). Generates the repository in a
# temporary directory, stages a 5-file change and times, 21 runs each
# (min / median / max of the whole process):
#   - `charter check --staged`            (hooks/pre-commit, the plain hook)
#   - `charter check --context . FILES`   (the `charter` pre-commit hook)
#   - `charter check --select LEAK FILES` (the `charter-secrets` hook)
#   - `charter check --no-context FILES`  (the same files alone, for comparison)
#
#   cargo build --release && benches/hook.sh
#
# CHARTER names the binary (default target/release/charter); MANIFESTS the
# repository's size (5000); RUNS the runs per command (21); KEEP=1 keeps
# the repository and prints where it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
charter="${CHARTER:-$root/target/release/charter}"
manifests="${MANIFESTS:-5000}"
runs="${RUNS:-21}"
[ -x "$charter" ] || { echo "hook.sh: no $charter (cargo build --release first, or set CHARTER)" >&2; exit 2; }
charter="$(cd "$(dirname "$charter")" && pwd -P)/$(basename "$charter")"

repo="$(mktemp -d)"
if [ "${KEEP:-0}" = 1 ]; then echo "repository: $repo"; else trap 'rm -rf "$repo"' EXIT; fi

# A realistic mix: per application a Deployment, a Service and a ConfigMap;
# every tenth application also an ArgoCD Application and a NetworkPolicy.
python3 - "$repo" "$manifests" <<'PY'
import os, sys
repo, total = sys.argv[1], int(sys.argv[2])
deployment = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
  namespace: team-{t}
  labels: {{app.kubernetes.io/name: app-{n}, app.kubernetes.io/instance: app-{n}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app.kubernetes.io/name: app-{n}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: app-{n}, app.kubernetes.io/instance: app-{n}}}
    spec:
      automountServiceAccountToken: false
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
        - name: app
          image: registry.example.org/team-{t}/app-{n}@sha256:{digest}
          ports: [{{containerPort: 8080}}]
          envFrom: [{{configMapRef: {{name: app-{n}}}}}]
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
          livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
"""
service = """apiVersion: v1
kind: Service
metadata:
  name: app-{n}
  namespace: team-{t}
  labels: {{app.kubernetes.io/name: app-{n}, app.kubernetes.io/instance: app-{n}}}
spec:
  selector: {{app.kubernetes.io/name: app-{n}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""
configmap = """apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{n}
  namespace: team-{t}
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,upload"
  settings.yaml: |
    server:
      port: 8080
      timeout: 30s
"""
application = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: app-{n}
  namespace: argocd
  annotations: {{argocd.argoproj.io/sync-wave: "2"}}
spec:
  project: team-{t}
  source:
    repoURL: https://git.example.org/platform/apps.git
    targetRevision: v1.{n}.0
    path: apps/app-{n}
  destination: {{server: https://kubernetes.default.svc, namespace: team-{t}}}
"""
policy = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app-{n}
  namespace: team-{t}
spec:
  podSelector: {{matchLabels: {{app.kubernetes.io/name: app-{n}}}}}
  policyTypes: [Ingress]
  ingress:
    - from: [{{podSelector: {{}}}}]
      ports: [{{port: 8080}}]
"""
written, n = 0, 0
while written < total:
    d = os.path.join(repo, "apps", f"app-{n:04}")
    os.makedirs(d, exist_ok=True)
    files = [("deployment.yaml", deployment), ("service.yaml", service), ("configmap.yaml", configmap)]
    if n % 10 == 0:
        files += [("application.yaml", application), ("networkpolicy.yaml", policy)]
    for name, template in files:
        if written == total:
            break
        text = template.format(n=f"{n:04}", t=n % 20, digest=f"{n:064x}")
        with open(os.path.join(d, name), "w") as out:
            out.write(text)
        written += 1
    n += 1
PY
cd "$repo"
git init -q
git -c user.name=bench -c user.email=bench@invalid add -A
git -c user.name=bench -c user.email=bench@invalid commit -q -m "5,000 manifests" --no-verify

# The 5-file change: three edits, a new NetworkPolicy, a new note.
sed -i 's/replicas: 2/replicas: 3/' apps/app-0042/deployment.yaml
sed -i 's/LOG_LEVEL: info/LOG_LEVEL: debug/' apps/app-0100/configmap.yaml
sed -i 's/port: 80,/port: 8080,/' apps/app-0200/service.yaml
sed 's/app-0300/app-0301/g' apps/app-0300/networkpolicy.yaml > apps/app-0301/networkpolicy.yaml
printf 'Runbook: restart app-0042 after the config change.\n' > apps/app-0042/NOTES.txt
git add -A
mapfile -t changed < <(git diff --cached --name-only)
mapfile -t yaml < <(printf '%s\n' "${changed[@]}" | grep -E '\.(ya?ml|json)$')
count=$(find apps -type f -name '*.yaml' | wc -l)
echo "repository: $count manifests; staged: ${#changed[@]} files (${#yaml[@]} manifests); $(nproc) cores; $("$charter" --version)"

time_it() {
  local label="$1"; shift
  python3 - "$runs" "$label" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, label, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
times, codes = [], set()
for _ in range(runs):
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
    codes.add(done.returncode)
print(f"{label:<42} min {min(times):6.1f} ms  median {statistics.median(times):6.1f} ms  max {max(times):6.1f} ms  exit {sorted(codes)}")
PY
}
time_it "check --staged (plain hook)" "$charter" check --staged
time_it "check --context . FILES (charter hook)" "$charter" check --context . "${yaml[@]}"
time_it "check --select LEAK FILES (secrets hook)" "$charter" check --select LEAK "${changed[@]}"
time_it "check --no-context FILES (files alone)" "$charter" check "${yaml[@]}"
