//! exact(conv(f, g)): closed forms.

use crate::engine::continuous::Op;
use crate::eval::{err, Ctx, EvalResult};
use crate::render::doc::Doc;
use crate::session::Session;
use crate::syntax::ast::{Arg, Expr};
use crate::syntax::span::Span;
use crate::value::function::Function;
use crate::value::number::NumFmt;
use crate::value::Value;

#[derive(Debug)]
pub struct ClosedForm {}

impl ClosedForm {
    pub fn eval(&self, _t: f64) -> Option<f64> {
        None
    }
    pub fn eval_exact_or_f64(&self, _x: f64) -> Option<Value> {
        None
    }
    pub fn doc(&self, _name: &str, _var: &str, _fmt: &NumFmt) -> Doc {
        Doc::new(serde_json::json!({}))
    }
}

pub fn try_closed_form(_op: Op, _f: &Function, _g: &Function) -> Result<ClosedForm, String> {
    Err("not available".into())
}

pub fn exact_call(_ctx: &mut Ctx, _args: &[Arg], span: Span) -> EvalResult<Value> {
    err(span, "not available yet")
}

pub fn steps_exact(
    _session: &mut Session,
    _args: &[Arg],
    _at: Option<&Expr>,
    span: Span,
) -> EvalResult<Doc> {
    err(span, "not available yet")
}
