//! Inputs for the fuzzer: a small generator that knows the language
//! (definitions, operations with options, commands) and byte/token
//! mutations of existing inputs.
//!
//! Sizes stay small (sequences of a few entries, small steps rare) so that
//! genuine work is fast and a slow input points at a real problem.

/// splitmix64: small, seeded, good enough to pick grammar rules.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SEQS: &[&str] = &["a", "b", "x", "y", "c"];
const FUNCS: &[&str] = &["f", "g", "h", "w", "k"];
const MATS: &[&str] = &["A", "K", "I", "T"];
const SCALARS: &[&str] = &["s", "q", "n0"];
const VARS: &[&str] = &["t", "τ", "a", "n"];

const NUMBERS: &[&str] = &[
    "0", "1", "2", "3", "-1", "0.5", "0.25", "1/3", "0.1", "-2", "1.5", "4", "7",
];
const EDGE_NUMBERS: &[&str] = &[
    "1e-3",
    "1e9",
    "1e308",
    "1e-320",
    "1e400",
    "123456789012345678901234567890",
    "2^64",
    "2^1000",
    "10^-30",
    "inf",
    "-inf",
    "0/0",
    "1/0",
    "pi",
    "e",
    "exp(1)",
    "1e6",
    "-1e6",
    "0.000001",
    "99999999999",
    "3.0000000000000000001",
    "(1/3)^50",
    "9223372036854775807",
    "-9223372036854775808",
    "4611686018427387904",
    "2^62",
];

const OPS: &[&str] = &[
    "conv",
    "corr",
    "cconv",
    "conv_transpose",
    "conv_matrix",
    "flip",
    "shift",
    "dft",
    "idft",
    "as_poly",
    "integrate",
    "sample",
    "riemann",
    "exact",
    "linspace",
    "len",
    "sum",
    "is_pdf",
    "is_causal",
    "load",
];
const ELEMENTARY: &[&str] = &[
    "exp", "ln", "log", "sqrt", "abs", "sin", "cos", "tan", "sinh", "cosh", "tanh", "floor",
    "ceil", "min", "max", "sign", "u", "rect", "tri", "sinc", "gauss", "delta",
];
const OPTION_NAMES: &[&str] = &[
    "mode", "stride", "padding", "dilation", "boundary", "from", "to", "zeros", "frames", "tol",
    "n", "mod", "strides",
];
const OPTION_WORDS: &[&str] = &[
    "full", "same", "valid", "vaild", "zero", "wrap", "reflect", "nearest", "on", "off", "circular",
];
const HELP_TOPICS: &[&str] = &[
    "conventions",
    "functions",
    "conv",
    "steps",
    "plot",
    "formats",
    "limits",
    "nonsense",
];
const FILE_EXTS: &[&str] = &[
    "md", "tex", "csv", "json", "txt", "png", "svg", "gif", "xyz",
];

/// Tokens a mutation may insert: operators, keywords, odd characters.
pub const DICTIONARY: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "\n",
    "=",
    "==",
    "<",
    "<=",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "^",
    "@",
    "..",
    " from ",
    " if ",
    " otherwise",
    " and ",
    " or ",
    "not ",
    " at ",
    " over ",
    " to ",
    "\"",
    "#",
    "steps ",
    "check ",
    "show ",
    "export ",
    "plot ",
    "×",
    "−",
    "τ",
    "∗",
    "∞",
    "·",
    "\u{0301}",
    "\u{200b}",
    "\t",
    "\r",
    "\0",
    "é",
    "🙂",
    "2t",
    "1e",
    "1.",
    ".5",
    "e+",
    "mode=",
    "stride=",
    "padding=",
    "u(t)",
    "exp(",
    "conv(",
    "otherwise",
    "inf",
    "-inf",
];

/// A whole program: a few definitions, then a few queries or commands.
pub fn program(rng: &mut Rng) -> String {
    let mut lines = Vec::new();
    for _ in 0..rng.below(5) {
        lines.push(definition(rng));
    }
    for _ in 0..1 + rng.below(3) {
        lines.push(statement(rng));
    }
    let sep = if rng.chance(0.2) { "; " } else { "\n" };
    lines.join(sep)
}

fn definition(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 | 1 => format!("{} = {}", rng.pick(SEQS), seq_literal(rng)),
        2 | 3 => {
            let name = rng.pick(FUNCS);
            let var = rng.pick(VARS);
            format!("{name}({var}) = {}", function_body(rng, var))
        }
        4 => format!("{} = {}", rng.pick(MATS), matrix_literal(rng)),
        5 => format!("{} = {}", rng.pick(SCALARS), number(rng)),
        _ => {
            let hi = if rng.chance(0.05) {
                rng.pick(&["100000", "1e9", "-3", "n", "9223372036854775807"])
                    .to_string()
            } else {
                rng.below(9).to_string()
            };
            format!(
                "{}[n] = {{ {} if {} <= n <= {hi} }}",
                rng.pick(SEQS),
                rng.pick(&["0.5^n", "n", "n^2", "1/n", "(-1)^n", "sin(n)", "s*n"]),
                rng.pick(&["0", "-2", "1", "n0"])
            )
        }
    }
}

fn statement(rng: &mut Rng) -> String {
    match rng.below(24) {
        0..=5 => expr(rng, 2),
        6 | 7 => {
            let at = if rng.chance(0.6) {
                format!(" at {}", at_value(rng))
            } else {
                String::new()
            };
            let zeros = if rng.chance(0.2) { " zeros=on" } else { "" };
            format!("steps {}{at}{zeros}", op_call(rng, 1))
        }
        8 => format!("converge {} at {}", op_call(rng, 1), number(rng)),
        9 => format!("shape {}", op_call(rng, 1)),
        10 | 11 => format!("check {} == {}", expr(rng, 1), expr(rng, 1)),
        12 => format!(
            "check {}({})",
            rng.pick(&["is_pdf", "is_causal"]),
            rng.pick(FUNCS)
        ),
        13 => format!("show {}", any_name(rng)),
        14 => rng
            .pick(&["vars", "clear", "pause", "exact on", "exact off", "quit"])
            .to_string(),
        15 => format!("help {}", rng.pick(HELP_TOPICS)),
        16 => format!(
            "format {}",
            rng.pick(&["text", "markdown", "latex", "csv", "json", "yaml"])
        ),
        17 => format!(
            "precision {}",
            rng.pick(&["3", "12", "0", "40", "-1", "2.5"])
        ),
        18 => format!(
            "export steps {} to \"out.{}\"",
            op_call(rng, 1),
            rng.pick(FILE_EXTS)
        ),
        19 => format!(
            "exercise \"q\" = {}{}",
            expr(rng, 1),
            if rng.chance(0.3) { " tol=0.01" } else { "" }
        ),
        20 => format!("lesson {}", rng.pick(&["1", "99", "0", "-1", "2.5"])),
        21 => format!(
            "plot {}, {} over {}..{}{}",
            expr(rng, 1),
            rng.pick(FUNCS),
            number(rng),
            number(rng),
            if rng.chance(0.5) {
                format!(" to \"p.{}\"", rng.pick(FILE_EXTS))
            } else {
                String::new()
            }
        ),
        22 => format!(
            "animate {} over {}..{} to \"a.gif\"",
            op_call(rng, 1),
            number(rng),
            number(rng)
        ),
        _ => {
            if rng.chance(0.5) {
                format!("save({}, \"v.csv\")", rng.pick(SEQS))
            } else {
                format!(
                    "{} = load(\"{}\")",
                    rng.pick(SEQS),
                    rng.pick(&["v.csv", "missing.csv", "out.csv"])
                )
            }
        }
    }
}

fn at_value(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("({}, {})", rng.below(3), rng.below(3)),
        1 => format!("{}..{}", rng.below(3), rng.below(6)),
        _ => number(rng),
    }
}

fn any_name(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => rng.pick(SEQS).to_string(),
        1 => rng.pick(FUNCS).to_string(),
        2 => rng.pick(MATS).to_string(),
        _ => rng.pick(SCALARS).to_string(),
    }
}

pub fn number(rng: &mut Rng) -> String {
    if rng.chance(0.08) {
        rng.pick(EDGE_NUMBERS).to_string()
    } else {
        rng.pick(NUMBERS).to_string()
    }
}

fn seq_literal(rng: &mut Rng) -> String {
    let n = if rng.chance(0.05) {
        0
    } else {
        1 + rng.below(6)
    };
    let items: Vec<String> = (0..n)
        .map(|_| {
            if rng.chance(0.15) {
                rng.pick(&["a", "b", "p", "q", "z"]).to_string()
            } else {
                number(rng)
            }
        })
        .collect();
    let from = if rng.chance(0.25) {
        format!(
            " from {}",
            rng.pick(&[
                "-1",
                "2",
                "-3",
                "1e9",
                "0.5",
                "n0",
                "9223372036854775807",
                "-2^62"
            ])
        )
    } else {
        String::new()
    };
    format!("[{}]{from}", items.join(", "))
}

fn matrix_literal(rng: &mut Rng) -> String {
    let rows = 1 + rng.below(4);
    let cols = 1 + rng.below(4);
    let ragged = rng.chance(0.05);
    let body: Vec<String> = (0..rows)
        .map(|r| {
            let c = if ragged && r == 1 { cols + 1 } else { cols };
            (0..c)
                .map(|_| {
                    if rng.chance(0.2) {
                        rng.pick(&["a", "b", "w", "x"]).to_string()
                    } else {
                        number(rng)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    if rng.chance(0.5) {
        format!("[{}]", body.join("; "))
    } else {
        format!(
            "[{}]",
            body.iter()
                .map(|r| format!("[{r}]"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn function_body(rng: &mut Rng, var: &str) -> String {
    if rng.chance(0.5) {
        let pieces = 1 + rng.below(3);
        let mut ps = Vec::new();
        let mut lo = rng.below(3) as i64 - 1;
        for _ in 0..pieces {
            let hi = lo + 1 + rng.below(2) as i64;
            let value = fexpr(rng, var, 1);
            let op = rng.pick(&["<", "<="]);
            ps.push(format!("{value} if {lo} <= {var} {op} {hi}"));
            lo = hi;
        }
        if rng.chance(0.3) {
            ps.push(format!("{} otherwise", number(rng)));
        }
        format!("{{ {} }}", ps.join("; "))
    } else {
        fexpr(rng, var, 2)
    }
}

fn fexpr(rng: &mut Rng, var: &str, depth: usize) -> String {
    if depth == 0 || rng.chance(0.3) {
        return match rng.below(4) {
            0 => number(rng),
            _ => var.to_string(),
        };
    }
    match rng.below(6) {
        0 => format!("{}({})", rng.pick(ELEMENTARY), fexpr(rng, var, depth - 1)),
        1 => format!(
            "{} {} {}",
            fexpr(rng, var, depth - 1),
            rng.pick(&["+", "-", "*", "/"]),
            fexpr(rng, var, depth - 1)
        ),
        2 => format!("{}^{}", var, rng.pick(&["2", "3", "0.5", "-1", "k"])),
        3 => format!("exp(-{}*{var})*u({var})", rng.pick(NUMBERS)),
        4 => format!("gauss({var}, {})", rng.pick(&["1", "0.5", "s", "0", "-1"])),
        _ => format!("{}({var} - {})", rng.pick(FUNCS), rng.pick(NUMBERS)),
    }
}

fn option(rng: &mut Rng) -> String {
    let name = rng.pick(OPTION_NAMES);
    let value = match rng.below(3) {
        0 => rng.pick(OPTION_WORDS).to_string(),
        1 => rng.below(4).to_string(),
        _ => number(rng),
    };
    format!("{name}={value}")
}

fn op_call(rng: &mut Rng, depth: usize) -> String {
    let op = rng.pick(OPS);
    let mut args: Vec<String> = Vec::new();
    let arity = match *op {
        "conv" | "corr" | "conv_transpose" => 2,
        "cconv" => 3,
        "conv_matrix" | "shift" | "sample" | "riemann" => 2,
        "linspace" => 3,
        "load" => 1,
        _ => 1,
    };
    let arity = if rng.chance(0.1) { rng.below(4) } else { arity };
    for i in 0..arity {
        args.push(if i == 0 || rng.chance(0.6) {
            operand(rng, depth)
        } else {
            number(rng)
        });
    }
    if *op == "load" {
        args = vec![format!(
            "\"{}\"",
            rng.pick(&["v.csv", "missing.csv", "out.txt"])
        )];
    }
    for _ in 0..rng.below(3) {
        if rng.chance(0.5) {
            args.push(option(rng));
        }
    }
    format!("{op}({})", args.join(", "))
}

fn operand(rng: &mut Rng, depth: usize) -> String {
    match rng.below(8) {
        0 => rng.pick(SEQS).to_string(),
        1 => rng.pick(FUNCS).to_string(),
        2 => rng.pick(MATS).to_string(),
        3 => seq_literal(rng),
        4 if depth > 0 => op_call(rng, depth - 1),
        5 => matrix_literal(rng),
        6 => number(rng),
        _ => any_name(rng),
    }
}

fn expr(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 {
        return operand(rng, 0);
    }
    match rng.below(10) {
        0..=3 => op_call(rng, depth),
        4 => format!(
            "{} {} {}",
            expr(rng, depth - 1),
            rng.pick(&["+", "-", "*", "/", "@", "^"]),
            expr(rng, depth - 1)
        ),
        5 => format!(
            "{}[{}]",
            rng.pick(SEQS),
            rng.pick(&["0", "3", "-1", "1e9", "0.5"])
        ),
        6 => format!("{}({})", rng.pick(FUNCS), number(rng)),
        7 => format!("{}[{}, {}]", rng.pick(MATS), rng.below(3), rng.below(4)),
        8 => format!("-({})", expr(rng, depth - 1)),
        _ => operand(rng, depth),
    }
}

/// Deeply nested or very long inputs, for the parser's limits.
pub fn deep(rng: &mut Rng) -> String {
    let n = match rng.below(4) {
        0 => 100_000,
        1 => 1_000 + rng.below(5_000),
        _ => 200 + rng.below(400),
    };
    let (open, close) = *rng.pick(&[
        ("(", ")"),
        ("[", "]"),
        ("{", "}"),
        ("-", ""),
        ("not ", ""),
        ("2^", ""),
        ("f(", ")"),
        ("[[", "]]"),
        ("1+", ""),
        ("{ 1 if ", " }"),
        ("a[", "]"),
    ]);
    let close_n = if rng.chance(0.8) { n } else { rng.below(n + 1) };
    format!("{}1{}", open.repeat(n), close.repeat(close_n))
}

/// One to four mutations of `input` (`other` for splicing).
pub fn mutate(rng: &mut Rng, input: &str, other: &str) -> String {
    let mut bytes = input.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = bytes.len();
        let pos = rng.below(len + 1);
        match rng.below(10) {
            0 if len > 0 => {
                let end = (pos + 1 + rng.below(8)).min(len);
                bytes.drain(pos.min(len)..end);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                bytes[i] = rng.next() as u8;
            }
            2 | 3 => {
                let tok = rng.pick(DICTIONARY).as_bytes().to_vec();
                bytes.splice(pos..pos, tok);
            }
            4 => {
                let n = number(rng).into_bytes();
                bytes.splice(pos..pos, n);
            }
            5 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                let chunk = bytes[start..end].to_vec();
                bytes.splice(pos..pos, chunk);
            }
            6 => {
                let o = other.as_bytes();
                if !o.is_empty() {
                    let start = rng.below(o.len());
                    let end = (start + 1 + rng.below(40)).min(o.len());
                    bytes.splice(pos..pos, o[start..end].to_vec());
                }
            }
            7 => {
                // Replace a number-like run by an edge number.
                if let Some(i) = (0..len)
                    .map(|k| (pos + k) % len.max(1))
                    .find(|&i| i < len && bytes[i].is_ascii_digit())
                {
                    let mut j = i;
                    while j < len && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                        j += 1;
                    }
                    let n = rng.pick(EDGE_NUMBERS).as_bytes().to_vec();
                    bytes.splice(i..j, n);
                }
            }
            8 => {
                let stmt = statement(rng).into_bytes();
                let mut s = b"\n".to_vec();
                s.extend(stmt);
                bytes.splice(len..len, s);
            }
            _ => {
                let name = any_name(rng).into_bytes();
                bytes.splice(pos..pos, name);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
