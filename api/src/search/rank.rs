//! PostgreSQL's `ts_rank_cd` (cover density, default weights, no normalisation), computed from
//! the positions the in-process index holds ([`super::index`]), so relevance does not read
//! 300 documents in PostgreSQL for every search. Only for plain queries (lexemes, `&`, `|`,
//! `!`: [`Node::plain`]); a phrase is ranked by PostgreSQL. The steps and the floating-point
//! operations are PostgreSQL's (`tsrank.c`: `get_docrep`, `Cover`, `calc_rank_cd`), in the
//! same order, so the value is the same `float4`: the tests compare the two on every page.

use super::tsquery_text::Node;

/// `ts_rank_cd`'s default weights, by a position's weight class (D, C, B, A), as PostgreSQL
/// stores them (`float4`).
const WEIGHTS: [f32; 4] = [0.1, 0.2, 0.4, 1.0];

/// A plain query ready to be ranked: its distinct lexemes in byte order (the order of a
/// tsvector's entries) and its tree over their indexes.
#[derive(Debug, Clone)]
pub struct RankQuery {
    pub lexemes: Vec<String>,
    tree: Expr,
}

#[derive(Debug, Clone)]
enum Expr {
    Lexeme(usize),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

impl Expr {
    fn eval(&self, present: &[bool]) -> bool {
        match self {
            Expr::Lexeme(i) => present[*i],
            Expr::And(parts) => parts.iter().all(|p| p.eval(present)),
            Expr::Or(parts) => parts.iter().any(|p| p.eval(present)),
            Expr::Not(inner) => !inner.eval(present),
        }
    }
}

/// One occurrence of a query lexeme in a document: position (1–16383), weight class
/// (0 = D … 3 = A) and which lexeme ([`RankQuery::lexemes`] index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub pos: u16,
    pub weight: u8,
    pub lexeme: u16,
}

impl RankQuery {
    /// `None` unless the query is plain (a phrase needs positions per operand, a weight or
    /// prefix restriction its own matching: PostgreSQL ranks those).
    pub fn new(node: &Node) -> Option<RankQuery> {
        if !node.plain() {
            return None;
        }
        let mut lexemes = Vec::new();
        collect(node, &mut lexemes);
        lexemes.sort();
        lexemes.dedup();
        if lexemes.len() > usize::from(u16::MAX) {
            return None;
        }
        let tree = compile(node, &lexemes)?;
        Some(RankQuery { lexemes, tree })
    }

    /// `ts_rank_cd(document, query)` from the occurrences of the query's lexemes in the
    /// document (any order; sorted here as PostgreSQL sorts them).
    pub fn cover_density(&self, occurrences: &mut Vec<Occurrence>) -> f32 {
        // get_docrep: sorted by position, weight, then entry (lexemes in byte order), each
        // (position, entry) once.
        occurrences.sort_unstable();
        occurrences.dedup();
        let doc = occurrences.as_slice();
        if doc.is_empty() {
            return 0.0;
        }
        let invws: [f64; 4] = WEIGHTS.map(|w| 1.0 / f64::from(w));
        let mut present = vec![false; self.lexemes.len()];
        let mut wdoc = 0.0f64;
        let mut from = 0usize;
        while let Some(cover) = self.cover(doc, &mut from, &mut present) {
            let inv_sum: f64 = doc[cover.begin..=cover.end]
                .iter()
                .fold(0.0, |sum, o| sum + invws[usize::from(o.weight)]);
            let entries = (cover.end - cover.begin) as i64;
            let cpos = (entries + 1) as f64 / inv_sum;
            // As PostgreSQL: when positions were clipped, noise is half the cover's length.
            let mut noise = (cover.q - cover.p) - entries;
            if noise < 0 {
                noise = entries / 2;
            }
            wdoc += cpos / (1 + noise) as f64;
        }
        wdoc as f32
    }

    /// The next cover from `*from` (PostgreSQL's `Cover`, its tail recursion as a loop):
    /// the first entry where the query holds going up, then the nearest entry where it
    /// holds going back down from there.
    fn cover(&self, doc: &[Occurrence], from: &mut usize, present: &mut [bool]) -> Option<Cover> {
        loop {
            present.fill(false);
            let mut end = None;
            for (i, o) in doc.iter().enumerate().skip(*from) {
                present[usize::from(o.lexeme)] = true;
                if self.tree.eval(present) {
                    // PostgreSQL keeps it only past position 0 (positions start at 1).
                    if o.pos > 0 {
                        end = Some(i);
                    }
                    break;
                }
            }
            let end = end?;
            present.fill(false);
            let mut begin = None;
            let mut at = end as isize;
            while at >= *from as isize {
                let o = doc[at as usize];
                present[usize::from(o.lexeme)] = true;
                if self.tree.eval(present) {
                    begin = Some(at as usize);
                    break;
                }
                at -= 1;
            }
            match begin {
                Some(begin) if doc[begin].pos <= doc[end].pos => {
                    *from = begin + 1;
                    return Some(Cover {
                        begin,
                        end,
                        p: i64::from(doc[begin].pos),
                        q: i64::from(doc[end].pos),
                    });
                }
                _ => *from += 1,
            }
        }
    }
}

struct Cover {
    begin: usize,
    end: usize,
    p: i64,
    q: i64,
}

fn collect(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::Lexeme { text, .. } => out.push(text.clone()),
        Node::And(parts) | Node::Or(parts) | Node::Phrase(parts) => {
            parts.iter().for_each(|p| collect(p, out));
        }
        Node::Not(inner) => collect(inner, out),
    }
}

fn compile(node: &Node, lexemes: &[String]) -> Option<Expr> {
    Some(match node {
        Node::Lexeme { text, .. } => Expr::Lexeme(lexemes.binary_search(text).ok()?),
        Node::And(parts) => Expr::And(
            parts
                .iter()
                .map(|p| compile(p, lexemes))
                .collect::<Option<_>>()?,
        ),
        Node::Or(parts) => Expr::Or(
            parts
                .iter()
                .map(|p| compile(p, lexemes))
                .collect::<Option<_>>()?,
        ),
        Node::Not(inner) => Expr::Not(Box::new(compile(inner, lexemes)?)),
        Node::Phrase(_) => return None,
    })
}

/// A tsvector's lexeme and its (position, weight class) pairs.
pub type Entry = (String, Vec<(u16, u8)>);

/// A tsvector in PostgreSQL's binary form (`tsvectorsend`: a count, then each lexeme as a
/// NUL-terminated string, its number of positions and each position as 16 bits, the weight
/// class in the top two). `None` when the bytes are not one.
pub fn read_tsvector(bytes: &[u8]) -> Option<Vec<Entry>> {
    let (count, mut rest) = bytes.split_at_checked(4)?;
    let count = u32::from_be_bytes(count.try_into().ok()?);
    let mut out = Vec::with_capacity(usize::try_from(count).ok()?.min(4096));
    for _ in 0..count {
        let end = rest.iter().position(|b| *b == 0)?;
        let lexeme = std::str::from_utf8(&rest[..end]).ok()?.to_owned();
        rest = &rest[end + 1..];
        let (npos, tail) = rest.split_at_checked(2)?;
        let npos = usize::from(u16::from_be_bytes(npos.try_into().ok()?));
        let (positions, tail) = tail.split_at_checked(npos * 2)?;
        rest = tail;
        let positions = positions
            .chunks_exact(2)
            .map(|p| {
                let wep = u16::from_be_bytes([p[0], p[1]]);
                (wep & 0x3fff, (wep >> 14) as u8)
            })
            .collect();
        out.push((lexeme, positions));
    }
    rest.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tsquery_text::parse;

    #[test]
    fn reads_tsvectors_in_postgresql_binary_form() {
        // tsvectorsend('a:1A,3 bb:2 c'::tsvector)
        let bytes = [
            0, 0, 0, 3, b'a', 0, 0, 2, 0xc0, 1, 0, 3, b'b', b'b', 0, 0, 1, 0, 2, b'c', 0, 0, 0,
        ];
        assert_eq!(
            read_tsvector(&bytes),
            Some(vec![
                ("a".into(), vec![(1, 3), (3, 0)]),
                ("bb".into(), vec![(2, 0)]),
                ("c".into(), vec![]),
            ])
        );
        assert_eq!(read_tsvector(&bytes[..bytes.len() - 1]), None, "cut short");
        assert_eq!(read_tsvector(&[0, 0, 0, 0]), Some(vec![]), "empty");
        assert_eq!(read_tsvector(&[0, 0]), None, "no count");
    }

    /// A tsvector as PostgreSQL writes it (the tests' documents are written so) (`'dr400':2A,19 'hangar':41B 'avec'`): each lexeme with
    /// its positions and weight classes (none when the lexeme has no position). `None` when the
    /// text is not one.
    fn parse_tsvector(text: &str) -> Option<Vec<Entry>> {
        let mut out = Vec::new();
        let mut chars = text.chars().peekable();
        loop {
            while chars.peek() == Some(&' ') {
                chars.next();
            }
            match chars.next() {
                None => return Some(out),
                Some('\'') => {}
                Some(_) => return None,
            }
            let lexeme = crate::search::tsquery_text::quoted(&mut chars)?;
            let mut positions = Vec::new();
            if chars.peek() == Some(&':') {
                chars.next();
                loop {
                    let mut pos: u32 = 0;
                    let mut digits = 0;
                    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                        pos = pos.checked_mul(10)?.checked_add(d)?;
                        digits += 1;
                        chars.next();
                    }
                    if digits == 0 {
                        return None;
                    }
                    let weight = match chars.peek() {
                        Some('A') => 3,
                        Some('B') => 2,
                        Some('C') => 1,
                        Some('D') => 0,
                        _ => 4,
                    };
                    let weight = if weight == 4 {
                        0
                    } else {
                        chars.next();
                        weight
                    };
                    positions.push((u16::try_from(pos).ok()?, weight));
                    if chars.peek() == Some(&',') {
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            out.push((lexeme, positions));
        }
    }

    /// Values PostgreSQL 15 gave for `ts_rank_cd(tsvector, tsquery)` (as float4).
    #[test]
    fn ranks_as_postgresql() {
        let cases: Vec<(&str, &str, f32)> = vec![
            ("'a':1 'b':2", "'a' & 'b'", 0.1),
            ("'a':1A 'b':3B", "'a' & 'b'", 0.285_714_3),
            ("'a':1,5 'b':3", "'a' | 'b'", 0.3),
            ("'a':1 'c':2", "'a' & 'b'", 0.0),
            ("'a':1 'c':2", "'a' & !'b'", 0.1),
            (
                "'a':1A,5 'b':3B 'c':4",
                "'a' & ( 'b' | 'c' ) & !'d'",
                0.385_714_3,
            ),
            ("'a':1,3,16383 'b':2,16383", "'a' & 'b'", 0.3),
        ];
        for (doc, query, expected) in cases {
            let q = RankQuery::new(&parse(query).expect("query")).expect("plain");
            let mut occ = Vec::new();
            for (lexeme, positions) in parse_tsvector(doc).expect("tsvector") {
                if let Ok(i) = q.lexemes.binary_search(&lexeme) {
                    for (pos, weight) in positions {
                        occ.push(Occurrence {
                            pos,
                            weight,
                            lexeme: i as u16,
                        });
                    }
                }
            }
            assert_eq!(q.cover_density(&mut occ), expected, "{doc} / {query}");
        }
    }
}
