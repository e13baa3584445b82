//! The search box: `terms` splits any text without panicking into terms that are real words
//! or phrases, and `assemble` joins per-term tsquery variants into a query that only uses
//! tsquery syntax (quoted lexemes, `!`, `&`, `|`, `<->`, parentheses), balanced.
//!
//! The variants stand in for PostgreSQL's (`websearch_to_tsquery(...)::text`): each term's
//! letters and digits as quoted lexemes, joined by `&` (word) or `<->` (phrase), or nothing
//! (a stop word), chosen by the input.
#![no_main]

use hangar_parse::websearch::{assemble, terms};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, u64)| {
    let (q, stop_words) = input;
    let ts = terms(q);
    for (i, t) in ts.iter().enumerate() {
        assert!(t.text.chars().any(char::is_alphanumeric), "{t:?} in {q:?}");
        assert!(!(i == 0 && t.or_before), "first term after `or`: {q:?}");
        if t.phrase {
            assert!(!t.text.contains('"'), "quote inside phrase {t:?}");
        } else {
            assert!(!t.text.contains(char::is_whitespace), "space in word {t:?}");
            assert!(q.contains(t.text.as_str()), "{t:?} not from {q:?}");
        }
    }

    let variants: Vec<Vec<String>> = ts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if stop_words >> (i % 64) & 1 == 1 {
                return vec![String::new(), String::new()];
            }
            let lexemes: Vec<String> = t
                .text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| format!("'{}'", w.to_lowercase()))
                .collect();
            let op = if t.phrase { " <-> " } else { " & " };
            vec![lexemes.join(op), lexemes.join(" & ")]
        })
        .collect();
    let all_stop = variants.iter().all(|v| v.iter().all(String::is_empty));
    let compiled = assemble(&ts, variants.into_iter());
    if all_stop {
        assert_eq!(compiled, "", "stop words only: {q:?}");
    } else if let Err(why) = check_tsquery(&compiled) {
        panic!("{why}: {compiled:?} from {q:?}");
    }
});

#[derive(Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Not,
    Binary,
    Lexeme,
}

/// Tokenises tsquery text: quoted lexemes (`''` escapes a quote), `!`, `&`, `|`, `<->`,
/// parentheses, spaces; anything else is refused.
fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            '!' => out.push(Token::Not),
            '&' | '|' => out.push(Token::Binary),
            '<' => {
                if chars.next() != Some('-') || chars.next() != Some('>') {
                    return Err("bad `<->`".into());
                }
                out.push(Token::Binary);
            }
            '\'' => loop {
                match chars.next() {
                    None => return Err("unterminated lexeme".into()),
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                    }
                    Some('\'') => {
                        out.push(Token::Lexeme);
                        break;
                    }
                    Some(_) => {}
                }
            },
            other => return Err(format!("`{other}` outside a lexeme")),
        }
    }
    Ok(out)
}

/// expr := unary (BINARY unary)* ; unary := `!` unary | `(` expr `)` | LEXEME
fn check_tsquery(text: &str) -> Result<(), String> {
    let toks = tokens(text)?;
    let mut pos = 0;
    expr(&toks, &mut pos, 0)?;
    if pos == toks.len() {
        Ok(())
    } else {
        Err(format!("trailing tokens at {pos}"))
    }
}

fn expr(toks: &[Token], pos: &mut usize, depth: usize) -> Result<(), String> {
    if depth > 10_000 {
        return Err("nesting too deep".into());
    }
    unary(toks, pos, depth)?;
    while toks.get(*pos) == Some(&Token::Binary) {
        *pos += 1;
        unary(toks, pos, depth)?;
    }
    Ok(())
}

fn unary(toks: &[Token], pos: &mut usize, depth: usize) -> Result<(), String> {
    match toks.get(*pos) {
        Some(Token::Not) => {
            *pos += 1;
            unary(toks, pos, depth + 1)
        }
        Some(Token::Open) => {
            *pos += 1;
            expr(toks, pos, depth + 1)?;
            if toks.get(*pos) == Some(&Token::Close) {
                *pos += 1;
                Ok(())
            } else {
                Err(format!("missing `)` at {pos}"))
            }
        }
        Some(Token::Lexeme) => {
            *pos += 1;
            Ok(())
        }
        other => Err(format!("expected an operand at {pos}, found {other:?}")),
    }
}
