//! Functions of a real variable: what a textbook writes as a piecewise
//! definition, `exp(-t)·u(t)`, or `conv(f, g)`.
//!
//! A function body is an [`FExpr`] tree over one variable ([`FExpr::Var`]).
//! Scalars a body mentions are captured as constants when the function is
//! defined; other functions are referenced ([`FExpr::Apply`]), so
//! `k(t) = f(t) * g(0.3 - t)` composes.
//!
//! # Breakpoints and support
//! Every function knows where it may jump or kink: the roots of the linear
//! comparisons in its piece conditions, and the jumps and kinks of the
//! built-ins it uses (`u` at 0, `rect` at ±1/2, `tri` at −1, 0, 1, `abs` and
//! `sign` at 0, `floor`/`ceil` at integers, `min`/`max` where the arguments
//! cross), mapped through linear arguments (`u(t - 2)` jumps at 2). Between two
//! breakpoints the function is one smooth expression, which
//! [`FExpr::resolve`] returns; that is what the integrator and the closed-form
//! engine work on. An argument that is not linear (`u(sin(t))`) makes the
//! structure *irregular*: the function still evaluates, and the integrator is
//! told it has no complete list of breakpoints.
//!
//! # Built-ins
//! Everything about a built-in — its names, arity, help line and [`Shape`] —
//! is in its one arm of `Builtin::define`; the name lookup, [`BUILTINS`]
//! (help and completion), values, breakpoints, smooth pieces, exact values
//! and the closed-form class of `exact(conv(…))` all read it, and match on
//! [`Shape`] with no catch-all, so a new kind of built-in does not compile
//! until every one of them handles it. A piecewise polynomial (`abs`,
//! `sign`, `u`, `rect`, `tri`) is just its list of [`PolyPiece`]s:
//! its value, breakpoints, polynomial pieces and so its numeric and exact
//! convolutions follow from them.
//!
//! # Conventions
//! * Pieces are tried in order; the first whose condition holds gives the
//!   value; no match gives the `otherwise` value (default 0).
//! * `u(0) = 1`; `rect` is 1 on [−1/2, 1/2); `sinc(0) = 1`; `log` is the
//!   natural logarithm, like `ln`.

use std::rc::Rc;

use crate::value::number::{ArithError, Number};

/// A comparison in a piece condition (`a <= t < b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

/// A rational constant in a built-in's definition, `Q(n, d)` = n/d; a
/// denominator 0 stands for ±∞ (the ends of unbounded pieces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Q(pub i64, pub i64);

impl Q {
    pub const NEG_INF: Q = Q(-1, 0);
    pub const INF: Q = Q(1, 0);

    pub fn is_finite(self) -> bool {
        self.1 != 0
    }

    pub fn to_f64(self) -> f64 {
        match (self.0.signum(), self.1) {
            (s, 0) if s < 0 => f64::NEG_INFINITY,
            (_, 0) => f64::INFINITY,
            (_, d) => self.0 as f64 / d as f64,
        }
    }

    /// The exact number (finite values only).
    pub fn to_number(self) -> Number {
        Number::ratio(self.0, self.1)
    }
}

/// One piece of a piecewise-polynomial built-in: on `[from, to)` (only the
/// point `from` when `from == to`) the value is `c[0] + c[1]·x + c[2]·x² + …`.
#[derive(Clone, Copy, Debug)]
pub struct PolyPiece {
    pub from: Q,
    pub to: Q,
    /// Coefficients in ascending powers of the argument.
    pub c: &'static [Q],
}

impl PolyPiece {
    fn holds(&self, x: f64) -> bool {
        let (lo, hi) = (self.from.to_f64(), self.to.to_f64());
        if lo == hi {
            x == lo
        } else {
            lo <= x && (x < hi || hi == f64::INFINITY)
        }
    }

    /// Whether the piece holds at `x`; `None` when `x` is NaN.
    fn holds_exact(&self, x: &Number) -> Option<bool> {
        let cmp = |q: Q| x.partial_cmp_num(&q.to_number());
        if self.from == self.to {
            return Some(cmp(self.from)?.is_eq());
        }
        let above = !self.from.is_finite() || cmp(self.from)?.is_ge();
        let below = !self.to.is_finite() || cmp(self.to)?.is_lt();
        Some(above && below)
    }

    /// The polynomial at `x` (Horner, from the highest power: a constant
    /// piece never multiplies, so `u(∞)` is 1).
    fn eval(&self, x: f64) -> f64 {
        match self.c.split_last() {
            Some((last, rest)) => rest
                .iter()
                .rev()
                .fold(last.to_f64(), |acc, k| acc * x + k.to_f64()),
            None => 0.0,
        }
    }

    fn eval_exact(&self, x: &Number) -> Number {
        match self.c.split_last() {
            Some((last, rest)) => rest
                .iter()
                .rev()
                .fold(last.to_number(), |acc, k| acc.mul(x).add(&k.to_number())),
            None => Number::zero(),
        }
    }

    /// The polynomial of `arg` as a textbook writes it: `1 + x`, `1 − x`,
    /// `3/4 − 3/4·x^2`, `−x`; `0` when it has no terms.
    fn fexpr(&self, arg: &FExpr) -> FExpr {
        let mut acc: Option<FExpr> = None;
        for (k, q) in self.c.iter().enumerate() {
            let n = q.to_number();
            if n.is_zero() {
                continue;
            }
            if k == 0 {
                acc = Some(FExpr::Const(n));
                continue;
            }
            let power = if k == 1 {
                arg.clone()
            } else {
                FExpr::Pow(
                    Box::new(arg.clone()),
                    Box::new(FExpr::Const(Number::int(k as i64))),
                )
            };
            let mag = n.abs();
            let term = if mag.is_one() {
                power
            } else {
                FExpr::Mul(Box::new(FExpr::Const(mag)), Box::new(power))
            };
            acc = Some(match (acc, n.is_negative()) {
                (None, false) => term,
                (None, true) => FExpr::Neg(Box::new(term)),
                (Some(a), false) => FExpr::Add(Box::new(a), Box::new(term)),
                (Some(a), true) => FExpr::Sub(Box::new(a), Box::new(term)),
            });
        }
        acc.unwrap_or(FExpr::Const(Number::zero()))
    }
}

/// How a smooth built-in computes its value.
#[derive(Clone, Copy, Debug)]
pub enum Eval {
    /// A function of its one argument.
    Unary(fn(f64) -> f64),
    /// `f(x, p)`: the second argument is a parameter (named in messages),
    /// which must not depend on the variable inside a function body.
    Param(fn(f64, f64) -> f64, &'static str),
}

/// Exact values of a smooth built-in at exact arguments (elsewhere the value
/// is a float).
#[derive(Clone, Copy, Debug)]
pub enum Exact {
    /// Exact at these points: (argument, value), e.g. exp(0) = 1.
    At(&'static [(Q, Q)]),
    /// A square root: exact when it is a whole number (sqrt(4) = 2).
    Root,
}

/// Where a smooth built-in has no real value, and what to say.
#[derive(Clone, Copy, Debug)]
pub struct Domain {
    /// Advice when the value is not a real number (NaN).
    pub advice: &'static str,
    /// A negative first argument is an error: (what, hint); the message
    /// reads `{what} ({x})`.
    pub negative: Option<(&'static str, &'static str)>,
    /// A zero first argument is an error: (message, hint).
    pub zero: Option<(&'static str, &'static str)>,
}

/// What a smooth built-in of a linear argument is in the closed-form class
/// `Σ c·t^k·exp(α·t)` of `exact(conv(…))` (the closed forms of the `eval` layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    Exp,
    Sin,
    Cos,
    Sinh,
    Cosh,
    /// Outside the class; the text (with `{var}` for the variable) says
    /// why, after "`call` is ". Without one, the generic explanation.
    No(Option<&'static str>),
}

/// The smooth part of a [`Shape::Smooth`] built-in's description.
#[derive(Clone, Copy, Debug)]
pub struct Smooth {
    pub eval: Eval,
    /// Argument values where it kinks or its domain ends (`sqrt`, `ln` at
    /// 0): breakpoints of every function that uses it.
    pub kinks: &'static [Q],
    pub exact: Exact,
    pub domain: Option<Domain>,
    pub closed: Closed,
}

/// Which of floor and ceil.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    Floor,
    Ceil,
}

/// Which of min and max.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Min,
    Max,
}

/// What kind of function a built-in is; everything about its value,
/// breakpoints, smooth pieces and exact convolution follows from it.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Smooth wherever it is defined, except at its `kinks`.
    Smooth(Smooth),
    /// A piecewise polynomial of its one argument, 0 outside the pieces
    /// (tried in order, the first holding gives the value). Its value,
    /// breakpoints (the piece ends), smooth pieces (a polynomial of the
    /// argument) and so its exact convolution all come from the pieces.
    Pieces(&'static [PolyPiece]),
    /// Jumps at every integer (floor, ceil).
    Integer(Round),
    /// The smallest or largest argument: kinks where two arguments cross.
    Extreme(Pick),
    /// The Dirac delta: no value at a point; split off as point masses.
    Delta,
}

/// Everything about one built-in: see [`Builtin::spec`].
#[derive(Clone, Copy, Debug)]
pub struct BuiltinSpec {
    pub name: &'static str,
    /// Other names, each with its help line (`log` for `ln`).
    pub aliases: &'static [(&'static str, &'static str)],
    /// Number of arguments (min, max).
    pub args: (usize, usize),
    /// One line for `help name` and `help functions`.
    pub help: &'static str,
    pub shape: Shape,
}

/// `Builtin` and `Builtin::ALL` from one list of variants, so `ALL` cannot
/// miss one.
macro_rules! builtins {
    ($($variant:ident),* $(,)?) => {
        /// Built-in functions of a real variable. Everything about one is in
        /// its arm of `Builtin::define`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Builtin {
            $($variant),*
        }

        impl Builtin {
            /// Every built-in, in the order `help functions` lists them.
            pub const ALL: &'static [Builtin] = &[$(Builtin::$variant),*];
        }
    };
}

builtins! {
    Exp, Ln, Sqrt, Abs, Sin, Cos, Tan, Sinh, Cosh, Tanh, Floor, Ceil, Min, Max,
    Sign, Step, Rect, Tri, Epan, Sinc, Gauss, Delta,
}

const ZERO: Q = Q(0, 1);
const ONE: Q = Q(1, 1);

/// A smooth unary built-in with no kinks, exact values or domain limits.
const fn smooth(eval: fn(f64) -> f64, exact: Exact, closed: Closed) -> Shape {
    Shape::Smooth(Smooth {
        eval: Eval::Unary(eval),
        kinks: &[],
        exact,
        domain: None,
        closed,
    })
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

fn gauss(x: f64, sigma: f64) -> f64 {
    let z = x / sigma;
    (-0.5 * z * z).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt())
}

impl Builtin {
    /// Everything about this built-in, as [`Builtin::spec`] gives it.
    /// Adding a built-in is a variant in `builtins!` and an arm here.
    const fn define(self) -> BuiltinSpec {
        use Closed::No;
        match self {
            Builtin::Exp => BuiltinSpec {
                name: "exp",
                aliases: &[],
                args: (1, 1),
                help: "exp(x): e to the power x",
                shape: smooth(f64::exp, Exact::At(&[(ZERO, ONE)]), Closed::Exp),
            },
            Builtin::Ln => BuiltinSpec {
                name: "ln",
                aliases: &[(
                    "log",
                    "log(x): natural logarithm, same as ln (as in numpy)",
                )],
                args: (1, 1),
                help: "ln(x): natural logarithm (x > 0)",
                shape: Shape::Smooth(Smooth {
                    eval: Eval::Unary(f64::ln),
                    kinks: &[ZERO],
                    exact: Exact::At(&[(ONE, ZERO)]),
                    domain: Some(Domain {
                        advice: "ln is defined for x > 0 only",
                        negative: Some((
                            "ln of a negative number",
                            "ln is defined for positive numbers only; ln(abs(x)) gives the logarithm of the magnitude",
                        )),
                        zero: Some((
                            "ln(0) is −∞",
                            "ln is defined for positive numbers only; inside a function, guard it with a piece condition such as `t > 0`",
                        )),
                    }),
                    closed: No(None),
                }),
            },
            Builtin::Sqrt => BuiltinSpec {
                name: "sqrt",
                aliases: &[],
                args: (1, 1),
                help: "sqrt(x): square root (x ≥ 0)",
                shape: Shape::Smooth(Smooth {
                    eval: Eval::Unary(f64::sqrt),
                    kinks: &[ZERO],
                    exact: Exact::Root,
                    domain: Some(Domain {
                        advice: "sqrt is real for x ≥ 0 only; sqrt(abs(x)) gives the magnitude",
                        negative: Some((
                            "sqrt of a negative number",
                            "convolab computes with real numbers; sqrt(abs(x)) gives the magnitude",
                        )),
                        zero: None,
                    }),
                    closed: No(None),
                }),
            },
            Builtin::Abs => BuiltinSpec {
                name: "abs",
                aliases: &[],
                args: (1, 1),
                help: "abs(x): |x|, kinks at 0",
                shape: Shape::Pieces(&[
                    PolyPiece { from: Q::NEG_INF, to: ZERO, c: &[ZERO, Q(-1, 1)] },
                    PolyPiece { from: ZERO, to: Q::INF, c: &[ZERO, ONE] },
                ]),
            },
            Builtin::Sin => BuiltinSpec {
                name: "sin",
                aliases: &[],
                args: (1, 1),
                help: "sin(x), x in radians",
                shape: smooth(f64::sin, Exact::At(&[(ZERO, ZERO)]), Closed::Sin),
            },
            Builtin::Cos => BuiltinSpec {
                name: "cos",
                aliases: &[],
                args: (1, 1),
                help: "cos(x), x in radians",
                shape: smooth(f64::cos, Exact::At(&[(ZERO, ONE)]), Closed::Cos),
            },
            Builtin::Tan => BuiltinSpec {
                name: "tan",
                aliases: &[],
                args: (1, 1),
                help: "tan(x), x in radians",
                shape: smooth(f64::tan, Exact::At(&[(ZERO, ZERO)]), No(None)),
            },
            Builtin::Sinh => BuiltinSpec {
                name: "sinh",
                aliases: &[],
                args: (1, 1),
                help: "sinh(x): hyperbolic sine",
                shape: smooth(f64::sinh, Exact::At(&[(ZERO, ZERO)]), Closed::Sinh),
            },
            Builtin::Cosh => BuiltinSpec {
                name: "cosh",
                aliases: &[],
                args: (1, 1),
                help: "cosh(x): hyperbolic cosine",
                shape: smooth(f64::cosh, Exact::At(&[(ZERO, ONE)]), Closed::Cosh),
            },
            Builtin::Tanh => BuiltinSpec {
                name: "tanh",
                aliases: &[],
                args: (1, 1),
                help: "tanh(x): hyperbolic tangent",
                shape: smooth(f64::tanh, Exact::At(&[(ZERO, ZERO)]), No(None)),
            },
            Builtin::Floor => BuiltinSpec {
                name: "floor",
                aliases: &[],
                args: (1, 1),
                help: "floor(x): largest integer ≤ x, jumps at integers",
                shape: Shape::Integer(Round::Floor),
            },
            Builtin::Ceil => BuiltinSpec {
                name: "ceil",
                aliases: &[],
                args: (1, 1),
                help: "ceil(x): smallest integer ≥ x, jumps at integers",
                shape: Shape::Integer(Round::Ceil),
            },
            Builtin::Min => BuiltinSpec {
                name: "min",
                aliases: &[],
                args: (2, 8),
                help: "min(x, y, …): the smallest argument",
                shape: Shape::Extreme(Pick::Min),
            },
            Builtin::Max => BuiltinSpec {
                name: "max",
                aliases: &[],
                args: (2, 8),
                help: "max(x, y, …): the largest argument",
                shape: Shape::Extreme(Pick::Max),
            },
            Builtin::Sign => BuiltinSpec {
                name: "sign",
                aliases: &[],
                args: (1, 1),
                help: "sign(x): −1, 0 or 1",
                shape: Shape::Pieces(&[
                    PolyPiece { from: Q::NEG_INF, to: ZERO, c: &[Q(-1, 1)] },
                    PolyPiece { from: ZERO, to: ZERO, c: &[] },
                    PolyPiece { from: ZERO, to: Q::INF, c: &[ONE] },
                ]),
            },
            Builtin::Step => BuiltinSpec {
                name: "u",
                aliases: &[],
                args: (1, 1),
                help: "u(t): unit step, 1 for t ≥ 0 (u(0) = 1), else 0",
                shape: Shape::Pieces(&[PolyPiece { from: ZERO, to: Q::INF, c: &[ONE] }]),
            },
            Builtin::Rect => BuiltinSpec {
                name: "rect",
                aliases: &[],
                args: (1, 1),
                help: "rect(t): 1 on [−1/2, 1/2), else 0",
                shape: Shape::Pieces(&[PolyPiece { from: Q(-1, 2), to: Q(1, 2), c: &[ONE] }]),
            },
            Builtin::Tri => BuiltinSpec {
                name: "tri",
                aliases: &[],
                args: (1, 1),
                help: "tri(t): max(0, 1 − |t|)",
                shape: Shape::Pieces(&[
                    PolyPiece { from: Q(-1, 1), to: ZERO, c: &[ONE, ONE] },
                    PolyPiece { from: ZERO, to: ONE, c: &[ONE, Q(-1, 1)] },
                ]),
            },
            Builtin::Epan => BuiltinSpec {
                name: "epan",
                aliases: &[],
                args: (1, 1),
                help: "epan(t): the Epanechnikov kernel ¾·(1 − t²) on [−1, 1]; its area is 1",
                shape: Shape::Pieces(&[PolyPiece {
                    from: Q(-1, 1),
                    to: ONE,
                    c: &[Q(3, 4), ZERO, Q(-3, 4)],
                }]),
            },
            Builtin::Sinc => BuiltinSpec {
                name: "sinc",
                aliases: &[],
                args: (1, 1),
                help: "sinc(t): sin(πt)/(πt), sinc(0) = 1",
                shape: smooth(sinc, Exact::At(&[(ZERO, ONE)]), No(None)),
            },
            Builtin::Gauss => BuiltinSpec {
                name: "gauss",
                aliases: &[],
                args: (2, 2),
                help: "gauss(t, σ): normal density with mean 0 and standard deviation σ",
                shape: Shape::Smooth(Smooth {
                    eval: Eval::Param(gauss, "σ"),
                    kinks: &[],
                    exact: Exact::At(&[]),
                    domain: Some(Domain {
                        advice: "the width σ (second argument) must be positive, e.g. gauss(t, 0.5)",
                        negative: None,
                        zero: None,
                    }),
                    closed: No(Some(
                        "exp(−{var}²/(2σ²))/(σ·√(2π)): its exponent is quadratic in {var}, and closed forms here need exponents linear in {var}",
                    )),
                }),
            },
            Builtin::Delta => BuiltinSpec {
                name: "delta",
                aliases: &[],
                args: (1, 1),
                help: "delta(t): Dirac delta, meaningful inside conv: d(t) = delta(t - a); conv(f, d) shifts f by a",
                shape: Shape::Delta,
            },
        }
    }

    /// Everything about this built-in (read from a table built at compile
    /// time from [`Builtin::define`]).
    #[inline]
    pub fn spec(self) -> &'static BuiltinSpec {
        &SPECS[self as usize]
    }

    /// The built-in a name (or alias) stands for, with its arity (min, max).
    pub fn lookup(name: &str) -> Option<(Builtin, usize, usize)> {
        BUILTINS
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, b, lo, hi, _)| (*b, *lo, *hi))
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Evaluate on floats. Domain errors give NaN (the caller reports them).
    pub fn apply(self, args: &[f64]) -> f64 {
        let x = args.first().copied().unwrap_or(f64::NAN);
        match self.spec().shape {
            Shape::Smooth(s) => match s.eval {
                Eval::Unary(f) => f(x),
                Eval::Param(f, _) => f(x, args.get(1).copied().unwrap_or(f64::NAN)),
            },
            Shape::Pieces(pieces) => {
                if x.is_nan() {
                    return f64::NAN;
                }
                pieces
                    .iter()
                    .find(|p| p.holds(x))
                    .map_or(0.0, |p| p.eval(x))
            }
            Shape::Integer(Round::Floor) => x.floor(),
            Shape::Integer(Round::Ceil) => x.ceil(),
            Shape::Extreme(Pick::Min) => args.iter().copied().fold(f64::INFINITY, f64::min),
            Shape::Extreme(Pick::Max) => args.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            // A delta has no value at a point; functions that contain one are
            // split into a regular part and point masses before evaluation.
            Shape::Delta => 0.0,
        }
    }

    /// What to do when this built-in gives no real number.
    pub fn domain_advice(self) -> &'static str {
        if let Shape::Smooth(Smooth {
            domain: Some(d), ..
        }) = self.spec().shape
        {
            return d.advice;
        }
        "an argument is outside the function's domain or not a number (NaN); check the inputs"
    }

    /// Whether this is a Dirac delta (split off as point masses).
    pub fn is_delta(self) -> bool {
        matches!(self.spec().shape, Shape::Delta)
    }

    /// Its class in the closed forms of `exact(conv(…))`, for a smooth
    /// built-in (piecewise ones are resolved into polynomials first).
    pub fn closed(self) -> Option<Closed> {
        match self.spec().shape {
            Shape::Smooth(s) => Some(s.closed),
            Shape::Pieces(_) | Shape::Integer(_) | Shape::Extreme(_) | Shape::Delta => None,
        }
    }

    /// The name of the parameter argument (`σ` of `gauss(t, σ)`), which must
    /// be a constant inside a function body.
    pub fn parameter(self) -> Option<&'static str> {
        match self.spec().shape {
            Shape::Smooth(Smooth {
                eval: Eval::Param(_, p),
                ..
            }) => Some(p),
            Shape::Smooth(_)
            | Shape::Pieces(_)
            | Shape::Integer(_)
            | Shape::Extreme(_)
            | Shape::Delta => None,
        }
    }
}

/// Every built-in's spec, indexed by `Builtin as usize`.
static SPECS: [BuiltinSpec; Builtin::ALL.len()] = {
    let mut out = [Builtin::Exp.define(); Builtin::ALL.len()];
    let mut i = 0;
    while i < Builtin::ALL.len() {
        // `builtins!` lists ALL in declaration order.
        assert!(Builtin::ALL[i] as usize == i);
        out[i] = Builtin::ALL[i].define();
        i += 1;
    }
    out
};

/// How many names [`BUILTINS`] lists: every built-in and its aliases.
const fn listing_len() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < Builtin::ALL.len() {
        n += 1 + Builtin::ALL[i].define().aliases.len();
        i += 1;
    }
    n
}

const LISTING: [(&str, Builtin, usize, usize, &str); listing_len()] = {
    let mut out = [("", Builtin::Exp, 0, 0, ""); listing_len()];
    let mut i = 0;
    let mut k = 0;
    while i < Builtin::ALL.len() {
        let b = Builtin::ALL[i];
        let s = b.define();
        out[k] = (s.name, b, s.args.0, s.args.1, s.help);
        k += 1;
        let mut j = 0;
        while j < s.aliases.len() {
            out[k] = (s.aliases[j].0, b, s.args.0, s.args.1, s.aliases[j].1);
            k += 1;
            j += 1;
        }
        i += 1;
    }
    out
};

/// Name, built-in, arity (min, max) and one-line help of every name a
/// built-in answers to (aliases after their built-in), from the specs.
pub const BUILTINS: &[(&str, Builtin, usize, usize, &str)] = &LISTING;

/// A condition of a piece.
#[derive(Clone, Debug)]
pub enum Cond {
    /// A comparison chain `a <= t < b`.
    Cmp(Box<FExpr>, Vec<(CmpOp, FExpr)>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// A function body.
#[derive(Clone, Debug)]
pub enum FExpr {
    Const(Number),
    Var,
    Neg(Box<FExpr>),
    Add(Box<FExpr>, Box<FExpr>),
    Sub(Box<FExpr>, Box<FExpr>),
    Mul(Box<FExpr>, Box<FExpr>),
    Div(Box<FExpr>, Box<FExpr>),
    Pow(Box<FExpr>, Box<FExpr>),
    Call(Builtin, Vec<FExpr>),
    /// Pieces tried in order, then the `otherwise` value.
    Piecewise(Vec<(Cond, FExpr)>, Box<FExpr>),
    /// Another function applied to an expression of this one's variable.
    Apply(Rc<Function>, Box<FExpr>),
}

/// What a function is made of.
#[derive(Clone, Debug)]
pub enum FnBody {
    /// A formula in one variable.
    Expr(FExpr),
    /// A function computed by an engine (a convolution, a closed form): it
    /// evaluates through the callback and reports its own structure.
    Computed(Rc<dyn ComputedFn>),
}

/// A function whose values come from an engine rather than a formula.
pub trait ComputedFn: std::fmt::Debug {
    /// The value at `t` (NaN when it cannot be computed; see `eval_checked`).
    fn eval(&self, t: f64) -> f64;
    /// The value with a reason when it cannot be computed reliably.
    fn eval_checked(&self, t: f64) -> Result<f64, String> {
        let v = self.eval(t);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("no finite value at {t}"))
        }
    }
    /// Sorted breakpoints (exact where known).
    fn breakpoints(&self) -> Vec<Number>;
    /// Support `(lo, hi)`, possibly infinite.
    fn support(&self) -> (f64, f64);
    /// Short description for `show`.
    fn describe(&self) -> String;
    /// Dirac deltas `(position, weight)` that are part of the function but
    /// not of its values (a closed form of two inputs with deltas).
    fn point_masses(&self) -> Vec<(Number, Number)> {
        Vec::new()
    }
    /// Downcast hook for engines that recognise their own results.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// How a function is built from other functions: what bounds the stack
/// and the time its evaluation takes. See [`Function::composition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Composition {
    /// The deepest chain of nested expression nodes, through every function
    /// applied on the way (recursion depth of one evaluation).
    pub nesting: usize,
    /// Function applications one evaluation makes, each applied function
    /// counted once per use, saturating.
    pub applies: u64,
}

/// Most [`Composition::nesting`] a stored function may have.
pub const MAX_NESTING: usize = 1000;
/// Most [`Composition::applies`] a stored function may have.
pub const MAX_APPLIES: u64 = 100_000;

/// One node of a function body for the walks of [`Function::composition`].
#[derive(Clone, Copy)]
enum Node<'a> {
    Expr(&'a FExpr),
    Cond(&'a Cond),
}

impl Node<'_> {
    fn children(self, out: &mut Vec<Self>) {
        match self {
            Node::Expr(e) => match e {
                FExpr::Const(_) | FExpr::Var => {}
                FExpr::Neg(a) => out.push(Node::Expr(a)),
                FExpr::Add(a, b)
                | FExpr::Sub(a, b)
                | FExpr::Mul(a, b)
                | FExpr::Div(a, b)
                | FExpr::Pow(a, b) => out.extend([Node::Expr(a), Node::Expr(b)]),
                FExpr::Call(_, args) => out.extend(args.iter().map(Node::Expr)),
                FExpr::Piecewise(pieces, otherwise) => {
                    for (c, v) in pieces {
                        out.extend([Node::Cond(c), Node::Expr(v)]);
                    }
                    out.push(Node::Expr(otherwise));
                }
                FExpr::Apply(_, arg) => out.push(Node::Expr(arg)),
            },
            Node::Cond(c) => match c {
                Cond::Cmp(first, rest) => {
                    out.push(Node::Expr(first));
                    out.extend(rest.iter().map(|(_, e)| Node::Expr(e)));
                }
                Cond::And(a, b) | Cond::Or(a, b) => out.extend([Node::Cond(a), Node::Cond(b)]),
                Cond::Not(a) => out.push(Node::Cond(a)),
            },
        }
    }
}

/// A named (or anonymous) function of one real variable.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: Option<String>,
    pub var: String,
    pub body: FnBody,
}

/// The piece structure of a function, computed from its body.
#[derive(Clone, Debug, Default)]
pub struct Structure {
    /// Sorted, deduplicated breakpoints (exact numbers where the definition
    /// is exact).
    pub breaks: Vec<Number>,
    /// Points where every integer crossing of a linear argument is a
    /// breakpoint (`floor`, `ceil`): (a, b) for a·t + b ∈ ℤ.
    pub integer_families: Vec<(f64, f64)>,
    /// Some built-in or condition has a non-linear argument, so `breaks` may
    /// be incomplete.
    pub irregular: bool,
}

impl Function {
    pub fn expr(name: Option<String>, var: &str, body: FExpr) -> Function {
        Function {
            name,
            var: var.to_string(),
            body: FnBody::Expr(body),
        }
    }

    /// How deeply this function nests other functions and how many
    /// applications one evaluation makes. Walks each distinct function once
    /// (without recursion, so any input is safe to measure): chains like
    /// `f2(t) = f1(t) + f1(t - 1)` double the work at every level while
    /// staying shallow.
    pub fn composition(&self) -> Composition {
        use std::collections::HashMap;
        // Per function: (nesting, applies); functions are DAG nodes.
        let mut memo: HashMap<*const Function, Composition> = HashMap::new();
        // Post-order over functions: a function is measured once all the
        // functions it applies are.
        let mut pending: Vec<(&Function, bool)> = vec![(self, false)];
        let mut result = None;
        while let Some((f, ready)) = pending.pop() {
            let key = f as *const Function;
            if memo.contains_key(&key) {
                continue;
            }
            let FnBody::Expr(body) = &f.body else {
                memo.insert(
                    key,
                    Composition {
                        nesting: 1,
                        applies: 0,
                    },
                );
                result = memo.get(&key).copied();
                continue;
            };
            if !ready {
                pending.push((f, true));
                let mut stack = vec![Node::Expr(body)];
                while let Some(n) = stack.pop() {
                    if let Node::Expr(FExpr::Apply(g, _)) = n {
                        if !memo.contains_key(&Rc::as_ptr(g)) {
                            pending.push((g, false));
                        }
                    }
                    n.children(&mut stack);
                }
                continue;
            }
            // All applied functions are measured: walk the body with depths.
            let mut c = Composition {
                nesting: 0,
                applies: 0,
            };
            let mut stack = vec![(Node::Expr(body), 1usize)];
            let mut children = Vec::new();
            while let Some((n, depth)) = stack.pop() {
                let mut here = depth;
                if let Node::Expr(FExpr::Apply(g, _)) = n {
                    let inner = memo[&Rc::as_ptr(g)];
                    here = depth.saturating_add(inner.nesting);
                    c.applies = c.applies.saturating_add(1).saturating_add(inner.applies);
                }
                c.nesting = c.nesting.max(here);
                children.clear();
                n.children(&mut children);
                stack.extend(children.iter().map(|&ch| (ch, depth + 1)));
            }
            memo.insert(key, c);
            result = Some(c);
        }
        result.unwrap_or(Composition {
            nesting: 1,
            applies: 0,
        })
    }

    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| "(function)".into())
    }

    pub fn eval(&self, t: f64) -> f64 {
        match &self.body {
            FnBody::Expr(e) => e.eval(t),
            FnBody::Computed(c) => c.eval(t),
        }
    }

    pub fn structure(&self) -> Structure {
        let mut s = Structure::default();
        let mut set = BreakSet::default();
        match &self.body {
            FnBody::Expr(e) => e.collect_breaks(&Affine::identity(), &mut set, &mut s),
            FnBody::Computed(c) => {
                for b in c.breakpoints() {
                    set.insert(b);
                }
            }
        }
        s.breaks = set.into_sorted();
        s
    }

    /// Breakpoints within `[lo, hi]` as floats, including integer families
    /// (at most `limit` of them; `None` when there are more).
    pub fn breaks_in(&self, lo: f64, hi: f64, limit: usize) -> Option<Vec<f64>> {
        let s = self.structure();
        let mut out: Vec<f64> = s
            .breaks
            .iter()
            .map(Number::to_f64)
            .filter(|b| *b >= lo && *b <= hi)
            .collect();
        for (a, b) in &s.integer_families {
            // a·t + b = k  ⇒  t = (k − b)/a
            let (k0, k1) = {
                let x0 = a * lo + b;
                let x1 = a * hi + b;
                (x0.min(x1).ceil(), x0.max(x1).floor())
            };
            if !(k0.is_finite() && k1.is_finite()) || k1 - k0 > limit as f64 {
                return None;
            }
            let mut k = k0;
            while k <= k1 {
                out.push((k - b) / a);
                k += 1.0;
            }
        }
        if out.len() > limit {
            return None;
        }
        out.sort_by(f64::total_cmp);
        out.dedup();
        Some(out)
    }

    /// The smallest interval outside which the function is zero, as floats
    /// (±∞ when unbounded).
    pub fn support(&self) -> (f64, f64) {
        match &self.body {
            FnBody::Computed(c) => c.support(),
            FnBody::Expr(e) => {
                let s = self.structure();
                if s.irregular || !s.integer_families.is_empty() {
                    return (f64::NEG_INFINITY, f64::INFINITY);
                }
                let breaks: Vec<f64> = s.breaks.iter().map(Number::to_f64).collect();
                let intervals = open_intervals(&breaks);
                let nonzero: Vec<bool> = intervals
                    .iter()
                    .map(|(lo, hi)| !e.resolve(sample_point(*lo, *hi)).is_identically_zero())
                    .collect();
                let first = nonzero.iter().position(|z| *z);
                let last = nonzero.iter().rposition(|z| *z);
                match (first, last) {
                    (Some(i), Some(j)) => (intervals[i].0, intervals[j].1),
                    // Zero on every open interval: at most isolated points.
                    _ => match (breaks.first(), breaks.last()) {
                        (Some(lo), Some(hi)) if self.eval_points_nonzero(&breaks) => (*lo, *hi),
                        _ => (0.0, 0.0),
                    },
                }
            }
        }
    }

    fn eval_points_nonzero(&self, points: &[f64]) -> bool {
        points.iter().any(|p| self.eval(*p) != 0.0)
    }

    /// Pieces i < j of a piecewise body that are both true on an open interval.
    pub fn overlapping_pieces(&self) -> Vec<(usize, usize, f64, f64)> {
        let FnBody::Expr(FExpr::Piecewise(pieces, _)) = &self.body else {
            return Vec::new();
        };
        let s = self.structure();
        let breaks: Vec<f64> = s.breaks.iter().map(Number::to_f64).collect();
        let mut found: Vec<(usize, usize, f64, f64)> = Vec::new();
        for (lo, hi) in open_intervals(&breaks) {
            let m = sample_point(lo, hi);
            let holding: Vec<usize> = pieces
                .iter()
                .enumerate()
                .filter(|(_, (c, _))| c.holds(m))
                .map(|(i, _)| i)
                .collect();
            for (x, &i) in holding.iter().enumerate() {
                for &j in &holding[x + 1..] {
                    match found
                        .iter_mut()
                        .find(|(a, b, _, h)| *a == i && *b == j && *h == lo)
                    {
                        Some(entry) => entry.3 = hi,
                        None => found.push((i, j, lo, hi)),
                    }
                }
            }
        }
        found
    }
}

/// A point inside the open interval (lo, hi), which may be unbounded.
pub fn sample_point(lo: f64, hi: f64) -> f64 {
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) => 0.5 * (lo + hi),
        (true, false) => lo + 1.0,
        (false, true) => hi - 1.0,
        (false, false) => 0.0,
    }
}

/// The open intervals between sorted breakpoints, from −∞ to ∞.
pub fn open_intervals(breaks: &[f64]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(breaks.len() + 1);
    let mut lo = f64::NEG_INFINITY;
    for b in breaks {
        out.push((lo, *b));
        lo = *b;
    }
    out.push((lo, f64::INFINITY));
    out
}

/// t ↦ a·t + b, exact where possible.
#[derive(Clone, Debug)]
pub struct Affine {
    pub a: Number,
    pub b: Number,
}

impl Affine {
    pub fn identity() -> Affine {
        Affine {
            a: Number::one(),
            b: Number::zero(),
        }
    }

    /// The `t` where `inner(t) = p`, if the map is not constant.
    fn preimage(&self, p: &Number) -> Option<Number> {
        if self.a.is_zero() {
            return None;
        }
        p.sub(&self.b).div(&self.a).ok()
    }

    fn compose(&self, inner: &Affine) -> Affine {
        // self(inner(t)) = a·(a'·t + b') + b
        Affine {
            a: self.a.mul(&inner.a),
            b: self.a.mul(&inner.b).add(&self.b),
        }
    }
}

#[derive(Default)]
struct BreakSet {
    points: Vec<Number>,
}

impl BreakSet {
    fn insert(&mut self, p: Number) {
        if p.is_finite() && !self.points.iter().any(|q| q.num_eq(&p)) {
            self.points.push(p);
        }
    }

    fn into_sorted(mut self) -> Vec<Number> {
        self.points
            .sort_by(|a, b| a.partial_cmp_num(b).unwrap_or(std::cmp::Ordering::Equal));
        // Floats that differ only by rounding are one breakpoint.
        let mut out: Vec<Number> = Vec::with_capacity(self.points.len());
        for p in self.points {
            match out.last() {
                Some(q) if (q.to_f64() - p.to_f64()).abs() <= 1e-14 * (1.0 + p.to_f64().abs()) => {}
                _ => out.push(p),
            }
        }
        out
    }
}

impl Cond {
    pub fn holds(&self, t: f64) -> bool {
        match self {
            Cond::Cmp(first, rest) => {
                let mut left = first.eval(t);
                for (op, e) in rest {
                    let right = e.eval(t);
                    let ok = match op {
                        CmpOp::Lt => left < right,
                        CmpOp::Le => left <= right,
                        CmpOp::Gt => left > right,
                        CmpOp::Ge => left >= right,
                        CmpOp::Eq => left == right,
                        CmpOp::Ne => left != right,
                    };
                    if !ok {
                        return false;
                    }
                    left = right;
                }
                true
            }
            Cond::And(a, b) => a.holds(t) && b.holds(t),
            Cond::Or(a, b) => a.holds(t) || b.holds(t),
            Cond::Not(a) => !a.holds(t),
        }
    }

    /// Exact evaluation (for sequence formulas at integer n).
    pub fn holds_exact(&self, n: &Number) -> Result<bool, ArithError> {
        Ok(match self {
            Cond::Cmp(first, rest) => {
                let mut left = first.eval_exact(n)?;
                for (op, e) in rest {
                    let right = e.eval_exact(n)?;
                    let ord = left.partial_cmp_num(&right);
                    let ok = match (op, ord) {
                        (_, None) => false,
                        (CmpOp::Lt, Some(o)) => o.is_lt(),
                        (CmpOp::Le, Some(o)) => o.is_le(),
                        (CmpOp::Gt, Some(o)) => o.is_gt(),
                        (CmpOp::Ge, Some(o)) => o.is_ge(),
                        (CmpOp::Eq, Some(o)) => o.is_eq(),
                        (CmpOp::Ne, Some(o)) => o.is_ne(),
                    };
                    if !ok {
                        return Ok(false);
                    }
                    left = right;
                }
                true
            }
            Cond::And(a, b) => a.holds_exact(n)? && b.holds_exact(n)?,
            Cond::Or(a, b) => a.holds_exact(n)? || b.holds_exact(n)?,
            Cond::Not(a) => !a.holds_exact(n)?,
        })
    }

    fn collect_breaks(&self, outer: &Affine, set: &mut BreakSet, s: &mut Structure) {
        match self {
            Cond::Cmp(first, rest) => {
                let mut left: &FExpr = first;
                for (_, right) in rest {
                    left.collect_breaks(outer, set, s);
                    right.collect_breaks(outer, set, s);
                    let diff = FExpr::Sub(Box::new(left.clone()), Box::new(right.clone()));
                    match diff.linear() {
                        Some(lin) => {
                            if let Some(p) = lin.preimage(&Number::zero()) {
                                if let Some(q) = outer.preimage(&p) {
                                    set.insert(q);
                                }
                            }
                        }
                        None => s.irregular = true,
                    }
                    left = right;
                }
            }
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.collect_breaks(outer, set, s);
                b.collect_breaks(outer, set, s);
            }
            Cond::Not(a) => a.collect_breaks(outer, set, s),
        }
    }
}

impl FExpr {
    pub fn num(n: Number) -> FExpr {
        FExpr::Const(n)
    }

    /// Evaluate at `t` in floating point.
    pub fn eval(&self, t: f64) -> f64 {
        match self {
            FExpr::Const(c) => c.to_f64(),
            FExpr::Var => t,
            FExpr::Neg(a) => -a.eval(t),
            FExpr::Add(a, b) => a.eval(t) + b.eval(t),
            FExpr::Sub(a, b) => a.eval(t) - b.eval(t),
            FExpr::Mul(a, b) => {
                // 0·(anything) is 0 here, so u(t)·exp(−t) is 0 for t ≪ 0
                // even where exp overflows.
                let x = a.eval(t);
                if x == 0.0 {
                    return 0.0;
                }
                let y = b.eval(t);
                if y == 0.0 {
                    0.0
                } else {
                    x * y
                }
            }
            FExpr::Div(a, b) => a.eval(t) / b.eval(t),
            FExpr::Pow(a, b) => {
                let base = a.eval(t);
                match b.as_ref() {
                    FExpr::Const(Number::Exact(r)) if r.is_integer() => {
                        match r.numer().try_into() {
                            Ok(k) => base.powi(k),
                            Err(_) => base.powf(b.eval(t)),
                        }
                    }
                    _ => base.powf(b.eval(t)),
                }
            }
            FExpr::Call(f, args) => {
                if args.len() == 1 {
                    f.apply(&[args[0].eval(t)])
                } else {
                    let vals: Vec<f64> = args.iter().map(|a| a.eval(t)).collect();
                    f.apply(&vals)
                }
            }
            FExpr::Piecewise(pieces, otherwise) => {
                for (cond, value) in pieces {
                    if cond.holds(t) {
                        return value.eval(t);
                    }
                }
                otherwise.eval(t)
            }
            FExpr::Apply(f, arg) => {
                // Ctrl-C: give up quickly; the statement reports the interrupt.
                if crate::interrupt::requested() {
                    return f64::NAN;
                }
                f.eval(arg.eval(t))
            }
        }
    }

    /// Evaluate exactly where the arithmetic allows (sequence formulas);
    /// transcendental built-ins give floats.
    pub fn eval_exact(&self, n: &Number) -> Result<Number, ArithError> {
        Ok(match self {
            FExpr::Const(c) => c.clone(),
            FExpr::Var => n.clone(),
            FExpr::Neg(a) => a.eval_exact(n)?.neg(),
            FExpr::Add(a, b) => a.eval_exact(n)?.add(&b.eval_exact(n)?),
            FExpr::Sub(a, b) => a.eval_exact(n)?.sub(&b.eval_exact(n)?),
            FExpr::Mul(a, b) => {
                let x = a.eval_exact(n)?;
                if x.is_zero() {
                    x
                } else {
                    x.mul(&b.eval_exact(n)?)
                }
            }
            FExpr::Div(a, b) => a.eval_exact(n)?.div(&b.eval_exact(n)?)?,
            FExpr::Pow(a, b) => a.eval_exact(n)?.pow(&b.eval_exact(n)?)?,
            FExpr::Call(f, args) => {
                let vals = args
                    .iter()
                    .map(|a| a.eval_exact(n))
                    .collect::<Result<Vec<_>, _>>()?;
                exact_builtin(*f, &vals)?
            }
            FExpr::Piecewise(pieces, otherwise) => {
                for (cond, value) in pieces {
                    if cond.holds_exact(n)? {
                        return value.eval_exact(n);
                    }
                }
                otherwise.eval_exact(n)?
            }
            FExpr::Apply(f, arg) => {
                if crate::interrupt::requested() {
                    return Err(ArithError::Domain("interrupted (Ctrl-C)".into()));
                }
                let x = arg.eval_exact(n)?;
                match &f.body {
                    FnBody::Expr(e) => e.eval_exact(&x)?,
                    FnBody::Computed(c) => Number::Float(c.eval(x.to_f64())),
                }
            }
        })
    }

    /// `a·t + b` when this expression is affine in the variable (exactly).
    pub fn linear(&self) -> Option<Affine> {
        match self {
            FExpr::Const(c) => Some(Affine {
                a: Number::zero(),
                b: c.clone(),
            }),
            FExpr::Var => Some(Affine::identity()),
            FExpr::Neg(x) => x.linear().map(|l| Affine {
                a: l.a.neg(),
                b: l.b.neg(),
            }),
            FExpr::Add(x, y) | FExpr::Sub(x, y) => {
                let (l, r) = (x.linear()?, y.linear()?);
                let sub = matches!(self, FExpr::Sub(..));
                Some(if sub {
                    Affine {
                        a: l.a.sub(&r.a),
                        b: l.b.sub(&r.b),
                    }
                } else {
                    Affine {
                        a: l.a.add(&r.a),
                        b: l.b.add(&r.b),
                    }
                })
            }
            FExpr::Mul(x, y) => {
                let (l, r) = (x.linear()?, y.linear()?);
                if l.a.is_zero() {
                    Some(Affine {
                        a: r.a.mul(&l.b),
                        b: r.b.mul(&l.b),
                    })
                } else if r.a.is_zero() {
                    Some(Affine {
                        a: l.a.mul(&r.b),
                        b: l.b.mul(&r.b),
                    })
                } else {
                    None
                }
            }
            FExpr::Div(x, y) => {
                let (l, r) = (x.linear()?, y.linear()?);
                if r.a.is_zero() && !r.b.is_zero() {
                    Some(Affine {
                        a: l.a.div(&r.b).ok()?,
                        b: l.b.div(&r.b).ok()?,
                    })
                } else {
                    None
                }
            }
            FExpr::Pow(x, y) => {
                let (l, r) = (x.linear()?, y.linear()?);
                if !l.a.is_zero() || !r.a.is_zero() {
                    if r.a.is_zero() && r.b.is_one() {
                        return Some(l);
                    }
                    return None;
                }
                Some(Affine {
                    a: Number::zero(),
                    b: l.b.pow(&r.b).ok()?,
                })
            }
            _ => self.constant_value().map(|c| Affine {
                a: Number::zero(),
                b: c,
            }),
        }
    }

    /// The value when the expression does not depend on the variable.
    pub fn constant_value(&self) -> Option<Number> {
        if self.mentions_var() {
            None
        } else {
            self.eval_exact(&Number::zero()).ok()
        }
    }

    pub fn mentions_var(&self) -> bool {
        match self {
            FExpr::Const(_) => false,
            FExpr::Var => true,
            FExpr::Neg(a) => a.mentions_var(),
            FExpr::Add(a, b)
            | FExpr::Sub(a, b)
            | FExpr::Mul(a, b)
            | FExpr::Div(a, b)
            | FExpr::Pow(a, b) => a.mentions_var() || b.mentions_var(),
            FExpr::Call(_, args) => args.iter().any(FExpr::mentions_var),
            FExpr::Piecewise(pieces, otherwise) => {
                otherwise.mentions_var()
                    || pieces
                        .iter()
                        .any(|(c, v)| v.mentions_var() || c.mentions_var())
            }
            FExpr::Apply(_, arg) => arg.mentions_var(),
        }
    }

    /// Whether a Dirac delta occurs (directly or in a referenced function).
    pub fn contains_delta(&self) -> bool {
        match self {
            FExpr::Call(f, _) if f.is_delta() => true,
            FExpr::Const(_) | FExpr::Var => false,
            FExpr::Neg(a) => a.contains_delta(),
            FExpr::Add(a, b)
            | FExpr::Sub(a, b)
            | FExpr::Mul(a, b)
            | FExpr::Div(a, b)
            | FExpr::Pow(a, b) => a.contains_delta() || b.contains_delta(),
            FExpr::Call(_, args) => args.iter().any(FExpr::contains_delta),
            FExpr::Piecewise(p, o) => {
                o.contains_delta() || p.iter().any(|(_, v)| v.contains_delta())
            }
            FExpr::Apply(f, a) => {
                a.contains_delta()
                    || match &f.body {
                        FnBody::Expr(b) => b.contains_delta(),
                        FnBody::Computed(_) => false,
                    }
            }
        }
    }

    /// True only when the expression is the constant 0 after folding.
    pub fn is_identically_zero(&self) -> bool {
        matches!(self.fold(), FExpr::Const(c) if c.is_zero())
    }

    /// Gather breakpoints (in terms of the outer variable: `outer` maps the
    /// outer variable to this expression's variable).
    fn collect_breaks(&self, outer: &Affine, set: &mut BreakSet, s: &mut Structure) {
        match self {
            FExpr::Const(_) | FExpr::Var => {}
            FExpr::Neg(a) => a.collect_breaks(outer, set, s),
            FExpr::Add(a, b)
            | FExpr::Sub(a, b)
            | FExpr::Mul(a, b)
            | FExpr::Div(a, b)
            | FExpr::Pow(a, b) => {
                a.collect_breaks(outer, set, s);
                b.collect_breaks(outer, set, s);
            }
            FExpr::Call(f, args) => {
                for a in args {
                    a.collect_breaks(outer, set, s);
                }
                let first = args.first();
                match f.spec().shape {
                    Shape::Smooth(sm) => {
                        let points = sm.kinks.iter().map(|q| q.to_number());
                        breaks_through(first, points, outer, set, s);
                    }
                    Shape::Pieces(pieces) => {
                        let ends = pieces
                            .iter()
                            .flat_map(|p| [p.from, p.to])
                            .filter(|q| q.is_finite())
                            .map(Q::to_number);
                        breaks_through(first, ends, outer, set, s);
                    }
                    Shape::Integer(_) => match first.and_then(FExpr::linear) {
                        Some(l) => {
                            if !l.a.is_zero() {
                                // inner(t) = a·t + b with t = outer⁻¹: fold the outer map.
                                let a_total = l.a.to_f64() / outer.a.to_f64();
                                let b_total = l.b.to_f64() - a_total * outer.b.to_f64();
                                s.integer_families.push((a_total, b_total));
                            }
                        }
                        None => s.irregular = true,
                    },
                    Shape::Extreme(_) => {
                        for (i, x) in args.iter().enumerate() {
                            for y in &args[i + 1..] {
                                let diff = FExpr::Sub(Box::new(x.clone()), Box::new(y.clone()));
                                match diff.linear() {
                                    Some(l) => {
                                        if let Some(p) = l
                                            .preimage(&Number::zero())
                                            .and_then(|p| outer.preimage(&p))
                                        {
                                            set.insert(p);
                                        }
                                    }
                                    None => s.irregular = true,
                                }
                            }
                        }
                    }
                    // Deltas are point masses, split off before integration.
                    Shape::Delta => {}
                }
            }
            FExpr::Piecewise(pieces, otherwise) => {
                for (c, v) in pieces {
                    c.collect_breaks(outer, set, s);
                    v.collect_breaks(outer, set, s);
                }
                otherwise.collect_breaks(outer, set, s);
            }
            FExpr::Apply(f, arg) => {
                arg.collect_breaks(outer, set, s);
                let inner = f.structure();
                if inner.breaks.is_empty() && inner.integer_families.is_empty() && !inner.irregular
                {
                    return;
                }
                match arg.linear() {
                    Some(l) if !l.a.is_zero() => {
                        let map = l.compose(&Affine::identity());
                        for p in inner.breaks {
                            if let Some(q) = map.preimage(&p).and_then(|q| outer.preimage(&q)) {
                                set.insert(q);
                            }
                        }
                        for (a, b) in inner.integer_families {
                            // a·(α·t + β) + b
                            let (alpha, beta) = (l.a.to_f64(), l.b.to_f64());
                            s.integer_families.push((a * alpha, a * beta + b));
                        }
                        s.irregular |= inner.irregular;
                    }
                    Some(_) => {}
                    None => s.irregular = true,
                }
            }
        }
    }

    /// The smooth expression valid on the open interval around `t` (which
    /// must not be a breakpoint): piece conditions and jumping built-ins with
    /// linear arguments are decided; nested function calls are inlined.
    pub fn resolve(&self, t: f64) -> FExpr {
        self.resolve_inner(t).fold()
    }

    fn resolve_inner(&self, t: f64) -> FExpr {
        match self {
            FExpr::Const(_) | FExpr::Var => self.clone(),
            FExpr::Neg(a) => FExpr::Neg(Box::new(a.resolve_inner(t))),
            FExpr::Add(a, b) => {
                FExpr::Add(Box::new(a.resolve_inner(t)), Box::new(b.resolve_inner(t)))
            }
            FExpr::Sub(a, b) => {
                FExpr::Sub(Box::new(a.resolve_inner(t)), Box::new(b.resolve_inner(t)))
            }
            FExpr::Mul(a, b) => {
                FExpr::Mul(Box::new(a.resolve_inner(t)), Box::new(b.resolve_inner(t)))
            }
            FExpr::Div(a, b) => {
                FExpr::Div(Box::new(a.resolve_inner(t)), Box::new(b.resolve_inner(t)))
            }
            FExpr::Pow(a, b) => {
                FExpr::Pow(Box::new(a.resolve_inner(t)), Box::new(b.resolve_inner(t)))
            }
            FExpr::Call(f, args) => {
                let args: Vec<FExpr> = args.iter().map(|a| a.resolve_inner(t)).collect();
                let linear = args.iter().all(|a| a.linear().is_some());
                if !linear {
                    return FExpr::Call(*f, args);
                }
                let x = args.first().map(|a| a.eval(t)).unwrap_or(f64::NAN);
                let zero = || FExpr::Const(Number::zero());
                match f.spec().shape {
                    Shape::Smooth(_) | Shape::Delta => FExpr::Call(*f, args),
                    Shape::Pieces(pieces) => match pieces.iter().find(|p| p.holds(x)) {
                        Some(p) => p.fexpr(&args[0]),
                        None => zero(),
                    },
                    Shape::Integer(Round::Floor) => {
                        FExpr::Const(Number::from_f64_integer(x.floor()))
                    }
                    Shape::Integer(Round::Ceil) => FExpr::Const(Number::from_f64_integer(x.ceil())),
                    Shape::Extreme(pick) => {
                        let vals: Vec<f64> = args.iter().map(|a| a.eval(t)).collect();
                        let chosen = if pick == Pick::Min {
                            vals.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1))
                        } else {
                            vals.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))
                        };
                        chosen.map(|(i, _)| args[i].clone()).unwrap_or_else(zero)
                    }
                }
            }
            FExpr::Piecewise(pieces, otherwise) => {
                for (cond, value) in pieces {
                    if cond.holds(t) {
                        return value.resolve_inner(t);
                    }
                }
                otherwise.resolve_inner(t)
            }
            FExpr::Apply(f, arg) => {
                let arg = arg.resolve_inner(t);
                match &f.body {
                    FnBody::Expr(body) if arg.linear().is_some() => {
                        let inner_t = arg.eval(t);
                        body.resolve_inner(inner_t).substitute(&arg)
                    }
                    _ => FExpr::Apply(f.clone(), Box::new(arg)),
                }
            }
        }
    }

    /// Replace the variable by `with`.
    pub fn substitute(&self, with: &FExpr) -> FExpr {
        match self {
            FExpr::Const(_) => self.clone(),
            FExpr::Var => with.clone(),
            FExpr::Neg(a) => FExpr::Neg(Box::new(a.substitute(with))),
            FExpr::Add(a, b) => {
                FExpr::Add(Box::new(a.substitute(with)), Box::new(b.substitute(with)))
            }
            FExpr::Sub(a, b) => {
                FExpr::Sub(Box::new(a.substitute(with)), Box::new(b.substitute(with)))
            }
            FExpr::Mul(a, b) => {
                FExpr::Mul(Box::new(a.substitute(with)), Box::new(b.substitute(with)))
            }
            FExpr::Div(a, b) => {
                FExpr::Div(Box::new(a.substitute(with)), Box::new(b.substitute(with)))
            }
            FExpr::Pow(a, b) => {
                FExpr::Pow(Box::new(a.substitute(with)), Box::new(b.substitute(with)))
            }
            FExpr::Call(f, args) => {
                FExpr::Call(*f, args.iter().map(|a| a.substitute(with)).collect())
            }
            FExpr::Piecewise(pieces, otherwise) => FExpr::Piecewise(
                pieces
                    .iter()
                    .map(|(c, v)| (c.substitute(with), v.substitute(with)))
                    .collect(),
                Box::new(otherwise.substitute(with)),
            ),
            FExpr::Apply(f, arg) => FExpr::Apply(f.clone(), Box::new(arg.substitute(with))),
        }
    }

    /// Constant folding and the identities 0·x = 0, 1·x = x, x + 0 = x.
    pub fn fold(&self) -> FExpr {
        use FExpr::*;
        let c = |e: &FExpr| match e {
            Const(n) => Some(n.clone()),
            _ => None,
        };
        match self {
            Const(_) | Var => self.clone(),
            Neg(a) => {
                let a = a.fold();
                match c(&a) {
                    Some(n) => Const(n.neg()),
                    None => Neg(Box::new(a)),
                }
            }
            Add(a, b) | Sub(a, b) => {
                let (a, b) = (a.fold(), b.fold());
                let sub = matches!(self, Sub(..));
                match (c(&a), c(&b)) {
                    (Some(x), Some(y)) => Const(if sub { x.sub(&y) } else { x.add(&y) }),
                    (_, Some(y)) if y.is_zero() => a,
                    (Some(x), _) if x.is_zero() => {
                        if sub {
                            Neg(Box::new(b))
                        } else {
                            b
                        }
                    }
                    _ => {
                        if sub {
                            Sub(Box::new(a), Box::new(b))
                        } else {
                            Add(Box::new(a), Box::new(b))
                        }
                    }
                }
            }
            Mul(a, b) => {
                let (a, b) = (a.fold(), b.fold());
                match (c(&a), c(&b)) {
                    (Some(x), Some(y)) => Const(x.mul(&y)),
                    (Some(x), _) | (_, Some(x)) if x.is_zero() => Const(Number::zero()),
                    (Some(x), _) if x.is_one() => b,
                    (_, Some(y)) if y.is_one() => a,
                    _ => Mul(Box::new(a), Box::new(b)),
                }
            }
            Div(a, b) => {
                let (a, b) = (a.fold(), b.fold());
                match (c(&a), c(&b)) {
                    (Some(x), Some(y)) if !y.is_zero() => {
                        Const(x.div(&y).unwrap_or(Number::Float(f64::NAN)))
                    }
                    (Some(x), _) if x.is_zero() => Const(Number::zero()),
                    (_, Some(y)) if y.is_one() => a,
                    _ => Div(Box::new(a), Box::new(b)),
                }
            }
            Pow(a, b) => {
                let (a, b) = (a.fold(), b.fold());
                match (c(&a), c(&b)) {
                    (Some(x), Some(y)) => match x.pow(&y) {
                        Ok(v) => Const(v),
                        Err(_) => Pow(Box::new(a), Box::new(b)),
                    },
                    (_, Some(y)) if y.is_one() => a,
                    (_, Some(y)) if y.is_zero() => Const(Number::one()),
                    _ => Pow(Box::new(a), Box::new(b)),
                }
            }
            Call(f, args) => {
                let args: Vec<FExpr> = args.iter().map(FExpr::fold).collect();
                // (A delta has no value: exact_builtin refuses it.)
                if args.iter().all(|a| matches!(a, Const(_))) {
                    let vals: Vec<Number> = args.iter().filter_map(c).collect();
                    if let Ok(v) = exact_builtin(*f, &vals) {
                        return Const(v);
                    }
                }
                Call(*f, args)
            }
            Piecewise(pieces, otherwise) => Piecewise(
                pieces.iter().map(|(c, v)| (c.clone(), v.fold())).collect(),
                Box::new(otherwise.fold()),
            ),
            Apply(f, arg) => Apply(f.clone(), Box::new(arg.fold())),
        }
    }
}

impl Cond {
    fn mentions_var(&self) -> bool {
        match self {
            Cond::Cmp(first, rest) => {
                first.mentions_var() || rest.iter().any(|(_, e)| e.mentions_var())
            }
            Cond::And(a, b) | Cond::Or(a, b) => a.mentions_var() || b.mentions_var(),
            Cond::Not(a) => a.mentions_var(),
        }
    }

    fn substitute(&self, with: &FExpr) -> Cond {
        match self {
            Cond::Cmp(first, rest) => Cond::Cmp(
                Box::new(first.substitute(with)),
                rest.iter()
                    .map(|(op, e)| (*op, e.substitute(with)))
                    .collect(),
            ),
            Cond::And(a, b) => {
                Cond::And(Box::new(a.substitute(with)), Box::new(b.substitute(with)))
            }
            Cond::Or(a, b) => Cond::Or(Box::new(a.substitute(with)), Box::new(b.substitute(with))),
            Cond::Not(a) => Cond::Not(Box::new(a.substitute(with))),
        }
    }
}

/// The preimages under `arg` (mapped to the outer variable) of a built-in's
/// breakpoints `points`; an argument that is not linear makes the structure
/// irregular.
fn breaks_through(
    arg: Option<&FExpr>,
    points: impl Iterator<Item = Number>,
    outer: &Affine,
    set: &mut BreakSet,
    s: &mut Structure,
) {
    let mut points = points.peekable();
    if points.peek().is_none() {
        return;
    }
    match arg.and_then(FExpr::linear) {
        Some(l) => {
            for p in points {
                if let Some(q) = l.preimage(&p).and_then(|q| outer.preimage(&q)) {
                    set.insert(q);
                }
            }
        }
        None => s.irregular = true,
    }
}

/// A smooth built-in's exact value at `x`, its domain errors, or `None`
/// (then the value is a float).
fn smooth_exact(s: &Smooth, x: &Number) -> Result<Option<Number>, ArithError> {
    if let Some(d) = &s.domain {
        if let Some((message, hint)) = d.zero {
            if x.is_zero() {
                return Err(ArithError::advised(message, hint));
            }
        }
        if let Some((what, hint)) = d.negative {
            if x.is_negative() {
                return Err(ArithError::advised(format!("{what} ({x})"), hint));
            }
        }
    }
    if !x.is_exact() {
        return Ok(None);
    }
    Ok(match s.exact {
        Exact::At(points) => points
            .iter()
            .find(|(at, _)| x.num_eq(&at.to_number()))
            .map(|(_, v)| v.to_number()),
        Exact::Root => {
            let back = Number::from_f64_integer(x.to_f64().sqrt());
            (back.is_exact() && back.mul(&back).num_eq(x)).then_some(back)
        }
    })
}

/// A built-in on exact arguments: exact where the result is rational.
pub fn exact_builtin(f: Builtin, args: &[Number]) -> Result<Number, ArithError> {
    let x = args.first().cloned().unwrap_or_else(Number::zero);
    let exact = match f.spec().shape {
        Shape::Smooth(s) if args.len() == 1 => smooth_exact(&s, &x)?,
        Shape::Smooth(_) => None,
        Shape::Pieces(pieces) => {
            // 0 outside the pieces; NaN (no comparison) goes to the float
            // path, which reports it.
            let mut v = Some(Number::zero());
            for p in pieces {
                match p.holds_exact(&x) {
                    Some(true) => {
                        v = Some(p.eval_exact(&x));
                        break;
                    }
                    Some(false) => {}
                    None => {
                        v = None;
                        break;
                    }
                }
            }
            v
        }
        Shape::Integer(round) => x.as_rational().map(|r| {
            Number::Exact(match round {
                Round::Floor => r.floor(),
                Round::Ceil => r.ceil(),
            })
        }),
        Shape::Extreme(pick) => {
            let mut best = x.clone();
            for a in &args[1..] {
                let better = match a.partial_cmp_num(&best) {
                    Some(o) => (pick == Pick::Min && o.is_lt()) || (pick == Pick::Max && o.is_gt()),
                    None => false,
                };
                if better {
                    best = a.clone();
                }
            }
            Some(best)
        }
        Shape::Delta => {
            return Err(ArithError::Domain(
                "delta has no value at a point; use it inside conv: d(t) = delta(t - a), then conv(f, d)".into(),
            ))
        }
    };
    if let Some(v) = exact {
        return Ok(v);
    }
    let vals: Vec<f64> = args.iter().map(Number::to_f64).collect();
    let v = f.apply(&vals);
    if v.is_nan() {
        let message = format!(
            "{}({}) is not a real number",
            f.name(),
            vals.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Err(ArithError::advised(message, f.domain_advice()));
    }
    if v.is_infinite() && vals.iter().all(|x| x.is_finite()) {
        crate::value::number::notes::record(format!(
            "{}({}) is beyond the largest float (about 1.8·10^308) and shows as {}",
            f.name(),
            args.iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if v > 0.0 { "inf" } else { "-inf" }
        ));
    }
    Ok(Number::Float(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> FExpr {
        FExpr::Var
    }
    fn k(n: i64) -> FExpr {
        FExpr::Const(Number::int(n))
    }
    fn cmp(a: FExpr, op: CmpOp, b: FExpr) -> (CmpOp, FExpr, FExpr) {
        (op, a, b)
    }
    fn chain(lo: FExpr, op1: CmpOp, op2: CmpOp, hi: FExpr) -> Cond {
        Cond::Cmp(Box::new(lo), vec![(op1, t()), (op2, hi)])
    }

    fn triangle() -> Function {
        let _ = cmp(t(), CmpOp::Lt, k(1));
        Function::expr(
            Some("g".into()),
            "t",
            FExpr::Piecewise(
                vec![
                    (chain(k(0), CmpOp::Le, CmpOp::Lt, k(1)), t()),
                    (
                        chain(k(1), CmpOp::Le, CmpOp::Le, k(2)),
                        FExpr::Sub(Box::new(k(2)), Box::new(t())),
                    ),
                ],
                Box::new(k(0)),
            ),
        )
    }

    #[test]
    fn triangle_structure() {
        let g = triangle();
        let s = g.structure();
        let b: Vec<f64> = s.breaks.iter().map(Number::to_f64).collect();
        assert_eq!(b, vec![0.0, 1.0, 2.0]);
        assert_eq!(g.support(), (0.0, 2.0));
        assert_eq!(g.eval(0.5), 0.5);
        assert_eq!(g.eval(1.5), 0.5);
        assert_eq!(g.eval(2.5), 0.0);
        assert!(g.overlapping_pieces().is_empty());
    }

    #[test]
    fn step_times_exp_has_half_line_support() {
        let e = Function::expr(
            None,
            "t",
            FExpr::Mul(
                Box::new(FExpr::Call(Builtin::Exp, vec![FExpr::Neg(Box::new(t()))])),
                Box::new(FExpr::Call(Builtin::Step, vec![t()])),
            ),
        );
        assert_eq!(e.support(), (0.0, f64::INFINITY));
        assert_eq!(e.eval(0.0), 1.0);
        assert_eq!(e.eval(-1000.0), 0.0);
    }

    #[test]
    fn composition_maps_breakpoints() {
        let g = Rc::new(triangle());
        // k(t) = g(0.3 - t): breakpoints at 0.3 - {0, 1, 2}
        let arg = FExpr::Sub(Box::new(FExpr::Const(Number::ratio(3, 10))), Box::new(t()));
        let kf = Function::expr(None, "t", FExpr::Apply(g, Box::new(arg)));
        let b: Vec<String> = kf
            .structure()
            .breaks
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(b, vec!["-1.7", "-0.7", "0.3"]);
        assert_eq!(kf.support(), (-1.7, 0.3));
        let smooth = match &kf.body {
            FnBody::Expr(e) => e.resolve(0.0),
            _ => unreachable!(),
        };
        assert!((smooth.eval(0.1) - 0.2).abs() < 1e-15);
    }

    #[test]
    fn overlapping_pieces_are_found() {
        let f = Function::expr(
            None,
            "t",
            FExpr::Piecewise(
                vec![
                    (chain(k(0), CmpOp::Le, CmpOp::Lt, k(2)), k(1)),
                    (chain(k(1), CmpOp::Le, CmpOp::Lt, k(3)), k(2)),
                ],
                Box::new(k(0)),
            ),
        );
        assert_eq!(f.overlapping_pieces(), vec![(0, 1, 1.0, 2.0)]);
    }

    #[test]
    fn every_builtin_is_listed_once_and_looked_up_by_its_names() {
        let mut names = std::collections::HashSet::new();
        for &b in Builtin::ALL {
            let s = b.spec();
            assert_eq!(b.name(), s.name);
            assert!(names.insert(s.name), "{} is listed twice", s.name);
            assert_eq!(Builtin::lookup(s.name), Some((b, s.args.0, s.args.1)));
            for (alias, _) in s.aliases {
                assert!(names.insert(alias), "{alias} is listed twice");
                assert_eq!(Builtin::lookup(alias), Some((b, s.args.0, s.args.1)));
            }
        }
        assert_eq!(names.len(), BUILTINS.len());
        for (name, b, lo, hi, help) in BUILTINS {
            assert_eq!(Builtin::lookup(name), Some((*b, *lo, *hi)));
            assert!(help.starts_with(name), "help of {name}: {help}");
        }
        assert_eq!(Builtin::lookup("log").map(|x| x.0), Some(Builtin::Ln));
        assert_eq!(Builtin::lookup("nonsense"), None);
    }

    /// Every piecewise-polynomial built-in: well-formed pieces, and its float
    /// value, exact value and resolved polynomial agree.
    #[test]
    fn piecewise_builtins_agree_with_themselves() {
        for &b in Builtin::ALL {
            let Shape::Pieces(pieces) = b.spec().shape else {
                continue;
            };
            for p in pieces {
                assert!(p.from.to_f64() <= p.to.to_f64(), "{}", b.name());
                assert!(p.from.1 >= 0 && p.to.1 >= 0, "{}", b.name());
                assert!(p.c.iter().all(|q| q.1 > 0), "{}", b.name());
            }
            for k in -12..=12 {
                let x = Number::ratio(k, 4);
                let exact = exact_builtin(b, std::slice::from_ref(&x)).unwrap();
                assert!(exact.is_exact(), "{}({x})", b.name());
                assert_eq!(b.apply(&[x.to_f64()]), exact.to_f64(), "{}({x})", b.name());
                // Away from breakpoints, the resolved piece is the same function.
                let y = (k as f64 + 0.5) / 4.0;
                let call = FExpr::Call(b, vec![t()]);
                let smooth = call.resolve(y);
                assert!(!matches!(smooth, FExpr::Call(..)), "{}", b.name());
                assert_eq!(smooth.eval(y), b.apply(&[y]), "{}({y})", b.name());
            }
            assert!(b.apply(&[f64::NAN]).is_nan(), "{}", b.name());
        }
    }

    #[test]
    fn piecewise_builtins_resolve_as_a_textbook_writes_them() {
        let fmt = crate::value::number::NumFmt::default();
        let arg = FExpr::Sub(Box::new(t()), Box::new(k(2)));
        let at = |b: Builtin, x: f64| {
            FExpr::Call(b, vec![arg.clone()])
                .resolve(x)
                .render("t", Style::Text, &fmt)
        };
        assert_eq!(at(Builtin::Tri, 1.5), "1 + t − 2");
        assert_eq!(at(Builtin::Tri, 2.5), "1 − (t − 2)");
        assert_eq!(at(Builtin::Tri, 3.5), "0");
        assert_eq!(at(Builtin::Rect, 2.0), "1");
        assert_eq!(at(Builtin::Abs, 1.0), "−(t − 2)");
        assert_eq!(at(Builtin::Abs, 3.0), "t − 2");
        assert_eq!(at(Builtin::Sign, 1.0), "−1");
        let u = Function::expr(None, "t", FExpr::Call(Builtin::Step, vec![arg.clone()]));
        assert_eq!(u.structure().breaks, vec![Number::int(2)]);
        assert_eq!(u.eval(f64::INFINITY), 1.0);
    }
}

/// How to print an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// For people: `2·t − 1`, `exp(−t)`.
    Text,
    /// For a CAS: `2*t - 1`, `exp(-t)`.
    Cas,
}

impl FExpr {
    /// Print with the variable written as `var` (which may itself be an
    /// expression such as `0.3 − τ`; it is parenthesised where needed).
    pub fn render(&self, var: &str, style: Style, fmt: &crate::value::number::NumFmt) -> String {
        let var_is_atom = var
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        self.render_prec(var, var_is_atom, style, fmt, 0)
    }

    fn render_prec(
        &self,
        var: &str,
        var_atom: bool,
        style: Style,
        fmt: &crate::value::number::NumFmt,
        parent: u8,
    ) -> String {
        let (times, minus) = match style {
            Style::Text => ("·", "−"),
            Style::Cas => ("*", "-"),
        };
        // precedence: 1 add/sub, 2 mul/div, 3 unary minus, 4 pow, 5 atom
        let wrap = |s: String, mine: u8| if mine < parent { format!("({s})") } else { s };
        let num = |n: &Number| {
            let s = n.format(fmt);
            let s = if style == Style::Text {
                s.replace('-', "−")
            } else {
                s
            };
            if n.is_negative() || s.contains('/') || s.contains('e') {
                (s, 3)
            } else {
                (s, 5)
            }
        };
        match self {
            FExpr::Const(n) => {
                let (s, p) = num(n);
                wrap(s, p)
            }
            FExpr::Var => {
                if var_atom {
                    var.to_string()
                } else if parent > 1 {
                    format!("({var})")
                } else {
                    var.to_string()
                }
            }
            FExpr::Neg(a) => wrap(
                format!("{minus}{}", a.render_prec(var, var_atom, style, fmt, 3)),
                3,
            ),
            FExpr::Add(a, b) => {
                let right = b.render_prec(var, var_atom, style, fmt, 1);
                let s = match right.strip_prefix(minus) {
                    Some(rest) if !matches!(**b, FExpr::Add(..) | FExpr::Sub(..)) => {
                        format!(
                            "{} {minus} {rest}",
                            a.render_prec(var, var_atom, style, fmt, 1)
                        )
                    }
                    _ => format!("{} + {right}", a.render_prec(var, var_atom, style, fmt, 1)),
                };
                wrap(s, 1)
            }
            FExpr::Sub(a, b) => wrap(
                format!(
                    "{} {minus} {}",
                    a.render_prec(var, var_atom, style, fmt, 1),
                    b.render_prec(var, var_atom, style, fmt, 2)
                ),
                1,
            ),
            FExpr::Mul(a, b) => wrap(
                format!(
                    "{}{times}{}",
                    a.render_prec(var, var_atom, style, fmt, 2),
                    b.render_prec(var, var_atom, style, fmt, 3)
                ),
                2,
            ),
            FExpr::Div(a, b) => wrap(
                format!(
                    "{}/{}",
                    a.render_prec(var, var_atom, style, fmt, 2),
                    b.render_prec(var, var_atom, style, fmt, 3)
                ),
                2,
            ),
            FExpr::Pow(a, b) => wrap(
                format!(
                    "{}^{}",
                    a.render_prec(var, var_atom, style, fmt, 5),
                    b.render_prec(var, var_atom, style, fmt, 5)
                ),
                4,
            ),
            FExpr::Call(f, args) => {
                let inner: Vec<String> = args
                    .iter()
                    .map(|a| a.render_prec(var, var_atom, style, fmt, 0))
                    .collect();
                format!("{}({})", f.name(), inner.join(", "))
            }
            FExpr::Piecewise(pieces, otherwise) => {
                let mut parts: Vec<String> = pieces
                    .iter()
                    .map(|(c, v)| {
                        format!(
                            "{} if {}",
                            v.render_prec(var, var_atom, style, fmt, 0),
                            c.render(var, style, fmt)
                        )
                    })
                    .collect();
                if !otherwise.is_identically_zero() {
                    parts.push(format!(
                        "{} otherwise",
                        otherwise.render_prec(var, var_atom, style, fmt, 0)
                    ));
                }
                format!("{{ {} }}", parts.join("; "))
            }
            FExpr::Apply(f, arg) => format!(
                "{}({})",
                f.display_name(),
                arg.render_prec(var, var_atom, style, fmt, 0)
            ),
        }
    }
}

impl Cond {
    pub fn render(&self, var: &str, style: Style, fmt: &crate::value::number::NumFmt) -> String {
        match self {
            Cond::Cmp(first, rest) => {
                let mut s = first.render(var, style, fmt);
                for (op, e) in rest {
                    let sym = match (style, op) {
                        (Style::Text, CmpOp::Le) => "≤",
                        (Style::Text, CmpOp::Ge) => "≥",
                        (Style::Text, CmpOp::Ne) => "≠",
                        _ => op.symbol(),
                    };
                    s.push_str(&format!(" {sym} {}", e.render(var, style, fmt)));
                }
                s
            }
            Cond::And(a, b) => format!(
                "{} and {}",
                a.render(var, style, fmt),
                b.render(var, style, fmt)
            ),
            Cond::Or(a, b) => format!(
                "({} or {})",
                a.render(var, style, fmt),
                b.render(var, style, fmt)
            ),
            Cond::Not(a) => format!("not ({})", a.render(var, style, fmt)),
        }
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;
    use crate::value::number::NumFmt;

    #[test]
    fn prints_with_precedence() {
        let fmt = NumFmt::default();
        let e = FExpr::Sub(Box::new(FExpr::Const(Number::int(2))), Box::new(FExpr::Var));
        assert_eq!(e.render("t", Style::Text, &fmt), "2 − t");
        assert_eq!(e.render("t", Style::Cas, &fmt), "2 - t");
        assert_eq!(FExpr::Var.render("0.3 − τ", Style::Text, &fmt), "0.3 − τ");
        let prod = FExpr::Mul(Box::new(FExpr::Const(Number::int(1))), Box::new(FExpr::Var));
        assert_eq!(prod.render("0.3 − τ", Style::Text, &fmt), "1·(0.3 − τ)");
        let p = FExpr::Div(
            Box::new(FExpr::Pow(
                Box::new(FExpr::Var),
                Box::new(FExpr::Const(Number::int(2))),
            )),
            Box::new(FExpr::Const(Number::int(2))),
        );
        assert_eq!(p.render("t", Style::Cas, &fmt), "t^2/2");
        let ex = FExpr::Call(Builtin::Exp, vec![FExpr::Neg(Box::new(FExpr::Var))]);
        assert_eq!(ex.render("t", Style::Cas, &fmt), "exp(-t)");
    }
}
