//! Snippets: where a listing's description matched, with `<mark>` around the matched words,
//! written by the service from the description's text (PostgreSQL's `ts_headline` parsed
//! every description of a page again: most of a full-text page's database time).
//!
//! A word matches when one of its forms is a lexeme of the query: its French or English
//! stem (Snowball, as PostgreSQL's `french_stem` and `english_stem`, after the same
//! lower-casing and accent removal, stop words left out as theirs are) or, for designations
//! and numbers ("DR400", "400"), the word itself. `tests/tests/snippets.rs` checks the forms
//! against PostgreSQL's own on the site's vocabulary.
//!
//! What is shown: a description of up to [`WHOLE_WORDS`] words whole; a longer one as up to
//! two fragments of [`FRAGMENT_WORDS`] words, each around the matches that show the most
//! query terms not shown yet (a few words of context before the first), in the
//! description's order, with "…" where text is left out; without a match in the description
//! (the title or the make matched), its beginning.

use std::collections::HashSet;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::tsquery_text::{self, Node};

/// A description of at most this many words is shown whole.
pub const WHOLE_WORDS: usize = 40;
/// Words per fragment of a longer description.
pub const FRAGMENT_WORDS: usize = 20;
/// Fragments at most.
const FRAGMENTS: usize = 2;
/// Words of context before a fragment's first match.
const LEAD_WORDS: usize = 5;
/// A longer word (a run of letters without a space) is cut, and so is a longer run of
/// punctuation: a snippet stays a few lines whatever the description holds.
const MAX_WORD_CHARS: usize = 40;
const MAX_GAP_CHARS: usize = 8;
const ELLIPSIS: &str = "…";

/// PostgreSQL's stop word lists (`tsearch_data/{french,english}.stop`, from Snowball): a stop
/// word has no lexeme there, so it never matches.
static FRENCH_STOP: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("stopwords/french.stop").lines().collect());
static ENGLISH_STOP: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("stopwords/english.stop").lines().collect());
static FRENCH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::French));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A word's lexemes in PostgreSQL's `hangar_fr` and `hangar_en` configurations, French then
/// English; `None` for a stop word. A designation or a number ("DR400", "400") is its own
/// lexeme, lower-cased, in both (PostgreSQL's `simple` dictionary).
pub fn lexemes(word: &str) -> [Option<String>; 2] {
    if word.chars().any(char::is_numeric) {
        let lower = word.to_lowercase();
        return [Some(lower.clone()), Some(lower)];
    }
    let folded = fold(word);
    [
        stem(&FRENCH, &FRENCH_STOP, &folded),
        stem(&ENGLISH, &ENGLISH_STOP, &folded),
    ]
}

fn stem(stemmer: &Stemmer, stop: &HashSet<&str>, folded: &str) -> Option<String> {
    (!stop.contains(folded)).then(|| stemmer.stem(folded).into_owned())
}

/// Marks a query's words in descriptions.
pub struct Highlighter {
    /// The query's lexemes that a match must contain (not those under `!`).
    terms: Vec<String>,
    /// Their first characters: a word is stemmed only when its first character is one of
    /// these (Snowball's stemmers change endings, never a word's first letter).
    initials: HashSet<char>,
}

/// A word of the description: its bytes and the query term it matched.
struct Word {
    start: usize,
    end: usize,
    term: Option<usize>,
}

impl Highlighter {
    /// For a compiled tsquery's text; `None` when it has no lexeme to show.
    pub fn new(tsquery: &str) -> Option<Highlighter> {
        let mut terms = Vec::new();
        collect(&tsquery_text::parse(tsquery)?, false, &mut terms);
        terms.sort();
        terms.dedup();
        if terms.is_empty() {
            return None;
        }
        let initials = terms.iter().filter_map(|t| t.chars().next()).collect();
        Some(Highlighter { terms, initials })
    }

    /// The query term `word` matches, if any.
    fn term_of(&self, word: &str) -> Option<usize> {
        let possible = |form: &str| {
            form.chars()
                .next()
                .is_some_and(|c| self.initials.contains(&c))
        };
        let find = |form: &str| self.terms.binary_search_by(|t| t.as_str().cmp(form)).ok();
        if word.chars().any(char::is_numeric) {
            // A designation or a number: PostgreSQL's `simple` dictionary, the word lower-cased.
            let lower = word.to_lowercase();
            return possible(&lower).then(|| find(&lower)).flatten();
        }
        let lower = fold(word);
        if !possible(&lower) {
            return None;
        }
        // As typed (the query's designation variant), then its stems.
        find(&lower)
            .or_else(|| stem(&FRENCH, &FRENCH_STOP, &lower).and_then(|s| find(&s)))
            .or_else(|| stem(&ENGLISH, &ENGLISH_STOP, &lower).and_then(|s| find(&s)))
    }

    /// The snippet of `description`: HTML-escaped text with `<mark>` around matched words.
    pub fn snippet(&self, description: &str) -> String {
        let words: Vec<Word> = words(description)
            .map(|(start, end)| Word {
                start,
                end,
                term: self.term_of(&description[start..end]),
            })
            .collect();
        if words.is_empty() {
            let mut out = String::new();
            gap(description, &mut out);
            return out.trim().to_owned();
        }
        let fragments = choose(&words);
        let mut out = String::new();
        for (i, &(s, e)) in fragments.iter().enumerate() {
            if s > 0 {
                // Text left out before (fragments after the first never start at 0).
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(ELLIPSIS);
                out.push(' ');
            } else {
                // What comes before the first word ("« Superbe"), without leading space.
                let mut lead = String::new();
                gap(
                    &description[..words.first().map_or(0, |w| w.start)],
                    &mut lead,
                );
                out.push_str(lead.trim_start());
            }
            render(description, &words[s..e], &mut out);
            // The punctuation after the fragment's last word ("révisé.", "hangaré),").
            let after = &description[words[e - 1].end..];
            let attached = if e == words.len() {
                after.len()
            } else {
                after.find(char::is_whitespace).unwrap_or(after.len())
            };
            let mut tail = String::new();
            gap(&after[..attached], &mut tail);
            out.push_str(tail.trim_end());
        }
        if fragments.last().is_some_and(|&(_, e)| e < words.len()) {
            out.push(' ');
            out.push_str(ELLIPSIS);
        }
        out
    }
}

/// The lexemes of `node` a match must contain.
fn collect(node: &Node, negated: bool, out: &mut Vec<String>) {
    match node {
        Node::Lexeme { text, .. } => {
            if !negated {
                out.push(text.clone());
            }
        }
        Node::And(parts) | Node::Or(parts) | Node::Phrase(parts) => {
            for part in parts {
                collect(part, negated, out);
            }
        }
        Node::Not(inner) => collect(inner, !negated, out),
    }
}

/// Byte ranges of the words of `text`: runs of letters and digits (PostgreSQL's parser also
/// splits words at apostrophes, hyphens and other punctuation).
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

/// Lower-cased and without accents, as PostgreSQL's `unaccent` then the stemmer's
/// lower-casing leave a word ("Hélice" → "helice", "Œuvre" → "oeuvre").
fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.to_lowercase().nfd() {
        match c {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' => out.push('d'),
            c if is_combining_mark(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The fragments to show, as word ranges in order.
fn choose(words: &[Word]) -> Vec<(usize, usize)> {
    let n = words.len();
    if n <= WHOLE_WORDS {
        return vec![(0, n)];
    }
    let matches: Vec<usize> = (0..n).filter(|&i| words[i].term.is_some()).collect();
    if matches.is_empty() {
        return vec![(0, WHOLE_WORDS)];
    }
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let mut shown: HashSet<usize> = HashSet::new();
    for _ in 0..FRAGMENTS {
        // The window with the most terms not shown yet, then the most matches; the earliest
        // of equals.
        let mut best: Option<((usize, usize), (usize, usize))> = None;
        for &m in &matches {
            let end = (m.saturating_sub(LEAD_WORDS) + FRAGMENT_WORDS).min(n);
            let start = end.saturating_sub(FRAGMENT_WORDS);
            if chosen.iter().any(|&(s, e)| start < e && s < end) {
                continue;
            }
            let terms: HashSet<usize> = words[start..end]
                .iter()
                .filter_map(|w| w.term)
                .filter(|t| !shown.contains(t))
                .collect();
            let hits = words[start..end]
                .iter()
                .filter(|w| w.term.is_some())
                .count();
            let score = (terms.len(), hits);
            if best.is_none_or(|(_, b)| score > b) {
                best = Some(((start, end), score));
            }
        }
        let Some(((start, end), _)) = best else { break };
        shown.extend(words[start..end].iter().filter_map(|w| w.term));
        chosen.push((start, end));
    }
    chosen.sort_unstable();
    // Fragments that touch are one.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in chosen {
        match merged.last_mut() {
            Some(last) if last.1 == s => last.1 = e,
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// `words` (consecutive words of `text`) and the gaps between them, escaped and marked.
fn render(text: &str, words: &[Word], out: &mut String) {
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            gap(&text[words[i - 1].end..w.start], out);
        }
        let word = &text[w.start..w.end];
        let cut = word.char_indices().nth(MAX_WORD_CHARS).map(|(b, _)| b);
        if w.term.is_some() {
            out.push_str("<mark>");
        }
        escape(&word[..cut.unwrap_or(word.len())], out);
        if cut.is_some() {
            out.push_str(ELLIPSIS);
        }
        if w.term.is_some() {
            out.push_str("</mark>");
        }
    }
}

/// The text between two words: spaces and line breaks as one space, punctuation kept (a
/// long run of it cut).
fn gap(text: &str, out: &mut String) {
    let mut kept = 0;
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if kept == MAX_GAP_CHARS {
            continue;
        }
        if space {
            out.push(' ');
        }
        space = false;
        escape(c.encode_utf8(&mut [0; 4]), out);
        kept += 1;
    }
    if space {
        out.push(' ');
    }
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlight(query: &str, text: &str) -> String {
        Highlighter::new(query).expect("a query").snippet(text)
    }

    #[test]
    fn marks_stems_in_both_languages_without_accents() {
        let cases = [
            (
                "'helic'",
                "Hélice neuve, HÉLICES de rechange.",
                "<mark>Hélice</mark> neuve, <mark>HÉLICES</mark> de rechange.",
                "a French stem, accents and case ignored",
            ),
            (
                "'engin'",
                "Two engines, one engine overhauled.",
                "Two <mark>engines</mark>, one <mark>engine</mark> overhauled.",
                "an English stem",
            ),
            (
                "'dr400' | 'dr' <-> '400'",
                "Robin DR400, not a DR-400 nor a 400.",
                "Robin <mark>DR400</mark>, not a <mark>DR</mark>-<mark>400</mark> nor a <mark>400</mark>.",
                "designations and numbers as written",
            ),
            (
                "'moteur' & !'revis'",
                "Moteur révisé.",
                "<mark>Moteur</mark> révisé.",
                "a negated lexeme is not a match",
            ),
            (
                "'carnet'",
                "Carnets <script>alert(\"x\")</script> & 'co'",
                "<mark>Carnets</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;",
                "the text is escaped",
            ),
            (
                "'vol'",
                "Vol\n\n   de  nuit",
                "<mark>Vol</mark> de nuit",
                "white space collapses",
            ),
        ];
        for (query, text, want, why) in cases {
            assert_eq!(highlight(query, text), want, "{why}");
        }
    }

    #[test]
    fn stop_words_have_no_stem_as_in_postgresql() {
        let cases = [
            (
                "avions",
                [None, Some("avion")],
                "a French stop word (avoir)",
            ),
            ("the", [Some("the"), None], "an English stop word"),
            ("on", [None, None], "a stop word in both"),
            (
                "Hélices",
                [Some("helic"), Some("helic")],
                "accents and case first",
            ),
            (
                "DR400",
                [Some("dr400"), Some("dr400")],
                "a designation as written",
            ),
        ];
        for (word, want, why) in cases {
            assert_eq!(lexemes(word), want.map(|w| w.map(String::from)), "{why}");
        }
    }

    #[test]
    fn a_long_description_shows_the_fragments_with_the_most_terms() {
        let filler = |n: usize, w: &str| vec![w; n].join(" ");
        let text = format!(
            "{} moteur {} hangar {} moteur révisé {}",
            filler(30, "a"),
            filler(30, "b"),
            filler(30, "c"),
            filler(30, "d"),
        );
        let snippet = highlight("'moteur' & 'revis' | 'hangar'", &text);
        // The pair (moteur, révisé) first, then the other term (hangar); in text order.
        let hangar = snippet.find("<mark>hangar</mark>").expect("hangar shown");
        let pair = snippet
            .find("<mark>moteur</mark> <mark>révisé</mark>")
            .expect("the pair shown");
        assert!(hangar < pair, "{snippet}");
        assert!(snippet.starts_with("… "), "{snippet}");
        assert!(snippet.ends_with(" …"), "{snippet}");
        assert_eq!(snippet.matches(" … ").count(), 1, "{snippet}");
        assert_eq!(snippet.matches("<mark>").count(), 3, "{snippet}");
        let shown = snippet.split_whitespace().filter(|w| *w != "…").count();
        assert_eq!(shown, 2 * FRAGMENT_WORDS, "{snippet}");
    }

    #[test]
    fn without_a_match_the_beginning_is_shown_and_long_runs_are_cut() {
        let text = format!("{} fin", vec!["mot"; 60].join(" "));
        let snippet = highlight("'hangar'", &text);
        assert_eq!(snippet, format!("{} …", vec!["mot"; WHOLE_WORDS].join(" ")));
        let long = format!("{}!!!!!!!!!!!!!!!! ok", "x".repeat(100));
        assert_eq!(
            highlight("'ok'", &long),
            format!("{}…!!!!!!!! <mark>ok</mark>", "x".repeat(MAX_WORD_CHARS))
        );
    }

    #[test]
    fn punctuation_around_fragments_is_kept() {
        assert_eq!(highlight("'vol'", "« Vol » !"), "« <mark>Vol</mark> » !");
        assert_eq!(highlight("'vol'", " ?! "), "?!");
        assert_eq!(highlight("'vol'", ""), "");
        let text = format!(
            "{} vol. {}",
            vec!["mot"; 30].join(" "),
            vec!["mot"; 30].join(" ")
        );
        let snippet = highlight("'vol'", &text);
        assert!(snippet.contains("<mark>vol</mark>. mot"), "{snippet}");
    }

    #[test]
    fn a_query_without_lexemes_marks_nothing() {
        assert!(Highlighter::new("").is_none());
        assert!(Highlighter::new("!'moteur'").is_none());
    }
}
