//! Exact numbers, as Terraform computes them.
//!
//! Terraform's numbers (cty's) are Go `big.Float`s: a binary floating-point number whose
//! mantissa has a precision of its own, rounded to nearest-even after every operation. A
//! literal, a string converted to a number and a JSON number are parsed at 512 bits
//! (`cty.ParseNumberVal`); an integer a function returns (`length`, `count.index`) has 64 bits
//! (`cty.NumberIntVal`); a float64 result (`pow`, `log`) has 53 (`cty.NumberFloatVal`). An
//! operation's result has the larger precision of its operands. A number prints as the
//! shortest decimal that reads back to it *at its precision*, without an exponent
//! (`Text('f', -1)`): `1/3` has 155 digits, `pow(2, 64)` prints `18446744073709550000`.
//!
//! [`Number`] reproduces that: a sign, an odd big-integer mantissa, a binary exponent and a
//! precision, or an infinity (`1/0`; an infinite output cannot be saved, as in Terraform).
//! Integers up to 2^53 (every count, index and length) take a fast path with no allocation.
//!
//! Limits Terraform does not have: a binary exponent beyond ±2^20 (about 10^±315652)
//! overflows to an infinity or underflows to zero, so that no input can make scwform print a
//! number of millions of digits.
//!
//! Depends on `num-bigint` only; used by `parse` (literals) and `model` (values).

use std::cmp::Ordering;
use std::fmt;

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{One, ToPrimitive, Zero};

/// The precision of a parsed number (a literal, `tonumber("…")`, JSON): `cty.ParseNumberVal`.
pub const PREC_PARSED: u32 = 512;
/// The precision of an integer a function returns: `cty.NumberIntVal`.
pub const PREC_INT: u32 = 64;
/// The precision of a float64 result (`pow`, `log`): `cty.NumberFloatVal`.
pub const PREC_F64: u32 = 53;

/// Binary exponents beyond this overflow (to an infinity) or underflow (to zero).
const EXP_LIMIT: i64 = 1 << 20;
/// Significant digits read from a decimal; the rest only count as nonzero or not.
const MAX_DIGITS: usize = 1000;
/// The largest magnitude of the small-integer fast path (exact at every precision used).
const SMALL_LIMIT: i64 = 1 << 53;

/// A number of the language (see the module documentation).
#[derive(Clone)]
pub struct Number(Inner);

#[derive(Clone)]
enum Inner {
    /// An integer with `|v| <= 2^53`, never negative zero, and its precision.
    Small(i64, u32),
    /// Anything else.
    Big(Box<Big>),
}

#[derive(Clone, Debug)]
struct Big {
    neg: bool,
    /// `None` for an infinity.
    finite: Option<Finite>,
    prec: u32,
}

/// `mant * 2^exp`, `mant` odd (or zero with `exp` 0).
#[derive(Clone, Debug)]
struct Finite {
    mant: BigUint,
    exp: i64,
}

/// An operation Terraform refuses (Go's `big.ErrNaN`), with cty's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError(pub &'static str);

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A view of a number for the general algorithms.
enum Parts {
    Finite { neg: bool, mant: BigUint, exp: i64 },
    Inf { neg: bool },
}

impl Number {
    /// Zero (64-bit precision, as `cty.Zero`).
    #[must_use]
    pub const fn zero() -> Self {
        Self(Inner::Small(0, PREC_INT))
    }

    /// An integer, as `cty.NumberIntVal` (64-bit precision).
    #[must_use]
    pub fn from_i64(v: i64) -> Self {
        if v.abs() <= SMALL_LIMIT && v != i64::MIN {
            Self(Inner::Small(v, PREC_INT))
        } else {
            Self::from_bigint_prec(&BigInt::from(v), PREC_INT)
        }
    }

    /// A usize count or index (64-bit precision).
    #[must_use]
    pub fn from_usize(v: usize) -> Self {
        i64::try_from(v).map_or_else(
            |_| Self::from_bigint_prec(&BigInt::from(v), PREC_INT),
            Self::from_i64,
        )
    }

    /// A float64 result, as `cty.NumberFloatVal` (53-bit precision). `NaN` gives zero: callers
    /// check for it first, as Terraform refuses it.
    #[must_use]
    pub fn from_f64(v: f64) -> Self {
        if v.is_nan() {
            return Self(Inner::Small(0, PREC_F64));
        }
        if v.is_infinite() {
            return Self::inf(v < 0.0, PREC_F64);
        }
        if v.fract() == 0.0
            && v.abs() <= 9_007_199_254_740_992.0
            && !(v == 0.0 && v.is_sign_negative())
        {
            #[allow(clippy::cast_possible_truncation)]
            return Self(Inner::Small(v as i64, PREC_F64));
        }
        let bits = v.to_bits();
        let neg = bits >> 63 == 1;
        #[allow(clippy::cast_possible_wrap)]
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1 << 52) - 1);
        let (mant, exp) = if biased == 0 {
            (frac, -1074)
        } else {
            (frac | (1 << 52), biased - 1075)
        };
        Self::round(neg, BigUint::from(mant), exp, PREC_F64, false)
    }

    /// A big integer, as `big.Float.SetInt` on a new float: precision the larger of its bit
    /// length and 64.
    #[must_use]
    pub fn from_bigint(v: &BigInt) -> Self {
        let bits = u32::try_from(v.bits()).unwrap_or(u32::MAX).max(PREC_INT);
        Self::from_bigint_prec(v, bits)
    }

    fn from_bigint_prec(v: &BigInt, prec: u32) -> Self {
        Self::round(
            v.sign() == Sign::Minus,
            v.magnitude().clone(),
            0,
            prec,
            false,
        )
    }

    fn inf(neg: bool, prec: u32) -> Self {
        Self(Inner::Big(Box::new(Big {
            neg,
            finite: None,
            prec,
        })))
    }

    /// Parses a decimal number as `cty.ParseNumberVal` (Go `big.ParseFloat` at 512 bits,
    /// nearest-even): an optional sign, digits with an optional fraction (`5.`, `.5`), an
    /// optional exponent. `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let bytes = s.as_bytes();
        let mut i = 0;
        let neg = match bytes.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut digits = String::new();
        let mut frac_digits: i64 = 0;
        let mut seen_point = false;
        let mut any = false;
        while i < bytes.len() {
            match bytes[i] {
                c @ b'0'..=b'9' => {
                    any = true;
                    if !(digits.is_empty() && c == b'0') {
                        digits.push(char::from(c));
                    }
                    if seen_point {
                        frac_digits += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if !any {
            return None;
        }
        let mut exp10: i64 = 0;
        if i < bytes.len() && matches!(bytes[i], b'e' | b'E') {
            i += 1;
            let eneg = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                // Saturate: anything this large over- or underflows anyway.
                exp10 = (exp10 * 10 + i64::from(bytes[i] - b'0')).min(1 << 40);
                i += 1;
            }
            if i == start {
                return None;
            }
            if eneg {
                exp10 = -exp10;
            }
        }
        if i != bytes.len() {
            return None;
        }
        let mut exp10 = exp10 - frac_digits;
        // Only the first few hundred digits can change a 512-bit result: beyond them, keep one
        // nonzero digit for whatever nonzero digits follow (the rounding stays the same), so a
        // megabyte of digits parses in linear time.
        if digits.len() > MAX_DIGITS {
            let rest_nonzero = digits.as_bytes()[MAX_DIGITS..].iter().any(|&d| d != b'0');
            let dropped = i64::try_from(digits.len() - MAX_DIGITS).unwrap_or(i64::MAX);
            digits.truncate(MAX_DIGITS);
            exp10 = exp10.saturating_add(dropped);
            if rest_nonzero {
                digits.push('1');
                exp10 -= 1;
            }
        }
        if digits.is_empty() {
            return Some(if neg {
                Self::neg_zero(PREC_PARSED)
            } else {
                Self(Inner::Small(0, PREC_PARSED))
            });
        }
        let mant: BigUint = digits.parse().ok()?;
        // 10^e = 2^e * 5^e: the decimal magnitude decides over- and underflow before any
        // big power is computed (log2(10) < 3.33).
        let magnitude = i64::try_from(digits.len()).unwrap_or(i64::MAX) + exp10;
        if magnitude > EXP_LIMIT * 3 / 10 {
            return Some(Self::inf(neg, PREC_PARSED));
        }
        if magnitude < -(EXP_LIMIT * 3 / 10) {
            return Some(if neg {
                Self::neg_zero(PREC_PARSED)
            } else {
                Self(Inner::Small(0, PREC_PARSED))
            });
        }
        if exp10 >= 0 {
            let p = pow5(exp10);
            Some(Self::round(neg, mant * p, exp10, PREC_PARSED, false))
        } else {
            let p = pow5(-exp10);
            Some(Self::quotient(neg, &mant, &p, exp10, PREC_PARSED))
        }
    }

    fn neg_zero(prec: u32) -> Self {
        Self(Inner::Big(Box::new(Big {
            neg: true,
            finite: Some(Finite {
                mant: BigUint::zero(),
                exp: 0,
            }),
            prec,
        })))
    }

    /// `(num / den) * 2^exp` rounded to `prec` bits.
    fn quotient(neg: bool, num: &BigUint, den: &BigUint, exp: i64, prec: u32) -> Self {
        // Enough quotient bits for the precision, a rounding bit and a guard bit; the
        // remainder is the sticky bit.
        let shift = (i64::from(prec) + 2 + i64::try_from(den.bits()).unwrap_or(0)
            - i64::try_from(num.bits()).unwrap_or(0))
        .max(0);
        let shifted = num << u64::try_from(shift).unwrap_or(0);
        let (q, r) = num_integer::Integer::div_rem(&shifted, den);
        Self::round(neg, q, exp - shift, prec, !r.is_zero())
    }

    /// `mant * 2^exp` (plus a nonzero tail below it when `sticky`), rounded to nearest-even at
    /// `prec` bits, normalised.
    fn round(neg: bool, mut mant: BigUint, mut exp: i64, prec: u32, sticky: bool) -> Self {
        let bits = mant.bits();
        if bits > u64::from(prec) {
            let shift = bits - u64::from(prec);
            let half = mant.bit(shift - 1);
            let below = sticky || mant.trailing_zeros().is_some_and(|tz| tz < shift - 1);
            mant >>= shift;
            exp += i64::try_from(shift).unwrap_or(i64::MAX);
            if half && (below || mant.bit(0)) {
                mant += 1u32;
            }
        }
        if mant.is_zero() {
            return if neg {
                Self::neg_zero(prec)
            } else {
                Self(Inner::Small(0, prec))
            };
        }
        let tz = mant.trailing_zeros().unwrap_or(0);
        mant >>= tz;
        exp += i64::try_from(tz).unwrap_or(0);
        let top = exp + i64::try_from(mant.bits()).unwrap_or(0);
        if top > EXP_LIMIT {
            return Self::inf(neg, prec);
        }
        if top < -EXP_LIMIT {
            return if neg {
                Self::neg_zero(prec)
            } else {
                Self(Inner::Small(0, prec))
            };
        }
        if (0..=53).contains(&exp) && mant.bits() + u64::try_from(exp).unwrap_or(0) <= 53 {
            let v = mant.to_i64().unwrap_or(0) << exp;
            return Self(Inner::Small(if neg { -v } else { v }, prec));
        }
        Self(Inner::Big(Box::new(Big {
            neg,
            finite: Some(Finite { mant, exp }),
            prec,
        })))
    }

    fn parts(&self) -> Parts {
        match &self.0 {
            Inner::Small(v, _) => Parts::Finite {
                neg: *v < 0,
                mant: BigUint::from(v.unsigned_abs()),
                exp: 0,
            },
            Inner::Big(b) => match &b.finite {
                Some(f) => Parts::Finite {
                    neg: b.neg,
                    mant: f.mant.clone(),
                    exp: f.exp,
                },
                None => Parts::Inf { neg: b.neg },
            },
        }
    }

    /// The precision in bits.
    #[must_use]
    pub fn precision(&self) -> u32 {
        match &self.0 {
            Inner::Small(_, p) => *p,
            Inner::Big(b) => b.prec,
        }
    }

    /// Whether the number is an infinity.
    #[must_use]
    pub fn is_infinite(&self) -> bool {
        matches!(&self.0, Inner::Big(b) if b.finite.is_none())
    }

    /// Whether the number is zero (of either sign).
    #[must_use]
    pub fn is_zero(&self) -> bool {
        match &self.0 {
            Inner::Small(v, _) => *v == 0,
            Inner::Big(b) => b.finite.as_ref().is_some_and(|f| f.mant.is_zero()),
        }
    }

    /// Whether the sign bit is set (negative numbers, `-0` and `-Inf`).
    #[must_use]
    pub fn is_sign_negative(&self) -> bool {
        match &self.0 {
            Inner::Small(v, _) => *v < 0,
            Inner::Big(b) => b.neg,
        }
    }

    /// Whether the number is a whole number (an infinity is not).
    #[must_use]
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Inner::Small(..) => true,
            Inner::Big(b) => b
                .finite
                .as_ref()
                .is_some_and(|f| f.exp >= 0 || f.mant.is_zero()),
        }
    }

    /// The number as an i64 if it is a whole number in range.
    #[must_use]
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Inner::Small(v, _) => Some(*v),
            Inner::Big(_) if self.is_integer() => self.trunc_bigint().0.to_i64(),
            Inner::Big(_) => None,
        }
    }

    /// The nearest float64 (infinite beyond its range).
    #[must_use]
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            #[allow(clippy::cast_precision_loss)]
            Inner::Small(v, _) => *v as f64,
            Inner::Big(big) => {
                let sign = if big.neg { -1.0 } else { 1.0 };
                let Some(fin) = &big.finite else {
                    return sign * f64::INFINITY;
                };
                if fin.mant.is_zero() {
                    return sign * 0.0;
                }
                let r = Self::round(false, fin.mant.clone(), fin.exp, PREC_F64, false);
                let (m, e) = match &r.0 {
                    Inner::Small(v, _) => (*v, 0),
                    Inner::Big(rb) => match &rb.finite {
                        Some(rf) => (rf.mant.to_i64().unwrap_or(0), rf.exp),
                        None => return sign * f64::INFINITY,
                    },
                };
                #[allow(clippy::cast_precision_loss)]
                let m = m as f64;
                let e = i32::try_from(e.clamp(-2000, 2000)).unwrap_or(0);
                // Two steps so that 2^e itself never over- or underflows needlessly.
                let half = e / 2;
                sign * m * 2f64.powi(half) * 2f64.powi(e - half)
            }
        }
    }

    /// The integer part (truncated toward zero) and whether it is exact (Go `Float.Int`).
    /// An infinity gives zero, not exact.
    #[must_use]
    pub fn trunc_bigint(&self) -> (BigInt, bool) {
        match self.parts() {
            Parts::Finite { neg, mant, exp } => {
                let sign = if neg { Sign::Minus } else { Sign::Plus };
                if exp >= 0 {
                    (
                        BigInt::from_biguint(sign, mant << u64::try_from(exp).unwrap_or(0)),
                        true,
                    )
                } else {
                    let shift = u64::try_from(-exp).unwrap_or(u64::MAX);
                    let int = &mant >> shift;
                    let exact = mant.trailing_zeros().is_none_or(|tz| tz >= shift);
                    (BigInt::from_biguint(sign, int), exact)
                }
            }
            Parts::Inf { .. } => (BigInt::zero(), false),
        }
    }

    /// `-self`.
    #[must_use]
    pub fn neg(&self) -> Self {
        match &self.0 {
            Inner::Small(0, p) => Self::neg_zero(*p),
            Inner::Small(v, p) => Self(Inner::Small(-v, *p)),
            Inner::Big(b) => {
                let mut b = b.clone();
                b.neg = !b.neg;
                if b.finite.as_ref().is_some_and(|f| f.mant.is_zero()) && !b.neg {
                    return Self(Inner::Small(0, b.prec));
                }
                Self(Inner::Big(b))
            }
        }
    }

    /// `|self|`.
    #[must_use]
    pub fn abs(&self) -> Self {
        if self.is_sign_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// `self + other` (Go `Float.Add`).
    ///
    /// # Errors
    /// Opposite infinities.
    pub fn add(&self, other: &Self) -> Result<Self, NumberError> {
        let prec = self.precision().max(other.precision());
        if let (Inner::Small(a, _), Inner::Small(b, _)) = (&self.0, &other.0) {
            let s = a + b;
            if s.abs() <= SMALL_LIMIT {
                return Ok(Self(Inner::Small(s, prec)));
            }
        }
        match (self.parts(), other.parts()) {
            (Parts::Inf { neg: a }, Parts::Inf { neg: b }) if a != b => {
                Err(NumberError("can't compute sum of opposing infinities"))
            }
            (Parts::Inf { neg }, _) | (_, Parts::Inf { neg }) => Ok(Self::inf(neg, prec)),
            (
                Parts::Finite {
                    neg: an,
                    mant: am,
                    exp: ae,
                },
                Parts::Finite {
                    neg: bn,
                    mant: bm,
                    exp: be,
                },
            ) => {
                if am.is_zero() && bm.is_zero() {
                    return Ok(Self::round(an && bn, BigUint::zero(), 0, prec, false));
                }
                let e = ae.min(be);
                let am = am << u64::try_from(ae - e).unwrap_or(0);
                let bm = bm << u64::try_from(be - e).unwrap_or(0);
                if an == bn {
                    return Ok(Self::round(an, am + bm, e, prec, false));
                }
                Ok(match am.cmp(&bm) {
                    Ordering::Greater => Self::round(an, am - bm, e, prec, false),
                    Ordering::Less => Self::round(bn, bm - am, e, prec, false),
                    Ordering::Equal => Self::round(false, BigUint::zero(), 0, prec, false),
                })
            }
        }
    }

    /// `self - other` (cty: `self + (-other)`).
    ///
    /// # Errors
    /// Infinities of one sign.
    pub fn sub(&self, other: &Self) -> Result<Self, NumberError> {
        self.add(&other.neg())
            .map_err(|_| NumberError("can't subtract infinity from itself"))
    }

    /// `self * other` (Go `Float.Mul`).
    ///
    /// # Errors
    /// Zero times an infinity.
    pub fn mul(&self, other: &Self) -> Result<Self, NumberError> {
        let prec = self.precision().max(other.precision());
        self.mul_prec(other, prec)
    }

    fn mul_prec(&self, other: &Self, prec: u32) -> Result<Self, NumberError> {
        if let (Inner::Small(a, _), Inner::Small(b, _)) = (&self.0, &other.0)
            && let Some(p) = a.checked_mul(*b)
            && p.abs() <= SMALL_LIMIT
            && !(p == 0 && (*a < 0 || *b < 0))
        {
            return Ok(Self(Inner::Small(p, prec)));
        }
        let neg = self.is_sign_negative() != other.is_sign_negative();
        match (self.parts(), other.parts()) {
            (Parts::Inf { .. }, Parts::Finite { mant, .. })
            | (Parts::Finite { mant, .. }, Parts::Inf { .. })
                if mant.is_zero() =>
            {
                Err(NumberError("can't multiply zero by infinity"))
            }
            (Parts::Inf { .. }, _) | (_, Parts::Inf { .. }) => Ok(Self::inf(neg, prec)),
            (
                Parts::Finite {
                    mant: am, exp: ae, ..
                },
                Parts::Finite {
                    mant: bm, exp: be, ..
                },
            ) => Ok(Self::round(neg, am * bm, ae + be, prec, false)),
        }
    }

    /// `self / other` (Go `Float.Quo`): a nonzero number over zero is an infinity.
    ///
    /// # Errors
    /// Zero over zero, an infinity over an infinity.
    pub fn div(&self, other: &Self) -> Result<Self, NumberError> {
        let prec = self.precision().max(other.precision());
        if let (Inner::Small(a, _), Inner::Small(b, _)) = (&self.0, &other.0)
            && *b != 0
            && a % b == 0
            && !(*a == 0 && *b < 0)
        {
            return Ok(Self(Inner::Small(a / b, prec)));
        }
        let neg = self.is_sign_negative() != other.is_sign_negative();
        let nan = NumberError("can't divide zero by zero or infinity by infinity");
        match (self.parts(), other.parts()) {
            (Parts::Inf { .. }, Parts::Inf { .. }) => Err(nan),
            (Parts::Inf { .. }, _) => Ok(Self::inf(neg, prec)),
            (_, Parts::Inf { .. }) => Ok(Self::round(neg, BigUint::zero(), 0, prec, false)),
            (
                Parts::Finite {
                    mant: am, exp: ae, ..
                },
                Parts::Finite {
                    mant: bm, exp: be, ..
                },
            ) => match (am.is_zero(), bm.is_zero()) {
                (true, true) => Err(nan),
                (false, true) => Ok(Self::inf(neg, prec)),
                (true, false) => Ok(Self::round(neg, BigUint::zero(), 0, prec, false)),
                (false, false) => Ok(Self::quotient(neg, &am, &bm, ae - be, prec)),
            },
        }
    }

    /// `self % other` as cty's `Modulo`: `x % 0` is `x`; otherwise `x - other * trunc(x /
    /// other)`, computed at `x`'s precision (so the result has the sign of `x`).
    ///
    /// # Errors
    /// As the operations it is made of.
    pub fn rem(&self, other: &Self) -> Result<Self, NumberError> {
        if self.is_infinite() || other.is_infinite() {
            return self.mul(other);
        }
        if other.is_zero() {
            return Ok(self.clone());
        }
        if let (Inner::Small(a, p), Inner::Small(b, _)) = (&self.0, &other.0) {
            return Ok(Self(Inner::Small(a % b, *p)));
        }
        let prec = self.precision();
        let (int, _) = self.div(other)?.trunc_bigint();
        let work = Self::from_bigint_prec(&int, prec);
        let work = other.mul_prec(&work, prec)?;
        let negw = work.neg();
        // Go's `work.Sub(v, work)` with work's precision (v's).
        let sum = self.add(&negw)?;
        Ok(sum.with_precision(prec))
    }

    /// The number rounded to `prec` bits, with that precision.
    #[must_use]
    pub fn with_precision(&self, prec: u32) -> Self {
        match self.parts() {
            Parts::Finite { neg, mant, exp } => Self::round(neg, mant, exp, prec, false),
            Parts::Inf { neg } => Self::inf(neg, prec),
        }
    }

    /// `floor` as Terraform's: the integer below, at the number's precision.
    #[must_use]
    pub fn floor(&self) -> Self {
        self.to_integer(true)
    }

    /// `ceil` as Terraform's: the integer above, at the number's precision.
    #[must_use]
    pub fn ceil(&self) -> Self {
        self.to_integer(false)
    }

    fn to_integer(&self, down: bool) -> Self {
        if self.is_infinite() || matches!(self.0, Inner::Small(..)) {
            return self.clone();
        }
        let (mut int, exact) = self.trunc_bigint();
        if !exact {
            if down && self.is_sign_negative() {
                int -= 1;
            } else if !down && !self.is_sign_negative() {
                int += 1;
            }
        }
        // Go's `SetInt` at the number's precision (zero comes out positive).
        Self::from_bigint_prec(&int, self.precision())
    }

    /// The sign: -1, 0 or 1 (64-bit precision, as `signum`'s `cty.NumberIntVal`).
    #[must_use]
    pub fn signum(&self) -> i64 {
        if self.is_zero() {
            0
        } else if self.is_sign_negative() {
            -1
        } else {
            1
        }
    }

    /// The decimal digits and exponent of the exact value (`0.digits × 10^exp`, no trailing
    /// zero), or `None` for an infinity.
    fn exact_decimal(&self) -> Option<Decimal> {
        match &self.0 {
            Inner::Small(v, _) => Some(Decimal::of_int(v.unsigned_abs())),
            Inner::Big(b) => b.finite.as_ref().map(|f| Decimal::new(&f.mant, f.exp)),
        }
    }

    /// The shortest decimal that reads back to this number at its precision.
    fn shortest_decimal(&self) -> Option<Decimal> {
        let Inner::Big(big) = &self.0 else {
            // An integer of at most 53 bits is its own shortest form at any precision ≥ 53.
            return self.exact_decimal();
        };
        let fin = big.finite.as_ref()?;
        let mut digits = Decimal::new(&fin.mant, fin.exp);
        if fin.mant.is_zero() {
            return Some(digits);
        }
        // Go's `roundShortest`: the bounds half an ulp (at the precision) either side.
        let bits = i64::try_from(fin.mant.bits()).unwrap_or(0);
        let shift = bits - i64::from(big.prec) - 1;
        let (mant, exp) = if shift < 0 {
            (
                &fin.mant << u64::try_from(-shift).unwrap_or(0),
                fin.exp + shift,
            )
        } else {
            (
                &fin.mant >> u64::try_from(shift).unwrap_or(0),
                fin.exp + shift,
            )
        };
        let lower = Decimal::new(&(&mant - 1u32), exp);
        let upper = Decimal::new(&(&mant + 1u32), exp);
        let inclusive = !mant.bit(1);
        for i in 0..digits.digits.len() {
            let here = digits.digits[i];
            let low = lower.at(i);
            let up = upper.at(i);
            let okdown = low != here || inclusive && i + 1 == lower.digits.len();
            let okup = here != up && (inclusive || here + 1 < up || i + 1 < upper.digits.len());
            match (okdown, okup) {
                (true, true) => {
                    digits.round(i + 1);
                    break;
                }
                (true, false) => {
                    digits.round_down(i + 1);
                    break;
                }
                (false, true) => {
                    digits.round_up(i + 1);
                    break;
                }
                (false, false) => {}
            }
        }
        Some(digits)
    }

    /// The number as Terraform prints it everywhere (`Text('f', -1)`): shortest digits, no
    /// exponent, `-0` for negative zero, `+Inf`/`-Inf`.
    #[must_use]
    pub fn to_text(&self) -> String {
        if let Inner::Small(v, _) = self.0 {
            return v.to_string();
        }
        let sign = if self.is_sign_negative() { "-" } else { "" };
        let Some(d) = self.shortest_decimal() else {
            return format!("{}Inf", if sign.is_empty() { "+" } else { sign });
        };
        let prec = (i64::try_from(d.digits.len()).unwrap_or(0) - d.exp).max(0);
        format!("{sign}{}", d.fmt_f(prec))
    }

    /// The number as Go's `%v` of a `big.Float` (`Text('g', -1)`): `format("%v")`.
    #[must_use]
    pub fn to_text_g(&self) -> String {
        let sign = if self.is_sign_negative() { "-" } else { "" };
        let Some(d) = self.shortest_decimal() else {
            return format!("{}Inf", if sign.is_empty() { "+" } else { sign });
        };
        // Go: shortest digits, an exponent when it is below -4 or at least 6.
        let n = i64::try_from(d.digits.len()).unwrap_or(0);
        let exp = d.exp - 1;
        if !(-4..6).contains(&exp) {
            return format!("{sign}{}", d.fmt_e(n - 1, 'e'));
        }
        format!("{sign}{}", d.fmt_f((n - d.exp).max(0)))
    }

    /// The number formatted as Go's `%e`/`%E` (`upper`), `%f` or `%g`/`%G` with a precision,
    /// without sign handling: returns (negative, text).
    #[must_use]
    pub fn format_verb(&self, verb: char, precision: Option<usize>) -> (bool, String) {
        let neg = self.is_sign_negative();
        let Some(mut d) = self.exact_decimal() else {
            return (neg, "Inf".to_owned());
        };
        let prec = i64::try_from(precision.unwrap_or(6)).unwrap_or(6);
        let text = match verb {
            'e' | 'E' => {
                d.round_at(1 + prec);
                d.fmt_e(prec, verb)
            }
            'f' | 'F' => {
                d.round_at(d.exp + prec);
                d.fmt_f(prec)
            }
            _ => {
                let upper = verb == 'G';
                let shortest = precision.is_none();
                if shortest {
                    d = self.shortest_decimal().unwrap_or(d);
                }
                let mut prec = precision.map_or_else(
                    || i64::try_from(d.digits.len()).unwrap_or(0),
                    |p| i64::try_from(p).unwrap_or(6).max(1),
                );
                if !shortest {
                    d.round_at(prec);
                }
                let n = i64::try_from(d.digits.len()).unwrap_or(0);
                let mut eprec = prec;
                if eprec > n && n >= d.exp {
                    eprec = n;
                }
                if shortest {
                    eprec = 6;
                }
                let exp = d.exp - 1;
                if exp < -4 || exp >= eprec {
                    if prec > n {
                        prec = n;
                    }
                    d.fmt_e(prec - 1, if upper { 'E' } else { 'e' })
                } else {
                    if prec > d.exp {
                        prec = n;
                    }
                    d.fmt_f((prec - d.exp).max(0))
                }
            }
        };
        (neg, text)
    }
}

/// `5^n` exactly.
fn pow5(n: i64) -> BigUint {
    num_traits::pow::pow(BigUint::from(5u32), usize::try_from(n).unwrap_or(0))
}

/// A decimal: `0.digits × 10^exp`, digits 0-9 with no trailing zero (empty for zero), as Go's
/// `big.decimal`.
struct Decimal {
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    fn of_int(v: u64) -> Self {
        Self::from_text(&v.to_string(), 0)
    }

    /// `mant * 2^exp` exactly.
    fn new(mant: &BigUint, exp: i64) -> Self {
        if mant.is_zero() {
            return Self {
                digits: Vec::new(),
                exp: 0,
            };
        }
        if exp >= 0 {
            Self::from_text(&(mant << u64::try_from(exp).unwrap_or(0)).to_string(), 0)
        } else {
            // mant / 2^k = mant * 5^k / 10^k.
            let k = -exp;
            Self::from_text(&(mant * pow5(k)).to_string(), k)
        }
    }

    /// The digits of `text` divided by `10^shift`.
    fn from_text(text: &str, shift: i64) -> Self {
        let mut digits: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
        let exp = i64::try_from(digits.len()).unwrap_or(0) - shift;
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            return Self { digits, exp: 0 };
        }
        Self { digits, exp }
    }

    fn at(&self, i: usize) -> u8 {
        self.digits.get(i).copied().unwrap_or(0)
    }

    fn at_signed(&self, i: i64) -> u8 {
        usize::try_from(i).map_or(0, |i| self.at(i))
    }

    fn trim(&mut self) {
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.exp = 0;
        }
    }

    /// Go's `decimal.round` with a signed position (nothing to do outside the digits).
    fn round_at(&mut self, n: i64) {
        if let Ok(n) = usize::try_from(n) {
            self.round(n);
        }
    }

    fn round(&mut self, n: usize) {
        if n >= self.digits.len() {
            return;
        }
        let up = if self.digits[n] == 5 && n + 1 == self.digits.len() {
            n > 0 && self.digits[n - 1] % 2 == 1
        } else {
            self.digits[n] >= 5
        };
        if up {
            self.round_up(n);
        } else {
            self.round_down(n);
        }
    }

    fn round_up(&mut self, mut n: usize) {
        if n >= self.digits.len() {
            return;
        }
        while n > 0 && self.digits[n - 1] >= 9 {
            n -= 1;
        }
        if n == 0 {
            self.digits.clear();
            self.digits.push(1);
            self.exp += 1;
            return;
        }
        self.digits[n - 1] += 1;
        self.digits.truncate(n);
    }

    fn round_down(&mut self, n: usize) {
        if n >= self.digits.len() {
            return;
        }
        self.digits.truncate(n);
        self.trim();
    }

    /// Go's `fmtF`: integer part, then `prec` fraction digits.
    fn fmt_f(&self, prec: i64) -> String {
        let mut out = String::new();
        if self.exp > 0 {
            let m = usize::try_from(self.exp).unwrap_or(0);
            for i in 0..m {
                out.push(char::from(b'0' + self.at(i)));
            }
        } else {
            out.push('0');
        }
        if prec > 0 {
            out.push('.');
            for i in 0..prec {
                out.push(char::from(b'0' + self.at_signed(self.exp + i)));
            }
        }
        out
    }

    /// Go's `fmtE`: one digit, `prec` fraction digits, `e±dd`.
    fn fmt_e(&self, prec: i64, e: char) -> String {
        let mut out = String::new();
        out.push(char::from(b'0' + self.at(0)));
        if prec > 0 {
            out.push('.');
            for i in 1..=prec {
                out.push(char::from(b'0' + self.at_signed(i)));
            }
        }
        out.push(e);
        let exp = if self.digits.is_empty() {
            0
        } else {
            self.exp - 1
        };
        out.push(if exp < 0 { '-' } else { '+' });
        let exp = exp.abs();
        if exp < 10 {
            out.push('0');
        }
        out.push_str(&exp.to_string());
        out
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    /// Numeric order; `-0 == 0`; infinities at the ends.
    fn cmp(&self, other: &Self) -> Ordering {
        if let (Inner::Small(a, _), Inner::Small(b, _)) = (&self.0, &other.0) {
            return a.cmp(b);
        }
        let key = |p: &Parts| -> i8 {
            match p {
                Parts::Inf { neg: true } => -2,
                Parts::Inf { neg: false } => 2,
                Parts::Finite { mant, .. } if mant.is_zero() => 0,
                Parts::Finite { neg: true, .. } => -1,
                Parts::Finite { neg: false, .. } => 1,
            }
        };
        let (a, b) = (self.parts(), other.parts());
        let (ka, kb) = (key(&a), key(&b));
        if ka != kb || ka.abs() != 1 {
            return ka.cmp(&kb);
        }
        let (
            Parts::Finite {
                mant: am, exp: ae, ..
            },
            Parts::Finite {
                mant: bm, exp: be, ..
            },
        ) = (a, b)
        else {
            return Ordering::Equal;
        };
        let e = ae.min(be);
        let am = am << u64::try_from(ae - e).unwrap_or(0);
        let bm = bm << u64::try_from(be - e).unwrap_or(0);
        let magnitude = am.cmp(&bm);
        if ka < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Self::from_i64(v)
    }
}

impl From<BigInt> for Number {
    fn from(v: BigInt) -> Self {
        Self::from_bigint(&v)
    }
}

/// One, for callers that count.
#[must_use]
pub fn one() -> Number {
    Number::from_bigint_prec(&BigInt::one(), PREC_INT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn literals_print_as_terraform_prints_them() {
        for (input, want) in [
            ("9007199254740993", "9007199254740993"),
            ("1e30", "1000000000000000000000000000000"),
            ("1e-7", "0.0000001"),
            ("0.1", "0.1"),
            ("-1.5e3", "-1500"),
            ("1.00000000000000000001", "1.00000000000000000001"),
            ("007", "7"),
            ("0", "0"),
            ("2.", "2"),
        ] {
            assert_eq!(p(input).to_text(), want, "{input}");
        }
    }

    #[test]
    fn division_is_rounded_at_512_bits() {
        let third = p("1").div(&p("3")).unwrap();
        let text = third.to_text();
        assert!(text.starts_with("0.3333"));
        assert!(text.ends_with("335"), "{text}");
        assert_eq!(text.len(), 157);
        let sum = p("0.1").add(&p("0.2")).unwrap();
        assert_eq!(sum.to_text(), "0.3");
        assert_eq!(sum, p("0.3"));
    }

    #[test]
    fn float64_results_print_at_their_precision() {
        assert_eq!(
            Number::from_f64(2f64.powi(64)).to_text(),
            "18446744073709550000"
        );
        assert_eq!(Number::from_f64(0.1).to_text(), "0.1");
        assert_eq!(Number::from_f64(-0.0).to_text(), "-0");
        assert_eq!(Number::from_f64(1.5).to_f64().to_bits(), 1.5f64.to_bits());
    }

    #[test]
    fn modulo_follows_cty() {
        assert_eq!(p("9007199254740993").rem(&p("10")).unwrap().to_text(), "3");
        assert_eq!(p("-5.5").rem(&p("2")).unwrap().to_text(), "-1.5");
        assert_eq!(p("1").rem(&p("0")).unwrap().to_text(), "1");
        assert_eq!(p("7.5").rem(&p("2")).unwrap().to_text(), "1.5");
    }

    #[test]
    fn zero_over_zero_is_an_error_and_one_over_zero_infinite() {
        assert!(p("0").div(&p("0")).is_err());
        assert_eq!(p("1").div(&p("0")).unwrap().to_text(), "+Inf");
        assert_eq!(p("-1").div(&p("0")).unwrap().to_text(), "-Inf");
    }

    #[test]
    fn g_format_uses_an_exponent_like_go() {
        assert_eq!(p("1e21").to_text_g(), "1e+21");
        assert_eq!(p("0.0000001").to_text_g(), "1e-07");
        assert_eq!(p("123456789").to_text_g(), "1.23456789e+08");
        assert_eq!(p("12345").to_text_g(), "12345");
    }

    #[test]
    fn a_megabyte_of_digits_parses_and_rounds_as_the_whole() {
        let long = format!("0.{}", "3".repeat(1 << 20));
        assert_eq!(p(&long), p(&format!("0.{}", "3".repeat(2000))));
        let tail = format!("1.{}1", "0".repeat(1 << 20));
        assert_eq!(p(&tail), p("1"));
    }

    #[test]
    fn comparison_is_exact() {
        assert!(p("9007199254740993") > p("9007199254740992"));
        assert_eq!(p("-0"), p("0"));
        assert!(p("1").div(&p("0")).unwrap() > p("1e300"));
    }

    mod laws {
        //! Property tests: printing and parsing round-trip, exact integer arithmetic, order.

        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn a_float64_prints_as_digits_that_read_back_to_it(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
                let n = Number::from_f64(x);
                let back = Number::parse(&n.to_text()).unwrap().with_precision(PREC_F64);
                prop_assert_eq!(&back, &n);
                prop_assert_eq!(back.to_f64().to_bits(), x.to_bits());
            }

            #[test]
            fn a_parsed_number_prints_as_digits_that_read_back_to_it(
                int in "-?[0-9]{1,40}",
                frac in "[0-9]{0,40}",
                exp in -60i32..60,
            ) {
                let text = format!("{int}.{frac}e{exp}");
                let n = Number::parse(&text).unwrap();
                let printed = n.to_text();
                prop_assert!(!printed.contains('e'), "{}", printed);
                prop_assert_eq!(Number::parse(&printed).unwrap(), n);
            }

            #[test]
            fn integer_arithmetic_is_exact(a in any::<i64>(), b in any::<i64>()) {
                let (x, y) = (Number::from_i64(a), Number::from_i64(b));
                let big = |v: i128| Number::parse(&v.to_string()).unwrap();
                // 64-bit precision rounds results wider than 64 bits, as Go does.
                let at64 = |v: i128| big(v).with_precision(PREC_INT);
                prop_assert_eq!(x.add(&y).unwrap(), at64(i128::from(a) + i128::from(b)));
                prop_assert_eq!(x.sub(&y).unwrap(), at64(i128::from(a) - i128::from(b)));
                prop_assert_eq!(x.mul(&y).unwrap(), at64(i128::from(a) * i128::from(b)));
                if b != 0 {
                    prop_assert_eq!(x.rem(&y).unwrap(), big(i128::from(a) % i128::from(b)));
                }
            }

            #[test]
            fn order_is_a_total_order_and_equality_symmetric(a in any::<f64>(), b in any::<f64>()) {
                prop_assume!(a.is_finite() && b.is_finite());
                let (x, y) = (Number::from_f64(a), Number::from_f64(b));
                prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse());
                prop_assert_eq!(x == y, y == x);
                prop_assert_eq!(x.cmp(&y), a.partial_cmp(&b).unwrap());
            }
        }
    }
}
