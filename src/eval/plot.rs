//! plot and animate.

use crate::eval::{err, EvalResult};
use crate::render::doc::Doc;
use crate::session::Session;
use crate::syntax::ast::{Arg, Expr, Query, StrLit};
use crate::syntax::span::Span;

pub fn plot(
    _session: &mut Session,
    _items: &[Query],
    _over: Option<&Expr>,
    _to: Option<&StrLit>,
    _options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    err(span, "not available yet")
}

pub fn animate(
    _session: &mut Session,
    _target: &Expr,
    _over: Option<&Expr>,
    _to: &StrLit,
    _options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    err(span, "not available yet")
}
