//! Polynomials in one variable with [`Number`] coefficients: the pieces of
//! piecewise-polynomial functions, integrated exactly.

use crate::value::function::FExpr;
use crate::value::number::{NumFmt, Number};

/// Highest degree handled exactly.
pub const MAX_DEGREE: usize = 40;

/// Coefficients in ascending powers: `c[0] + c[1]·x + …`.
#[derive(Clone, Debug, PartialEq)]
pub struct UniPoly {
    pub c: Vec<Number>,
}

impl UniPoly {
    pub fn constant(n: Number) -> UniPoly {
        UniPoly { c: vec![n] }.trimmed()
    }

    pub fn x() -> UniPoly {
        UniPoly {
            c: vec![Number::zero(), Number::one()],
        }
    }

    pub fn zero() -> UniPoly {
        UniPoly { c: Vec::new() }
    }

    pub fn degree(&self) -> usize {
        self.c.len().saturating_sub(1)
    }

    pub fn is_zero(&self) -> bool {
        self.c.is_empty()
    }

    fn trimmed(mut self) -> UniPoly {
        while self.c.last().is_some_and(Number::is_zero) {
            self.c.pop();
        }
        self
    }

    pub fn add(&self, o: &UniPoly) -> UniPoly {
        let n = self.c.len().max(o.c.len());
        let z = Number::zero();
        UniPoly {
            c: (0..n)
                .map(|i| self.c.get(i).unwrap_or(&z).add(o.c.get(i).unwrap_or(&z)))
                .collect(),
        }
        .trimmed()
    }

    pub fn neg(&self) -> UniPoly {
        UniPoly {
            c: self.c.iter().map(Number::neg).collect(),
        }
    }

    pub fn sub(&self, o: &UniPoly) -> UniPoly {
        self.add(&o.neg())
    }

    pub fn mul(&self, o: &UniPoly) -> Option<UniPoly> {
        if self.is_zero() || o.is_zero() {
            return Some(UniPoly::zero());
        }
        if self.degree() + o.degree() > MAX_DEGREE {
            return None;
        }
        let mut c = vec![Number::zero(); self.c.len() + o.c.len() - 1];
        for (i, a) in self.c.iter().enumerate() {
            if a.is_zero() {
                continue;
            }
            for (j, b) in o.c.iter().enumerate() {
                c[i + j] = c[i + j].add(&a.mul(b));
            }
        }
        Some(UniPoly { c }.trimmed())
    }

    pub fn scale(&self, k: &Number) -> UniPoly {
        UniPoly {
            c: self.c.iter().map(|x| x.mul(k)).collect(),
        }
        .trimmed()
    }

    /// p(a + b·x).
    pub fn compose_affine(&self, a: &Number, b: &Number) -> Option<UniPoly> {
        let lin = UniPoly {
            c: vec![a.clone(), b.clone()],
        }
        .trimmed();
        // Horner: (((c_n)·lin + c_{n−1})·lin + …)
        let mut acc = UniPoly::zero();
        for coef in self.c.iter().rev() {
            acc = acc.mul(&lin)?.add(&UniPoly::constant(coef.clone()));
        }
        Some(acc)
    }

    pub fn eval(&self, x: &Number) -> Number {
        let mut acc = Number::zero();
        for coef in self.c.iter().rev() {
            acc = acc.mul(x).add(coef);
        }
        acc
    }

    pub fn eval_f64(&self, x: f64) -> f64 {
        let mut acc = 0.0;
        for coef in self.c.iter().rev() {
            acc = acc * x + coef.to_f64();
        }
        acc
    }

    pub fn to_f64(&self) -> Vec<f64> {
        self.c.iter().map(Number::to_f64).collect()
    }

    /// The antiderivative with zero constant term.
    pub fn antiderivative(&self) -> UniPoly {
        let mut c = vec![Number::zero()];
        for (k, coef) in self.c.iter().enumerate() {
            c.push(
                coef.div(&Number::int(k as i64 + 1))
                    .unwrap_or_else(|_| Number::zero()),
            );
        }
        UniPoly { c }.trimmed()
    }

    /// ∫_lo^hi p(x) dx, exact when the coefficients and limits are.
    pub fn integrate(&self, lo: &Number, hi: &Number) -> Number {
        let p = self.antiderivative();
        p.eval(hi).sub(&p.eval(lo))
    }

    /// `0.3 − τ`, `t^2/2` style text in ascending powers.
    pub fn render(&self, var: &str, fmt: &NumFmt, cas: bool) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let (times, minus) = if cas { ("*", "-") } else { ("·", "−") };
        let mut out = String::new();
        let mut first = true;
        for (k, coef) in self.c.iter().enumerate() {
            if coef.is_zero() {
                continue;
            }
            let negative = coef.is_negative();
            let mag = coef.abs();
            let mag_text = mag.format(fmt);
            let mag_text = if mag_text.contains('/') && k > 0 {
                format!("({mag_text})")
            } else {
                mag_text
            };
            let power = match k {
                0 => String::new(),
                1 => var.to_string(),
                _ => format!("{var}^{k}"),
            };
            let body = if k == 0 {
                mag_text
            } else if mag.is_one() {
                power
            } else {
                format!("{mag_text}{times}{power}")
            };
            if first {
                if negative {
                    out.push_str(minus);
                }
                out.push_str(&body);
                first = false;
            } else {
                out.push_str(if negative { " − " } else { " + " });
                if cas && negative {
                    out.pop();
                    out.pop();
                    out.push_str("- ");
                }
                out.push_str(&body);
            }
        }
        out
    }
}

/// The polynomial an expression is, when it is one (constants, the
/// variable, + − ·, division by a constant, whole powers).
pub fn from_fexpr(e: &FExpr) -> Option<UniPoly> {
    Some(match e {
        FExpr::Const(n) => UniPoly::constant(n.clone()),
        FExpr::Var => UniPoly::x(),
        FExpr::Neg(a) => from_fexpr(a)?.neg(),
        FExpr::Add(a, b) => from_fexpr(a)?.add(&from_fexpr(b)?),
        FExpr::Sub(a, b) => from_fexpr(a)?.sub(&from_fexpr(b)?),
        FExpr::Mul(a, b) => from_fexpr(a)?.mul(&from_fexpr(b)?)?,
        FExpr::Div(a, b) => {
            let d = from_fexpr(b)?;
            if d.degree() != 0 || d.is_zero() {
                return None;
            }
            from_fexpr(a)?.scale(&Number::one().div(&d.c[0]).ok()?)
        }
        FExpr::Pow(a, b) => {
            let k = b
                .constant_value()?
                .to_i64()
                .filter(|k| (0..=MAX_DEGREE as i64).contains(k))?;
            let base = from_fexpr(a)?;
            let mut acc = UniPoly::constant(Number::one());
            for _ in 0..k {
                acc = acc.mul(&base)?;
            }
            acc
        }
        // A built-in of the variable left after `resolve` (which turns
        // piecewise built-ins of linear arguments into polynomials) is not a
        // polynomial; of constants, it is a constant.
        FExpr::Call(..) => UniPoly::constant(e.constant_value()?),
        FExpr::Piecewise(..) | FExpr::Apply(..) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_exactly() {
        // ∫_0^0.3 (0.3 − τ) dτ = 0.045
        let p = UniPoly::x()
            .compose_affine(&Number::ratio(3, 10), &Number::int(-1))
            .unwrap();
        assert_eq!(p.render("τ", &NumFmt::default(), false), "0.3 − τ");
        let v = p.integrate(&Number::zero(), &Number::ratio(3, 10));
        assert_eq!(v.to_string(), "0.045");
        assert!(v.is_exact());
    }

    #[test]
    fn renders() {
        let p = UniPoly {
            c: vec![Number::int(1), Number::int(-2), Number::ratio(1, 3)],
        };
        assert_eq!(
            p.render("t", &NumFmt::default(), false),
            "1 − 2·t + (1/3)·t^2"
        );
        assert_eq!(
            p.render("t", &NumFmt::default(), true),
            "1 - 2*t + (1/3)*t^2"
        );
    }
}
