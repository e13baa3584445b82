//! Aircraft registrations (tail numbers), checked against the format of their nationality
//! prefix: `F-GABC` (France), `49-ABC` (French ULM: department number and letters), `D-EABC`,
//! `G-ABCD`, `OO-ABC`, `HB-ABC`, `N12345`/`N123AB`, `EC-ABC`, `I-ABCD`, and the ICAO pattern
//! for other nationalities.

use std::sync::LazyLock;

use regex::Regex;

/// A known nationality: its prefix, the accepted forms, and how to explain them.
struct Format {
    prefix: &'static str,
    pattern: &'static str,
    hint: &'static str,
}

const FORMATS: &[Format] = &[
    Format {
        prefix: "F-",
        pattern: r"^F-[A-Z]{4}$",
        hint: "French registrations are F- and four letters, e.g. F-GABC",
    },
    Format {
        prefix: "D-",
        // Letters for powered aircraft (D-EABC, D-MABC for microlights), digits for gliders.
        pattern: r"^D-([A-Z]{4}|[0-9]{4}|[0-9]{1,2}[A-Z0-9]{2})$",
        hint: "German registrations are D- and four letters (D-EABC) or four digits for gliders (D-1234)",
    },
    Format {
        prefix: "G-",
        pattern: r"^G-[A-Z]{4}$",
        hint: "British registrations are G- and four letters, e.g. G-ABCD",
    },
    Format {
        prefix: "OO-",
        pattern: r"^OO-([A-Z]{3}|[A-Z][0-9]{2}|[0-9]{2}[A-Z])$",
        hint: "Belgian registrations are OO- and three letters, e.g. OO-ABC",
    },
    Format {
        prefix: "HB-",
        pattern: r"^HB-([A-Z]{3}|[0-9]{4})$",
        hint: "Swiss registrations are HB- and three letters (HB-ABC) or four digits for gliders",
    },
    Format {
        prefix: "EC-",
        pattern: r"^EC-([A-Z]{3}|[A-Z0-9]{4})$",
        hint: "Spanish registrations are EC- and three letters, e.g. EC-ABC",
    },
    Format {
        prefix: "I-",
        pattern: r"^I-([A-Z]{4}|[0-9][0-9A-Z]{3,4})$",
        hint: "Italian registrations are I- and four letters, e.g. I-ABCD",
    },
];

static COMPILED: LazyLock<Vec<(&'static Format, Regex)>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .filter_map(|f| Regex::new(f.pattern).ok().map(|r| (f, r)))
        .collect()
});

/// US N-numbers: N, a first digit 1–9, up to five characters in all, digits then at most two
/// letters (never I or O).
static N_NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^N[1-9](?:[0-9]{0,4}|[0-9]{0,3}[A-HJ-NP-Z]|[0-9]{0,2}[A-HJ-NP-Z]{2})$").ok()
});

/// French ULM identification: department number (01–95, 2A, 2B, 971–976), dash, 1–4 letters.
static FRENCH_ULM: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])-[A-Z]{1,4}$").ok());

/// Any other nationality: ICAO's form, one to three characters, a dash, one to five.
static GENERIC: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Z0-9]{1,3}-[A-Z0-9]{1,5}$").ok());

fn matches(re: &LazyLock<Option<Regex>>, value: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(value))
}

/// Upper-cases, trims and adds the dash people often leave out (`FGABC` → `F-GABC`).
pub fn normalise(value: &str) -> String {
    let v: String = value
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if v.contains('-') || v.starts_with('N') {
        return v;
    }
    for format in FORMATS {
        let bare = format.prefix.trim_end_matches('-');
        if let Some(rest) = v.strip_prefix(bare) {
            let candidate = format!("{}{rest}", format.prefix);
            if COMPILED
                .iter()
                .any(|(f, r)| f.prefix == format.prefix && r.is_match(&candidate))
            {
                return candidate;
            }
        }
    }
    v
}

/// Checks a normalised registration; the error explains the expected form.
pub fn check(value: &str) -> Result<(), String> {
    if value.starts_with('N') && !value.contains('-') {
        return if matches(&N_NUMBER, value) {
            Ok(())
        } else {
            Err("US registrations are N and up to five characters, e.g. N172SP".to_owned())
        };
    }
    if matches(&FRENCH_ULM, value) {
        return Ok(());
    }
    // No nationality mark is all digits: a number before the dash is a French department.
    if value
        .split('-')
        .next()
        .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(
            "French ULM identifications are a department number, a dash and letters, e.g. 49-ABC"
                .to_owned(),
        );
    }
    // Longest prefix first: `OO-` before `O…`, `HB-` before `H…`.
    let mut known: Vec<&(&Format, Regex)> = COMPILED.iter().collect();
    known.sort_by_key(|(f, _)| std::cmp::Reverse(f.prefix.len()));
    if let Some((format, re)) = known.into_iter().find(|(f, _)| value.starts_with(f.prefix)) {
        return if re.is_match(value) {
            Ok(())
        } else {
            Err(format.hint.to_owned())
        };
    }
    if matches(&GENERIC, value) {
        Ok(())
    } else {
        Err(
            "must be a registration such as F-GABC, D-EABC, G-ABCD, N172SP or 49-ABC (French ULM)"
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_by_nationality() {
        let cases: &[(&str, bool, &str)] = &[
            ("F-GABC", true, "French aircraft"),
            ("F-ABC", false, "French with three letters"),
            ("F-1234", false, "French with digits"),
            ("49-ABC", true, "French ULM, Maine-et-Loire"),
            ("2A-XY", true, "French ULM, Corse-du-Sud"),
            ("99-ABC", false, "no department 99"),
            ("D-EABC", true, "German single engine"),
            ("D-MABC", true, "German microlight"),
            ("D-1234", true, "German glider"),
            ("D-EAB", false, "German too short"),
            ("G-ABCD", true, "British"),
            ("G-ABC", false, "British too short"),
            ("OO-ABC", true, "Belgian"),
            ("OO-ABCD", false, "Belgian too long"),
            ("HB-ABC", true, "Swiss"),
            ("HB-1234", true, "Swiss glider"),
            ("N12345", true, "N-number, digits"),
            ("N172SP", true, "N-number with two letters"),
            ("N1A", true, "short N-number"),
            ("N0123", false, "N-number starting with 0"),
            ("N123IO", false, "N-number with I and O"),
            ("N123456", false, "N-number too long"),
            ("EC-ABC", true, "Spanish"),
            ("I-ABCD", true, "Italian"),
            ("OE-KAB", true, "Austrian, generic form"),
            ("SP-ABC", true, "Polish, generic form"),
            ("HELLO", false, "not a registration"),
            ("F-GABC; DROP TABLE", false, "garbage"),
        ];
        for (value, ok, why) in cases {
            assert_eq!(
                check(value).is_ok(),
                *ok,
                "{why}: {value} -> {:?}",
                check(value)
            );
        }
    }

    #[test]
    fn normalisation_adds_the_dash_and_upper_cases() {
        let cases = [
            ("fgabc", "F-GABC"),
            (" f-gabc ", "F-GABC"),
            ("GABCD", "G-ABCD"),
            ("ooabc", "OO-ABC"),
            ("n172sp", "N172SP"),
            ("49-abc", "49-ABC"),
            ("HB ABC", "HB-ABC"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise(input), expected, "{input}");
        }
    }

    #[test]
    fn errors_explain_the_expected_form() {
        let err = check("F-123").err().unwrap_or_default();
        assert!(err.contains("F-GABC"), "{err}");
    }
}
