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

/// Built-in functions of a real variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Exp,
    Ln,
    Sqrt,
    Abs,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Floor,
    Ceil,
    Min,
    Max,
    Sign,
    Step,
    Rect,
    Tri,
    Sinc,
    Gauss,
    Delta,
}

/// Name, arity (min, max) and one-line help of every built-in.
pub const BUILTINS: &[(&str, Builtin, usize, usize, &str)] = &[
    ("exp", Builtin::Exp, 1, 1, "exp(x): e to the power x"),
    ("ln", Builtin::Ln, 1, 1, "ln(x): natural logarithm (x > 0)"),
    (
        "log",
        Builtin::Ln,
        1,
        1,
        "log(x): natural logarithm, same as ln (as in numpy)",
    ),
    ("sqrt", Builtin::Sqrt, 1, 1, "sqrt(x): square root (x ≥ 0)"),
    ("abs", Builtin::Abs, 1, 1, "abs(x): |x|, kinks at 0"),
    ("sin", Builtin::Sin, 1, 1, "sin(x), x in radians"),
    ("cos", Builtin::Cos, 1, 1, "cos(x), x in radians"),
    ("tan", Builtin::Tan, 1, 1, "tan(x), x in radians"),
    ("sinh", Builtin::Sinh, 1, 1, "sinh(x): hyperbolic sine"),
    ("cosh", Builtin::Cosh, 1, 1, "cosh(x): hyperbolic cosine"),
    ("tanh", Builtin::Tanh, 1, 1, "tanh(x): hyperbolic tangent"),
    (
        "floor",
        Builtin::Floor,
        1,
        1,
        "floor(x): largest integer ≤ x, jumps at integers",
    ),
    (
        "ceil",
        Builtin::Ceil,
        1,
        1,
        "ceil(x): smallest integer ≥ x, jumps at integers",
    ),
    (
        "min",
        Builtin::Min,
        2,
        8,
        "min(x, y, …): the smallest argument",
    ),
    (
        "max",
        Builtin::Max,
        2,
        8,
        "max(x, y, …): the largest argument",
    ),
    ("sign", Builtin::Sign, 1, 1, "sign(x): −1, 0 or 1"),
    (
        "u",
        Builtin::Step,
        1,
        1,
        "u(t): unit step, 1 for t ≥ 0 (u(0) = 1), else 0",
    ),
    (
        "rect",
        Builtin::Rect,
        1,
        1,
        "rect(t): 1 on [−1/2, 1/2), else 0",
    ),
    ("tri", Builtin::Tri, 1, 1, "tri(t): max(0, 1 − |t|)"),
    (
        "sinc",
        Builtin::Sinc,
        1,
        1,
        "sinc(t): sin(πt)/(πt), sinc(0) = 1",
    ),
    (
        "gauss",
        Builtin::Gauss,
        2,
        2,
        "gauss(t, σ): normal density with mean 0 and standard deviation σ",
    ),
    (
        "delta",
        Builtin::Delta,
        1,
        1,
        "delta(t): Dirac delta, meaningful inside conv: d(t) = delta(t - a); conv(f, d) shifts f by a",
    ),
];

impl Builtin {
    pub fn lookup(name: &str) -> Option<(Builtin, usize, usize)> {
        BUILTINS
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, b, lo, hi, _)| (*b, *lo, *hi))
    }

    pub fn name(self) -> &'static str {
        BUILTINS
            .iter()
            .find(|(_, b, ..)| *b == self)
            .map(|(n, ..)| *n)
            .unwrap_or("?")
    }

    /// Evaluate on floats. Domain errors give NaN (the caller reports them).
    pub fn apply(self, args: &[f64]) -> f64 {
        let x = args.first().copied().unwrap_or(f64::NAN);
        match self {
            Builtin::Exp => x.exp(),
            Builtin::Ln => x.ln(),
            Builtin::Sqrt => x.sqrt(),
            Builtin::Abs => x.abs(),
            Builtin::Sin => x.sin(),
            Builtin::Cos => x.cos(),
            Builtin::Tan => x.tan(),
            Builtin::Sinh => x.sinh(),
            Builtin::Cosh => x.cosh(),
            Builtin::Tanh => x.tanh(),
            Builtin::Floor => x.floor(),
            Builtin::Ceil => x.ceil(),
            Builtin::Min => args.iter().copied().fold(f64::INFINITY, f64::min),
            Builtin::Max => args.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Builtin::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Builtin::Step => {
                if x >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Builtin::Rect => {
                if (-0.5..0.5).contains(&x) {
                    1.0
                } else {
                    0.0
                }
            }
            Builtin::Tri => (1.0 - x.abs()).max(0.0),
            Builtin::Sinc => {
                if x == 0.0 {
                    1.0
                } else {
                    let px = std::f64::consts::PI * x;
                    px.sin() / px
                }
            }
            Builtin::Gauss => {
                let sigma = args.get(1).copied().unwrap_or(f64::NAN);
                let z = x / sigma;
                (-0.5 * z * z).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt())
            }
            // A delta has no value at a point; functions that contain one are
            // split into a regular part and point masses before evaluation.
            Builtin::Delta => 0.0,
        }
    }

    /// What to do when this built-in gives no real number.
    pub fn domain_advice(self) -> &'static str {
        match self {
            Builtin::Sqrt => "sqrt is real for x ≥ 0 only; sqrt(abs(x)) gives the magnitude",
            Builtin::Ln => "ln is defined for x > 0 only",
            Builtin::Gauss => "the width σ (second argument) must be positive, e.g. gauss(t, 0.5)",
            _ => "an argument is outside the function's domain or not a number (NaN); check the inputs",
        }
    }

    /// Points (in the argument) where this built-in jumps or kinks.
    fn own_breaks(self) -> &'static [f64] {
        match self {
            Builtin::Abs | Builtin::Sign | Builtin::Step | Builtin::Sqrt | Builtin::Ln => &[0.0],
            Builtin::Rect => &[-0.5, 0.5],
            Builtin::Tri => &[-1.0, 0.0, 1.0],
            _ => &[],
        }
    }
}

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
            FExpr::Call(Builtin::Delta, _) => true,
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
                let own = f.own_breaks();
                let needs_linear = !own.is_empty()
                    || matches!(
                        f,
                        Builtin::Floor | Builtin::Ceil | Builtin::Min | Builtin::Max
                    );
                if !needs_linear {
                    return;
                }
                match f {
                    Builtin::Min | Builtin::Max => {
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
                    _ => match args.first().and_then(FExpr::linear) {
                        Some(l) => {
                            if matches!(f, Builtin::Floor | Builtin::Ceil) {
                                if !l.a.is_zero() {
                                    // inner(t) = a·t + b with t = outer⁻¹: fold the outer map.
                                    let a_total = l.a.to_f64() / outer.a.to_f64();
                                    let b_total = l.b.to_f64() - a_total * outer.b.to_f64();
                                    s.integer_families.push((a_total, b_total));
                                }
                            } else {
                                for p in own {
                                    let p = exact_break(*p);
                                    if let Some(q) = l.preimage(&p).and_then(|q| outer.preimage(&q))
                                    {
                                        set.insert(q);
                                    }
                                }
                            }
                        }
                        None => s.irregular = true,
                    },
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
                let one = || FExpr::Const(Number::one());
                let zero = || FExpr::Const(Number::zero());
                match f {
                    Builtin::Step => {
                        if x >= 0.0 {
                            one()
                        } else {
                            zero()
                        }
                    }
                    Builtin::Rect => {
                        if (-0.5..0.5).contains(&x) {
                            one()
                        } else {
                            zero()
                        }
                    }
                    Builtin::Sign => FExpr::Const(Number::int(if x > 0.0 {
                        1
                    } else if x < 0.0 {
                        -1
                    } else {
                        0
                    })),
                    Builtin::Abs => {
                        if x >= 0.0 {
                            args[0].clone()
                        } else {
                            FExpr::Neg(Box::new(args[0].clone()))
                        }
                    }
                    Builtin::Tri => {
                        if x <= -1.0 || x >= 1.0 {
                            zero()
                        } else if x < 0.0 {
                            FExpr::Add(Box::new(one()), Box::new(args[0].clone()))
                        } else {
                            FExpr::Sub(Box::new(one()), Box::new(args[0].clone()))
                        }
                    }
                    Builtin::Floor => FExpr::Const(Number::from_f64_integer(x.floor())),
                    Builtin::Ceil => FExpr::Const(Number::from_f64_integer(x.ceil())),
                    Builtin::Min | Builtin::Max => {
                        let vals: Vec<f64> = args.iter().map(|a| a.eval(t)).collect();
                        let pick = if *f == Builtin::Min {
                            vals.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1))
                        } else {
                            vals.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))
                        };
                        pick.map(|(i, _)| args[i].clone()).unwrap_or_else(zero)
                    }
                    _ => FExpr::Call(*f, args),
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
                if *f != Builtin::Delta && args.iter().all(|a| matches!(a, Const(_))) {
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

/// Breakpoints of built-ins as exact rationals.
fn exact_break(p: f64) -> Number {
    if p == 0.5 {
        Number::ratio(1, 2)
    } else if p == -0.5 {
        Number::ratio(-1, 2)
    } else {
        Number::from_f64_integer(p)
    }
}

/// A built-in on exact arguments: exact where the result is rational.
pub fn exact_builtin(f: Builtin, args: &[Number]) -> Result<Number, ArithError> {
    let x = args.first().cloned().unwrap_or_else(Number::zero);
    let exact_int = |v: i64| Number::int(v);
    Ok(match f {
        Builtin::Abs => x.abs(),
        Builtin::Sign => exact_int(if x.is_zero() {
            0
        } else if x.is_negative() {
            -1
        } else {
            1
        }),
        Builtin::Step => exact_int(if x.is_negative() { 0 } else { 1 }),
        Builtin::Rect => {
            let half = Number::ratio(1, 2);
            let inside = x.partial_cmp_num(&half.neg()).is_some_and(|o| o.is_ge())
                && x.partial_cmp_num(&half).is_some_and(|o| o.is_lt());
            exact_int(inside as i64)
        }
        Builtin::Tri => {
            let v = Number::one().sub(&x.abs());
            if v.is_negative() {
                Number::zero()
            } else {
                v
            }
        }
        Builtin::Floor | Builtin::Ceil if x.is_exact() => {
            let r = x.as_rational().cloned().unwrap_or_default();
            let v = if f == Builtin::Floor {
                r.floor()
            } else {
                r.ceil()
            };
            Number::Exact(v)
        }
        Builtin::Min | Builtin::Max => {
            let mut best = x.clone();
            for a in &args[1..] {
                let better = match a.partial_cmp_num(&best) {
                    Some(o) => (f == Builtin::Min && o.is_lt()) || (f == Builtin::Max && o.is_gt()),
                    None => false,
                };
                if better {
                    best = a.clone();
                }
            }
            best
        }
        Builtin::Sqrt if x.is_exact() => {
            if x.is_negative() {
                return Err(ArithError::advised(
                    format!("sqrt of a negative number ({x})"),
                    "convolab computes with real numbers; sqrt(abs(x)) gives the magnitude",
                ));
            }
            let f = x.to_f64().sqrt();
            let back = Number::from_f64_integer(f);
            if back.is_exact() && back.mul(&back).num_eq(&x) {
                back
            } else {
                Number::Float(f)
            }
        }
        Builtin::Exp if x.is_zero() => Number::one(),
        Builtin::Sin | Builtin::Tan | Builtin::Sinh | Builtin::Tanh
            if x.is_zero() && x.is_exact() =>
        {
            Number::zero()
        }
        Builtin::Cos | Builtin::Cosh if x.is_zero() && x.is_exact() => Number::one(),
        Builtin::Ln if x.is_one() && x.is_exact() => Number::zero(),
        Builtin::Sinc if x.is_zero() => Number::one(),
        Builtin::Ln if !x.is_negative() && x.is_zero() => {
            return Err(ArithError::advised(
                "ln(0) is −∞",
                "ln is defined for positive numbers only; inside a function, guard it with a piece condition such as `t > 0`",
            ));
        }
        Builtin::Ln if x.is_negative() => {
            return Err(ArithError::advised(
                format!("ln of a negative number ({x})"),
                "ln is defined for positive numbers only; ln(abs(x)) gives the logarithm of the magnitude",
            ));
        }
        Builtin::Delta => {
            return Err(ArithError::Domain(
                "delta has no value at a point; use it inside conv: d(t) = delta(t - a), then conv(f, d)".into(),
            ))
        }
        _ => {
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
                    args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "),
                    if v > 0.0 { "inf" } else { "-inf" }
                ));
            }
            Number::Float(v)
        }
    })
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
