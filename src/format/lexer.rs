//! The formatter's token scanner: splits `.tf` text into the token kinds HashiCorp's `hclsyntax`
//! scanner produces, because `terraform fmt` decides every space by looking at those kinds.
//!
//! Invariants: tokens are in source order, do not overlap, and cover every byte of the input
//! except runs of spaces and tabs between tokens (and a leading UTF-8 byte-order mark); the
//! last token is always [`TokenKind::Eof`]. The scanner accepts any text and never panics:
//! what is not valid HCL becomes [`TokenKind::Invalid`] (the parser, not this module, reports
//! syntax errors).
//!
//! Facts reproduced from `hclsyntax` (they decide formatting):
//! - a `#` or `//` comment includes the newline that ends it, so it also ends the line;
//! - a heredoc opener `<<EOT` / `<<-EOT` includes its newline; each body line is a string
//!   literal that includes its own newline; the closing marker line is a separate token
//!   (with its leading spaces) followed by a newline token;
//! - quoted-string literal runs stop at every `$` and `%`, which scan as one-character
//!   literals unless they start `${` / `%{` (or the escapes `$${` / `%%{`);
//! - `}` closes an interpolation only when the brace depth matches the one that opened it;
//! - an identifier may contain `-`, and a number may not end with `.`.
//!
//! Depends on nothing else in the crate.

/// What a token is, as far as formatting cares (names follow `hclsyntax`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `{`
    OBrace,
    /// `}` outside an interpolation.
    CBrace,
    /// `[`
    OBrack,
    /// `]`
    CBrack,
    /// `(`
    OParen,
    /// `)`
    CParen,
    /// The `"` opening a quoted template.
    OQuote,
    /// The `"` closing a quoted template.
    CQuote,
    /// `<<EOT` or `<<-EOT`, newline included.
    OHeredoc,
    /// The closing marker line of a heredoc, leading spaces included, newline excluded.
    CHeredoc,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `%`
    Percent,
    /// `=`
    Equal,
    /// `==`
    EqualOp,
    /// `!=`
    NotEqual,
    /// `<`
    LessThan,
    /// `<=`
    LessThanEq,
    /// `>`
    GreaterThan,
    /// `>=`
    GreaterThanEq,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `!`
    Bang,
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `::`
    DoubleColon,
    /// `...`
    Ellipsis,
    /// `=>`
    FatArrow,
    /// `?`
    Question,
    /// `:`
    Colon,
    /// `${` or `${~`
    TemplateInterp,
    /// `%{` or `%{~`
    TemplateControl,
    /// The `}` or `~}` closing an interpolation or directive.
    TemplateSeqEnd,
    /// Literal text inside a quoted template (escapes not decoded).
    QuotedLit,
    /// Literal text inside a heredoc.
    StringLit,
    /// A number literal.
    NumberLit,
    /// An identifier (keywords included).
    Ident,
    /// A comment; `#` and `//` comments include their terminating newline.
    Comment,
    /// `\n` or `\r\n`.
    Newline,
    /// A newline inside a quoted string (a syntax error the parser reports).
    QuotedNewline,
    /// A character HCL only knows as an operator of its own (`&`, `|`, `~`, `^`, `;`, `` ` ``,
    /// `'`): valid tokens, invalid syntax.
    Other,
    /// Anything else that cannot start a token.
    Invalid,
    /// End of input (empty).
    Eof,
}

impl TokenKind {
    /// +1 for tokens that open a nesting level, -1 for those that close one (the bracket
    /// counting `hclwrite` uses for indentation and for attribute alignment).
    #[must_use]
    pub fn bracket_change(self) -> i32 {
        match self {
            Self::OBrace
            | Self::OBrack
            | Self::OParen
            | Self::TemplateInterp
            | Self::TemplateControl => 1,
            Self::CBrace | Self::CBrack | Self::CParen | Self::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}

/// One token: its kind and its byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// The scanner's nesting: the main grammar, or a template it entered.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Expressions and structure.
    Main,
    /// Inside `"..."`.
    Quoted,
    /// Inside a heredoc body. `marker` is the byte range of the closing word in the source;
    /// `line_start` is whether the next literal begins a line (only then can it close).
    Heredoc {
        marker: (u32, u32),
        line_start: bool,
    },
}

/// Splits `src` into tokens. Inputs longer than `u32::MAX` bytes are not supported: they
/// scan as a single [`TokenKind::Invalid`] token.
#[must_use]
pub fn tokenize(src: &str) -> Vec<Token> {
    let mut scanner = Scanner {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        tokens: Vec::with_capacity(src.len() / 4 + 2),
        modes: vec![Mode::Main],
        braces: 0,
        return_braces: Vec::new(),
    };
    let Ok(len) = u32::try_from(src.len()) else {
        return vec![
            Token {
                kind: TokenKind::Invalid,
                start: 0,
                end: u32::MAX,
            },
            Token {
                kind: TokenKind::Eof,
                start: u32::MAX,
                end: u32::MAX,
            },
        ];
    };
    if src.starts_with('\u{feff}') {
        // hclsyntax drops a leading byte-order mark but keeps counting its bytes.
        scanner.pos = 3;
    }
    scanner.run();
    scanner.tokens.push(Token {
        kind: TokenKind::Eof,
        start: len,
        end: len,
    });
    scanner.tokens
}

struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    modes: Vec<Mode>,
    /// Open `{` (object, block and interpolation braces) seen so far.
    braces: i32,
    /// The brace depth at which each open interpolation was entered.
    return_braces: Vec<i32>,
}

#[allow(clippy::cast_possible_truncation)] // `tokenize` checks the length fits in u32
impl Scanner<'_> {
    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            match self.modes.last().copied().unwrap_or(Mode::Main) {
                Mode::Main => self.main_token(),
                Mode::Quoted => self.quoted_token(),
                Mode::Heredoc { marker, line_start } => self.heredoc_token(marker, line_start),
            }
        }
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        self.tokens.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
        });
        self.pos = end;
    }

    fn byte_at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    /// The length in bytes of the character at `i` (1 past the end or on a broken boundary,
    /// which cannot happen in a `&str` but keeps the scanner total).
    fn char_len(&self, i: usize) -> usize {
        self.src
            .get(i..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.src.get(i..).and_then(|s| s.chars().next())
    }

    /// Leaves a template or interpolation, back to the mode that entered it.
    fn leave(&mut self) {
        if self.modes.len() > 1 {
            self.modes.pop();
        }
    }

    fn enter_sequence(&mut self, kind: TokenKind, start: usize) {
        let mut end = start + 2;
        if self.byte_at(end) == Some(b'~') {
            end += 1;
        }
        self.push(kind, start, end);
        self.braces += 1;
        self.return_braces.push(self.braces);
        if let Some(Mode::Heredoc { line_start, .. }) = self.modes.last_mut() {
            *line_start = false;
        }
        self.modes.push(Mode::Main);
    }

    fn close_brace(&mut self, start: usize, end: usize, tilde: bool) {
        if self.return_braces.last() == Some(&self.braces) {
            self.push(TokenKind::TemplateSeqEnd, start, end);
            self.braces -= 1;
            self.return_braces.pop();
            self.leave();
        } else {
            // A `~}` that closes no interpolation still scans as one, so that the parser can
            // report it; a plain `}` is an ordinary brace.
            let kind = if tilde {
                TokenKind::TemplateSeqEnd
            } else {
                TokenKind::CBrace
            };
            self.push(kind, start, end);
            self.braces -= 1;
        }
    }

    fn main_token(&mut self) {
        let start = self.pos;
        let b = self.bytes[start];
        let next = self.byte_at(start + 1);
        match b {
            b' ' | b'\t' => {
                let mut end = start + 1;
                while matches!(self.byte_at(end), Some(b' ' | b'\t')) {
                    end += 1;
                }
                self.pos = end;
            }
            b'0'..=b'9' => {
                let end = self.number_end(start);
                self.push(TokenKind::NumberLit, start, end);
            }
            b'#' => self.line_comment(start),
            b'/' if next == Some(b'/') => self.line_comment(start),
            b'/' if next == Some(b'*') => {
                match memfind(&self.bytes[start + 2..], *b"*/") {
                    Some(off) => self.push(TokenKind::Comment, start, start + 2 + off + 2),
                    // An unterminated block comment is just a slash (then a star).
                    None => self.push(TokenKind::Slash, start, start + 1),
                }
            }
            b'\n' => self.push(TokenKind::Newline, start, start + 1),
            b'\r' if next == Some(b'\n') => self.push(TokenKind::Newline, start, start + 2),
            b'=' => match next {
                Some(b'=') => self.push(TokenKind::EqualOp, start, start + 2),
                Some(b'>') => self.push(TokenKind::FatArrow, start, start + 2),
                _ => self.push(TokenKind::Equal, start, start + 1),
            },
            b'!' if next == Some(b'=') => self.push(TokenKind::NotEqual, start, start + 2),
            b'!' => self.push(TokenKind::Bang, start, start + 1),
            b'>' if next == Some(b'=') => self.push(TokenKind::GreaterThanEq, start, start + 2),
            b'>' => self.push(TokenKind::GreaterThan, start, start + 1),
            b'<' if next == Some(b'=') => self.push(TokenKind::LessThanEq, start, start + 2),
            b'<' => {
                if let Some((end, marker)) = self.heredoc_opener(start) {
                    self.push(TokenKind::OHeredoc, start, end);
                    self.modes.push(Mode::Heredoc {
                        marker,
                        line_start: true,
                    });
                } else {
                    self.push(TokenKind::LessThan, start, start + 1);
                }
            }
            b'&' if next == Some(b'&') => self.push(TokenKind::And, start, start + 2),
            b'|' if next == Some(b'|') => self.push(TokenKind::Or, start, start + 2),
            b':' if next == Some(b':') => self.push(TokenKind::DoubleColon, start, start + 2),
            b':' => self.push(TokenKind::Colon, start, start + 1),
            b'.' if next == Some(b'.') && self.byte_at(start + 2) == Some(b'.') => {
                self.push(TokenKind::Ellipsis, start, start + 3);
            }
            b'.' => self.push(TokenKind::Dot, start, start + 1),
            b'{' => {
                self.push(TokenKind::OBrace, start, start + 1);
                self.braces += 1;
            }
            b'}' => self.close_brace(start, start + 1, false),
            b'~' if next == Some(b'}') => self.close_brace(start, start + 2, true),
            b'"' => {
                self.push(TokenKind::OQuote, start, start + 1);
                self.modes.push(Mode::Quoted);
            }
            b'[' => self.push(TokenKind::OBrack, start, start + 1),
            b']' => self.push(TokenKind::CBrack, start, start + 1),
            b'(' => self.push(TokenKind::OParen, start, start + 1),
            b')' => self.push(TokenKind::CParen, start, start + 1),
            b',' => self.push(TokenKind::Comma, start, start + 1),
            b'*' => self.push(TokenKind::Star, start, start + 1),
            b'/' => self.push(TokenKind::Slash, start, start + 1),
            b'%' => self.push(TokenKind::Percent, start, start + 1),
            b'+' => self.push(TokenKind::Plus, start, start + 1),
            b'-' => self.push(TokenKind::Minus, start, start + 1),
            b'?' => self.push(TokenKind::Question, start, start + 1),
            b'&' | b'|' | b'~' | b'^' | b';' | b'`' | b'\'' => {
                self.push(TokenKind::Other, start, start + 1);
            }
            _ => {
                if let Some(end) = self.ident_end(start) {
                    self.push(TokenKind::Ident, start, end);
                } else {
                    let len = self.char_len(start);
                    self.push(TokenKind::Invalid, start, start + len);
                }
            }
        }
    }

    /// `#...` or `//...` up to and including the end of the line.
    fn line_comment(&mut self, start: usize) {
        let end = match memchr(b'\n', &self.bytes[start..]) {
            Some(off) => start + off + 1,
            None => self.bytes.len(),
        };
        self.push(TokenKind::Comment, start, end);
    }

    /// The end of the number starting at `start` (a digit): digits, `.`, and exponents
    /// `e`/`E` with an optional sign and a digit, never ending on a `.`.
    fn number_end(&self, start: usize) -> usize {
        let mut end = start + 1;
        let mut last_good = end;
        loop {
            match self.byte_at(end) {
                Some(b'0'..=b'9') => {
                    end += 1;
                    last_good = end;
                }
                Some(b'.') => end += 1,
                Some(b'e' | b'E') => {
                    let mut e = end + 1;
                    if matches!(self.byte_at(e), Some(b'+' | b'-')) {
                        e += 1;
                    }
                    if matches!(self.byte_at(e), Some(b'0'..=b'9')) {
                        end = e + 1;
                        last_good = end;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        last_good
    }

    /// The end of the identifier starting at `start`, if one starts there.
    fn ident_end(&self, start: usize) -> Option<usize> {
        let first = self.char_at(start)?;
        if !(first == '_' || unicode_ident::is_xid_start(first)) {
            return None;
        }
        let mut end = start + first.len_utf8();
        loop {
            match self.byte_at(end) {
                Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => end += 1,
                Some(b) if b < 0x80 => break,
                None => break,
                Some(_) => match self.char_at(end) {
                    Some(c) if unicode_ident::is_xid_continue(c) => end += c.len_utf8(),
                    _ => break,
                },
            }
        }
        Some(end)
    }

    /// `<<` `-`? identifier newline: the end of the opener and the marker's byte range.
    fn heredoc_opener(&self, start: usize) -> Option<(usize, (u32, u32))> {
        if self.byte_at(start + 1) != Some(b'<') {
            return None;
        }
        let mut word = start + 2;
        if self.byte_at(word) == Some(b'-') {
            word += 1;
        }
        let word_end = self.ident_end(word)?;
        let end = match (self.byte_at(word_end), self.byte_at(word_end + 1)) {
            (Some(b'\n'), _) => word_end + 1,
            (Some(b'\r'), Some(b'\n')) => word_end + 2,
            _ => return None,
        };
        Some((end, (word as u32, word_end as u32)))
    }

    /// `$` or `%`: an interpolation or directive opener, an escaped opener (`$${`), or a
    /// lone sign. Returns the end of a literal token when it is not an opener.
    fn sign_literal_end(&self, start: usize) -> Option<usize> {
        let sign = self.bytes[start];
        match self.byte_at(start + 1) {
            Some(b'{') => None,
            Some(s) if s == sign && self.byte_at(start + 2) == Some(b'{') => {
                let mut end = start + 3;
                if self.byte_at(end) == Some(b'~') {
                    end += 1;
                }
                Some(end)
            }
            _ => Some(start + 1),
        }
    }

    fn quoted_token(&mut self) {
        let start = self.pos;
        match self.bytes[start] {
            b'"' => {
                self.push(TokenKind::CQuote, start, start + 1);
                self.leave();
            }
            sign @ (b'$' | b'%') => {
                if let Some(end) = self.sign_literal_end(start) {
                    self.push(TokenKind::QuotedLit, start, end);
                } else {
                    let kind = if sign == b'$' {
                        TokenKind::TemplateInterp
                    } else {
                        TokenKind::TemplateControl
                    };
                    self.enter_sequence(kind, start);
                }
            }
            b'\r' | b'\n' => {
                let mut end = start + 1;
                while matches!(self.byte_at(end), Some(b'\r' | b'\n')) {
                    end += 1;
                }
                self.push(TokenKind::QuotedNewline, start, end);
            }
            _ => {
                let mut end = start;
                loop {
                    match self.byte_at(end) {
                        None | Some(b'"' | b'$' | b'%' | b'\r' | b'\n') => break,
                        Some(b'\\') => match self.byte_at(end + 1) {
                            None | Some(b'\r' | b'\n') => break,
                            Some(_) => end += 1 + self.char_len(end + 1),
                        },
                        Some(b) if b < 0x80 => end += 1,
                        Some(_) => end += self.char_len(end),
                    }
                }
                if end == start {
                    // A backslash before a newline or the end of input.
                    self.push(TokenKind::Invalid, start, start + 1);
                } else {
                    self.push(TokenKind::QuotedLit, start, end);
                }
            }
        }
    }

    fn heredoc_token(&mut self, marker: (u32, u32), line_start: bool) {
        let start = self.pos;
        let b = self.bytes[start];
        if matches!(b, b'$' | b'%') {
            if let Some(end) = self.sign_literal_end(start) {
                self.set_line_start(false);
                self.push(TokenKind::StringLit, start, end);
            } else {
                let kind = if b == b'$' {
                    TokenKind::TemplateInterp
                } else {
                    TokenKind::TemplateControl
                };
                self.enter_sequence(kind, start);
            }
            return;
        }
        let rest = &self.bytes[start..];
        let text_len = rest
            .iter()
            .position(|&c| matches!(c, b'$' | b'%' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        let text_end = start + text_len;
        let newline_end = match (self.byte_at(text_end), self.byte_at(text_end + 1)) {
            (Some(b'\n'), _) => Some(text_end + 1),
            (Some(b'\r'), Some(b'\n')) => Some(text_end + 2),
            _ => None,
        };
        match newline_end {
            Some(end) => {
                let word = &self.src[marker.0 as usize..marker.1 as usize];
                if line_start && trim_go_space(&self.src[start..text_end]) == word {
                    self.push(TokenKind::CHeredoc, start, text_end);
                    self.push(TokenKind::Newline, text_end, end);
                    self.leave();
                } else {
                    self.set_line_start(true);
                    self.push(TokenKind::StringLit, start, end);
                }
            }
            None if text_len > 0 => {
                self.set_line_start(false);
                self.push(TokenKind::StringLit, start, text_end);
            }
            // A carriage return that ends no line.
            None => self.push(TokenKind::Invalid, start, start + 1),
        }
    }

    fn set_line_start(&mut self, value: bool) {
        if let Some(Mode::Heredoc { line_start, .. }) = self.modes.last_mut() {
            *line_start = value;
        }
    }
}

/// Trims what Go's `bytes.TrimSpace` trims (Unicode white space).
fn trim_go_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn memfind(haystack: &[u8], needle: [u8; 2]) -> Option<usize> {
    haystack.windows(2).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::TokenKind::{self, *};
    use super::tokenize;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, &src[t.start as usize..t.end as usize]))
            .collect()
    }

    #[test]
    fn line_comments_include_their_newline() {
        assert_eq!(
            kinds("a = 1 # one\r\n// two\n"),
            vec![
                (Ident, "a"),
                (Equal, "="),
                (NumberLit, "1"),
                (Comment, "# one\r\n"),
                (Comment, "// two\n"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn dollar_and_percent_split_quoted_literals() {
        assert_eq!(
            kinds(r#""a$b%%{c$${""#),
            vec![
                (OQuote, "\""),
                (QuotedLit, "a"),
                (QuotedLit, "$"),
                (QuotedLit, "b"),
                (QuotedLit, "%%{"),
                (QuotedLit, "c"),
                (QuotedLit, "$${"),
                (CQuote, "\""),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn interpolation_braces_balance_against_object_braces() {
        assert_eq!(
            kinds(r#""${ {a=1} }""#),
            vec![
                (OQuote, "\""),
                (TemplateInterp, "${"),
                (OBrace, "{"),
                (Ident, "a"),
                (Equal, "="),
                (NumberLit, "1"),
                (CBrace, "}"),
                (TemplateSeqEnd, "}"),
                (CQuote, "\""),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn heredoc_lines_and_marker() {
        assert_eq!(
            kinds("x = <<-EOT\n  a ${b}\n  EOT\n"),
            vec![
                (Ident, "x"),
                (Equal, "="),
                (OHeredoc, "<<-EOT\n"),
                (StringLit, "  a "),
                (TemplateInterp, "${"),
                (Ident, "b"),
                (TemplateSeqEnd, "}"),
                (StringLit, "\n"),
                (CHeredoc, "  EOT"),
                (Newline, "\n"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn marker_after_interpolation_on_same_line_does_not_close() {
        let toks = kinds("<<EOT\n${a}EOT\nEOT\n");
        assert_eq!(toks[4], (StringLit, "EOT\n"));
        assert_eq!(toks[5], (CHeredoc, "EOT"));
    }

    #[test]
    fn numbers_never_end_with_a_dot_and_idents_take_dashes() {
        assert_eq!(
            kinds("1.5e+3. a-b.0"),
            vec![
                (NumberLit, "1.5e+3"),
                (Dot, "."),
                (Ident, "a-b"),
                (Dot, "."),
                (NumberLit, "0"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn operators_take_the_longest_match() {
        let got: Vec<TokenKind> = kinds("== => != <= >= && || :: ... ~} < <<x")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(
            got,
            vec![
                EqualOp,
                FatArrow,
                NotEqual,
                LessThanEq,
                GreaterThanEq,
                And,
                Or,
                DoubleColon,
                Ellipsis,
                TemplateSeqEnd,
                LessThan,
                LessThan,
                LessThan,
                Ident,
                Eof
            ]
        );
    }

    #[test]
    fn byte_order_mark_is_skipped_but_counted() {
        let toks = tokenize("\u{feff}a");
        assert_eq!(toks[0].start, 3);
        assert_eq!(toks[0].kind, Ident);
    }

    #[test]
    fn unterminated_things_do_not_panic() {
        for src in [
            "\"abc",
            "/* x",
            "<<EOT\nabc",
            "${",
            "\"\\",
            "x = \"${a",
            "\r",
            "}}}",
            "~}",
            "\"%",
            "é",
        ] {
            let toks = tokenize(src);
            assert_eq!(toks.last().map(|t| t.kind), Some(Eof), "{src:?}");
        }
    }
}
