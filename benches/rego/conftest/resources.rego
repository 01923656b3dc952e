# Resource requests, limits and probes.
package main

import rego.v1

deny_missing_cpu_limit contains {"msg": msg, "path": array.concat(c.path, ["resources"])} if {
	some c in containers
	not c.container.resources.limits.cpu
	msg := sprintf("%s: container %q has no CPU limit", [name, c.container.name])
}

deny_missing_memory_limit contains {"msg": msg, "path": array.concat(c.path, ["resources"])} if {
	some c in containers
	not c.container.resources.limits.memory
	msg := sprintf("%s: container %q has no memory limit", [name, c.container.name])
}

warn_missing_requests contains msg if {
	some c in containers
	not c.container.resources.requests
	msg := sprintf("%s: container %q requests nothing", [name, c.container.name])
}

deny_memory_limit_too_high contains msg if {
	some c in containers
	memory := c.container.resources.limits.memory
	endswith(memory, "Gi")
	to_number(trim_suffix(memory, "Gi")) > 8
	msg := sprintf("%s: container %q may use %s (at most 8Gi)", [name, c.container.name, memory])
}

warn_no_readiness_probe contains msg if {
	some c in containers
	not c.container.readinessProbe
	msg := sprintf("%s: container %q has no readiness probe", [name, c.container.name])
}

warn_no_liveness_probe contains msg if {
	some c in containers
	not c.container.livenessProbe
	msg := sprintf("%s: container %q has no liveness probe", [name, c.container.name])
}
