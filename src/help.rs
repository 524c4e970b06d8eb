//! `help` and its topics.

use crate::eval::calls::OPERATIONS;
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
Numbers                literals are exact rationals (0.1 + 0.2 shows 0.3); results of
  exp, sin, sqrt, … and of the FFT path are floats. `exact off` shows floats throughout.

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

const COMMANDS: &[(&str, &str)] = &[
    ("steps", "steps conv(a, b)               every term of every c[n] (zeros=on adds the zero-padded terms)\nsteps conv(a, b) at 3          the sliding view at n = 3 (at 2..5 for a range of rows)\nsteps corr(a, b) at 3          the same for correlation (no flip)\nsteps conv(A, K) at (0, 1)     the 2D window, the kernel as applied, the products\nsteps conv(f, g) at 0.3        flip, shift, overlap intervals, each piece's integral, the total\nsteps conv_matrix(b, 4) @ a    each row of the product as its term sum\nsteps as_poly(a) * as_poly(b)  the polynomial product term by term\nsteps exact(conv(f, g))        the case analysis of the closed form\nsteps riemann(conv(f, g), 0.25) at n   the Riemann sum's terms"),
    ("shape", "shape conv(A, K, stride=2, padding=1, dilation=2)\n  the output size derived per axis: ⌊(n + 2p − d·(k−1) − 1)/s⌋ + 1"),
    ("converge", "converge conv(f, g) at 1\n  Riemann sums for h = 1/2 … 1/256 against the integral: value, error, error ratio, observed order"),
    ("check", "check conv(a, b) == conv(b, a)     ✓ or ✗ with both sides shown\ncheck is_pdf(w), check is_causal(w)\nIn a lesson run a ✗ fails the run."),
    ("plot", "plot f, g over -1..3             in the terminal\nplot f, g over -1..3 to \"fg.png\"  or .svg\nplot conv(a, b) to \"c.svg\"        stems for sequences, heatmaps for matrices\nplot steps conv(f, g) at 0.3 to \"s.png\"   the four-panel picture\nplot steps conv(a, b) at 3        stems: a[m], the flipped and shifted b, the products\nplot steps conv(A, K) at (0, 1)   the window on the heatmap, the kernel as applied\n  Functions share one panel (overlay=off splits them); sequences sit side by side\n  (overlay=on joins them). Without `over` the range is the supports plus 20%.\n  width=, height= are pixels for files, characters in the terminal (80×24).\n  Paths are relative to the current directory; the written path is printed."),
    ("animate", "animate conv(f, g) over -1..4 to \"slide.gif\" frames=60 delay=80\n  the sliding window as an animated GIF (1D continuous, 1D discrete, 2D)\n  discrete animations have one frame per output (over n1..n2 narrows them);\n  at most 2000 frames; Ctrl-C stops and leaves no file"),
    ("show", "show NAME      the definition, value, breakpoints and support"),
    ("vars", "vars           every defined name"),
    ("clear", "clear          forget everything; clear a, b forgets those names"),
    ("format", "format text | markdown | latex | csv | json   how results are printed"),
    ("precision", "precision N    significant digits for floating-point numbers (1–17)"),
    ("exact", "exact on | off   show exact rationals, or floats throughout"),
    ("export", "export steps conv(a, b) to \"c.md\"   write any table or value; the extension picks the format (.md .tex .csv .json .txt)"),
    ("timeit", "timeit conv(a, b)   run repeatedly: median, min and max time"),
    ("exercise", "exercise \"Compute c[3]\" = conv(a, b)[3] tol=1e-6\n  in an interactive lesson: asks, checks the answer (a number, a sequence, or letters as in `a + b`), hints, then shows it"),
    ("pause", "pause          in an interactive lesson, wait for Enter"),
    ("lesson", "lesson 3              run lesson 3 here (`convolab lessons` lists them)\nlesson \"continuous\"   the same, by name"),
    ("quit", "quit (or exit, or Ctrl-D)   leave the REPL"),
];

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
    [
        "conventions",
        "functions",
        "operations",
        "commands",
        "formats",
        "syntax",
        "lessons",
        "arithmetic",
    ]
    .into_iter()
    .chain(COMMANDS.iter().map(|c| c.0))
    .chain(OPERATIONS.iter().map(|f| f.name))
    .chain(BUILTINS.iter().map(|b| b.0))
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
        "commands" => COMMANDS
            .iter()
            .map(|(_, t)| t.to_string())
            .collect::<Vec<_>>()
            .join("\n\n"),
        "operations" => OPERATIONS
            .iter()
            .map(|f| format!("{:<34} {}", f.usage, f.summary))
            .collect::<Vec<_>>()
            .join("\n"),
        "functions" => {
            let mut s = String::from(
                "Built-in functions (on numbers, sequences elementwise, and functions):\n",
            );
            for (_, _, _, _, h) in BUILTINS {
                s.push_str(&format!("  {h}\n"));
            }
            s.push_str(
                "Constants: pi, e, inf (inside [ ] a bare e is the letter e)\n\nOperations:\n",
            );
            for f in OPERATIONS {
                s.push_str(&format!("  {:<34} {}\n", f.usage, f.summary));
            }
            s.trim_end().to_string()
        }
        _ => {
            if let Some((_, t)) = COMMANDS.iter().find(|(n, _)| *n == topic) {
                t.to_string()
            } else if let Some(f) = OPERATIONS.iter().find(|f| f.name == topic) {
                format!("{}\n  {}", f.usage, f.summary)
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
}
