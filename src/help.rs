//! `help` and its topics.

use crate::registry::{Command, Operation, CONSTANTS, HELP_TOPICS};
use crate::value::function::BUILTINS;

const OVERVIEW: &str = "\
convolab computes convolutions and shows the work.

Define things:
  a = [1, 0.5, 1, 1]                      a sequence (first sample at n = 0)
  x = [3, -1, 2] from -1                  first sample at n = -1
  y[n] = { 0.5^n if 0 <= n <= 7 }         a sequence by formula
  I = [a, b, c; d, e, f]                  a matrix (bare letters are symbols)
  f(t) = { 1 if 0 <= t < 1 }              a piecewise function (0 elsewhere)
  e1(t) = exp(-t) * u(t)                  built-ins compose

Compute and look:
  conv(a, b)          corr(a, b)          conv(f, g)(…) via h = conv(f, g); h(0.3)
  steps conv(a, b)    steps conv(a, b) at 3    steps conv(f, g) at 0.3
  plot f, g over -1..3      export steps conv(a, b) to \"c.md\"

Topics: help conventions | functions | operations | commands | formats |
        syntax | lessons | <any command or function name>";

const CONVENTIONS: &str = "\
Conventions used by convolab

Discrete convolution   conv(x, y)[n] = Σ_m x[m]·y[n−m]
  The result starts at start(x) + start(y). conv is commutative and associative.
Cross-correlation      corr(x, y)[n] = Σ_m x[n+m]·y[m]
  The kernel y slides over x without flipping, as CNN layers do, and
  corr(x, y) == conv(x, flip(y)). For sequences starting at 0, the full result
  equals numpy.correlate(x, y, 'full') and starts at −(len(y)−1).
Continuous             conv(f, g)(t) = ∫ f(τ)·g(t−τ) dτ
                       corr(f, g)(t) = ∫ f(t+τ)·g(τ) dτ
Modes                  full: every overlap; valid: only where the kernel lies wholly
  inside the input (empty, and said so, when the kernel is longer); same: the length
  (shape) of the FIRST argument, centred like scipy.signal.convolve(x, y, 'same'),
  i.e. full[(len(y)−1)//2 : …]. The kept samples keep their true indices.
2D                     the same rules per axis, as scipy.signal.convolve2d /
  correlate2d; stride, padding and dilation follow PyTorch conv2d (a correlation).
  Given stride, padding or dilation and no mode, the mode is valid (as in PyTorch,
  which pads only by `padding`); otherwise the default is full. For same with an
  even kernel, corr pads the extra row/column after, conv before (scipy's choice).
  Padding per side = the mode's padding (full: d·(k−1); same: d·(k−1) split) plus
  `padding`. boundary=zero (fill 0) | wrap (circular) | reflect (half-sample:
  d c b a | a b c d, scipy.signal 'symm') | nearest (repeat the edge).
Sampling               sample(f, h)[n] = f(n·h), with the function's own value at a jump
  (u(0) = 1). riemann(conv(f, g), h)[n] = h·Σ_m f(m·h)·g((n−m)·h), so index n is t = n·h.
Indices                sequences: by their own index n (x[-1] for `from -1`);
  matrices: A[row, column] from 0.
Functions              pieces are tried in order, the first whose condition holds wins;
  no match gives 0. A function captures the values of the scalars it uses when it
  is defined. log is the natural logarithm (as in numpy).
Numbers                literals are exact rationals (0.1 + 0.2 shows 0.3); exp, sin,
  sqrt, … give floats unless the result is rational (sqrt(4) = 2, exp(0) = 1); the FFT
  path gives floats. `exact off` shows floats throughout.

Where the libraries differ (what students trip over)
┌──────────────────────────────┬───────────────────────┬──────────────────────┬──────────────────────┬─────────────────────────┐
│ point                        │ numpy                 │ scipy                │ MATLAB               │ PyTorch                 │
├──────────────────────────────┼───────────────────────┼──────────────────────┼──────────────────────┼─────────────────────────┤
│ \"convolution\" in a conv layer │ –                     │ –                    │ –                    │ conv2d is a correlation │
│                              │                       │                      │                      │ (kernel not flipped)    │
│ correlation of complex data  │ correlate conjugates  │ correlate conjugates │ xcorr conjugates     │ conv2d does not         │
│                              │ the 2nd argument      │ the 2nd argument     │                      │ conjugate               │
│ 'same' with an even kernel   │ full[(M−1)//2 : …]    │ full[(M−1)//2 : …]   │ full[floor(M/2) : …] │ padding='same' puts the │
│                              │                       │                      │ (one sample later)   │ extra pad at the end:   │
│                              │                       │                      │                      │ one sample later        │
│ 'same' length                │ the LONGER input's    │ the FIRST input's    │ the first input's    │ the input's             │
│ 'reflect' padding            │ np.pad reflect: whole-│ ndimage reflect:     │ 'symmetric': half-   │ reflect: whole-sample   │
│                              │ sample (d c b|a b c d)│ half-sample; signal  │ sample               │ (d c b | a b c d)       │
│                              │ symmetric: half-sample│ 'symm': half-sample; │                      │                         │
│                              │                       │ ndimage mirror: whole│                      │                         │
│ 'valid' with a longer kernel │ swaps the inputs      │ swaps (convolve)     │ empty                │ error                   │
└──────────────────────────────┴───────────────────────┴──────────────────────┴──────────────────────┴─────────────────────────┘
convolab: conv flips, corr does not conjugate (real data), same = first argument's
length centred as scipy, reflect = half-sample (scipy 'symm'), valid never swaps.";

const FORMATS: &str = "\
Formats: text (default), markdown, latex, csv, json.
  format markdown            switch the session
  convolab --format json …   from the command line
  export … to \"file.tex\"     one table in the format of the extension
JSON prints one object per displayed value per line: number (with exact or error),
sequence {start, values}, matrix {rows}, function {pieces with CAS-readable expr},
steps, check, table.";

const SYNTAX: &str = "\
Statements are separated by newlines or ';'. A [ ], ( ) or { } may span lines.
# starts a comment.
  name = expression             define a value
  f(t) = expression             define a function (any variable name)
  y[n] = { … }                  define a sequence by formula
  { v1 if cond1; v2 if cond2; v3 otherwise }   pieces, tried in order
Conditions: < <= > >= == !=, chains 0 <= t < 1, and, or, not.
Arithmetic: + − * / ^, @ (matrix product). Sequences add aligned by index.";

const LESSONS: &str = "\
The lessons are built into convolab: `convolab lessons` lists them,
`convolab lesson 1` (or `convolab lesson continuous`) runs one, `--interactive`
pauses and asks the exercises, and `lesson 1` starts one inside the REPL.
A lesson is a Markdown file whose ```convolab blocks run in order;
`convolab run FILE.md` runs one from disk. To write lessons, `--lessons DIR`
or CONVOLAB_LESSONS=DIR makes `lessons` and `lesson N` read DIR's .md files
(numbered by their NN- prefix) instead of the bundled ones.";

/// Every topic name (for suggestions and completion).
pub fn topics() -> impl Iterator<Item = &'static str> {
    HELP_TOPICS
        .into_iter()
        .chain(Command::ALL.into_iter().map(|c| c.spec().name))
        .chain(Operation::ALL.into_iter().map(Operation::name))
        .chain(BUILTINS.iter().map(|b| b.0))
}

fn operation_line(o: Operation) -> String {
    let s = o.spec();
    format!("{:<34} {}", s.usage, s.summary)
}

/// The text of `help [topic]`; `None` for an unknown topic.
pub fn help(topic: Option<&str>) -> Option<String> {
    let Some(topic) = topic else {
        return Some(OVERVIEW.to_string());
    };
    Some(match topic {
        "conventions" => CONVENTIONS.to_string(),
        "formats" => FORMATS.to_string(),
        "syntax" | "arithmetic" => SYNTAX.to_string(),
        "lessons" => LESSONS.to_string(),
        "commands" => Command::ALL
            .iter()
            .map(|c| c.spec().help)
            .collect::<Vec<_>>()
            .join("\n\n"),
        "operations" => Operation::ALL
            .into_iter()
            .map(operation_line)
            .collect::<Vec<_>>()
            .join("\n"),
        "functions" => {
            let mut s = String::from(
                "Built-in functions (on numbers, sequences elementwise, and functions):\n",
            );
            for (_, _, _, _, h) in BUILTINS {
                s.push_str(&format!("  {h}\n"));
            }
            let constants: Vec<&str> = CONSTANTS.iter().map(|c| c.0).collect();
            s.push_str(&format!(
                "Constants: {} (inside [ ] a bare e is the letter e)\n\nOperations:\n",
                constants.join(", ")
            ));
            for o in Operation::ALL {
                s.push_str(&format!("  {}\n", operation_line(o)));
            }
            s.trim_end().to_string()
        }
        _ => {
            if let Some(c) = Command::from_word(topic) {
                c.spec().help.to_string()
            } else if let Some(o) = Operation::from_name(topic) {
                let s = o.spec();
                format!("{}\n  {}", s.usage, s.summary)
            } else if let Some(b) = BUILTINS.iter().find(|b| b.0 == topic) {
                b.4.to_string()
            } else {
                return None;
            }
        }
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_has_text() {
        for t in topics() {
            assert!(help(Some(t)).is_some_and(|s| !s.is_empty()), "topic {t}");
        }
        assert!(help(Some("nonsense")).is_none());
        assert!(help(Some("conventions")).unwrap().contains("half-sample"));
    }

    #[test]
    fn help_formats_names_every_format() {
        let text = help(Some("formats")).unwrap();
        for f in crate::registry::Format::ALL {
            let s = f.spec();
            assert!(text.contains(s.name), "`help formats` misses {}", s.name);
        }
    }
}
