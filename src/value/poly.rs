//! Symbolic polynomials: the textbook's letters in `[a, b, c; d, e, f]`.
//!
//! A [`Poly`] is a finite sum of monomials with [`Number`] coefficients.
//! Arithmetic is exact polynomial arithmetic, so a convolution of letters
//! comes out as `a·w + b·x + e·y + f·z`.
//!
//! # Display order
//! Monomials are listed in lexicographic order of their symbols (`a·w`
//! before `b·x`), higher powers of the same letter first, constants last.

use std::collections::BTreeMap;

use crate::value::number::{NumFmt, Number};
use crate::value::ring::Ring;

/// A product of symbols with positive powers, sorted by symbol name.
/// The empty monomial is the constant 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Monomial(pub Vec<(String, u32)>);

impl Monomial {
    pub fn one() -> Monomial {
        Monomial(Vec::new())
    }

    pub fn symbol(name: &str) -> Monomial {
        Monomial(vec![(name.to_string(), 1)])
    }

    pub fn is_one(&self) -> bool {
        self.0.is_empty()
    }

    pub fn degree(&self) -> u32 {
        self.0.iter().map(|(_, p)| p).sum()
    }

    fn mul(&self, other: &Monomial) -> Monomial {
        let mut factors: BTreeMap<&str, u32> = BTreeMap::new();
        for (s, p) in self.0.iter().chain(other.0.iter()) {
            *factors.entry(s.as_str()).or_insert(0) += p;
        }
        Monomial(
            factors
                .into_iter()
                .map(|(s, p)| (s.to_string(), p))
                .collect(),
        )
    }

    /// `a·w`, `b^2·c`; `sep` joins the factors (`·` for text, `*` for CAS).
    pub fn render(&self, sep: &str) -> String {
        self.0
            .iter()
            .map(|(s, p)| {
                if *p == 1 {
                    s.clone()
                } else {
                    format!("{s}^{p}")
                }
            })
            .collect::<Vec<_>>()
            .join(sep)
    }
}

impl Ord for Monomial {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Constants sort last; otherwise lexicographic on (symbol, higher power first).
        match (self.is_one(), other.is_one()) {
            (true, true) => return std::cmp::Ordering::Equal,
            (true, false) => return std::cmp::Ordering::Greater,
            (false, true) => return std::cmp::Ordering::Less,
            _ => {}
        }
        for (a, b) in self.0.iter().zip(other.0.iter()) {
            let ord = a.0.cmp(&b.0).then(b.1.cmp(&a.1));
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        other.0.len().cmp(&self.0.len()).reverse()
    }
}

impl PartialOrd for Monomial {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A polynomial in named symbols with rational (or float) coefficients.
/// Zero coefficients are never stored.
#[derive(Clone, Debug, Default)]
pub struct Poly {
    terms: BTreeMap<Monomial, Number>,
}

impl Poly {
    pub fn zero() -> Poly {
        Poly::default()
    }

    pub fn constant(c: Number) -> Poly {
        let mut p = Poly::zero();
        p.add_term(Monomial::one(), c);
        p
    }

    pub fn symbol(name: &str) -> Poly {
        let mut p = Poly::zero();
        p.add_term(Monomial::symbol(name), Number::one());
        p
    }

    pub fn terms(&self) -> impl Iterator<Item = (&Monomial, &Number)> {
        self.terms.iter()
    }

    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value when the polynomial has no symbols.
    pub fn as_constant(&self) -> Option<Number> {
        match self.terms.len() {
            0 => Some(Number::zero()),
            1 => self.terms.get(&Monomial::one()).cloned(),
            _ => None,
        }
    }

    /// The symbols that occur, sorted.
    pub fn symbols(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .terms
            .keys()
            .flat_map(|m| m.0.iter().map(|(s, _)| s.clone()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn add_term(&mut self, m: Monomial, c: Number) {
        if c.is_zero() {
            return;
        }
        match self.terms.get_mut(&m) {
            Some(existing) => {
                let sum = existing.add(&c);
                if sum.is_zero() {
                    self.terms.remove(&m);
                } else {
                    *existing = sum;
                }
            }
            None => {
                self.terms.insert(m, c);
            }
        }
    }

    pub fn add(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        for (m, c) in &other.terms {
            out.add_term(m.clone(), c.clone());
        }
        out
    }

    pub fn neg(&self) -> Poly {
        Poly {
            terms: self
                .terms
                .iter()
                .map(|(m, c)| (m.clone(), c.neg()))
                .collect(),
        }
    }

    pub fn sub(&self, other: &Poly) -> Poly {
        self.add(&other.neg())
    }

    pub fn mul(&self, other: &Poly) -> Poly {
        let mut out = Poly::zero();
        for (ma, ca) in &self.terms {
            for (mb, cb) in &other.terms {
                out.add_term(ma.mul(mb), ca.mul(cb));
            }
        }
        out
    }

    pub fn scale(&self, c: &Number) -> Poly {
        let mut out = Poly::zero();
        for (m, k) in &self.terms {
            out.add_term(m.clone(), k.mul(c));
        }
        out
    }

    /// `a·w + b·x − 0.5·c` for text, or with `*` and ASCII `-` for a CAS.
    pub fn render(&self, fmt: &NumFmt, cas: bool) -> String {
        if self.terms.is_empty() {
            return "0".into();
        }
        let (times, minus) = if cas { ("*", "-") } else { ("·", "−") };
        let mut out = String::new();
        for (i, (m, c)) in self.terms.iter().enumerate() {
            let negative = c.is_negative();
            let magnitude = if negative { c.neg() } else { c.clone() };
            let body = if m.is_one() {
                magnitude.format(fmt)
            } else if magnitude.is_one() {
                m.render(times)
            } else {
                format!("{}{times}{}", magnitude.format(fmt), m.render(times))
            };
            match (i, negative) {
                (0, true) => {
                    out.push_str(minus);
                    out.push_str(&body);
                }
                (0, false) => out.push_str(&body),
                (_, true) => {
                    out.push_str(&format!(" {minus} "));
                    out.push_str(&body);
                }
                (_, false) => {
                    out.push_str(" + ");
                    out.push_str(&body);
                }
            }
        }
        out
    }

    /// Equality of polynomials (coefficients compared as numbers).
    pub fn poly_eq(&self, other: &Poly) -> bool {
        self.sub(other).terms.values().all(|c| c.is_zero())
    }

    /// Replace every coefficient by its float.
    pub fn to_float(&self) -> Poly {
        Poly {
            terms: self
                .terms
                .iter()
                .map(|(m, c)| (m.clone(), c.to_float()))
                .collect(),
        }
    }
}

impl Ring for Poly {
    fn zero() -> Self {
        Poly::zero()
    }
    fn one() -> Self {
        Poly::constant(Number::one())
    }
    fn is_zero(&self) -> bool {
        Poly::is_zero(self)
    }
    fn add(&self, other: &Self) -> Self {
        Poly::add(self, other)
    }
    fn sub(&self, other: &Self) -> Self {
        Poly::sub(self, other)
    }
    fn mul(&self, other: &Self) -> Self {
        Poly::mul(self, other)
    }
    fn neg(&self) -> Self {
        Poly::neg(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str) -> Poly {
        Poly::symbol(name)
    }

    fn text(p: &Poly) -> String {
        p.render(&NumFmt::default(), false)
    }

    #[test]
    fn textbook_window_sum_is_ordered() {
        let p = s("f").mul(&s("z")).add(&s("a").mul(&s("w")));
        let p = p.add(&s("e").mul(&s("y"))).add(&s("b").mul(&s("x")));
        assert_eq!(text(&p), "a·w + b·x + e·y + f·z");
    }

    #[test]
    fn cancellation_and_constants() {
        let p = s("a").add(&Poly::constant(Number::int(2))).sub(&s("a"));
        assert_eq!(p.as_constant().unwrap().to_string(), "2");
        let q = s("a")
            .scale(&Number::ratio(-1, 2))
            .add(&Poly::constant(Number::one()));
        assert_eq!(text(&q), "−0.5·a + 1");
        assert_eq!(q.render(&NumFmt::default(), true), "-0.5*a + 1");
    }

    #[test]
    fn powers_render() {
        let p = s("a").mul(&s("a")).mul(&s("b"));
        assert_eq!(text(&p), "a^2·b");
    }
}
