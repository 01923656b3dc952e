use super::*;

#[test]
fn shipped_crds_read() {
    for (name, text) in SHIPPED_CRDS {
        let mut crds = Crds::default();
        let added = crds
            .add_text(text, name)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(added >= 1, "{name} defines no kind");
        for (gvk, schema) in &crds.kinds {
            if let Err(reason) = schema.validator() {
                panic!("{name}: {}: {reason}", gvk.display());
            }
        }
    }
}
