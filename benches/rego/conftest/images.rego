# Image hygiene, in Rego v0 syntax: both dialects load side by side.
package main

img_tag(image) = "@digest" {
	contains(image, "@")
} else = tag {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
} else = ""

allowed_registries := ["registry.local/", "ghcr.io/acme/"]

deny_latest_tag[{"msg": msg, "path": array.concat(c.path, ["image"])}] {
	c := containers[_]
	img_tag(c.container.image) == "latest"
	msg := sprintf("%s: container %q uses :latest", [name, c.container.name])
}

deny_untagged_image[{"msg": msg, "path": array.concat(c.path, ["image"])}] {
	c := containers[_]
	img_tag(c.container.image) == ""
	msg := sprintf("%s: container %q has no image tag", [name, c.container.name])
}

deny_image_registry[{"msg": msg, "path": array.concat(c.path, ["image"])}] {
	c := containers[_]
	not startswith_any(c.container.image, allowed_registries)
	msg := sprintf("%s: image %s is not from %s", [name, c.container.image, concat(", ", allowed_registries)])
}

startswith_any(text, prefixes) {
	startswith(text, prefixes[_])
}

warn_pull_always[msg] {
	c := containers[_]
	c.container.imagePullPolicy == "Always"
	msg := sprintf("%s: container %q pulls on every start", [name, c.container.name])
}

warn_docker_hub[msg] {
	c := containers[_]
	not names_registry(c.container.image)
	msg := sprintf("%s: image %s is implicitly from Docker Hub", [name, c.container.image])
}

# The first segment names a registry when it is a host name.
names_registry(image) {
	parts := split(image, "/")
	count(parts) > 1
	contains(parts[0], ".")
}
