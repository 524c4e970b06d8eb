//! Statements and expressions → values.
//!
//! The evaluator resolves names, applies arithmetic with the language's
//! rules (exact rationals, sequences aligned by index, functions composed),
//! and hands convolutions to the pure engines in `crate::engine`.
//!
//! # Conventions
//! * **Letters in literals.** Inside a `[ … ]` literal a bare name is a
//!   symbol unless it names a user-defined scalar, whose value is used (with
//!   a warning when the literal also has letters). So the textbook's `e` in
//!   `[a, b, c, d; e, f, g, h]` is a letter, not 2.718…; `exp(1)` is the
//!   number. Outside literals an unknown name is an error.
//! * **Numbers.** Literals are exact rationals; `exact off` turns them into
//!   floats as they are read ([`Ctx::exactness`]).

pub mod calls;
pub mod compile;
pub mod computed;
pub mod continuous;
pub mod discrete;
pub mod env;
pub mod exact;
pub mod limits;
pub mod ops;

use std::rc::Rc;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::syntax::ast::{BinOp, Expr, ExprKind, LogicOp, UnOp};
use crate::syntax::span::Span;
use crate::value::array::BinaryOp;
use crate::value::function::{FExpr, Function};
use crate::value::number::{ArithError, NumFmt, Number};
use crate::value::ring::Ring;
use crate::value::{Elems, Matrix, Scalar, Sequence, Value};

pub use crate::interrupt::Interrupt;
pub use env::{Binding, Env};

/// Every evaluation error carries a diagnostic with a span.
pub type EvalResult<T> = Result<T, Box<Diagnostic>>;

/// Build an error at `span`.
pub fn err<T>(span: Span, message: impl Into<String>) -> EvalResult<T> {
    Err(Box::new(Diagnostic::error(message, Some(span))))
}

/// Build an error at `span` with a hint.
pub fn err_hint<T>(
    span: Span,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> EvalResult<T> {
    Err(Box::new(
        Diagnostic::error(message, Some(span)).with_hint(hint),
    ))
}

/// Ctrl-C as an evaluation error: `interrupt.check(span)?` in a long loop.
pub trait CheckInterrupt {
    /// An error at `span` when Ctrl-C was pressed.
    fn check(&self, span: Span) -> EvalResult<()>;
}

impl CheckInterrupt for Interrupt {
    fn check(&self, span: Span) -> EvalResult<()> {
        if self.is_set() {
            Err(Box::new(interrupted(span)))
        } else {
            Ok(())
        }
    }
}

/// An error when Ctrl-C was pressed, for code without a [`Ctx`]: reads the
/// flag the session installed for this statement (see `crate::interrupt`).
pub fn check_cancel(span: Span) -> EvalResult<()> {
    if crate::interrupt::requested() {
        Err(Box::new(interrupted(span)))
    } else {
        Ok(())
    }
}

pub fn interrupted(span: Span) -> Diagnostic {
    Diagnostic::interrupted(span)
}

/// The message for an arithmetic failure at `span`.
pub fn arith(span: Span, e: ArithError) -> Box<Diagnostic> {
    let d = Diagnostic::error(e.to_string(), Some(span));
    Box::new(match e {
        ArithError::DivisionByZero => d.with_label("this divides by zero"),
        ArithError::Domain(_) => d,
        ArithError::Advised { hint, .. } => d.with_hint(hint),
    })
}

/// What an expression evaluation can see.
pub struct Ctx<'a> {
    pub env: &'a Env,
    pub fmt: NumFmt,
    pub interrupt: &'a Interrupt,
    /// Where `load` reads and `save` writes.
    pub files: &'a dyn crate::files::Files,
    /// Warnings collected along the way (overlapping pieces, accuracy).
    pub warnings: Vec<Diagnostic>,
}

pub fn constant_value(name: &str) -> Option<Number> {
    match name {
        "pi" => Some(Number::Float(std::f64::consts::PI)),
        "e" => Some(Number::Float(std::f64::consts::E)),
        "inf" => Some(Number::Float(f64::INFINITY)),
        _ => None,
    }
}

impl<'a> Ctx<'a> {
    pub fn new(
        env: &'a Env,
        fmt: NumFmt,
        interrupt: &'a Interrupt,
        files: &'a dyn crate::files::Files,
    ) -> Ctx<'a> {
        Ctx {
            env,
            fmt,
            interrupt,
            files,
            warnings: Vec::new(),
        }
    }

    /// Every name a user might have meant: defined names, built-ins, constants.
    pub fn known_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.env.names().map(str::to_string).collect();
        names.extend(crate::registry::function_names().map(str::to_string));
        names.extend(
            crate::registry::CONSTANTS
                .iter()
                .map(|(n, _)| n.to_string()),
        );
        names
    }

    pub fn unknown_name(&self, name: &str, span: Span) -> Box<Diagnostic> {
        let names = self.known_names();
        let mut d = Diagnostic::error(format!("unknown name '{name}'"), Some(span));
        if matches!(name, "t" | "x" | "τ" | "tau" | "s") {
            return Box::new(
                d.with_label("a variable only exists inside a function definition")
                    .with_hint(format!(
                "define a function first, e.g. `w({name}) = exp(-{name})*u({name})`, then use `w`"
            )),
            );
        }
        match did_you_mean(name, names.iter().map(String::as_str)) {
            Some(s) => d = d.with_label(format!("did you mean '{s}'?")),
            None => {
                d = d.with_label("not defined").with_hint(format!(
                    "define it first (`{name} = …`), or see `vars` for what is defined"
                ))
            }
        }
        Box::new(d)
    }

    pub fn eval(&mut self, e: &Expr) -> EvalResult<Value> {
        self.eval_in(e, false)
    }

    /// `in_literal`: inside `[ … ]`, where bare unknown letters are symbols.
    fn eval_in(&mut self, e: &Expr, in_literal: bool) -> EvalResult<Value> {
        self.interrupt.check(e.span)?;
        match &e.kind {
            ExprKind::Number(n) => Ok(Value::number(self.exactness(n.clone()))),
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::Ident(name) => self.lookup(name, e.span, in_literal),
            ExprKind::Unary { op, operand } => {
                let v = self.eval_in(operand, in_literal)?;
                match op {
                    UnOp::Neg => negate(v, e.span),
                    UnOp::Not => match v {
                        Value::Bool(b) => Ok(Value::Bool(!b)),
                        other => err_hint(
                            operand.span,
                            format!("`not` needs a truth value, not {}", other.kind_name()),
                            "give it a comparison, e.g. `not (t < 1)`",
                        ),
                    },
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.eval_in(lhs, in_literal)?;
                let b = self.eval_in(rhs, in_literal)?;
                self.binary(*op, a, b, lhs.span, rhs.span, e.span)
            }
            ExprKind::Compare { first, rest } => {
                let mut left = self.eval_in(first, in_literal)?;
                let mut left_span = first.span;
                for (op, right_e) in rest {
                    let right = self.eval_in(right_e, in_literal)?;
                    if !compare(*op, &left, &right, left_span, right_e.span)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                    left_span = right_e.span;
                }
                Ok(Value::Bool(true))
            }
            ExprKind::Logic { op, lhs, rhs } => {
                let a = self.truth(lhs)?;
                match (op, a) {
                    (LogicOp::And, false) => Ok(Value::Bool(false)),
                    (LogicOp::Or, true) => Ok(Value::Bool(true)),
                    _ => Ok(Value::Bool(self.truth(rhs)?)),
                }
            }
            ExprKind::Call { func, args } => calls::call(self, func, args, e.span),
            ExprKind::Index { target, indices } => {
                let v = self.eval(target)?;
                self.index(v, target.span, indices, e.span)
            }
            ExprKind::Seq { items, from } => self.seq_literal(items, from.as_deref(), e.span),
            ExprKind::Matrix { rows } => self.matrix_literal(rows, e.span),
            ExprKind::Piecewise { .. } => err_hint(
                e.span,
                "a { … } block defines a function or a sequence, it has no value by itself",
                "write `f(t) = { … }` or `y[n] = { … }`",
            ),
            ExprKind::Range { .. } => err_hint(
                e.span,
                "a range `a..b` is only used after `over` or `at`",
                "e.g. `plot f over -1..3`, `steps conv(a, b) at 2..5`",
            ),
            ExprKind::Tuple(_) => err_hint(
                e.span,
                "a tuple `(i, j)` is only used after `at` for a 2D position",
                "e.g. `steps conv(A, K) at (0, 1)`",
            ),
        }
    }

    fn truth(&mut self, e: &Expr) -> EvalResult<bool> {
        match self.eval(e)? {
            Value::Bool(b) => Ok(b),
            other => err(
                e.span,
                format!(
                    "expected a condition (true/false), found {}",
                    other.kind_name()
                ),
            ),
        }
    }

    /// Literals stay exact unless `exact off`.
    pub fn exactness(&self, n: Number) -> Number {
        if self.fmt.exact {
            n
        } else {
            n.to_float()
        }
    }

    fn lookup(&mut self, name: &str, span: Span, in_literal: bool) -> EvalResult<Value> {
        if let Some(v) = self.env.value(name) {
            if in_literal {
                // Inside a literal only user-defined scalars keep their value;
                // any other name is a letter (see the module doc).
                return Ok(match v {
                    Value::Scalar(_) | Value::Estimate(_) => v.clone(),
                    _ => Value::Scalar(Scalar::symbol(name)),
                });
            }
            return Ok(v.clone());
        }
        if in_literal {
            return Ok(Value::Scalar(Scalar::symbol(name)));
        }
        if let Some(c) = constant_value(name) {
            return Ok(Value::number(c));
        }
        if crate::registry::is_function_name(name) {
            return err_hint(
                span,
                format!("'{name}' is a built-in function; call it with arguments"),
                format!("e.g. `{name}(…)`; `help {name}` explains it"),
            );
        }
        Err(self.unknown_name(name, span))
    }

    fn seq_literal(
        &mut self,
        items: &[Expr],
        from: Option<&Expr>,
        span: Span,
    ) -> EvalResult<Value> {
        if items.is_empty() {
            return err_hint(
                span,
                "an empty sequence has no samples",
                "write at least one value, e.g. `[0]`",
            );
        }
        limits::check_len(items.len(), span)?;
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            match self.eval_in(item, true)? {
                Value::Scalar(s) => values.push(s),
                Value::Estimate(est) => values.push(Scalar::Num(Number::Float(est.value))),
                other => {
                    return err_hint(
                        item.span,
                        format!(
                            "a sequence entry must be a number or a letter, not {}",
                            other.kind_name()
                        ),
                        "to join sequences, add them (`a + shift(b, 3)`)",
                    )
                }
            }
        }
        self.warn_scalars_among_letters(items.iter(), &values);
        let start = match from {
            None => 0,
            Some(f) => {
                let start = self
                    .integer(f, "the start index after `from`")
                    .map_err(|d| {
                        whole_number_hint(d, "indices are whole numbers, e.g. `[1, 2] from -1`")
                    })?;
                limits::check_indices(i128::from(start), values.len(), f.span)?
            }
        };
        Ok(Value::Sequence(Sequence::from_scalars(start, values)))
    }

    /// A literal that mixes letters with the name of a defined scalar: the
    /// scalar's value is used (see the module doc), which surprises when the
    /// letter was meant (`h = 0.25` then `[e, f, g, h]`). Say so.
    fn warn_scalars_among_letters<'e>(
        &mut self,
        items: impl Iterator<Item = &'e Expr>,
        values: &[Scalar],
    ) {
        if !values.iter().any(Scalar::is_symbolic) {
            return;
        }
        for item in items {
            if let ExprKind::Ident(name) = &item.kind {
                let shown = match self.env.value(name) {
                    Some(Value::Scalar(s)) => Some(s.format(&self.fmt)),
                    Some(Value::Estimate(e)) => Some(crate::value::number::format_float(
                        e.value,
                        self.fmt.precision,
                    )),
                    _ => None,
                };
                if let Some(shown) = shown {
                    self.warnings.push(
                        Diagnostic::warning(format!("'{name}' here is the scalar {name} = {shown}, not the letter {name}"), Some(item.span))
                            .with_hint(format!("to use the letter, `clear {name}` first or give the scalar another name")),
                    );
                }
            }
        }
    }

    fn matrix_literal(&mut self, rows: &[Vec<Expr>], span: Span) -> EvalResult<Value> {
        let cols = rows.first().map_or(0, Vec::len);
        if rows.is_empty() || cols == 0 {
            return err(span, "an empty matrix has no entries");
        }
        limits::check_len(rows.len().saturating_mul(cols), span)?;
        let mut values = Vec::with_capacity(rows.len() * cols);
        for (r, row) in rows.iter().enumerate() {
            if row.len() != cols {
                let row_span = row
                    .first()
                    .zip(row.last())
                    .map(|(a, b)| a.span.to(b.span))
                    .unwrap_or(span);
                return err_hint(
                    row_span,
                    format!("row {} has {} entries but row 0 has {cols}", r, row.len()),
                    "every row of a matrix needs the same number of entries",
                );
            }
            for item in row {
                match self.eval_in(item, true)? {
                    Value::Scalar(s) => values.push(s),
                    Value::Estimate(est) => values.push(Scalar::Num(Number::Float(est.value))),
                    other => {
                        return err(
                            item.span,
                            format!(
                                "a matrix entry must be a number or a letter, not {}",
                                other.kind_name()
                            ),
                        )
                    }
                }
            }
        }
        self.warn_scalars_among_letters(rows.iter().flatten(), &values);
        Ok(Value::Matrix(Matrix::new(
            rows.len(),
            cols,
            Elems::from_scalars(values),
        )))
    }

    /// An integer argument (index, count, start).
    pub fn integer(&mut self, e: &Expr, what: &str) -> EvalResult<i64> {
        let v = self.eval(e)?;
        value_integer(&v, e.span, what)
    }

    /// A real number argument.
    pub fn real(&mut self, e: &Expr, what: &str) -> EvalResult<Number> {
        let v = self.eval(e)?;
        match v.as_number() {
            Some(n) => Ok(n),
            None => err_hint(
                e.span,
                format!("{what} must be a number, not {}", v.kind_name()),
                "write a number or an expression giving one, e.g. 2, -1/2 or pi",
            ),
        }
    }

    fn index(
        &mut self,
        v: Value,
        target_span: Span,
        indices: &[Expr],
        span: Span,
    ) -> EvalResult<Value> {
        match v {
            Value::Sequence(s) => {
                if indices.len() != 1 {
                    return err(
                        span,
                        format!("a sequence takes one index, not {}", indices.len()),
                    );
                }
                let n = self.integer(&indices[0], "an index")?;
                if s.is_empty() || n < s.start || n >= s.end() {
                    let range = if s.is_empty() {
                        "it has no samples".to_string()
                    } else {
                        format!("it has samples at n = {}…{}", s.start, s.end() - 1)
                    };
                    return Err(Box::new(
                        Diagnostic::error(
                            format!("index {n} is outside the sequence"),
                            Some(indices[0].span),
                        )
                        .with_label(range)
                        .with_hint(
                            "outside its samples a sequence is zero; index within the range shown",
                        ),
                    ));
                }
                let i = (n - s.start) as usize;
                Ok(match &s.elems {
                    Elems::Complex(z) => Value::Complex(z[i]),
                    other => Value::Scalar(other.get(i).unwrap_or_else(Scalar::zero)),
                })
            }
            Value::Matrix(m) => {
                if indices.len() != 2 {
                    return err_hint(
                        span,
                        format!("a matrix takes two indices, not {}", indices.len()),
                        "write A[row, column], counting from 0",
                    );
                }
                let r = self.integer(&indices[0], "a row index")?;
                let c = self.integer(&indices[1], "a column index")?;
                if r < 0 || r as usize >= m.rows {
                    return err_hint(
                        indices[0].span,
                        format!("row {r} is outside the {}×{} matrix", m.rows, m.cols),
                        format!("rows count from 0 to {}", m.rows - 1),
                    );
                }
                if c < 0 || c as usize >= m.cols {
                    return err_hint(
                        indices[1].span,
                        format!("column {c} is outside the {}×{} matrix", m.rows, m.cols),
                        format!("columns count from 0 to {}", m.cols - 1),
                    );
                }
                let i = r as usize * m.cols + c as usize;
                Ok(match &m.elems {
                    Elems::Complex(z) => Value::Complex(z[i]),
                    other => Value::Scalar(other.get(i).unwrap_or_else(Scalar::zero)),
                })
            }
            Value::Function(f) => err_hint(
                target_span,
                format!(
                    "{} is a function; evaluate it with ( ), not [ ]",
                    f.display_name()
                ),
                format!("e.g. `{}(0.5)`", f.display_name()),
            ),
            other => err(
                target_span,
                format!("{} cannot be indexed", other.kind_name()),
            ),
        }
    }

    pub fn binary(
        &mut self,
        op: BinOp,
        a: Value,
        b: Value,
        sa: Span,
        sb: Span,
        span: Span,
    ) -> EvalResult<Value> {
        use Value::*;
        if op == BinOp::MatMul {
            return calls::matmul(self, a, b, sa, sb, span);
        }
        if op == BinOp::Pow {
            return self.power(a, b, sa, sb, span);
        }
        let aop = match op {
            BinOp::Add => BinaryOp::Add,
            BinOp::Sub => BinaryOp::Sub,
            BinOp::Mul => BinaryOp::Mul,
            BinOp::Div => BinaryOp::Div,
            BinOp::Pow | BinOp::MatMul => unreachable!("handled above"),
        };
        match (a, b) {
            (Estimate(x), Estimate(y)) => estimate_op(aop, x, y, span),
            (Estimate(x), Scalar(crate::value::Scalar::Num(n))) => {
                estimate_op(aop, x, exact_estimate(n.to_f64()), span)
            }
            (Scalar(crate::value::Scalar::Num(n)), Estimate(y)) => {
                estimate_op(aop, exact_estimate(n.to_f64()), y, span)
            }
            (Scalar(x), Scalar(y)) => aop
                .apply_scalar(&x, &y)
                .map(Scalar)
                .map_err(|e| arith(sb, e)),
            (x, y) if matches!(x, Complex(_)) || matches!(y, Complex(_)) => {
                let l = as_complex(&x, sa)?;
                let r = as_complex(&y, sb)?;
                Ok(Complex(match aop {
                    BinaryOp::Add => l + r,
                    BinaryOp::Sub => l - r,
                    BinaryOp::Mul => l * r,
                    BinaryOp::Div => l / r,
                }))
            }
            (Sequence(x), Sequence(y)) => {
                limits::check_aligned(&x, &y, span)?;
                x.aligned(&y, aop).map(Sequence).map_err(|e| arith(span, e))
            }
            (Sequence(x), Scalar(s)) => {
                map_elems_seq(x, |v| aop.apply_scalar(v, &s)).map_err(|e| arith(sb, e))
            }
            (Scalar(s), Sequence(y)) => {
                map_elems_seq(y, |v| aop.apply_scalar(&s, v)).map_err(|e| arith(span, e))
            }
            (Sequence(x), Estimate(e)) => {
                let s = crate::value::Scalar::Num(Number::Float(e.value));
                map_elems_seq(x, |v| aop.apply_scalar(v, &s)).map_err(|e| arith(sb, e))
            }
            (Matrix(x), Matrix(y)) => {
                if x.rows != y.rows || x.cols != y.cols {
                    return err_hint(
                        span,
                        format!(
                            "the matrices have different shapes ({}×{} and {}×{})",
                            x.rows, x.cols, y.rows, y.cols
                        ),
                        "entrywise arithmetic needs equal shapes; for a matrix product use @",
                    );
                }
                let elems = x
                    .elems
                    .zip_with(&y.elems, aop)
                    .map_err(|e| arith(span, e))?;
                Ok(Matrix(crate::value::Matrix::new(x.rows, x.cols, elems)))
            }
            (Matrix(x), Scalar(s)) => {
                map_elems_mat(x, |v| aop.apply_scalar(v, &s)).map_err(|e| arith(sb, e))
            }
            (Scalar(s), Matrix(y)) => {
                map_elems_mat(y, |v| aop.apply_scalar(&s, v)).map_err(|e| arith(span, e))
            }
            (Function(f), Function(g)) => Ok(Function(Rc::new(compile::combine(
                aop,
                compile::apply_var(&f),
                compile::apply_var(&g),
                &f.var,
            )))),
            (Function(f), other) if other.as_number().is_some() => {
                let c = FExpr::Const(other.as_number().unwrap_or_else(Number::zero));
                Ok(Function(Rc::new(compile::combine(
                    aop,
                    compile::apply_var(&f),
                    c,
                    &f.var,
                ))))
            }
            (other, Function(f)) if other.as_number().is_some() => {
                let c = FExpr::Const(other.as_number().unwrap_or_else(Number::zero));
                Ok(Function(Rc::new(compile::combine(
                    aop,
                    c,
                    compile::apply_var(&f),
                    &f.var,
                ))))
            }
            (x, y) => err_hint(
                span,
                format!(
                    "cannot apply '{}' to {} and {}",
                    op.symbol(),
                    x.kind_name(),
                    y.kind_name()
                ),
                kind_mismatch_hint(&x, &y),
            ),
        }
    }

    fn power(&mut self, a: Value, b: Value, sa: Span, sb: Span, span: Span) -> EvalResult<Value> {
        let exponent = match b.as_number() {
            Some(n) => n,
            None => {
                return err(
                    sb,
                    format!("an exponent must be a number, not {}", b.kind_name()),
                )
            }
        };
        match a {
            Value::Scalar(Scalar::Num(base)) => base
                .pow(&exponent)
                .map(Value::number)
                .map_err(|e| arith(span, e)),
            Value::Estimate(est) => Ok(Value::float(est.value.powf(exponent.to_f64()))),
            Value::Scalar(Scalar::Sym(p)) => match exponent
                .to_i64()
                .filter(|k| (0..=64).contains(k) && exponent.is_exact())
            {
                Some(k) => {
                    let mut acc = Scalar::one();
                    for _ in 0..k {
                        acc = acc.mul(&Scalar::Sym(p.clone()));
                    }
                    Ok(Value::Scalar(acc))
                }
                None => err_hint(
                    sb,
                    "a symbolic expression can only be raised to a whole power 0…64",
                    "symbols support +, −, · and whole powers",
                ),
            },
            Value::Sequence(s) => map_elems_seq(s, |v| match v {
                Scalar::Num(n) => n.pow(&exponent).map(Scalar::Num),
                Scalar::Sym(_) => Err(ArithError::Domain(
                    "powers of symbolic entries are not supported".into(),
                )),
            })
            .map_err(|e| arith(span, e)),
            Value::Function(f) => Ok(Value::Function(Rc::new(Function::expr(
                None,
                &f.var,
                FExpr::Pow(
                    Box::new(compile::apply_var(&f)),
                    Box::new(FExpr::Const(exponent)),
                ),
            )))),
            other => err(sa, format!("cannot raise {} to a power", other.kind_name())),
        }
    }
}

fn as_complex(v: &Value, span: Span) -> EvalResult<num_complex::Complex64> {
    match v {
        Value::Complex(z) => Ok(*z),
        other => match other.as_number() {
            Some(n) => Ok(num_complex::Complex64::new(n.to_f64(), 0.0)),
            None => err(
                span,
                format!("cannot combine {} with a complex number", other.kind_name()),
            ),
        },
    }
}

fn exact_estimate(v: f64) -> crate::value::Estimate {
    crate::value::Estimate {
        value: v,
        error: 0.0,
        warning: None,
    }
}

fn estimate_op(
    op: BinaryOp,
    x: crate::value::Estimate,
    y: crate::value::Estimate,
    span: Span,
) -> EvalResult<Value> {
    let (a, b) = (x.value, y.value);
    let (value, error) = match op {
        BinaryOp::Add => (a + b, x.error + y.error),
        BinaryOp::Sub => (a - b, x.error + y.error),
        BinaryOp::Mul => (
            a * b,
            a.abs() * y.error + b.abs() * x.error + x.error * y.error,
        ),
        BinaryOp::Div => {
            if b == 0.0 {
                return Err(arith(span, ArithError::DivisionByZero));
            }
            (a / b, (x.error + (a / b).abs() * y.error) / b.abs())
        }
    };
    Ok(Value::Estimate(crate::value::Estimate {
        value,
        error: error + value.abs() * f64::EPSILON,
        warning: x.warning.or(y.warning),
    }))
}

fn kind_mismatch_hint(a: &Value, b: &Value) -> String {
    match (a, b) {
        (Value::Sequence(_), Value::Function(_)) | (Value::Function(_), Value::Sequence(_)) => {
            "to turn a function into a sequence, sample it: `sample(f, 0.25)`".into()
        }
        (Value::Sequence(_), Value::Matrix(_)) | (Value::Matrix(_), Value::Sequence(_)) => {
            "a sequence acts as a column vector only in a matrix product `T @ v`".into()
        }
        _ => "`help arithmetic` shows what combines with what".into(),
    }
}

pub fn negate(v: Value, span: Span) -> EvalResult<Value> {
    Ok(match v {
        Value::Scalar(s) => Value::Scalar(s.neg()),
        Value::Estimate(mut e) => {
            e.value = -e.value;
            Value::Estimate(e)
        }
        Value::Complex(z) => Value::Complex(-z),
        Value::Sequence(s) => map_elems_seq(s, |v| Ok(v.neg())).map_err(|e| arith(span, e))?,
        Value::Matrix(m) => map_elems_mat(m, |v| Ok(v.neg())).map_err(|e| arith(span, e))?,
        Value::Function(f) => Value::Function(Rc::new(Function::expr(
            None,
            &f.var,
            FExpr::Neg(Box::new(compile::apply_var(&f))),
        ))),
        other => return err(span, format!("cannot negate {}", other.kind_name())),
    })
}

pub fn map_elems_seq(
    s: Sequence,
    f: impl Fn(&Scalar) -> Result<Scalar, ArithError>,
) -> Result<Value, ArithError> {
    let elems = map_elems(&s.elems, f)?;
    Ok(Value::Sequence(Sequence::new(s.start, elems)))
}

pub fn map_elems_mat(
    m: Matrix,
    f: impl Fn(&Scalar) -> Result<Scalar, ArithError>,
) -> Result<Value, ArithError> {
    let elems = map_elems(&m.elems, f)?;
    Ok(Value::Matrix(Matrix::new(m.rows, m.cols, elems)))
}

pub fn map_elems(
    e: &Elems,
    f: impl Fn(&Scalar) -> Result<Scalar, ArithError>,
) -> Result<Elems, ArithError> {
    if e.is_complex() {
        return Err(ArithError::Domain(
            "this operation is not defined on complex values".into(),
        ));
    }
    let out = e.scalars().iter().map(f).collect::<Result<Vec<_>, _>>()?;
    Ok(Elems::from_scalars(out))
}

/// Compare two values; numbers only.
fn compare(
    op: crate::syntax::ast::CmpOp,
    a: &Value,
    b: &Value,
    sa: Span,
    sb: Span,
) -> EvalResult<bool> {
    use crate::syntax::ast::CmpOp::*;
    if matches!(op, Eq | Ne) {
        let eq = calls::values_equal(a, b, 0.0).unwrap_or(false);
        return Ok(if op == Eq { eq } else { !eq });
    }
    let (x, y) = match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => (x, y),
        (None, _) => {
            return err(
                sa,
                format!("only numbers can be ordered, not {}", a.kind_name()),
            )
        }
        (_, None) => {
            return err(
                sb,
                format!("only numbers can be ordered, not {}", b.kind_name()),
            )
        }
    };
    let ord = x.partial_cmp_num(&y);
    Ok(match (op, ord) {
        (_, None) => false,
        (Lt, Some(o)) => o.is_lt(),
        (Le, Some(o)) => o.is_le(),
        (Gt, Some(o)) => o.is_gt(),
        (Ge, Some(o)) => o.is_ge(),
        (Eq | Ne, _) => unreachable!("handled above"),
    })
}

/// An integer from a value (exact integers, or floats with no fraction).
/// Add `hint` to a "must be a whole number" error that has none.
pub fn whole_number_hint(d: Box<Diagnostic>, hint: &str) -> Box<Diagnostic> {
    if d.hint.is_none() && d.message.contains("whole number") {
        Box::new((*d).with_hint(hint))
    } else {
        d
    }
}

pub fn value_integer(v: &Value, span: Span, what: &str) -> EvalResult<i64> {
    match v.as_number() {
        Some(n) => match n.to_i64() {
            Some(i) => Ok(i),
            None => err(span, format!("{what} must be a whole number, not {}", n)),
        },
        None => err(
            span,
            format!("{what} must be a whole number, not {}", v.kind_name()),
        ),
    }
}
