//! Functions computed from other functions, told apart in one place.
//!
//! A function value is either an expression (`FnBody::Expr`) or computed
//! (`FnBody::Computed`): a numeric convolution ([`ConvFn`], which may carry
//! its closed form) or a closed form on its own ([`ClosedFormFn`], from
//! `exact(…)`). `value` stores computed functions behind the `ComputedFn`
//! trait, because it sits below the engine that computes them; this module
//! is the only place that recovers the concrete kind, so every other module
//! matches on [`Computed`] exhaustively.

use std::rc::Rc;

use crate::eval::continuous::ConvFn;
use crate::eval::exact::{ClosedForm, ClosedFormFn};
use crate::value::function::{ComputedFn, FnBody, Function};
use crate::value::Value;

/// The kinds of computed function.
#[derive(Clone, Copy, Debug)]
pub enum Computed<'a> {
    /// `conv(f, g)` / `corr(f, g)` of two functions.
    Conv(&'a ConvFn),
    /// A closed form: `exact(conv(f, g))`.
    ClosedForm(&'a Rc<ClosedForm>),
}

impl<'a> Computed<'a> {
    /// The kind of `c` (`None` only for an implementor this crate does not
    /// define, which cannot happen outside tests).
    pub fn of(c: &'a dyn ComputedFn) -> Option<Computed<'a>> {
        let any = c.as_any();
        if let Some(conv) = any.downcast_ref::<ConvFn>() {
            return Some(Computed::Conv(conv));
        }
        any.downcast_ref::<ClosedFormFn>()
            .map(|cf| Computed::ClosedForm(&cf.0))
    }

    /// The kind of a function value's body, if it is computed.
    pub fn of_function(f: &'a Function) -> Option<Computed<'a>> {
        match &f.body {
            FnBody::Computed(c) => Computed::of(c.as_ref()),
            FnBody::Expr(_) => None,
        }
    }

    /// The kind of a value, if it is a computed function.
    pub fn of_value(v: &'a Value) -> Option<Computed<'a>> {
        match v {
            Value::Function(f) => Computed::of_function(f),
            _ => None,
        }
    }

    /// The convolution, if this is one.
    pub fn conv(self) -> Option<&'a ConvFn> {
        match self {
            Computed::Conv(c) => Some(c),
            Computed::ClosedForm(_) => None,
        }
    }

    /// The closed form: of a closed form itself, or the one a convolution
    /// carries.
    pub fn closed_form(self) -> Option<&'a Rc<ClosedForm>> {
        match self {
            Computed::Conv(c) => c.exact.as_ref(),
            Computed::ClosedForm(cf) => Some(cf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    fn value(s: &mut Session, text: &str) -> Value {
        s.eval_str(text).expect(text)
    }

    #[test]
    fn each_kind_is_recognised() {
        let mut s = Session::new();
        s.run_collect("f(t) = { 1 if 0 <= t < 1 }\ng(t) = { sqrt(t) if 0 <= t < 1 }")
            .expect("definitions");
        // In the closed-form class: a convolution that carries its closed form.
        let v = value(&mut s, "conv(f, f)");
        let k = Computed::of_value(&v).expect("computed");
        assert!(matches!(k, Computed::Conv(_)));
        assert!(k.closed_form().is_some());
        // Outside the class (sqrt): numeric only.
        let v = value(&mut s, "conv(f, g)");
        let k = Computed::of_value(&v).expect("computed");
        assert!(k.conv().is_some() && k.closed_form().is_none());
        // exact(…) is a closed form on its own.
        let v = value(&mut s, "exact(conv(f, f))");
        assert!(matches!(
            Computed::of_value(&v),
            Some(Computed::ClosedForm(_))
        ));
        // A function written as an expression is not computed.
        let v = value(&mut s, "f");
        assert!(Computed::of_value(&v).is_none());
    }
}
