//! Numbers: exact rationals from literals, floats from transcendental functions.
//!
//! # Conventions
//! * Every literal (`0.25`, `1e-3`, `13`) is an exact rational. `0.1 + 0.2`
//!   is exactly `3/10` and shows `0.3`.
//! * A value that comes from a transcendental function (`exp`, `sin`, `sqrt`
//!   of a non-square, …) is an `f64`. Exact ⊕ float is float.
//! * A rational whose numerator or denominator outgrows [`MAX_EXACT_BITS`]
//!   falls back to a float rather than eating memory.
//! * Display: a terminating rational shows as a decimal (`13/8` → `1.625`),
//!   any other as a fraction (`1/3`); floats show `precision` significant
//!   digits with trailing zeros trimmed.

use std::cmp::Ordering;
use std::fmt::Write as _;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Rationals with a numerator or denominator longer than this many bits are
/// turned into floats.
pub const MAX_EXACT_BITS: u64 = 4096;

/// Exact numbers whose text is longer than this show in scientific notation.
const MAX_EXACT_TEXT: usize = 40;

/// Largest exact decimal expansion shown as a decimal; longer ones show as `p/q`.
const MAX_DECIMAL_DIGITS: usize = 24;

/// What numbers did that the user should hear about: non-finite values
/// shown, exactness given up, floats overflowing. Recorded where it happens
/// (deep in arithmetic, which has no channel to the user) and collected by
/// the statement runner after each statement, which turns them into a note
/// or a warning. One thread runs one session, so a thread-local suffices.
pub mod notes {
    use std::cell::{Cell, RefCell};

    thread_local! {
        static SHOWN_INF: Cell<bool> = const { Cell::new(false) };
        static SHOWN_NAN: Cell<bool> = const { Cell::new(false) };
        static EVENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// Most distinct events kept per statement.
    const MAX_EVENTS: usize = 4;

    pub(crate) fn shown_nonfinite(f: f64) {
        if f.is_nan() {
            SHOWN_NAN.with(|c| c.set(true));
        } else if f.is_infinite() {
            SHOWN_INF.with(|c| c.set(true));
        }
    }

    /// Record an event (kept once, at most a few per statement).
    pub fn record(event: String) {
        EVENTS.with(|e| {
            let mut e = e.borrow_mut();
            if e.len() < MAX_EVENTS && !e.contains(&event) {
                e.push(event);
            }
        });
    }

    /// Forget everything recorded so far (at the start of a statement).
    pub fn clear() {
        SHOWN_INF.with(|c| c.set(false));
        SHOWN_NAN.with(|c| c.set(false));
        EVENTS.with(|e| e.borrow_mut().clear());
    }

    /// The events recorded since the last call.
    pub fn take_events() -> Vec<String> {
        EVENTS.with(|e| std::mem::take(&mut *e.borrow_mut()))
    }

    /// A sentence explaining the inf/NaN values formatted since the last
    /// call, if any were.
    pub fn take_nonfinite_note() -> Option<String> {
        let inf = SHOWN_INF.with(|c| c.replace(false));
        let nan = SHOWN_NAN.with(|c| c.replace(false));
        let inf_text = "inf is a float overflow (a value beyond ±1.8·10^308) or a division by zero";
        let nan_text = "NaN is an operation with no defined value (0/0, inf − inf, 0·inf)";
        let what = match (inf, nan) {
            (false, false) => return None,
            (true, false) => inf_text.to_string(),
            (false, true) => nan_text.to_string(),
            (true, true) => format!("{inf_text}; {nan_text}"),
        };
        Some(format!(
            "{what}; values computed from such an entry carry it along"
        ))
    }
}

#[derive(Clone, Debug)]
pub enum Number {
    Exact(BigRational),
    Float(f64),
}

/// Arithmetic errors with no position; the evaluator attaches the span.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ArithError {
    #[error("division by zero")]
    DivisionByZero,
    #[error("{0}")]
    Domain(String),
    /// A domain error with advice on what to do instead.
    #[error("{message}")]
    Advised { message: String, hint: String },
}

impl ArithError {
    pub fn advised(message: impl Into<String>, hint: impl Into<String>) -> ArithError {
        ArithError::Advised {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// How numbers are displayed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumFmt {
    /// Significant digits for floats.
    pub precision: usize,
    /// When false, exact rationals are shown as floats too.
    pub exact: bool,
}

impl Default for NumFmt {
    fn default() -> Self {
        NumFmt {
            precision: 10,
            exact: true,
        }
    }
}

impl Number {
    pub fn int(i: i64) -> Number {
        Number::Exact(BigRational::from_integer(BigInt::from(i)))
    }

    pub fn ratio(n: i64, d: i64) -> Number {
        Number::Exact(BigRational::new(BigInt::from(n), BigInt::from(d)))
    }

    pub fn zero() -> Number {
        Number::int(0)
    }

    pub fn one() -> Number {
        Number::int(1)
    }

    pub fn float(f: f64) -> Number {
        Number::Float(f)
    }

    /// Parse a numeric literal exactly: `12`, `0.25`, `.5`, `1e-3`, `2.5E+2`.
    pub fn parse_literal(text: &str) -> Option<Number> {
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits = format!("{int_part}{frac_part}");
        let numer: BigInt = if digits.is_empty() {
            BigInt::zero()
        } else {
            digits.parse().ok()?
        };
        let scale = exponent - frac_part.len() as i64;
        if scale.unsigned_abs() > 10_000 {
            return text.parse::<f64>().ok().map(Number::Float);
        }
        let ten = BigInt::from(10);
        let value = if scale >= 0 {
            BigRational::from_integer(numer * num_traits::pow(ten, scale as usize))
        } else {
            BigRational::new(numer, num_traits::pow(ten, (-scale) as usize))
        };
        Some(Number::Exact(value))
    }

    /// An exact number from an f64 only when it is an integer (used for counts).
    pub fn from_f64_integer(f: f64) -> Number {
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            Number::int(f as i64)
        } else {
            Number::Float(f)
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Number::Exact(_))
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Number::Exact(r) => r.is_zero(),
            Number::Float(f) => *f == 0.0,
        }
    }

    pub fn is_one(&self) -> bool {
        match self {
            Number::Exact(r) => r.is_one(),
            Number::Float(f) => *f == 1.0,
        }
    }

    pub fn is_negative(&self) -> bool {
        match self {
            Number::Exact(r) => r.is_negative(),
            Number::Float(f) => *f < 0.0,
        }
    }

    pub fn is_finite(&self) -> bool {
        match self {
            Number::Exact(_) => true,
            Number::Float(f) => f.is_finite(),
        }
    }

    pub fn to_f64(&self) -> f64 {
        match self {
            Number::Exact(r) => rational_to_f64(r),
            Number::Float(f) => *f,
        }
    }

    /// The value as an integer, if it is one (exactly, or a float with no fraction).
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Number::Exact(r) if r.is_integer() => r.to_integer().to_i64(),
            Number::Exact(_) => None,
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            Number::Float(_) => None,
        }
    }

    pub fn as_rational(&self) -> Option<&BigRational> {
        match self {
            Number::Exact(r) => Some(r),
            Number::Float(_) => None,
        }
    }

    /// Switch to floating point (used by `exact off` and for fast paths).
    pub fn to_float(&self) -> Number {
        Number::Float(self.to_f64())
    }

    pub fn add(&self, other: &Number) -> Number {
        match (self, other) {
            (Number::Exact(a), Number::Exact(b)) => Number::exact_checked(rational::add(a, b)),
            _ => Number::Float(self.to_f64() + other.to_f64()),
        }
    }

    pub fn sub(&self, other: &Number) -> Number {
        match (self, other) {
            (Number::Exact(a), Number::Exact(b)) => Number::exact_checked(rational::sub(a, b)),
            _ => Number::Float(self.to_f64() - other.to_f64()),
        }
    }

    pub fn mul(&self, other: &Number) -> Number {
        match (self, other) {
            (Number::Exact(a), Number::Exact(b)) => Number::exact_checked(rational::mul(a, b)),
            _ => Number::Float(self.to_f64() * other.to_f64()),
        }
    }

    pub fn div(&self, other: &Number) -> Result<Number, ArithError> {
        if other.is_zero() {
            return Err(ArithError::DivisionByZero);
        }
        Ok(match (self, other) {
            (Number::Exact(a), Number::Exact(b)) => Number::exact_checked(rational::div(a, b)),
            _ => Number::Float(self.to_f64() / other.to_f64()),
        })
    }

    pub fn neg(&self) -> Number {
        match self {
            Number::Exact(r) => Number::Exact(-r),
            Number::Float(f) => Number::Float(-f),
        }
    }

    pub fn abs(&self) -> Number {
        match self {
            Number::Exact(r) => Number::Exact(r.abs()),
            Number::Float(f) => Number::Float(f.abs()),
        }
    }

    /// `self ^ exponent`: exact for an exact base and a small integer exponent.
    pub fn pow(&self, exponent: &Number) -> Result<Number, ArithError> {
        if let (Number::Exact(base), Some(e)) =
            (self, exponent.to_i64().filter(|_| exponent.is_exact()))
        {
            if base.is_zero() && e < 0 {
                return Err(ArithError::DivisionByZero);
            }
            let bits = base.numer().bits().max(base.denom().bits()).max(1);
            if e.unsigned_abs().saturating_mul(bits) <= MAX_EXACT_BITS {
                let magnitude = num_traits::pow(base.clone(), e.unsigned_abs() as usize);
                return Ok(Number::Exact(if e < 0 {
                    magnitude.recip()
                } else {
                    magnitude
                }));
            }
        }
        let too_long_for_exact = matches!(self, Number::Exact(b) if !b.is_zero() && !b.abs().is_one())
            && exponent.is_exact()
            && exponent.to_i64().is_some();
        let (b, e) = (self.to_f64(), exponent.to_f64());
        if b < 0.0 && e.fract() != 0.0 {
            return Err(ArithError::advised(
                format!(
                    "a negative number to a fractional power (({self})^({exponent})) is not real"
                ),
                "convolab computes with real numbers; use abs(x)^p for the magnitude",
            ));
        }
        if b == 0.0 && e < 0.0 {
            return Err(ArithError::DivisionByZero);
        }
        let p = b.powf(e);
        let power = format!(
            "{}^{}",
            paren_if_compound(self),
            paren_if_compound(exponent)
        );
        if p == 0.0 && b != 0.0 && e.is_finite() {
            notes::record(format!(
                "{power} is smaller than the smallest float (about 5·10^-324) and shows as 0{}",
                if too_long_for_exact {
                    format!(" (exactly it would need more than {MAX_EXACT_BITS} bits)")
                } else {
                    String::new()
                }
            ));
        } else if too_long_for_exact && p.is_finite() {
            notes::record(format!(
                "{power} would need more than {MAX_EXACT_BITS} bits exactly; \
                 it is computed as a float (about 16 significant digits)"
            ));
        }
        if p.is_infinite() && b.is_finite() && e.is_finite() {
            return Err(ArithError::advised(
                format!("{power} is too large: it is beyond the largest number, about 1.8·10^308"),
                format!(
                    "work with its logarithm instead: ln({power}) = {}·ln({})",
                    paren_if_compound(exponent),
                    paren_if_compound(self)
                ),
            ));
        }
        Ok(Number::Float(p))
    }

    /// Compare values; `None` only when a float is NaN.
    pub fn partial_cmp_num(&self, other: &Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Exact(a), Number::Exact(b)) => Some(a.cmp(b)),
            _ => self.to_f64().partial_cmp(&other.to_f64()),
        }
    }

    /// Equality of values (exact when both are exact).
    pub fn num_eq(&self, other: &Number) -> bool {
        self.partial_cmp_num(other) == Some(Ordering::Equal)
    }

    fn exact_checked(r: BigRational) -> Number {
        if r.numer().bits() > MAX_EXACT_BITS || r.denom().bits() > MAX_EXACT_BITS {
            let f = rational_to_f64(&r);
            notes::record(format!(
                "an exact result outgrew {MAX_EXACT_BITS} bits; it continues as a float \
                 (about 16 significant digits){}",
                if f == 0.0 {
                    ", which is 0 at this size"
                } else if f.is_infinite() {
                    ", which overflows to inf at this size"
                } else {
                    ""
                }
            ));
            Number::Float(f)
        } else {
            Number::Exact(r)
        }
    }

    /// Display with the given settings.
    pub fn format(&self, fmt: &NumFmt) -> String {
        match self {
            Number::Exact(r) if fmt.exact => {
                let text = format_rational(r);
                if text.len() > MAX_EXACT_TEXT {
                    format_rational_scientific(r, fmt.precision)
                } else {
                    text
                }
            }
            Number::Exact(r) => format_float(rational_to_f64(r), fmt.precision),
            Number::Float(f) => format_float(*f, fmt.precision),
        }
    }

    /// For JSON: the exact form `p/q` (or integer / decimal text) when exact.
    pub fn exact_text(&self) -> Option<String> {
        match self {
            Number::Exact(r) if r.is_integer() => Some(r.numer().to_string()),
            Number::Exact(r) => Some(format!("{}/{}", r.numer(), r.denom())),
            Number::Float(_) => None,
        }
    }
}

/// Equality of values: `1/2 == 0.5` holds (exact against float compares the float).
impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.num_eq(other)
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format(&NumFmt::default()))
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::int(i)
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Number {
        Number::Float(f)
    }
}

impl crate::value::ring::Ring for Number {
    fn zero() -> Self {
        Number::int(0)
    }
    fn one() -> Self {
        Number::int(1)
    }
    fn is_zero(&self) -> bool {
        Number::is_zero(self)
    }
    fn add(&self, other: &Self) -> Self {
        Number::add(self, other)
    }
    fn sub(&self, other: &Self) -> Self {
        Number::sub(self, other)
    }
    fn mul(&self, other: &Self) -> Self {
        Number::mul(self, other)
    }
    fn neg(&self) -> Self {
        Number::neg(self)
    }
}

/// Correctly rounded enough for display: big rationals are scaled first so
/// neither part overflows f64.
pub fn rational_to_f64(r: &BigRational) -> f64 {
    if let (Some(n), Some(d)) = (r.numer().to_f64(), r.denom().to_f64()) {
        if n.is_finite() && d.is_finite() && n.abs() < 9.0e15 && d < 9.0e15 {
            return n / d;
        }
    }
    let nb = r.numer().bits() as i64;
    let db = r.denom().bits() as i64;
    let shift = nb - db - 60;
    let scaled = if shift > 0 {
        r.numer() / (r.denom() << (shift as usize))
    } else {
        (r.numer() << ((-shift) as usize)) / r.denom()
    };
    ldexp(scaled.to_f64().unwrap_or(f64::NAN), shift)
}

/// `x·2^e` without the intermediate overflow of `2f64.powi(e)`: for e below
/// −1023 that power is 1/∞ = 0, which lost every value under about 1e-290.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    while e > 1000 && x.is_finite() && x != 0.0 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 && x.is_finite() && x != 0.0 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e.clamp(-2000, 2000) as i32)
}

/// A long exact number in scientific notation: `1e309` when that is still
/// exact (the digits after the first `precision` are zeros), otherwise
/// `≈1.234567890e309` (rounded to `precision` significant digits).
pub fn format_rational_scientific(r: &BigRational, precision: usize) -> String {
    if r.is_zero() {
        return "0".into();
    }
    let precision = precision.clamp(1, 40);
    let (num, den) = (r.numer().abs(), r.denom().clone());
    // 10^k·|r| has about precision + 2 integer digits.
    let magnitude = num.to_string().len() as i64 - den.to_string().len() as i64;
    let k = precision as i64 + 2 - magnitude;
    let ten = BigInt::from(10);
    let (n, d) = if k >= 0 {
        (num * num_traits::pow(ten, k as usize), den)
    } else {
        (num, den * num_traits::pow(ten, (-k) as usize))
    };
    let (q, rem) = n.div_rem(&d);
    let digits = q.to_string();
    let mut exponent = digits.len() as i64 - 1 - k;
    let (kept, dropped) = digits.split_at(precision.min(digits.len()));
    let exact = rem.is_zero() && dropped.bytes().all(|b| b == b'0');
    let mut kept = kept.to_string();
    if dropped.as_bytes().first().is_some_and(|&b| b >= b'5') {
        let rounded = (kept.parse::<BigInt>().unwrap_or_default() + 1u32).to_string();
        if rounded.len() > kept.len() {
            exponent += 1;
        }
        kept = rounded[..kept.len()].to_string();
    }
    let kept = kept.as_str();
    let mantissa = if kept.len() > 1 {
        trim_zeros(&format!("{}.{}", &kept[..1], &kept[1..]))
    } else {
        kept.to_string()
    };
    let sign = if r.is_negative() { "-" } else { "" };
    let approx = if exact { "" } else { "≈" };
    format!("{approx}{sign}{mantissa}e{exponent}")
}

/// `n` as written inside a power: `(1/3)`, `(-2)`, `5`.
fn paren_if_compound(n: &Number) -> String {
    let text = n.to_string();
    if text.contains(['/', '-', 'e']) {
        format!("({text})")
    } else {
        text
    }
}

/// `13/8` → `1.625`, `1/3` → `1/3`, `-2` → `-2`.
pub fn format_rational(r: &BigRational) -> String {
    if r.is_integer() {
        return r.numer().to_string();
    }
    let denom = r.denom().clone();
    let (mut twos, mut fives) = (0usize, 0usize);
    let mut rest = denom.clone();
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    while rest.is_even() {
        rest /= &two;
        twos += 1;
    }
    while (&rest % &five).is_zero() {
        rest /= &five;
        fives += 1;
    }
    let digits = twos.max(fives);
    if !rest.is_one() || digits > MAX_DECIMAL_DIGITS {
        return format!("{}/{}", r.numer(), r.denom());
    }
    let scaled = (r.numer().abs() * num_traits::pow(BigInt::from(10), digits)) / &denom;
    let text = format!("{:0>width$}", scaled.to_string(), width = digits + 1);
    let (int_part, frac_part) = text.split_at(text.len() - digits);
    let sign = if r.is_negative() { "-" } else { "" };
    format!("{sign}{int_part}.{frac_part}")
}

/// Float with `precision` significant digits, trailing zeros trimmed,
/// scientific notation outside [1e-5, 1e15).
pub fn format_float(f: f64, precision: usize) -> String {
    notes::shown_nonfinite(f);
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return "0".into();
    }
    let precision = precision.clamp(1, 17);
    let magnitude = f.abs();
    if !(1e-5..1e15).contains(&magnitude) {
        let mut s = format!("{:.*e}", precision - 1, f);
        if let Some(epos) = s.find('e') {
            let (mant, exp) = s.split_at(epos);
            let mant = trim_zeros(mant);
            s = format!("{mant}{exp}");
        }
        return s;
    }
    let exponent = magnitude.log10().floor() as i64;
    let decimals = (precision as i64 - 1 - exponent).max(0) as usize;
    let mut s = String::new();
    let _ = write!(s, "{:.*}", decimals, f);
    let s = trim_zeros(&s);
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Rational arithmetic that stays fast when denominators grow.
///
/// `num-rational` reduces every result with `num-bigint`'s binary gcd, which
/// makes one pass over the longer operand per bit of it: a 4000-bit
/// denominator against a 20-bit one costs thousands of passes. Sums of
/// fractions such as Σ 1/(m+7)·1/(n−m+7) hit exactly that case. These
/// functions follow Knuth (TAOCP 4.5.1): they take the gcds of the inputs'
/// parts, which are small or share a small factor, and start each gcd with
/// a Euclid step that brings the operands to the same size.
pub(crate) mod rational {
    use num_bigint::BigInt;
    use num_integer::Integer;
    use num_rational::BigRational;
    use num_traits::{One, Signed, ToPrimitive, Zero};

    /// gcd(a, b) ≥ 0.
    pub fn gcd(a: &BigInt, b: &BigInt) -> BigInt {
        let (mut a, mut b) = (a.abs(), b.abs());
        if a < b {
            std::mem::swap(&mut a, &mut b);
        }
        loop {
            if b.is_zero() {
                return a;
            }
            if let Some(small) = b.to_u64() {
                // One remainder by a single word, then machine gcd.
                let r = (&a % &b).to_u64().unwrap_or(0);
                return BigInt::from(small.gcd(&r));
            }
            if a.bits() > b.bits() + 32 {
                a = &a % &b;
                std::mem::swap(&mut a, &mut b);
            } else {
                return a.gcd(&b);
            }
        }
    }

    /// `n/d` from parts already in lowest terms, `d ≠ 0`: sign on top.
    fn lowest(n: BigInt, d: BigInt) -> BigRational {
        if d.is_negative() {
            BigRational::new_raw(-n, -d)
        } else {
            BigRational::new_raw(n, d)
        }
    }

    pub fn add(x: &BigRational, y: &BigRational) -> BigRational {
        if x.is_zero() {
            return y.clone();
        }
        if y.is_zero() {
            return x.clone();
        }
        let (a, b, c, d) = (x.numer(), x.denom(), y.numer(), y.denom());
        if b.is_one() && d.is_one() {
            return BigRational::from_integer(a + c);
        }
        let g = gcd(b, d);
        if g.is_one() {
            // gcd(a·d + c·b, b·d) = 1 when both inputs are in lowest terms.
            return lowest(a * d + c * b, b * d);
        }
        let (bg, dg) = (b / &g, d / &g);
        let t = a * &dg + c * &bg;
        if t.is_zero() {
            return BigRational::zero();
        }
        let g2 = gcd(&t, &g);
        lowest(t / &g2, bg * (d / g2))
    }

    pub fn sub(x: &BigRational, y: &BigRational) -> BigRational {
        add(x, &-y)
    }

    pub fn mul(x: &BigRational, y: &BigRational) -> BigRational {
        if x.is_zero() || y.is_zero() {
            return BigRational::zero();
        }
        let (a, b, c, d) = (x.numer(), x.denom(), y.numer(), y.denom());
        let (g1, g2) = (gcd(a, d), gcd(c, b));
        lowest((a / &g1) * (c / &g2), (b / g2) * (d / g1))
    }

    /// `x / y`, `y ≠ 0`.
    pub fn div(x: &BigRational, y: &BigRational) -> BigRational {
        mul(x, &lowest(y.denom().clone(), y.numer().clone()))
    }
}

#[cfg(test)]
mod tests {
    mod rational_ops {
        use super::super::rational;
        use num_bigint::BigInt;
        use num_rational::BigRational;
        use proptest::prelude::*;

        /// Rationals from small parts, or with a long part (up to ~600 bits)
        /// made of many small factors, as sums of 1/n produce.
        fn rat() -> impl Strategy<Value = BigRational> {
            let part = prop_oneof![
                (-1000i64..1000).prop_map(BigInt::from),
                (1u32..120, -50i64..50).prop_map(|(k, c)| {
                    (1..=k).fold(BigInt::from(1), |p, i| p * BigInt::from(i + 7)) + c
                }),
            ];
            (part.clone(), part).prop_filter_map("nonzero denominator", |(n, d)| {
                (d != BigInt::from(0)).then(|| BigRational::new(n, d))
            })
        }

        proptest! {
            /// The Knuth-style operations agree with num-rational's, and
            /// their results are in lowest terms with a positive denominator.
            #[test]
            fn agree_with_num_rational(x in rat(), y in rat()) {
                let check = |got: BigRational, want: BigRational| {
                    prop_assert_eq!(got.numer(), want.numer());
                    prop_assert_eq!(got.denom(), want.denom());
                    Ok(())
                };
                check(rational::add(&x, &y), &x + &y)?;
                check(rational::sub(&x, &y), &x - &y)?;
                check(rational::mul(&x, &y), &x * &y)?;
                if y != BigRational::from_integer(0.into()) {
                    check(rational::div(&x, &y), &x / &y)?;
                }
            }

            #[test]
            fn gcd_agrees(a in -(1i128 << 100)..(1i128 << 100), b in -(1i128 << 40)..(1i128 << 40)) {
                use num_integer::Integer;
                let (a, b) = (BigInt::from(a), BigInt::from(b));
                prop_assert_eq!(rational::gcd(&a, &b), a.gcd(&b));
                prop_assert_eq!(rational::gcd(&b, &a), a.gcd(&b));
            }
        }
    }

    use super::*;

    #[track_caller]
    fn lit(s: &str) -> Number {
        Number::parse_literal(s).expect("literal parses")
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(lit("0.1").add(&lit("0.2")).to_string(), "0.3");
        assert_eq!(lit("13").div(&lit("8")).unwrap().to_string(), "1.625");
        assert_eq!(lit("1").div(&lit("3")).unwrap().to_string(), "1/3");
        assert_eq!(lit("1e-3").to_string(), "0.001");
        assert_eq!(lit(".5").to_string(), "0.5");
        assert_eq!(lit("2.5E+2").to_string(), "250");
        assert_eq!(lit("0.125").neg().neg().to_string(), "0.125");
        assert_eq!(Number::ratio(-7, 4).to_string(), "-1.75");
    }

    #[test]
    fn floats_show_significant_digits() {
        assert_eq!(format_float(0.1 + 0.2, 10), "0.3");
        assert_eq!(format_float(std::f64::consts::PI, 6), "3.14159");
        assert_eq!(format_float(1e-7, 4), "1e-7");
        assert_eq!(format_float(-2.0, 4), "-2");
        assert_eq!(format_float(123456.0, 3), "123456");
        assert_eq!(format_float(f64::INFINITY, 3), "inf");
    }

    #[test]
    fn powers() {
        assert_eq!(lit("0.5").pow(&lit("3")).unwrap().to_string(), "0.125");
        assert_eq!(lit("2").pow(&lit("2").neg()).unwrap().to_string(), "0.25");
        assert!(!lit("2").pow(&lit("0.5")).unwrap().is_exact());
        assert_eq!(
            lit("0").pow(&lit("1").neg()).unwrap_err(),
            ArithError::DivisionByZero
        );
        assert!(lit("8").neg().pow(&lit("0.5")).is_err());
    }

    #[test]
    fn huge_rationals_fall_back_to_float() {
        let big = lit("3").pow(&lit("2000")).unwrap();
        assert!(big.is_exact());
        let bigger = big.mul(&big).mul(&big);
        assert!(!bigger.is_exact());
    }

    #[test]
    fn division_by_zero() {
        assert_eq!(
            lit("1").div(&lit("0")).unwrap_err(),
            ArithError::DivisionByZero
        );
    }

    #[test]
    fn rational_to_f64_tiny() {
        let r = lit("1e-300");
        assert!((r.to_f64() / 1e-300 - 1.0).abs() < 1e-12, "{}", r.to_f64());
        let r = lit("3e-320");
        assert!((r.to_f64() / 3e-320 - 1.0).abs() < 1e-3, "{}", r.to_f64());
        assert_eq!(lit("1e-400").to_f64(), 0.0);
    }

    #[test]
    fn rational_to_f64_large() {
        let r = lit("1e400").div(&lit("3e399")).unwrap();
        assert!((r.to_f64() - 10.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn long_exact_numbers_show_in_scientific_notation() {
        let fmt = NumFmt::default();
        let big = lit("10").pow(&lit("309")).unwrap();
        assert!(big.is_exact());
        assert_eq!(big.format(&fmt), "1e309");
        let third = lit("1").div(&lit("3").pow(&lit("100")).unwrap()).unwrap();
        // 3^-100 = 1.940325217…e-48 (Python: Fraction(1, 3**100), then float)
        assert_eq!(third.format(&fmt), "≈1.940325217e-48");
        let negative = lit("2").neg().pow(&lit("201")).unwrap();
        // 2^201 = 3213876088517980551083924184682325205044405987565585670602752
        assert_eq!(negative.format(&fmt), "≈-3.213876089e60");
        // 10^50 − 1 rounds up to the next power of ten.
        let nines = lit("10").pow(&lit("50")).unwrap().sub(&lit("1"));
        assert_eq!(nines.format(&fmt), "≈1e50");
        // Short ones are unchanged.
        assert_eq!(lit("13").div(&lit("8")).unwrap().format(&fmt), "1.625");
        assert_eq!(
            lit("2").pow(&lit("64")).unwrap().format(&fmt),
            "18446744073709551616"
        );
    }

    #[test]
    fn fallbacks_are_recorded() {
        notes::clear();
        let tiny = lit("1")
            .div(&lit("3"))
            .unwrap()
            .pow(&lit("100000"))
            .unwrap();
        assert_eq!(tiny.to_f64(), 0.0);
        let events = notes::take_events();
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].starts_with("(1/3)^100000 is smaller than the smallest float"));
        assert!(format_float(f64::INFINITY, 10) == "inf");
        assert!(notes::take_nonfinite_note()
            .unwrap()
            .starts_with("inf is a float overflow"));
        assert!(notes::take_nonfinite_note().is_none());
    }
}
