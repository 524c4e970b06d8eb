//! The registry: the names the language knows, in one place.
//!
//! Commands, operations, keywords, constant names, output formats and help
//! topics are listed here once (and the option words the REPL completes).
//! The parser (which words start a command, which names cannot head a
//! function definition), `help`, the REPL's completion, the "did you mean"
//! suggestions, the evaluator's dispatch and the renderers read these
//! tables. Each kind is an enum whose `spec()` is one exhaustive `match` and
//! whose `ALL` lists every variant for the lookups: a new command, operation
//! or format is a variant, its `spec` arm and its place in `ALL`, plus the
//! code that parses, computes or renders it (ARCHITECTURE.md's recipes).
//!
//! The math built-ins (`exp`, `rect`, `gauss` …) are described by
//! [`Builtin::spec`](crate::value::function::Builtin), next to their
//! numerics; [`function_names`] lists them with the operations.
//!
//! Layer: `registry` sits above `value` and below `syntax`.

use crate::value::function::BUILTINS;

/// A command: a word that starts a statement (`steps conv(a, b)`, `plot f`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    /// `steps`
    Steps,
    /// `shape`
    Shape,
    /// `converge`
    Converge,
    /// `check`
    Check,
    /// `plot`
    Plot,
    /// `animate`
    Animate,
    /// `show`
    Show,
    /// `vars`
    Vars,
    /// `clear`
    Clear,
    /// `format`
    Format,
    /// `precision`
    Precision,
    /// `exact`
    Exact,
    /// `export`
    Export,
    /// `timeit`
    Timeit,
    /// `exercise`
    Exercise,
    /// `pause`
    Pause,
    /// `lesson`
    Lesson,
    /// `quit`
    Quit,
    /// `help`
    Help,
}

/// What the registry knows about a command.
#[derive(Clone, Copy, Debug)]
pub struct CommandSpec {
    /// The word that starts it.
    pub name: &'static str,
    /// Other words for it (`exit` for `quit`).
    pub aliases: &'static [&'static str],
    /// Its `help` text: usage lines with a short explanation.
    pub help: &'static str,
    /// The named options it takes (`zeros=on`, `frames=60` …).
    pub options: &'static [&'static str],
}

impl Command {
    /// Every command, in the order `help commands` lists them.
    pub const ALL: [Command; 19] = [
        Command::Steps,
        Command::Shape,
        Command::Converge,
        Command::Check,
        Command::Plot,
        Command::Animate,
        Command::Show,
        Command::Vars,
        Command::Clear,
        Command::Format,
        Command::Precision,
        Command::Exact,
        Command::Export,
        Command::Timeit,
        Command::Exercise,
        Command::Pause,
        Command::Lesson,
        Command::Quit,
        Command::Help,
    ];

    /// Everything about this command.
    pub const fn spec(self) -> CommandSpec {
        match self {
            Command::Steps => CommandSpec {
                name: "steps",
                aliases: &[],
                options: &["zeros"],
                help: "steps conv(a, b)               every term of every c[n] (zeros=on adds the zero-padded terms)\nsteps conv(a, b) at 3          the sliding view at n = 3 (at 2..5 for a range of rows)\nsteps corr(a, b) at 3          the same for correlation (no flip)\nsteps conv(A, K) at (0, 1)     the 2D window, the kernel as applied, the products\nsteps conv(f, g) at 0.3        flip, shift, overlap intervals, each piece's integral, the total\nsteps conv_matrix(b, 4) @ a    each row of the product as its term sum\nsteps as_poly(a) * as_poly(b)  the polynomial product term by term\nsteps exact(conv(f, g))        the case analysis of the closed form\nsteps riemann(conv(f, g), 0.25) at n   the Riemann sum's terms",
            },
            Command::Shape => CommandSpec {
                name: "shape",
                aliases: &[],
                options: &[],
                help: "shape conv(A, K, stride=2, padding=1, dilation=2)\n  the output size derived per axis: ⌊(n + 2p − d·(k−1) − 1)/s⌋ + 1",
            },
            Command::Converge => CommandSpec {
                name: "converge",
                aliases: &[],
                options: &[],
                help: "converge conv(f, g) at 1\n  Riemann sums for h = 1/2 … 1/256 against the integral: value, error, error ratio, observed order",
            },
            Command::Check => CommandSpec {
                name: "check",
                aliases: &[],
                options: &[],
                help: "check conv(a, b) == conv(b, a)     ✓ or ✗ with both sides shown\ncheck is_pdf(w), check is_causal(w)\nOutside the REPL (a lesson, run FILE, -c, stdin) a ✗ fails the run: exit status 1.",
            },
            Command::Plot => CommandSpec {
                name: "plot",
                aliases: &[],
                options: &["overlay", "width", "height", "title"],
                help: "plot f, g over -1..3             in the terminal\nplot f, g over -1..3 to \"fg.png\"  or .svg\nplot conv(a, b) to \"c.svg\"        stems for sequences, heatmaps for matrices\nplot steps conv(f, g) at 0.3 to \"s.png\"   the four-panel picture\nplot steps conv(a, b) at 3        stems: a[m], the flipped and shifted b, the products\nplot steps conv(A, K) at (0, 1)   the window on the heatmap, the kernel as applied\n  Functions share one panel (overlay=off splits them); sequences sit side by side\n  (overlay=on joins them). Without `over` the range is the supports plus 20%.\n  width=, height= are pixels for files, characters in the terminal (80×24).\n  Paths are relative to the current directory; the written path is printed.",
            },
            Command::Animate => CommandSpec {
                name: "animate",
                aliases: &[],
                options: &["frames", "delay", "width", "height", "title"],
                help: "animate conv(f, g) over -1..4 to \"slide.gif\" frames=60 delay=80\n  the sliding window as an animated GIF (1D continuous, 1D discrete, 2D)\n  discrete animations have one frame per output (over n1..n2 narrows them);\n  at most 2000 frames; Ctrl-C stops and leaves no file",
            },
            Command::Show => CommandSpec {
                name: "show",
                aliases: &[],
                options: &[],
                help: "show NAME      the definition, value, breakpoints and support",
            },
            Command::Vars => CommandSpec {
                name: "vars",
                aliases: &[],
                options: &[],
                help: "vars           every defined name",
            },
            Command::Clear => CommandSpec {
                name: "clear",
                aliases: &[],
                options: &[],
                help: "clear          forget everything; clear a, b forgets those names",
            },
            Command::Format => CommandSpec {
                name: "format",
                aliases: &[],
                options: &[],
                help: "format text | markdown | latex | csv | json   how results are printed",
            },
            Command::Precision => CommandSpec {
                name: "precision",
                aliases: &[],
                options: &[],
                help: "precision N    significant digits for floating-point numbers (1–17)",
            },
            Command::Exact => CommandSpec {
                name: "exact",
                aliases: &[],
                options: &[],
                help: "exact on | off   show exact rationals, or floats throughout",
            },
            Command::Export => CommandSpec {
                name: "export",
                aliases: &[],
                options: &[],
                help: "export steps conv(a, b) to \"c.md\"   write any table or value; the extension picks the format (.md .tex .csv .json .txt)",
            },
            Command::Timeit => CommandSpec {
                name: "timeit",
                aliases: &[],
                options: &[],
                help: "timeit conv(a, b)   run repeatedly: median, min and max time",
            },
            Command::Exercise => CommandSpec {
                name: "exercise",
                aliases: &[],
                options: &["tol", "hint"],
                help: "exercise \"Compute c[3]\" = conv(a, b)[3] tol=1e-6\n  in an interactive lesson: asks, checks the answer (a number, a sequence, or letters as in `a + b`), hints, then shows it",
            },
            Command::Pause => CommandSpec {
                name: "pause",
                aliases: &[],
                options: &[],
                help: "pause          in an interactive lesson, wait for Enter",
            },
            Command::Lesson => CommandSpec {
                name: "lesson",
                aliases: &[],
                options: &[],
                help: "lesson 3              run lesson 3 here (`convolab lessons` lists them)\nlesson \"continuous\"   the same, by name",
            },
            Command::Quit => CommandSpec {
                name: "quit",
                aliases: &["exit"],
                options: &[],
                help: "quit (or exit, or Ctrl-D)   leave the REPL",
            },
            Command::Help => CommandSpec {
                name: "help",
                aliases: &[],
                options: &[],
                help: "help           the overview\nhelp TOPIC     a command, operation or function, or one of: conventions, functions,\n               operations, commands, formats, syntax, lessons",
            },
        }
    }

    /// The command a word names (aliases included).
    pub fn from_word(word: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| {
            let s = c.spec();
            s.name == word || s.aliases.contains(&word)
        })
    }

    /// Every word that starts a command, aliases included.
    pub fn words() -> impl Iterator<Item = &'static str> {
        Command::ALL
            .into_iter()
            .flat_map(|c| std::iter::once(c.spec().name).chain(c.spec().aliases.iter().copied()))
    }
}

/// An operation: a built-in that works on whole values (sequences,
/// matrices, functions) rather than on numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `conv`
    Conv,
    /// `corr`
    Corr,
    /// `cconv`
    Cconv,
    /// `conv_transpose`
    ConvTranspose,
    /// `conv_matrix`
    ConvMatrix,
    /// `flip`
    Flip,
    /// `shift`
    Shift,
    /// `dft`
    Dft,
    /// `idft`
    Idft,
    /// `as_poly`
    AsPoly,
    /// `integrate`
    Integrate,
    /// `sample`
    Sample,
    /// `riemann`
    Riemann,
    /// `exact`
    Exact,
    /// `is_pdf`
    IsPdf,
    /// `is_causal`
    IsCausal,
    /// `linspace`
    Linspace,
    /// `len`
    Len,
    /// `sum`
    Sum,
    /// `load`
    Load,
    /// `save`
    Save,
}

/// What the registry knows about an operation.
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    /// Its name.
    pub name: &'static str,
    /// How to call it.
    pub usage: &'static str,
    /// What it does, in one line.
    pub summary: &'static str,
    /// The name cannot head a function definition (`conv(a, b) = 3` is a
    /// mistake, not a new function named `conv`). Elementary names such as
    /// `len` may be redefined, as a textbook may define its own.
    pub reserved: bool,
    /// The named options it takes (`mode=`, `stride=` …).
    pub options: &'static [&'static str],
}

impl Operation {
    /// Every operation, in the order `help operations` lists them.
    pub const ALL: [Operation; 21] = [
        Operation::Conv,
        Operation::Corr,
        Operation::Cconv,
        Operation::ConvTranspose,
        Operation::ConvMatrix,
        Operation::Flip,
        Operation::Shift,
        Operation::Dft,
        Operation::Idft,
        Operation::AsPoly,
        Operation::Integrate,
        Operation::Sample,
        Operation::Riemann,
        Operation::Exact,
        Operation::IsPdf,
        Operation::IsCausal,
        Operation::Linspace,
        Operation::Len,
        Operation::Sum,
        Operation::Load,
        Operation::Save,
    ];

    /// Everything about this operation.
    pub const fn spec(self) -> OperationSpec {
        match self {
            Operation::Conv => OperationSpec {
                name: "conv",
                usage: "conv(a, b, mode=full|same|valid)",
                summary: "convolution: sequences → sequence, functions → function, matrices → matrix (2D options: stride, padding, dilation, boundary)",
                options: OPTIONS_2D,
                reserved: true,
            },
            Operation::Corr => OperationSpec {
                name: "corr",
                usage: "corr(a, b, mode=…)",
                summary: "cross-correlation (what CNN libraries call convolution): the kernel b slides over a without flipping",
                options: OPTIONS_2D,
                reserved: true,
            },
            Operation::Cconv => OperationSpec {
                name: "cconv",
                usage: "cconv(a, b, N)",
                summary: "circular convolution of period N",
                options: &[],
                reserved: true,
            },
            Operation::ConvTranspose => OperationSpec {
                name: "conv_transpose",
                usage: "conv_transpose(A, K, stride=2, padding=0)",
                summary: "transposed convolution (CNN \"deconvolution\"), 1D and 2D",
                options: &["stride", "padding", "dilation", "output_padding"],
                reserved: true,
            },
            Operation::ConvMatrix => OperationSpec {
                name: "conv_matrix",
                usage: "conv_matrix(b, n, mode=…) / conv_matrix(K, [h, w], mode=…)",
                summary: "the (doubly block) Toeplitz matrix T with T @ a == conv(a, b); the 2D form with boundary=wrap and mode=same (no stride or dilation) is block circulant (for 1D circular convolution use cconv)",
                options: &["mode", "op", "stride", "padding", "dilation", "boundary"],
                reserved: true,
            },
            Operation::Flip => OperationSpec {
                name: "flip",
                usage: "flip(x)",
                summary: "x[−n] for sequences, g(−t) for functions, both axes for matrices",
                options: &[],
                reserved: true,
            },
            Operation::Shift => OperationSpec {
                name: "shift",
                usage: "shift(x, k)",
                summary: "x[n − k] for sequences, g(t − k) for functions",
                options: &[],
                reserved: true,
            },
            Operation::Dft => OperationSpec {
                name: "dft",
                usage: "dft(x) / dft(x, N)",
                summary: "discrete Fourier transform X[k] = Σ x[n]·e^(−2πikn/N), zero-padded to N",
                options: &[],
                reserved: true,
            },
            Operation::Idft => OperationSpec {
                name: "idft",
                usage: "idft(X)",
                summary: "inverse DFT, with the 1/N",
                options: &[],
                reserved: true,
            },
            Operation::AsPoly => OperationSpec {
                name: "as_poly",
                usage: "as_poly(x)",
                summary: "a sequence as the polynomial Σ x[n]·x^n (conv is polynomial multiplication)",
                options: &[],
                reserved: true,
            },
            Operation::Integrate => OperationSpec {
                name: "integrate",
                usage: "integrate(f) / integrate(f, a, b)",
                summary: "definite integral with an error estimate; limits may be ±inf",
                options: &[],
                reserved: true,
            },
            Operation::Sample => OperationSpec {
                name: "sample",
                usage: "sample(f, h, from=a, to=b)",
                summary: "the sequence x[n] = f(n·h)",
                options: &["from", "to"],
                reserved: true,
            },
            Operation::Riemann => OperationSpec {
                name: "riemann",
                usage: "riemann(conv(f, g), h)",
                summary: "the discretized convolution h·Σ f(mh)·g((n−m)h), indexed by n (t = n·h)",
                options: &["from", "to"],
                reserved: true,
            },
            Operation::Exact => OperationSpec {
                name: "exact",
                usage: "exact(conv(f, g))",
                summary: "the closed-form piecewise result when every piece is a sum of c·t^k·exp(α·t) (polynomials, exp, sin, cos) plus deltas; otherwise a warning naming the piece and the numeric result",
                options: &[],
                reserved: true,
            },
            Operation::IsPdf => OperationSpec {
                name: "is_pdf",
                usage: "is_pdf(w)",
                summary: "true when w ≥ 0 and ∫ w = 1 (for check)",
                options: &[],
                reserved: false,
            },
            Operation::IsCausal => OperationSpec {
                name: "is_causal",
                usage: "is_causal(w)",
                summary: "true when w(t) = 0 for t < 0 (for check)",
                options: &[],
                reserved: false,
            },
            Operation::Linspace => OperationSpec {
                name: "linspace",
                usage: "linspace(a, b, n)",
                summary: "n evenly spaced points from a to b; f(linspace(…)) gives the values",
                options: &[],
                reserved: true,
            },
            Operation::Len => OperationSpec {
                name: "len",
                usage: "len(x)",
                summary: "number of samples of a sequence",
                options: &[],
                reserved: false,
            },
            Operation::Sum => OperationSpec {
                name: "sum",
                usage: "sum(x)",
                summary: "sum of the samples of a sequence or the entries of a matrix",
                options: &[],
                reserved: false,
            },
            Operation::Load => OperationSpec {
                name: "load",
                usage: "load(\"x.csv\")",
                summary: "a sequence (one row or column) or matrix from CSV or whitespace-separated text",
                options: &[],
                reserved: true,
            },
            Operation::Save => OperationSpec {
                name: "save",
                usage: "save(v, \"y.csv\")",
                summary: "write a sequence or matrix as CSV",
                options: &[],
                reserved: true,
            },
        }
    }

    /// The operation a name stands for.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.spec().name == name)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// `conv` or `corr`.
    pub fn of_op(op: crate::value::op::Op) -> Operation {
        match op {
            crate::value::op::Op::Conv => Operation::Conv,
            crate::value::op::Op::Corr => Operation::Corr,
        }
    }
}

/// Words that are never names.
pub const KEYWORDS: [&str; 9] = [
    "if",
    "otherwise",
    "and",
    "or",
    "not",
    "from",
    "at",
    "over",
    "to",
];

/// Names that evaluate to numbers outside `[ ]` literals, with their help.
pub const CONSTANTS: &[(&str, &str)] = &[
    ("pi", "π = 3.14159…"),
    (
        "e",
        "e = 2.71828… (inside a [ ] literal a bare e is the letter e; write exp(1) there)",
    ),
    ("inf", "∞, for integration limits"),
];

/// The options of `conv`, `corr` and their 2D forms.
pub const OPTIONS_2D: &[&str] = &["mode", "stride", "padding", "dilation", "boundary"];

/// The words named options take (`mode=same`, `boundary=wrap`, `zeros=on`).
pub const OPTION_VALUES: &[&str] = &[
    "valid", "same", "full", "zero", "wrap", "reflect", "nearest", "on", "off",
];

/// Every named option of an operation or a command, once.
pub fn option_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Operation::ALL
        .into_iter()
        .flat_map(|o| o.spec().options.iter().copied())
        .chain(
            Command::ALL
                .into_iter()
                .flat_map(|c| c.spec().options.iter().copied()),
        )
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// An output format of tables and values (`format NAME`, `--format NAME`,
/// the extension of `export … to "FILE"`). `render::doc` renders a `Doc` in
/// each; plots have their own file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Format {
    #[default]
    /// Plain text with Unicode tables (the default).
    Text,
    /// Markdown, with `$…$` math.
    Markdown,
    /// LaTeX.
    Latex,
    /// CSV (data only).
    Csv,
    /// JSON Lines: one object per displayed value.
    Json,
}

/// What the registry knows about an output format.
#[derive(Clone, Copy, Debug)]
pub struct FormatSpec {
    /// Its name, as `help formats` lists it.
    pub name: &'static str,
    /// Other names `format` and `--format` take (`md` for `markdown`).
    pub aliases: &'static [&'static str],
    /// The file extensions that pick it for `export`, the usual one first.
    pub extensions: &'static [&'static str],
}

impl Format {
    /// Every output format, the default first.
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Markdown,
        Format::Latex,
        Format::Csv,
        Format::Json,
    ];

    /// Everything about this format.
    pub const fn spec(self) -> FormatSpec {
        match self {
            Format::Text => FormatSpec {
                name: "text",
                aliases: &["txt"],
                extensions: &["txt"],
            },
            Format::Markdown => FormatSpec {
                name: "markdown",
                aliases: &["md"],
                extensions: &["md", "markdown"],
            },
            Format::Latex => FormatSpec {
                name: "latex",
                aliases: &["tex"],
                extensions: &["tex"],
            },
            Format::Csv => FormatSpec {
                name: "csv",
                aliases: &[],
                extensions: &["csv"],
            },
            Format::Json => FormatSpec {
                name: "json",
                aliases: &["jsonl"],
                extensions: &["json", "jsonl"],
            },
        }
    }

    /// The name `format NAME` and `--format NAME` take.
    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    /// Every format's name, in [`Format::ALL`]'s order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Format::ALL.into_iter().map(Format::name)
    }

    /// The names as a hint reads them: `text, markdown, latex, csv or json`.
    pub fn choices() -> String {
        let names: Vec<&str> = Format::names().collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.concat(),
        }
    }

    /// The format a name or alias names, in any case (`markdown`, `MD`).
    pub fn parse(word: &str) -> Option<Format> {
        let word = word.to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| {
            let s = f.spec();
            s.name == word || s.aliases.contains(&word.as_str())
        })
    }

    /// The format the extension of `path` names (`c.md`, `c.TEX`).
    pub fn from_extension(path: &str) -> Option<Format> {
        let ext = std::path::Path::new(path)
            .extension()?
            .to_str()?
            .to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.spec().extensions.contains(&ext.as_str()))
    }

    /// The usual extension of every format, as a hint lists them:
    /// `.txt .md .tex .csv .json`.
    pub fn extension_list() -> String {
        Format::ALL
            .into_iter()
            .map(|f| format!(".{}", f.spec().extensions[0]))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Help topics that are not a command, operation or function name.
pub const HELP_TOPICS: [&str; 8] = [
    "conventions",
    "functions",
    "operations",
    "commands",
    "formats",
    "syntax",
    "lessons",
    "arithmetic",
];

/// Whether `name` cannot head a function definition: a reserved operation,
/// or `delta` (a point mass, not a function with values).
pub fn is_reserved(name: &str) -> bool {
    Operation::from_name(name).is_some_and(|o| o.spec().reserved) || name == "delta"
}

/// Every function name: the operations, then the math built-ins.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    Operation::ALL
        .into_iter()
        .map(Operation::name)
        .chain(BUILTINS.iter().map(|b| b.0))
}

/// Whether `name` is a built-in function or operation.
pub fn is_function_name(name: &str) -> bool {
    function_names().any(|n| n == name)
}

/// Every word the REPL completes besides the defined names.
pub fn completion_words() -> impl Iterator<Item = &'static str> {
    function_names()
        .chain(Command::words())
        .chain(HELP_TOPICS.iter().copied().filter(|t| *t == "conventions"))
        .chain(
            KEYWORDS
                .iter()
                .copied()
                .filter(|k| !matches!(*k, "if" | "and" | "or" | "not")),
        )
        .chain(option_names())
        .chain(OPTION_VALUES.iter().copied())
        .chain(Format::names())
        .chain(CONSTANTS.iter().map(|c| c.0).filter(|c| c.len() > 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        // `exact` is both a command (`exact on`) and an operation
        // (`exact(conv(f, g))`): names are unique within each table.
        let mut commands = std::collections::HashSet::new();
        for c in Command::ALL {
            assert_eq!(Command::from_word(c.spec().name), Some(c));
            assert!(commands.insert(c.spec().name), "{}", c.spec().name);
        }
        let mut operations = std::collections::HashSet::new();
        for o in Operation::ALL {
            assert_eq!(Operation::from_name(o.name()), Some(o));
            assert!(operations.insert(o.name()), "{}", o.name());
        }
        assert_eq!(Command::from_word("exit"), Some(Command::Quit));
        assert_eq!(Command::from_word("conv"), None);
    }

    #[test]
    fn formats_round_trip_and_words_are_unique() {
        let mut words = std::collections::HashSet::new();
        for f in Format::ALL {
            let s = f.spec();
            assert_eq!(Format::parse(s.name), Some(f));
            assert_eq!(Format::parse(&s.name.to_uppercase()), Some(f));
            assert!(words.insert(s.name), "{}", s.name);
            for a in s.aliases {
                assert_eq!(Format::parse(a), Some(f), "{a}");
                assert!(words.insert(a), "{a} names two formats");
            }
            assert!(!s.extensions.is_empty(), "{} has no extension", s.name);
            for e in s.extensions {
                assert_eq!(Format::from_extension(&format!("c.{e}")), Some(f), "{e}");
            }
        }
        assert_eq!(Format::parse("yaml"), None);
        assert_eq!(Format::from_extension("c.docx"), None);
        assert_eq!(Format::from_extension("c"), None);
        assert_eq!(Format::from_extension("C.TEX"), Some(Format::Latex));
        assert_eq!(Format::choices(), "text, markdown, latex, csv or json");
        assert_eq!(Format::extension_list(), ".txt .md .tex .csv .json");
    }

    #[test]
    fn format_and_export_help_name_every_format() {
        let help = Command::Format.spec().help;
        for name in Format::names() {
            assert!(help.contains(name), "`help format` misses {name}: {help}");
        }
        let help = Command::Export.spec().help;
        for f in Format::ALL {
            let ext = format!(".{}", f.spec().extensions[0]);
            assert!(help.contains(&ext), "`help export` misses {ext}: {help}");
        }
    }

    #[test]
    fn reserved_names() {
        assert!(is_reserved("conv"));
        assert!(is_reserved("delta"));
        assert!(!is_reserved("len"));
        assert!(!is_reserved("rect"));
    }

    #[test]
    fn completion_has_commands_functions_and_options() {
        let words: Vec<_> = completion_words().collect();
        for w in [
            "steps",
            "exit",
            "conv",
            "rect",
            "mode",
            "json",
            "conventions",
            "otherwise",
        ] {
            assert!(words.contains(&w), "{w}");
        }
        assert!(!words.contains(&"if"));
    }
}
