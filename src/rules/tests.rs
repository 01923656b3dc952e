use std::collections::HashSet;

use super::*;

#[test]
fn ids_are_unique_well_formed_and_sorted() {
    let rules = builtin();
    let mut seen = HashSet::new();
    for rule in &rules {
        let meta = rule.meta;
        assert!(seen.insert(meta.id), "{} twice", meta.id);
        let (family, number) = meta.id.split_once('-').expect("FAMILY-NNN");
        assert!(
            family.chars().all(|c| c.is_ascii_uppercase()),
            "{}",
            meta.id
        );
        assert!(
            number.len() == 3 && number.chars().all(|c| c.is_ascii_digit()),
            "{}",
            meta.id
        );
        assert!(
            !meta.title.ends_with('.'),
            "{}: titles are phrases",
            meta.id
        );
        assert!(
            meta.rationale.len() > 40 && meta.fix.len() > 20,
            "{}: explain it",
            meta.id
        );
    }
    let ids: Vec<_> = rules.iter().map(|rule| rule.meta.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn families_and_lookup() {
    let rules = builtin();
    assert_eq!(
        find(&rules, "sec-001").map(|rule| rule.meta.family()),
        Some("SEC")
    );
    assert!(is_family(&rules, "parse"));
    assert!(!is_family(&rules, "NOPE"));
    assert_eq!(catalogue().len(), rules.len());
}
