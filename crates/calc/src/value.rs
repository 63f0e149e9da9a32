//! Values and the arithmetic the calc language defines on them.
//!
//! Integer arithmetic is checked (`integer overflow` instead of wrapping),
//! floor division and modulo follow Python (the result of `%` has the sign
//! of the divisor), mixed Int/Float comparisons are exact, and `**` follows
//! Python's rules for zero and negative bases. Every operation returns an
//! [`OpError`] rather than panicking; the evaluator attaches the span.

use crate::ast::{BinaryOp, UnaryOp};
use crate::number::write_float_repr;
use crate::print::{binary_symbol, unary_symbol};
use std::cmp::Ordering;
use std::fmt;

/// A calc value.
///
/// ```
/// use arenakit_calc::value::Value;
/// assert_eq!(Value::Int(7).to_string(), "7");
/// assert_eq!(Value::Float(2.0).to_string(), "2.0");
/// assert_eq!(Value::Bool(true).to_string(), "true");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A signed 64-bit integer.
    Int(i64),
    /// An IEEE-754 double.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
}

/// The type of a [`Value`], as named in error messages.
///
/// ```
/// use arenakit_calc::value::{Type, Value};
/// assert_eq!(Value::Int(3).type_of(), Type::Int);
/// assert_eq!(Type::Float.to_string(), "float");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
}

impl Type {
    /// The name used in messages: `int`, `float` or `bool`.
    ///
    /// ```
    /// assert_eq!(arenakit_calc::value::Type::Bool.name(), "bool");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Type::Int => "int",
            Type::Float => "float",
            Type::Bool => "bool",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an operation on values failed. [`fmt::Display`] gives the message.
///
/// ```
/// use arenakit_calc::value::{OpError, Type};
/// let e = OpError::Type { op: "+", operands: (Type::Bool, Some(Type::Int)) };
/// assert_eq!(e.to_string(), "type error: cannot apply '+' to bool and int");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpError {
    /// `integer overflow`
    IntegerOverflow,
    /// `division by zero`
    DivisionByZero,
    /// `math domain error`
    MathDomain,
    /// `cannot convert inf to int` (`what` is `inf` or `nan`).
    CannotConvert {
        /// `inf` or `nan`.
        what: &'static str,
    },
    /// `type error: cannot apply 'op' to A and B` (or `to A` for one operand).
    Type {
        /// The operator or builtin.
        op: &'static str,
        /// The operand types; the second is absent for one-operand forms.
        operands: (Type, Option<Type>),
    },
    /// `type error: 'if' condition must be bool, not int`.
    Condition(Type),
    /// `'min' expects at least 1 argument, found 0`: a builtin was given a
    /// number of arguments its [`Arity`] does not accept.
    Arity {
        /// The builtin's name.
        name: &'static str,
        /// How many arguments it takes.
        arity: Arity,
        /// How many it was given.
        found: usize,
    },
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            OpError::IntegerOverflow => f.write_str("integer overflow"),
            OpError::DivisionByZero => f.write_str("division by zero"),
            OpError::MathDomain => f.write_str("math domain error"),
            OpError::CannotConvert { what } => write!(f, "cannot convert {what} to int"),
            OpError::Type {
                op,
                operands: (a, Some(b)),
            } => write!(f, "type error: cannot apply '{op}' to {a} and {b}"),
            OpError::Type {
                op,
                operands: (a, None),
            } => write!(f, "type error: cannot apply '{op}' to {a}"),
            OpError::Condition(t) => {
                write!(f, "type error: 'if' condition must be bool, not {t}")
            }
            OpError::Arity { name, arity, found } => {
                f.write_str(&arity_message(name, arity, found))
            }
        }
    }
}

impl Value {
    /// The value's type.
    ///
    /// ```
    /// use arenakit_calc::value::{Type, Value};
    /// assert_eq!(Value::Float(1.0).type_of(), Type::Float);
    /// ```
    pub fn type_of(self) -> Type {
        match self {
            Value::Int(_) => Type::Int,
            Value::Float(_) => Type::Float,
            Value::Bool(_) => Type::Bool,
        }
    }

    /// Appends the value as calc prints it (a Float as Python's `repr`).
    ///
    /// ```
    /// use arenakit_calc::value::Value;
    /// let mut s = String::new();
    /// Value::Float(1e-5).write_to(&mut s);
    /// assert_eq!(s, "1e-05");
    /// ```
    pub fn write_to(self, out: &mut String) {
        match self {
            Value::Int(i) => {
                use std::fmt::Write;
                let _ = write!(out, "{i}");
            }
            Value::Float(x) => write_float_repr(out, x),
            Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

fn type_error(op: BinaryOp, a: Value, b: Value) -> OpError {
    OpError::Type {
        op: binary_symbol(op),
        operands: (a.type_of(), Some(b.type_of())),
    }
}

/// Applies a unary operator.
///
/// # Errors
///
/// Returns [`OpError::IntegerOverflow`] for `-` applied to `i64::MIN`, and
/// [`OpError::Type`] for `-` or `+` applied to a Bool and for `not` applied
/// to an Int or a Float.
///
/// ```
/// use arenakit_calc::{ast::UnaryOp, value::{unary, OpError, Value}};
/// assert_eq!(unary(UnaryOp::Neg, Value::Int(3)), Ok(Value::Int(-3)));
/// assert_eq!(unary(UnaryOp::Neg, Value::Int(i64::MIN)), Err(OpError::IntegerOverflow));
/// assert_eq!(unary(UnaryOp::Not, Value::Bool(true)), Ok(Value::Bool(false)));
/// ```
pub fn unary(op: UnaryOp, v: Value) -> Result<Value, OpError> {
    match (op, v) {
        (UnaryOp::Neg, Value::Int(i)) => i
            .checked_neg()
            .map(Value::Int)
            .ok_or(OpError::IntegerOverflow),
        (UnaryOp::Neg, Value::Float(x)) => Ok(Value::Float(-x)),
        (UnaryOp::Pos, Value::Int(_) | Value::Float(_)) => Ok(v),
        (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        _ => Err(OpError::Type {
            op: unary_symbol(op),
            operands: (v.type_of(), None),
        }),
    }
}

/// Applies an arithmetic or comparison operator (everything except the
/// short-circuit `and` and `or`, which the evaluator handles).
///
/// # Errors
///
/// Returns [`OpError::Type`] for `and` and `or`, and whenever an operand is a
/// Bool except for `==` and `!=` between two Bools. Returns
/// [`OpError::DivisionByZero`] for `/`, `//` and `%` by a zero Int or Float,
/// and for zero raised to a negative finite power;
/// [`OpError::IntegerOverflow`] when `+`, `-`, `*`, `//` or `**` of two Ints
/// has a result outside the `i64` range; and [`OpError::MathDomain`] for a
/// negative finite base raised to a finite Float power that is not an
/// integer.
///
/// ```
/// use arenakit_calc::{ast::BinaryOp, value::{binary, OpError, Value}};
/// assert_eq!(binary(BinaryOp::FloorDiv, Value::Int(-7), Value::Int(2)), Ok(Value::Int(-4)));
/// assert_eq!(binary(BinaryOp::Rem, Value::Int(7), Value::Int(-3)), Ok(Value::Int(-2)));
/// assert_eq!(binary(BinaryOp::Div, Value::Int(1), Value::Int(0)), Err(OpError::DivisionByZero));
/// ```
#[inline]
pub fn binary(op: BinaryOp, a: Value, b: Value) -> Result<Value, OpError> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_binary(op, x, y),
        (Value::Float(x), Value::Float(y)) => float_binary(op, x, y),
        (Value::Int(x), Value::Float(y)) => match op {
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => Ok(Value::Bool(compare_result(op, cmp_int_float(x, y)))),
            BinaryOp::And | BinaryOp::Or => Err(type_error(op, a, b)),
            _ => float_binary(op, x as f64, y),
        },
        (Value::Float(x), Value::Int(y)) => match op {
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => Ok(Value::Bool(compare_result(
                op,
                cmp_int_float(y, x).map(Ordering::reverse),
            ))),
            BinaryOp::And | BinaryOp::Or => Err(type_error(op, a, b)),
            _ => float_binary(op, x, y as f64),
        },
        (Value::Bool(x), Value::Bool(y)) => match op {
            BinaryOp::Eq => Ok(Value::Bool(x == y)),
            BinaryOp::Ne => Ok(Value::Bool(x != y)),
            _ => Err(type_error(op, a, b)),
        },
        _ => Err(type_error(op, a, b)),
    }
}

/// `None` means unordered (a NaN is involved).
fn compare_result(op: BinaryOp, ord: Option<Ordering>) -> bool {
    match op {
        BinaryOp::Eq => ord == Some(Ordering::Equal),
        BinaryOp::Ne => ord != Some(Ordering::Equal),
        BinaryOp::Lt => ord == Some(Ordering::Less),
        BinaryOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        BinaryOp::Gt => ord == Some(Ordering::Greater),
        BinaryOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        _ => false,
    }
}

/// Compares an Int with a Float exactly, without rounding the Int.
///
/// ```
/// use arenakit_calc::value::cmp_int_float;
/// use std::cmp::Ordering;
/// assert_eq!(cmp_int_float(9007199254740993, 9007199254740992.0), Some(Ordering::Greater));
/// assert_eq!(cmp_int_float(1, f64::NAN), None);
/// ```
pub fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 is exactly representable; every finite f64 at or beyond it is
    // outside the i64 range.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    // In range, so the conversion is exact.
    let ti = t as i64;
    match i.cmp(&ti) {
        Ordering::Equal => {
            let frac = f - t;
            if frac > 0.0 {
                Some(Ordering::Less)
            } else if frac < 0.0 {
                Some(Ordering::Greater)
            } else {
                Some(Ordering::Equal)
            }
        }
        other => Some(other),
    }
}

#[inline]
fn int_binary(op: BinaryOp, x: i64, y: i64) -> Result<Value, OpError> {
    let int = |r: Option<i64>| r.map(Value::Int).ok_or(OpError::IntegerOverflow);
    match op {
        BinaryOp::Add => int(x.checked_add(y)),
        BinaryOp::Sub => int(x.checked_sub(y)),
        BinaryOp::Mul => int(x.checked_mul(y)),
        BinaryOp::Div => {
            if y == 0 {
                Err(OpError::DivisionByZero)
            } else {
                Ok(Value::Float(x as f64 / y as f64))
            }
        }
        BinaryOp::FloorDiv => int_floor_div(x, y).map(Value::Int),
        BinaryOp::Rem => int_mod(x, y).map(Value::Int),
        BinaryOp::Pow => int_pow(x, y),
        BinaryOp::Eq => Ok(Value::Bool(x == y)),
        BinaryOp::Ne => Ok(Value::Bool(x != y)),
        BinaryOp::Lt => Ok(Value::Bool(x < y)),
        BinaryOp::Le => Ok(Value::Bool(x <= y)),
        BinaryOp::Gt => Ok(Value::Bool(x > y)),
        BinaryOp::Ge => Ok(Value::Bool(x >= y)),
        BinaryOp::And | BinaryOp::Or => Err(type_error(op, Value::Int(x), Value::Int(y))),
    }
}

/// Python's `//` on integers: the quotient rounded toward negative infinity.
///
/// # Errors
///
/// Returns [`OpError::DivisionByZero`] if `y` is 0, and
/// [`OpError::IntegerOverflow`] if `x` is `i64::MIN` and `y` is -1.
///
/// ```
/// use arenakit_calc::value::{int_floor_div, OpError};
/// assert_eq!(int_floor_div(-7, 2), Ok(-4));
/// assert_eq!(int_floor_div(i64::MIN, -1), Err(OpError::IntegerOverflow));
/// ```
pub fn int_floor_div(x: i64, y: i64) -> Result<i64, OpError> {
    if y == 0 {
        return Err(OpError::DivisionByZero);
    }
    let q = x.checked_div(y).ok_or(OpError::IntegerOverflow)?;
    if x % y != 0 && ((x < 0) != (y < 0)) {
        Ok(q - 1)
    } else {
        Ok(q)
    }
}

/// Python's `%` on integers: the remainder has the sign of the divisor.
///
/// # Errors
///
/// Returns [`OpError::DivisionByZero`] if `y` is 0.
///
/// ```
/// use arenakit_calc::value::int_mod;
/// assert_eq!(int_mod(7, -3), Ok(-2));
/// assert_eq!(int_mod(-7, 3), Ok(2));
/// ```
pub fn int_mod(x: i64, y: i64) -> Result<i64, OpError> {
    if y == 0 {
        return Err(OpError::DivisionByZero);
    }
    if y == -1 {
        return Ok(0);
    }
    let r = x % y;
    if r != 0 && ((r < 0) != (y < 0)) {
        Ok(r + y)
    } else {
        Ok(r)
    }
}

fn int_pow(x: i64, y: i64) -> Result<Value, OpError> {
    if y < 0 {
        // Python: a negative exponent makes it a float operation.
        return float_pow(x as f64, y as f64).map(Value::Float);
    }
    let r = match x {
        0 => Some(if y == 0 { 1 } else { 0 }),
        1 => Some(1),
        -1 => Some(if y % 2 == 0 { 1 } else { -1 }),
        _ => u32::try_from(y).ok().and_then(|e| x.checked_pow(e)),
    };
    r.map(Value::Int).ok_or(OpError::IntegerOverflow)
}

fn float_binary(op: BinaryOp, x: f64, y: f64) -> Result<Value, OpError> {
    let float = |r: f64| Ok(Value::Float(r));
    match op {
        BinaryOp::Add => float(x + y),
        BinaryOp::Sub => float(x - y),
        BinaryOp::Mul => float(x * y),
        BinaryOp::Div => {
            if y == 0.0 {
                Err(OpError::DivisionByZero)
            } else {
                float(x / y)
            }
        }
        BinaryOp::FloorDiv => float_floor_div(x, y).map(Value::Float),
        BinaryOp::Rem => float_mod(x, y).map(Value::Float),
        BinaryOp::Pow => float_pow(x, y).map(Value::Float),
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            Ok(Value::Bool(compare_result(op, x.partial_cmp(&y))))
        }
        BinaryOp::And | BinaryOp::Or => Err(type_error(op, Value::Float(x), Value::Float(y))),
    }
}

/// Python's `//` on floats (`7.0 // 2` = 3.0), computed the way CPython does.
///
/// # Errors
///
/// Returns [`OpError::DivisionByZero`] if `y` is zero (of either sign).
///
/// ```
/// use arenakit_calc::value::float_floor_div;
/// assert_eq!(float_floor_div(7.0, 2.0), Ok(3.0));
/// assert_eq!(float_floor_div(-7.0, 2.0), Ok(-4.0));
/// ```
pub fn float_floor_div(x: f64, y: f64) -> Result<f64, OpError> {
    if y == 0.0 {
        return Err(OpError::DivisionByZero);
    }
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let _ = m;
    if div != 0.0 {
        let mut floordiv = div.floor();
        if div - floordiv > 0.5 {
            floordiv += 1.0;
        }
        Ok(floordiv)
    } else {
        Ok(0.0f64.copysign(x / y))
    }
}

/// Python's `%` on floats: the result has the sign of the divisor.
///
/// # Errors
///
/// Returns [`OpError::DivisionByZero`] if `y` is zero (of either sign).
///
/// ```
/// use arenakit_calc::value::float_mod;
/// assert_eq!(float_mod(-7.5, 2.0), Ok(0.5));
/// ```
pub fn float_mod(x: f64, y: f64) -> Result<f64, OpError> {
    if y == 0.0 {
        return Err(OpError::DivisionByZero);
    }
    let m = x % y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            Ok(m + y)
        } else {
            Ok(m)
        }
    } else {
        Ok(0.0f64.copysign(y))
    }
}

/// Python's `**` on floats.
///
/// # Errors
///
/// Returns [`OpError::DivisionByZero`] if `x` is zero and `y` is negative
/// (`0.0 ** -1`, and `0.0 ** -inf` too), and [`OpError::MathDomain`] if `x`
/// is negative (`-inf` too) and `y` is finite and not an integer
/// (`-8.0 ** 0.5`), as the specification words both rules. Every other case
/// is IEEE `pow`, as in Python: an infinite or NaN exponent is not counted
/// as "not an integer", so `(-8.0) ** inf` is `inf`.
///
/// ```
/// use arenakit_calc::value::{float_pow, OpError};
/// assert_eq!(float_pow(2.0, -1.0), Ok(0.5));
/// assert_eq!(float_pow(0.0, -1.0), Err(OpError::DivisionByZero));
/// assert_eq!(float_pow(0.0, f64::NEG_INFINITY), Err(OpError::DivisionByZero));
/// assert_eq!(float_pow(-8.0, 0.5), Err(OpError::MathDomain));
/// assert_eq!(float_pow(f64::NEG_INFINITY, 0.5), Err(OpError::MathDomain));
/// assert_eq!(float_pow(-8.0, f64::INFINITY), Ok(f64::INFINITY));
/// ```
pub fn float_pow(x: f64, y: f64) -> Result<f64, OpError> {
    if y == 0.0 {
        return Ok(1.0);
    }
    if x == 0.0 && y < 0.0 {
        return Err(OpError::DivisionByZero);
    }
    if x < 0.0 && y.is_finite() && y != y.floor() {
        return Err(OpError::MathDomain);
    }
    Ok(x.powf(y))
}

/// A builtin function.
///
/// ```
/// use arenakit_calc::value::{Builtin, Value};
/// assert_eq!(Builtin::Abs.call(&[Value::Int(-5)]), Ok(Value::Int(5)));
/// assert_eq!(Builtin::Max.call(&[Value::Int(2), Value::Float(2.5)]), Ok(Value::Float(2.5)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `abs(x)`
    Abs,
    /// `min(x, …)`
    Min,
    /// `max(x, …)`
    Max,
    /// `sqrt(x)`
    Sqrt,
    /// `floor(x)`
    Floor,
    /// `ceil(x)`
    Ceil,
    /// `int(x)`
    Int,
    /// `float(x)`
    Float,
}

/// How many arguments a builtin takes.
///
/// ```
/// use arenakit_calc::value::{Arity, Builtin, Value};
/// assert_eq!(Builtin::Sqrt.arity(), Arity::Exactly(1));
/// let error = Builtin::Sqrt.call(&[Value::Int(1), Value::Int(2)]).unwrap_err();
/// assert_eq!(error.to_string(), "'sqrt' expects 1 argument, found 2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    Exactly(usize),
    /// This many or more.
    AtLeast(usize),
}

impl Arity {
    /// Whether a call with `found` arguments has a number this arity takes.
    ///
    /// ```
    /// use arenakit_calc::value::Arity;
    /// assert!(Arity::AtLeast(1).accepts(3));
    /// assert!(!Arity::Exactly(1).accepts(0));
    /// ```
    pub fn accepts(self, found: usize) -> bool {
        match self {
            Arity::Exactly(n) => found == n,
            Arity::AtLeast(n) => found >= n,
        }
    }
}

/// The message for a call of `name`, which takes `arity` arguments, with
/// `found`: `'sqrt' expects 1 argument, found 2`.
pub(crate) fn arity_message(name: &str, arity: Arity, found: usize) -> String {
    let (prefix, n) = match arity {
        Arity::Exactly(n) => ("", n),
        Arity::AtLeast(n) => ("at least ", n),
    };
    let noun = if n == 1 { "argument" } else { "arguments" };
    format!("'{name}' expects {prefix}{n} {noun}, found {found}")
}

impl Builtin {
    /// Every builtin, in a fixed order.
    ///
    /// ```
    /// use arenakit_calc::value::Builtin;
    /// let by_name = Builtin::ALL.into_iter().find(|b| b.name() == "ceil");
    /// assert_eq!(by_name, Some(Builtin::Ceil));
    /// ```
    pub const ALL: [Builtin; 8] = [
        Builtin::Abs,
        Builtin::Min,
        Builtin::Max,
        Builtin::Sqrt,
        Builtin::Floor,
        Builtin::Ceil,
        Builtin::Int,
        Builtin::Float,
    ];

    /// The name the builtin is bound to at start-up.
    ///
    /// ```
    /// assert_eq!(arenakit_calc::value::Builtin::Sqrt.name(), "sqrt");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Abs => "abs",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Sqrt => "sqrt",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Int => "int",
            Builtin::Float => "float",
        }
    }

    /// How many arguments it accepts.
    ///
    /// ```
    /// use arenakit_calc::value::{Arity, Builtin};
    /// assert_eq!(Builtin::Max.arity(), Arity::AtLeast(1));
    /// ```
    pub fn arity(self) -> Arity {
        match self {
            Builtin::Min | Builtin::Max => Arity::AtLeast(1),
            _ => Arity::Exactly(1),
        }
    }

    /// Applies the builtin to `args`.
    ///
    /// # Errors
    ///
    /// Returns [`OpError::Arity`] if [`Builtin::arity`] does not accept the
    /// number of arguments; [`OpError::Type`] if an argument is a Bool;
    /// [`OpError::MathDomain`] for `sqrt` of a negative number;
    /// [`OpError::CannotConvert`] for `floor`, `ceil` or `int` of an infinity
    /// or a NaN; and [`OpError::IntegerOverflow`] for `abs` of `i64::MIN` and
    /// for `floor`, `ceil` or `int` of a Float whose result is outside the
    /// `i64` range.
    ///
    /// ```
    /// use arenakit_calc::value::{Builtin, OpError, Value};
    /// assert_eq!(Builtin::Floor.call(&[Value::Float(-2.5)]), Ok(Value::Int(-3)));
    /// assert_eq!(Builtin::Min.call(&[Value::Int(1), Value::Float(1.0)]), Ok(Value::Int(1)));
    /// assert_eq!(
    ///     Builtin::Int.call(&[Value::Float(f64::NAN)]),
    ///     Err(OpError::CannotConvert { what: "nan" }),
    /// );
    /// ```
    pub fn call(self, args: &[Value]) -> Result<Value, OpError> {
        let name = self.name();
        let (arity, found) = (self.arity(), args.len());
        // No builtin takes zero arguments.
        let (&first, rest) = match args.split_first() {
            Some(split) if arity.accepts(found) => split,
            _ => return Err(OpError::Arity { name, arity, found }),
        };
        let bad = |v: Value| OpError::Type {
            op: name,
            operands: (v.type_of(), None),
        };
        if let Builtin::Min | Builtin::Max = self {
            let want = if self == Builtin::Min {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let mut best = first;
            if best.type_of() == Type::Bool {
                return Err(bad(best));
            }
            for &v in rest {
                if v.type_of() == Type::Bool {
                    return Err(bad(v));
                }
                if compare_numbers(v, best) == Some(want) {
                    best = v;
                }
            }
            return Ok(best);
        }
        // Every other builtin takes exactly one argument: `first`.
        let v = first;
        match (self, v) {
            (_, Value::Bool(_)) => Err(bad(v)),
            (Builtin::Abs, Value::Int(i)) => i
                .checked_abs()
                .map(Value::Int)
                .ok_or(OpError::IntegerOverflow),
            (Builtin::Abs, Value::Float(x)) => Ok(Value::Float(x.abs())),
            (Builtin::Sqrt, Value::Int(i)) => sqrt(i as f64),
            (Builtin::Sqrt, Value::Float(x)) => sqrt(x),
            (Builtin::Floor | Builtin::Ceil | Builtin::Int, Value::Int(_)) => Ok(v),
            (Builtin::Floor, Value::Float(x)) => float_to_int(x.floor()),
            (Builtin::Ceil, Value::Float(x)) => float_to_int(x.ceil()),
            (Builtin::Int, Value::Float(x)) => float_to_int(x.trunc()),
            (Builtin::Float, Value::Int(i)) => Ok(Value::Float(i as f64)),
            (Builtin::Float, Value::Float(_)) => Ok(v),
            (Builtin::Min | Builtin::Max, _) => Ok(v),
        }
    }
}

fn compare_numbers(a: Value, b: Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(&y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(&y),
        (Value::Int(x), Value::Float(y)) => cmp_int_float(x, y),
        (Value::Float(x), Value::Int(y)) => cmp_int_float(y, x).map(Ordering::reverse),
        _ => None,
    }
}

fn sqrt(x: f64) -> Result<Value, OpError> {
    if x < 0.0 {
        Err(OpError::MathDomain)
    } else {
        Ok(Value::Float(x.sqrt()))
    }
}

/// Converts an integral float to Int: inf and nan cannot be converted, and
/// values outside the i64 range overflow.
fn float_to_int(x: f64) -> Result<Value, OpError> {
    if x.is_nan() {
        return Err(OpError::CannotConvert { what: "nan" });
    }
    if x.is_infinite() {
        return Err(OpError::CannotConvert { what: "inf" });
    }
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !(-TWO_63..TWO_63).contains(&x) {
        return Err(OpError::IntegerOverflow);
    }
    Ok(Value::Int(x as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use BinaryOp::*;
    use Value::{Bool as B, Float as F, Int as I};

    fn show(r: Result<Value, OpError>) -> String {
        match r {
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Expected strings were checked with python3 (`repr` of the same
    /// expression; `ZeroDivisionError` → division by zero, `OverflowError` or a
    /// result outside i64 → integer overflow).
    #[test]
    fn arithmetic_table() {
        let check = |op, a, b, expect: &str| {
            assert_eq!(show(binary(op, a, b)), expect, "{a:?} {op:?} {b:?}")
        };
        check(Add, I(2), I(3), "5");
        check(Add, I(i64::MAX), I(1), "error: integer overflow");
        check(Sub, I(i64::MIN), I(1), "error: integer overflow");
        check(Mul, I(1 << 62), I(2), "error: integer overflow");
        check(Add, I(1), F(0.5), "1.5");
        check(Mul, F(1e308), I(10), "inf");
        check(Sub, F(f64::INFINITY), F(f64::INFINITY), "nan");
        check(Div, I(7), I(2), "3.5");
        check(Div, I(6), I(3), "2.0");
        check(Div, I(1), I(0), "error: division by zero");
        check(Div, F(1.0), F(0.0), "error: division by zero");
        check(Div, F(1.0), I(0), "error: division by zero");
        check(FloorDiv, I(-7), I(2), "-4");
        check(FloorDiv, I(7), I(-2), "-4");
        check(FloorDiv, I(7), I(2), "3");
        check(FloorDiv, I(i64::MIN), I(-1), "error: integer overflow");
        check(FloorDiv, F(7.0), I(2), "3.0");
        check(FloorDiv, F(-7.0), I(2), "-4.0");
        check(FloorDiv, F(7.0), F(f64::INFINITY), "0.0");
        check(FloorDiv, F(-7.0), F(f64::INFINITY), "-1.0");
        check(FloorDiv, F(-0.0), I(1), "-0.0");
        check(FloorDiv, F(5.0), F(-0.5), "-10.0");
        check(FloorDiv, I(1), F(0.0), "error: division by zero");
        check(Rem, I(7), I(-3), "-2");
        check(Rem, I(-7), I(3), "2");
        check(Rem, I(i64::MIN), I(-1), "0");
        check(Rem, I(1), I(0), "error: division by zero");
        check(Rem, F(-7.5), I(2), "0.5");
        check(Rem, F(7.0), F(f64::INFINITY), "7.0");
        check(Rem, F(-7.0), F(f64::INFINITY), "inf");
        check(Rem, F(-0.0), I(1), "0.0");
        check(Rem, F(0.0), I(-1), "-0.0");
        check(Rem, F(-1e-300), F(1e300), "1e+300");
        check(Rem, F(1.0), F(0.0), "error: division by zero");
        check(Pow, I(2), I(10), "1024");
        check(Pow, I(2), I(63), "error: integer overflow");
        check(Pow, I(-2), I(63), "-9223372036854775808");
        check(Pow, I(2), I(-1), "0.5");
        check(Pow, I(-2), I(-1), "-0.5");
        check(Pow, I(10), I(-400), "0.0");
        check(Pow, I(0), I(0), "1");
        check(Pow, I(0), I(-1), "error: division by zero");
        check(Pow, I(1), I(i64::MAX), "1");
        check(Pow, I(-1), I(i64::MAX), "-1");
        check(Pow, I(0), I(i64::MAX), "0");
        check(Pow, I(3), I(i64::MAX), "error: integer overflow");
        check(Pow, F(2.0), I(3), "8.0");
        check(Pow, F(-8.0), F(1.0 / 3.0), "error: math domain error");
        check(Pow, I(-8), F(0.5), "error: math domain error");
        check(Pow, F(-8.0), F(2.0), "64.0");
        check(Pow, F(0.0), F(-1.0), "error: division by zero");
        check(Pow, F(0.0), F(f64::NEG_INFINITY), "error: division by zero");
        check(Pow, F(-0.0), F(-0.5), "error: division by zero");
        check(
            Pow,
            F(f64::NEG_INFINITY),
            F(0.5),
            "error: math domain error",
        );
        check(
            Pow,
            F(f64::NEG_INFINITY),
            F(-0.5),
            "error: math domain error",
        );
        check(Pow, F(f64::NEG_INFINITY), F(3.0), "-inf");
        check(Pow, F(-8.0), F(f64::INFINITY), "inf");
        check(Pow, F(-8.0), F(f64::NAN), "nan");
        check(Pow, F(-1.0), F(f64::INFINITY), "1.0");
        check(Pow, F(f64::NAN), I(0), "1.0");
        check(Pow, I(1), F(f64::NAN), "1.0");
        check(Pow, F(0.0), F(0.0), "1.0");
        check(
            Add,
            B(true),
            I(1),
            "error: type error: cannot apply '+' to bool and int",
        );
        check(
            Pow,
            F(1.0),
            B(false),
            "error: type error: cannot apply '**' to float and bool",
        );
    }

    #[test]
    fn comparisons_are_exact() {
        let check = |op, a, b, expect: &str| {
            assert_eq!(show(binary(op, a, b)), expect, "{a:?} {op:?} {b:?}")
        };
        check(Eq, I(9007199254740993), F(9007199254740992.0), "false");
        check(Gt, I(9007199254740993), F(9007199254740992.0), "true");
        check(Lt, F(9007199254740992.0), I(9007199254740993), "true");
        check(Eq, I(1), F(1.0), "true");
        check(Lt, I(i64::MAX), F(9223372036854775808.0), "true");
        check(Ge, I(i64::MIN), F(-9223372036854775808.0), "true");
        check(Gt, I(i64::MIN), F(-1e19), "true");
        check(Lt, I(-3), F(-2.5), "true");
        check(Gt, I(-2), F(-2.5), "true");
        check(Ne, I(1), F(f64::NAN), "true");
        check(Eq, F(f64::NAN), F(f64::NAN), "false");
        check(Le, I(1), F(f64::NAN), "false");
        check(Eq, B(true), B(true), "true");
        check(Ne, B(true), B(false), "true");
        check(
            Lt,
            B(true),
            B(false),
            "error: type error: cannot apply '<' to bool and bool",
        );
        check(
            Eq,
            I(1),
            B(true),
            "error: type error: cannot apply '==' to int and bool",
        );
    }

    #[test]
    fn unary_ops() {
        assert_eq!(show(unary(UnaryOp::Neg, F(0.0))), "-0.0");
        assert_eq!(show(unary(UnaryOp::Pos, I(5))), "5");
        assert_eq!(
            show(unary(UnaryOp::Neg, B(true))),
            "error: type error: cannot apply '-' to bool"
        );
        assert_eq!(
            show(unary(UnaryOp::Not, I(1))),
            "error: type error: cannot apply 'not' to int"
        );
    }

    #[test]
    fn builtins() {
        let check = |b: Builtin, args: &[Value], expect: &str| {
            assert_eq!(show(b.call(args)), expect, "{b:?}{args:?}")
        };
        check(Builtin::Abs, &[I(-5)], "5");
        check(Builtin::Abs, &[I(i64::MIN)], "error: integer overflow");
        check(Builtin::Abs, &[F(-0.0)], "0.0");
        check(Builtin::Min, &[I(3), F(1.5), I(2)], "1.5");
        check(Builtin::Min, &[I(1), F(1.0)], "1");
        check(Builtin::Min, &[F(1.0), I(1)], "1.0");
        check(Builtin::Max, &[I(1), F(1.0)], "1");
        check(Builtin::Min, &[F(f64::NAN), I(1)], "nan");
        check(Builtin::Min, &[I(1), F(f64::NAN)], "1");
        check(Builtin::Max, &[I(7)], "7");
        check(
            Builtin::Max,
            &[I(7), B(true)],
            "error: type error: cannot apply 'max' to bool",
        );
        check(Builtin::Sqrt, &[I(16)], "4.0");
        check(Builtin::Sqrt, &[F(-0.0)], "-0.0");
        check(Builtin::Sqrt, &[I(-1)], "error: math domain error");
        check(
            Builtin::Sqrt,
            &[F(f64::NEG_INFINITY)],
            "error: math domain error",
        );
        check(Builtin::Floor, &[F(-2.5)], "-3");
        check(Builtin::Ceil, &[F(-2.5)], "-2");
        check(Builtin::Int, &[F(-2.5)], "-2");
        check(Builtin::Floor, &[I(7)], "7");
        check(
            Builtin::Floor,
            &[F(f64::INFINITY)],
            "error: cannot convert inf to int",
        );
        check(
            Builtin::Ceil,
            &[F(f64::NEG_INFINITY)],
            "error: cannot convert inf to int",
        );
        check(
            Builtin::Int,
            &[F(f64::NAN)],
            "error: cannot convert nan to int",
        );
        check(Builtin::Int, &[F(1e19)], "error: integer overflow");
        check(
            Builtin::Int,
            &[F(-9223372036854775808.0)],
            "-9223372036854775808",
        );
        check(
            Builtin::Int,
            &[F(9223372036854775808.0)],
            "error: integer overflow",
        );
        check(Builtin::Float, &[I(3)], "3.0");
        check(
            Builtin::Float,
            &[B(true)],
            "error: type error: cannot apply 'float' to bool",
        );
        // The evaluator checks the count first, but `call` does not rely
        // on it.
        check(
            Builtin::Min,
            &[],
            "error: 'min' expects at least 1 argument, found 0",
        );
        check(
            Builtin::Sqrt,
            &[],
            "error: 'sqrt' expects 1 argument, found 0",
        );
        check(
            Builtin::Abs,
            &[I(1), I(2)],
            "error: 'abs' expects 1 argument, found 2",
        );
    }

    /// The evaluator short-circuits `and` and `or` itself; `binary` refuses
    /// them and names the operand types it was given.
    #[test]
    fn and_or_are_not_binary_operators() {
        let check = |op, a, b, expect: &str| {
            assert_eq!(show(binary(op, a, b)), expect, "{a:?} {op:?} {b:?}")
        };
        check(
            And,
            I(1),
            F(2.0),
            "error: type error: cannot apply 'and' to int and float",
        );
        check(
            Or,
            F(1.0),
            I(2),
            "error: type error: cannot apply 'or' to float and int",
        );
        check(
            And,
            B(true),
            B(true),
            "error: type error: cannot apply 'and' to bool and bool",
        );
    }
}
