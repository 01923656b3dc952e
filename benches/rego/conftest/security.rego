# Pod and container security contexts.
package main

import rego.v1

deny_privileged contains msg if {
	some c in containers
	c.container.securityContext.privileged == true
	msg := sprintf("%s: container %q is privileged", [name, c.container.name])
}

non_root(c) if c.securityContext.runAsNonRoot == true

non_root(c) if {
	pod_spec.securityContext.runAsNonRoot == true
	not c.securityContext.runAsNonRoot == false
}

deny_run_as_root contains msg if {
	some c in containers
	not non_root(c.container)
	msg := sprintf("%s: container %q may run as root", [name, c.container.name])
}

deny_privilege_escalation contains msg if {
	some c in containers
	not c.container.securityContext.allowPrivilegeEscalation == false
	msg := sprintf("%s: container %q may escalate privileges", [name, c.container.name])
}

warn_writable_root_fs contains msg if {
	some c in containers
	not c.container.securityContext.readOnlyRootFilesystem == true
	msg := sprintf("%s: container %q has a writable root filesystem", [name, c.container.name])
}

deny_host_network contains msg if {
	pod_spec.hostNetwork == true
	msg := sprintf("%s: uses the host network", [name])
}

warn_capabilities_not_dropped contains msg if {
	some c in containers
	not "ALL" in object.get(c.container, ["securityContext", "capabilities", "drop"], [])
	msg := sprintf("%s: container %q does not drop ALL capabilities", [name, c.container.name])
}
