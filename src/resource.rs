//! A Kubernetes object as read from a manifest, with where it came from.

use crate::source::{FileId, Mark};
use crate::yaml::{Location, Node};

#[derive(Debug)]
pub struct Resource {
    /// Position of the resource in the run's resource table.
    pub index: usize,
    pub file: FileId,
    /// 1-based index of the document in its file.
    pub document: usize,
    /// JSON pointer from the document root to this object: empty, or
    /// `/items/N` for an item of a `kind: List`.
    pub prefix: String,
    /// The object, with the position of every field.
    pub object: Node,
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    /// `metadata.name`, or `metadata.generateName` when the server names it.
    pub name: String,
}

impl Resource {
    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// Whether this is `kind` of API group `group` (`""` for the core group).
    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.kind == kind && self.group() == group
    }

    /// The field a JSON pointer (relative to this object) names.
    pub fn get(&self, pointer: &str) -> Option<&Node> {
        self.object.pointer(pointer)
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.object
            .get("metadata")
            .filter(|metadata| metadata.is_mapping())
    }

    pub fn annotations(&self) -> Option<&Node> {
        self.metadata()?
            .get("annotations")
            .filter(|annotations| annotations.is_mapping())
    }

    /// The node a pointer (relative to this object) names, or its deepest
    /// existing ancestor.
    pub fn locate(&self, pointer: &str) -> Location<'_> {
        self.object.locate(pointer).0
    }

    /// Where a finding about `pointer` should point.
    pub fn mark_of(&self, pointer: &str) -> Mark {
        self.locate(pointer).mark
    }

    /// The pointer from the document root, for output.
    pub fn document_pointer(&self, pointer: &str) -> String {
        format!("{}{}", self.prefix, pointer)
    }

    /// `Kind namespace/name`, as people write it.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{} {}/{}", self.kind, namespace, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::loader::tests::resources_of;
    use crate::source::Mark;

    #[test]
    fn identity_and_pointers() {
        let resources = resources_of(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ai}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ai}\n",
        );
        let (deployment, namespace) = (&resources[0], &resources[1]);
        assert_eq!((deployment.group(), namespace.group()), ("apps", ""));
        assert!(deployment.is("apps", "Deployment") && !deployment.is("", "Deployment"));
        assert!(namespace.is("", "Namespace"));
        assert_eq!(deployment.display(), "Deployment ai/web");
        assert_eq!(namespace.display(), "Namespace ai");
        assert_eq!(
            deployment.get("/metadata/name").and_then(|n| n.as_str()),
            Some("web")
        );
        assert_eq!(deployment.mark_of("/metadata/namespace"), Mark::new(3, 23));
        // A missing field is located at its nearest existing ancestor.
        assert_eq!(deployment.mark_of("/spec/replicas"), Mark::new(1, 1));
        assert_eq!(deployment.annotations(), None);
    }
}
