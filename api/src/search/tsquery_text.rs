//! Reads a tsquery as PostgreSQL writes it (`'moteur' & ( 'revis' | 'revision' )`), for the
//! in-process index ([`super::index`]), which matches the same lexemes.

/// A tsquery's tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A lexeme; `restricted` when it carries a weight or prefix mark (`'x':A`, `'x':*`).
    Lexeme {
        text: String,
        restricted: bool,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// Words in sequence (`<->`, `<N>`).
    Phrase(Vec<Node>),
}

impl Node {
    /// Lexemes, `&`, `|` and `!` only: no phrase, no weight or prefix restriction.
    pub fn plain(&self) -> bool {
        match self {
            Node::Lexeme { restricted, .. } => !restricted,
            Node::And(parts) | Node::Or(parts) => parts.iter().all(Node::plain),
            Node::Not(inner) => inner.plain(),
            Node::Phrase(_) => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Lexeme(String, bool),
    And,
    Or,
    Not,
    Follow,
    Open,
    Close,
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            ' ' => {}
            '&' => out.push(Token::And),
            '|' => out.push(Token::Or),
            '!' => out.push(Token::Not),
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            '<' => {
                // `<->` or `<N>`
                loop {
                    match chars.next()? {
                        '>' => break,
                        '-' | '0'..='9' => {}
                        _ => return None,
                    }
                }
                out.push(Token::Follow);
            }
            '\'' => {
                let lexeme = quoted(&mut chars)?;
                let mut restricted = false;
                if chars.peek() == Some(&':') {
                    chars.next();
                    while chars
                        .peek()
                        .is_some_and(|c| matches!(c, '*' | 'A'..='D' | 'a'..='d'))
                    {
                        chars.next();
                        restricted = true;
                    }
                }
                out.push(Token::Lexeme(lexeme, restricted));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A lexeme as PostgreSQL quotes it (`'l''avion'`, backslashes escaped), after its opening
/// quote; `None` when it does not end.
pub(super) fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut lexeme = String::new();
    loop {
        match chars.next()? {
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                lexeme.push('\'');
            }
            '\'' => return Some(lexeme),
            '\\' => lexeme.push(chars.next()?),
            c => lexeme.push(c),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The operators by how loosely they bind: `|`, then `&`, then `<->`; `!` binds tightest.
    fn or(&mut self) -> Option<Node> {
        let mut parts = vec![self.and()?];
        while self.eat(&Token::Or) {
            parts.push(self.and()?);
        }
        Some(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Or(parts)
        })
    }

    fn and(&mut self) -> Option<Node> {
        let mut parts = vec![self.phrase()?];
        while self.eat(&Token::And) {
            parts.push(self.phrase()?);
        }
        Some(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    fn phrase(&mut self) -> Option<Node> {
        let mut parts = vec![self.unary()?];
        while self.eat(&Token::Follow) {
            parts.push(self.unary()?);
        }
        Some(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Phrase(parts)
        })
    }

    fn unary(&mut self) -> Option<Node> {
        if self.eat(&Token::Not) {
            return Some(Node::Not(Box::new(self.unary()?)));
        }
        if self.eat(&Token::Open) {
            let inner = self.or()?;
            return self.eat(&Token::Close).then_some(inner);
        }
        match self.peek()?.clone() {
            Token::Lexeme(text, restricted) => {
                self.at += 1;
                Some(Node::Lexeme { text, restricted })
            }
            _ => None,
        }
    }
}

/// The tree of a tsquery's text, or `None` when it is not one (or is empty).
pub fn parse(text: &str) -> Option<Node> {
    let mut parser = Parser {
        tokens: tokens(text)?,
        at: 0,
    };
    let node = parser.or()?;
    (parser.at == parser.tokens.len()).then_some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(t: &str) -> Node {
        Node::Lexeme {
            text: t.into(),
            restricted: false,
        }
    }

    #[test]
    fn reads_what_postgresql_writes() {
        let cases: Vec<(&str, Option<Node>)> = vec![
            ("'moteur'", Some(lex("moteur"))),
            (
                "( 'moteur' ) & ( ( 'revis' ) | ( 'revision' ) )",
                Some(Node::And(vec![
                    lex("moteur"),
                    Node::Or(vec![lex("revis"), lex("revision")]),
                ])),
            ),
            (
                "'a' | 'b' & 'c'",
                Some(Node::Or(vec![
                    lex("a"),
                    Node::And(vec![lex("b"), lex("c")]),
                ])),
            ),
            (
                "'dr' <-> '400' & !'vendu'",
                Some(Node::And(vec![
                    Node::Phrase(vec![lex("dr"), lex("400")]),
                    Node::Not(Box::new(lex("vendu"))),
                ])),
            ),
            ("'a' <2> 'b'", Some(Node::Phrase(vec![lex("a"), lex("b")]))),
            ("'l''avion'", Some(lex("l'avion"))),
            ("'a\\\\b'", Some(lex("a\\b"))),
            (
                "'pip':*",
                Some(Node::Lexeme {
                    text: "pip".into(),
                    restricted: true,
                }),
            ),
            (
                "'x':AB",
                Some(Node::Lexeme {
                    text: "x".into(),
                    restricted: true,
                }),
            ),
            ("", None),
            ("'a' &", None),
            ("( 'a'", None),
            ("'a' 'b'", None),
            ("'unterminated", None),
            ("a", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), expected, "{text}");
        }
    }

    #[test]
    fn plain_queries_have_no_phrase_nor_restriction() {
        let cases = [
            ("'a' & ( 'b' | !'c' )", true),
            ("'a' & 'b' <-> 'c'", false),
            ("!( 'a' <-> 'b' )", false),
            ("'a':*", false),
            ("'a':B | 'c'", false),
        ];
        for (text, plain) in cases {
            assert_eq!(parse(text).map(|n| n.plain()), Some(plain), "{text}");
        }
    }
}
