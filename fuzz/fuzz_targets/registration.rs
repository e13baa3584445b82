//! Registrations as users type them: normalising and checking never panic, normalising is
//! idempotent, and whatever is accepted is a short upper-case ASCII mark with one dash (or
//! a US N-number), safe to store, index and print.
#![no_main]

use hangar_parse::registration::{check, normalise};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let normalised = normalise(input);
    assert_eq!(
        normalise(&normalised),
        normalised,
        "normalising twice changes {input:?}"
    );
    match check(&normalised) {
        Ok(()) => {
            assert!(
                (2..=10).contains(&normalised.len()),
                "accepted {normalised:?}: length"
            );
            assert!(
                normalised
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
                "accepted {normalised:?}: characters"
            );
            assert!(
                normalised.matches('-').count() == 1
                    || (normalised.starts_with('N') && !normalised.contains('-')),
                "accepted {normalised:?}: dash"
            );
        }
        Err(hint) => assert!(!hint.is_empty(), "empty hint for {normalised:?}"),
    }
    // Checking raw input (not normalised) must not panic either.
    let _ = check(input);
});
