# Labels every owned object carries.
package main

import rego.v1

deny_missing_name_label contains msg if {
	labelled_kinds[input.kind]
	not input.metadata.labels["app.kubernetes.io/name"]
	msg := sprintf("%s: no app.kubernetes.io/name label", [name])
}

deny_missing_team_label contains msg if {
	labelled_kinds[input.kind]
	not input.metadata.labels.team
	msg := sprintf("%s: no team label", [name])
}

deny_invalid_team_label contains msg if {
	team := input.metadata.labels.team
	not regex.match(`^team-[a-z0-9]{2,20}$`, team)
	msg := sprintf("%s: team label %q is not team-<name>", [name, team])
}

warn_missing_version_label contains msg if {
	labelled_kinds[input.kind]
	not input.metadata.labels["app.kubernetes.io/version"]
	msg := sprintf("%s: no app.kubernetes.io/version label", [name])
}
