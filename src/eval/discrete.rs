//! conv/corr and friends on sequences and matrices.

use crate::eval::{err, Ctx, EvalResult};
use crate::render::doc::Doc;
use crate::session::Session;
use crate::syntax::ast::{Arg, Expr, Ident};
use crate::syntax::span::Span;
use crate::value::array::Sequence;
use crate::value::Value;

pub fn call(_ctx: &mut Ctx, func: &Ident, _args: &[Arg], span: Span) -> EvalResult<Value> {
    err(span, format!("'{}' is not available yet", func.name))
}

pub fn conv_sequences(
    _ctx: &mut Ctx,
    _x: &Sequence,
    _y: &Sequence,
    _op: crate::engine::discrete::Op,
    _mode: crate::engine::discrete::Mode,
    span: Span,
) -> EvalResult<Sequence> {
    err(span, "not available yet")
}

pub fn shape(_session: &mut Session, _target: &Expr, span: Span) -> EvalResult<Doc> {
    err(span, "not available yet")
}

pub fn steps_matvec(
    _session: &mut Session,
    _lhs: &Expr,
    _rhs: &Expr,
    span: Span,
) -> EvalResult<Doc> {
    err(span, "not available yet")
}

pub fn steps_poly(_session: &mut Session, _lhs: &Expr, _rhs: &Expr, span: Span) -> EvalResult<Doc> {
    err(span, "not available yet")
}

pub fn steps_riemann(
    _session: &mut Session,
    _args: &[Arg],
    _at: Option<&Expr>,
    _options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    err(span, "not available yet")
}

pub fn steps_conv(
    _session: &mut Session,
    _func: &Ident,
    _args: &[Arg],
    _at: Option<&Expr>,
    _options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    err(span, "not available yet")
}
