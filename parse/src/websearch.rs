//! The search box's syntax, as PostgreSQL's `websearch_to_tsquery` reads it: words,
//! `"quoted phrases"`, `-negated` terms and `or`. [`terms`] splits what the user typed;
//! [`assemble`] joins the tsquery variants PostgreSQL computed for each term (see
//! `hangar_api::search::query::compile`) into one tsquery.

/// One term of a search as the user wrote it (`websearch_to_tsquery`'s syntax): a word or a
/// quoted phrase, maybe negated with `-`, joined to the previous one by AND or by `or`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The word or the phrase (without its quotes); never empty, always with a letter or digit.
    pub text: String,
    /// Written in double quotes.
    pub phrase: bool,
    /// Written with a leading `-`.
    pub negated: bool,
    /// Joined to the previous term by `or` (else by AND).
    pub or_before: bool,
}

/// Splits `q` like `websearch_to_tsquery` does: words, `"quoted phrases"`, `-negated` terms
/// and `or` between terms.
pub fn terms(q: &str) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    let mut or_next = false;
    let mut rest = q.trim_start();
    while !rest.is_empty() {
        let negated =
            rest.starts_with('-') && rest.len() > 1 && !rest[1..].starts_with(char::is_whitespace);
        if negated {
            rest = &rest[1..];
        }
        let (text, phrase, after) = if let Some(inner) = rest.strip_prefix('"') {
            match inner.find('"') {
                Some(end) => (&inner[..end], true, &inner[end + 1..]),
                None => (inner, true, ""),
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], false, &rest[end..])
        };
        rest = after.trim_start();
        if !phrase && !negated && text.eq_ignore_ascii_case("or") {
            or_next = !out.is_empty();
            continue;
        }
        if text.chars().any(char::is_alphanumeric) {
            out.push(Term {
                text: text.to_owned(),
                phrase,
                negated,
                or_before: or_next,
            });
        }
        or_next = false;
    }
    out
}

/// Joins the terms' variants: `(v1 | v2)` per term, `!` for negated ones, AND between terms
/// and OR where the user wrote `or` (AND binds tighter, as in `websearch_to_tsquery`). Terms
/// without any variant (stop words) are left out. The variants are tsquery texts written by
/// PostgreSQL (`websearch_to_tsquery(...)::text`), never the user's text itself.
pub fn assemble(terms: &[Term], variants: impl Iterator<Item = Vec<String>>) -> String {
    let mut groups: Vec<Vec<String>> = Vec::new();
    for (term, vars) in terms.iter().zip(variants) {
        let mut distinct: Vec<String> = Vec::new();
        for v in vars {
            if !v.is_empty() && !distinct.contains(&v) {
                distinct.push(v);
            }
        }
        if distinct.is_empty() {
            continue;
        }
        let joined = match distinct.as_slice() {
            [one] => format!("( {one} )"),
            many => format!(
                "( {} )",
                many.iter()
                    .map(|v| format!("( {v} )"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        };
        let one = if term.negated {
            format!("!{joined}")
        } else {
            joined
        };
        match groups.last_mut() {
            Some(group) if !term.or_before => group.push(one),
            _ => groups.push(vec![one]),
        }
    }
    // A query of negations only would match almost everything: websearch_to_tsquery keeps
    // it, and so do we.
    groups
        .iter()
        .map(|g| format!("( {} )", g.join(" & ")))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str, phrase: bool, negated: bool, or_before: bool) -> Term {
        Term {
            text: text.to_owned(),
            phrase,
            negated,
            or_before,
        }
    }

    #[test]
    fn terms_follow_websearch_syntax() {
        let cases: [(&str, Vec<Term>, &str); 6] = [
            (
                "moteur  révision",
                vec![
                    term("moteur", false, false, false),
                    term("révision", false, false, false),
                ],
                "words are ANDed",
            ),
            (
                "\"moteur neuf\" -accidenté",
                vec![
                    term("moteur neuf", true, false, false),
                    term("accidenté", false, true, false),
                ],
                "a phrase and a negated word",
            ),
            (
                "cessna or piper",
                vec![
                    term("cessna", false, false, false),
                    term("piper", false, false, true),
                ],
                "`or` joins its neighbours",
            ),
            (
                "or cessna",
                vec![term("cessna", false, false, false)],
                "a leading `or` is a no-op",
            ),
            (
                "&|!():* - \"\"",
                vec![],
                "punctuation and operators only: nothing to search",
            ),
            (
                "\"unterminated phrase",
                vec![term("unterminated phrase", true, false, false)],
                "an unterminated quote runs to the end",
            ),
        ];
        for (q, expected, why) in cases {
            assert_eq!(terms(q), expected, "{why}: {q:?}");
        }
    }

    #[test]
    fn assemble_dedupes_variants_and_keeps_precedence() {
        let ts = terms("moteur révision -épave or hélice le");
        let variants = vec![
            vec![
                "'moteur'".into(),
                "'moteur'".into(),
                "'moteur'".into(),
                String::new(),
            ],
            vec![
                "'revis'".into(),
                "'revis'".into(),
                "'revision'".into(),
                String::new(),
            ],
            vec![
                "'epav'".into(),
                "'epave'".into(),
                "'epave'".into(),
                String::new(),
            ],
            vec![
                "'helic'".into(),
                "'helice'".into(),
                "'helice'".into(),
                String::new(),
            ],
            vec![String::new(), String::new(), "'le'".into(), String::new()],
        ];
        assert_eq!(
            assemble(&ts, variants.into_iter()),
            "( ( 'moteur' ) & ( ( 'revis' ) | ( 'revision' ) ) & !( ( 'epav' ) | ( 'epave' ) ) ) \
             | ( ( ( 'helic' ) | ( 'helice' ) ) & ( 'le' ) )"
        );
        let stop_words = terms("le la");
        assert_eq!(
            assemble(
                &stop_words,
                vec![vec![String::new()], vec![String::new()]].into_iter()
            ),
            "",
            "only stop words: an empty query"
        );
    }
}
