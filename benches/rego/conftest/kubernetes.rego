# Helpers shared by the benchmark's Conftest modules (package main).
package main

import rego.v1

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_spec_path := ["spec"] if input.kind == "Pod"

pod_spec_path := ["spec", "template", "spec"] if workload_kinds[input.kind]

pod_spec := object.get(input, pod_spec_path, {})

# {"container": c, "path": [...]} for every container, init containers too.
containers contains {"container": c, "path": path} if {
	some field in ["initContainers", "containers"]
	some i, c in pod_spec[field]
	path := array.concat(pod_spec_path, [field, i])
}

name := sprintf("%s %s/%s", [input.kind, object.get(input.metadata, "namespace", "default"), input.metadata.name])

labelled_kinds := {"Deployment", "StatefulSet", "Pod", "Service", "Ingress"}
