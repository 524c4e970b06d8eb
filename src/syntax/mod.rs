//! The convolab language: spans, the syntax tree and the parser.
//!
//! [`parse_program`] reads statements (a REPL entry, `-c` text, a script, a
//! lesson block); [`parse_expr`] reads one expression (an exercise answer);
//! [`input_is_incomplete`] tells the REPL to ask for another line. Errors are
//! [`ParseError`]s with a span, a message and advice; no nom type leaves
//! this module.
//!
//! # Grammar
//!
//! EBNF: `{ x }` is zero or more, `[ x ]` optional, `( a | b )` a choice,
//! quoted text literal. Kept in step with `parser.rs`, whose functions name the
//! productions they parse.
//!
//! ```text
//! program     = { separator } [ statement { separator { separator } statement } { separator } ] ;
//! separator   = ";" | NEWLINE ;
//! statement   = command | definition | query ;
//!
//! (* definitions: the head is followed by a single "=", not "==" *)
//! definition  = NAME "=" expr                                (* Assign *)
//!             | NAME "(" NAME { "," NAME } ")" "=" expr      (* DefFn *)
//!             | NAME "[" NAME "]" "=" expr ;                 (* DefSeq; no space before "[" *)
//!
//! (* queries: something whose value or table is shown *)
//! query       = steps | converge | shape | check | expr ;
//! steps       = "steps" expr { "at" expr | option } ;
//! converge    = "converge" expr { "at" expr | option } ;     (* "at" is required *)
//! shape       = "shape" expr ;
//! check       = "check" expr ;
//!
//! command     = plot | animate | export | show | vars | clear | help | format
//!             | precision | exact | timeit | exercise | pause | lesson | quit ;
//! plot        = "plot" plot_item { "," plot_item } { "over" expr | "to" STRING | option } ;
//! plot_item   = "steps" expr [ "at" expr ]
//!             | "converge" expr "at" expr
//!             | expr ;
//! animate     = "animate" expr { "over" expr | "to" STRING | option } ;  (* "to" is required *)
//! export      = "export" query "to" STRING ;
//! show        = "show" NAME { "," NAME } ;
//! vars        = "vars" ;
//! clear       = "clear" [ NAME { "," NAME } ] ;
//! help        = "help" [ WORD ] ;                           (* any word: a topic, command or keyword *)
//! format      = "format" NAME ;
//! precision   = "precision" expr ;
//! exact       = "exact" ( "on" | "off" ) ;
//! timeit      = "timeit" query ;
//! exercise    = "exercise" STRING "=" expr { option } ;
//! pause       = "pause" ;
//! lesson      = "lesson" expr ;
//! quit        = "quit" | "exit" ;
//! option      = WORD "=" expr ;                             (* stored as a named Arg *)
//!
//! (* expressions, lowest precedence first *)
//! expr        = or_expr [ ".." or_expr ] ;                  (* a range; not associative *)
//! or_expr     = and_expr { "or" and_expr } ;
//! and_expr    = not_expr { "and" not_expr } ;
//! not_expr    = "not" not_expr | comparison ;
//! comparison  = sum { cmp_op sum } ;                        (* a chain: a <= t < b *)
//! cmp_op      = "<" | "<=" | ">" | ">=" | "==" | "!=" ;
//! sum         = product { ( "+" | "-" ) product } ;         (* left associative *)
//! product     = unary { ( "*" | "/" | "@" ) unary } ;       (* left associative *)
//! unary       = ( "-" | "+" ) unary | power ;
//! power       = postfix [ "^" unary ] ;                     (* right associative: -t^2 is -(t^2), 2^-1 *)
//! postfix     = primary { index } ;
//! index       = "[" expr { "," expr } [ "," ] "]" ;         (* no space before "[" *)
//! primary     = NUMBER | STRING | call | NAME | paren | bracket | block ;
//! call        = NAME "(" [ arg { "," arg } [ "," ] ] ")" ;
//! arg         = WORD "=" expr | expr ;                      (* positional arguments first *)
//! paren       = "(" expr ")"                                (* grouping *)
//!             | "(" expr "," expr { "," expr } [ "," ] ")" ; (* Tuple *)
//! bracket     = "[" [ row { ";" row } [ ";" ] ] "]" [ "from" unary ] ;
//! row         = expr { "," expr } [ "," ] ;
//! block       = "{" { piece_sep } piece { piece_sep { piece_sep } piece } { piece_sep } "}" ;
//! piece       = expr "if" expr | expr "otherwise" | expr ;  (* the bare form only as the last piece *)
//! piece_sep   = ";" | "," | NEWLINE ;
//!
//! (* tokens *)
//! NAME        = WORD - KEYWORD ;
//! WORD        = ( LETTER | "_" ) { LETTER | DIGIT | "_" } ;  (* LETTER: any Unicode letter, e.g. τ σ *)
//! KEYWORD     = "if" | "otherwise" | "and" | "or" | "not" | "from" | "at" | "over" | "to" ;
//! NUMBER      = DIGITS [ "." DIGITS ] [ EXPONENT ] | "." DIGITS [ EXPONENT ] ;
//! EXPONENT    = ( "e" | "E" ) [ "+" | "-" ] DIGITS ;
//! DIGITS      = DIGIT { DIGIT } ;
//! STRING      = '"' { any character but '"' and '\' | '\"' | '\\' | '\n' | '\t' } '"' ;
//! COMMENT     = "#" { any character but NEWLINE } ;        (* not inside strings *)
//! ```
//!
//! ## Newlines, separators and whitespace
//!
//! * At statement level a newline ends the statement, as `;` does; empty
//!   statements are allowed. A statement continues onto the next line only
//!   while a bracket is open.
//! * Inside `( )` and `[ ]` newlines are whitespace, so calls and literals span lines.
//! * Directly inside `{ }` a newline separates pieces (as `;` and `,` do), but
//!   an operand that is still required may start on the next line (after
//!   `if`, after `+`), and `if` / `otherwise` may start the line after a value.
//!   A piece that begins with `-` on a new line is a new piece.
//! * Spaces, tabs and comments may appear between any two tokens, except
//!   before the `[` of an index or a `DefSeq` head (`c[3]`, `y[n]`): `c [3]`
//!   is not an index. A call may have a space before `(`.
//!
//! ## Keywords and command words
//!
//! * The KEYWORDs are reserved everywhere: they cannot be names (a
//!   `ReservedWord` error says so). They may still name a call argument or an
//!   option, where a single `=` follows: `sample(f, 0.25, from=-1, to=3)`.
//! * Command words (`steps converge shape check plot animate export show vars
//!   clear help format precision exact timeit exercise pause lesson quit exit`)
//!   start a command only as the first word of a statement (or of a query after
//!   `export`, `timeit`, or of a `plot` item), and only when not followed by
//!   `=` (`shape = 3` defines `shape`) nor directly by `(` or `[` (`exact(h)`
//!   is a call). Anywhere else they are ordinary names; `on`, `off`, `valid`,
//!   `same`, `full`, `zero`, `wrap` … are always ordinary names.
//! * The reserved operations (`help operations`,
//!   [`registry::is_reserved`](crate::registry::is_reserved): `conv`,
//!   `corr`, `sample` …) cannot head a function definition: `conv(a, b) = 3`
//!   is an `InvalidDefinition` error ("only a name, `f(t)` or `y[n]` can be
//!   defined"), not a new function. Elementary functions (`exp`, `rect`, `u` …)
//!   may be defined; whether that shadows the built-in is the evaluator's call.
//! * Anything that is not a command or a definition is an expression query;
//!   unknown names are the evaluator's business.
//!
//! ## Literals
//!
//! * Numbers are exact rationals (`0.1` is 1/10); `1..4` is the range 1 to 4.
//!   A number written against a name or `(` (`2t`, `2(t+1)`) is an error:
//!   there is no implicit multiplication.
//! * `[a, b; c, d]` is a `Matrix`, and so is `[[a, b], [c, d]]` (every item a
//!   bracket row without `from`); any other bracket literal is a `Seq`.
//! * In `[…] from X`, X is a `unary` (`-1`, `n0`, `(k + 1)`).
//!
//! ## Limits
//!
//! Brackets and prefix operators nest at most [`parser::MAX_NESTING`] deep
//! (and the parser uses at most 1 MiB of stack: an unoptimised build, whose
//! frames are larger, stops at fewer levels, about 60), an expression tree is
//! at most [`parser::MAX_HEIGHT`] high (a chain `a + b + …` adds a level per
//! operator), and a number literal has at most 10 000 characters; beyond that
//! the error is `TooDeep` (or `BadNumber`). So neither the parser nor a
//! recursive walk over its tree can overflow the stack of a 2 MiB thread.

pub mod ast;
pub mod error;
pub mod parser;
pub mod span;

pub use error::{ParseError, ParseErrorKind};
pub use parser::{input_is_incomplete, parse_expr, parse_program};
