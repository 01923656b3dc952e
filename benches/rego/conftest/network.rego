# Services, Ingresses and configuration.
package main

import rego.v1

deny_service_nodeport contains msg if {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := sprintf("%s: type NodePort; expose it through the Ingress controller", [name])
}

warn_service_load_balancer contains msg if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	msg := sprintf("%s: type LoadBalancer", [name])
}

deny_ingress_without_tls contains msg if {
	input.kind == "Ingress"
	some rule in input.spec.rules
	not tls_host(rule.host)
	msg := sprintf("%s: host %s is served without TLS", [name, rule.host])
}

tls_host(host) if host in input.spec.tls[_].hosts

deny_configmap_credentials contains {"msg": msg, "path": ["data", key]} if {
	input.kind == "ConfigMap"
	some key, _ in input.data
	regex.match(`(?i)(password|secret|token)`, key)
	msg := sprintf("%s: key %s looks like a credential; use a Secret", [name, key])
}
