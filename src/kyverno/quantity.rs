//! Kubernetes resource quantities (`500m`, `2Gi`, `1e3`) and Go durations
//! (`1h30m`, `10s`), parsed the way Kyverno's scalar patterns parse them:
//! quantities as `k8s.io/apimachinery` `resource.ParseQuantity` does,
//! durations as Go's `time.ParseDuration`.
//!
//! Quantities are kept exact (digits, a power of ten and a power of two) so
//! that `1024Mi` equals `1Gi` and `0.2` equals `200m`, as `Quantity.Cmp`
//! decides with arbitrary precision in Go.

use std::cmp::Ordering;

/// A parsed quantity: `mantissa * 10^exp10 * 2^exp2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    exp10: i32,
    exp2: u32,
}

/// Parses a quantity; `None` where Kubernetes would refuse it.
pub fn parse_quantity(text: &str) -> Option<Quantity> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_len);
    let (mantissa, fraction_digits) = parse_decimal(number)?;
    let (exp10, exp2) = parse_suffix(suffix)?;
    let mantissa = if negative { -mantissa } else { mantissa };
    Some(Quantity {
        mantissa,
        exp10: exp10.checked_sub(fraction_digits)?,
        exp2,
    })
}

/// `digits`, `digits.`, `.digits` or `digits.digits`, as one integer and
/// the number of digits after the point.
fn parse_decimal(number: &str) -> Option<(i128, i32)> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return None;
    }
    // Leading and trailing zeros carry no value; dropping them keeps long
    // spellings such as `0.000000` inside i128.
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let mut mantissa: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(digit - b'0'))?;
    }
    Some((mantissa, i32::try_from(fraction.len()).ok()?))
}

/// The suffix as a power of ten and a power of two.
fn parse_suffix(suffix: &str) -> Option<(i32, u32)> {
    let binary = |power: u32| Some((0, power));
    match suffix {
        "" => Some((0, 0)),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        "n" => Some((-9, 0)),
        "u" => Some((-6, 0)),
        "m" => Some((-3, 0)),
        "k" => Some((3, 0)),
        "M" => Some((6, 0)),
        "G" => Some((9, 0)),
        "T" => Some((12, 0)),
        "P" => Some((15, 0)),
        "E" => Some((18, 0)),
        _ => parse_exponent(suffix).map(|exp| (exp, 0)),
    }
}

/// `e3`, `E-2`, `e+6`: a decimal exponent.
fn parse_exponent(suffix: &str) -> Option<i32> {
    let digits = suffix.strip_prefix(['e', 'E'])?;
    let unsigned = digits.strip_prefix(['+', '-']).unwrap_or(digits);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Quantity {
    /// Compares two quantities by value, exactly where the numbers fit in
    /// 128 bits and through `f64` beyond (quantities of 10^38 and more).
    pub fn compare(&self, other: &Quantity) -> Ordering {
        self.exact_compare(other)
            .unwrap_or_else(|| self.approximate().total_cmp(&other.approximate()))
    }

    /// The exact value as `(mantissa, exp10, exp2)`: `mantissa * 10^exp10 * 2^exp2`.
    pub fn parts(&self) -> (i128, i32, u32) {
        (self.mantissa, self.exp10, self.exp2)
    }

    fn exact_compare(&self, other: &Quantity) -> Option<Ordering> {
        let left = self.mantissa.checked_mul(1i128.checked_shl(self.exp2)?)?;
        let right = other.mantissa.checked_mul(1i128.checked_shl(other.exp2)?)?;
        let common = self.exp10.min(other.exp10);
        let scale = |value: i128, exp: i32| -> Option<i128> {
            let power = u32::try_from(exp - common).ok()?;
            value.checked_mul(10i128.checked_pow(power)?)
        };
        Some(scale(left, self.exp10)?.cmp(&scale(right, other.exp10)?))
    }

    fn approximate(&self) -> f64 {
        // Precision is lost only past 2^53, where exactness already failed.
        #[allow(clippy::cast_precision_loss)]
        let mantissa = self.mantissa as f64;
        mantissa * 10f64.powi(self.exp10) * 2f64.powi(i32::try_from(self.exp2).unwrap_or(i32::MAX))
    }
}

/// Parses a Go duration into nanoseconds; `None` where Go would refuse it.
///
/// `"0"` is the one spelling without a unit Go accepts.
pub fn parse_duration(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let (nanos, after) = parse_duration_term(rest)?;
        total = total.checked_add(nanos)?;
        rest = after;
    }
    Some(if negative { -total } else { total })
}

/// One `<number><unit>` term of a duration, and what follows it.
fn parse_duration_term(text: &str) -> Option<(i64, &str)> {
    let whole_len = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (whole, rest) = text.split_at(whole_len);
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after) => {
            let len = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            after.split_at(len)
        }
        None => ("", rest),
    };
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let unit_len = rest
        .find(|c: char| c == '.' || c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (unit, rest) = rest.split_at(unit_len);
    let unit = duration_unit(unit)?;
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut nanos = whole.checked_mul(unit)?;
    if !fraction.is_empty() {
        nanos = nanos.checked_add(fraction_nanos(fraction, unit))?;
    }
    Some((nanos, rest))
}

/// The fractional part of a term in nanoseconds, truncated as Go does.
fn fraction_nanos(fraction: &str, unit: i64) -> i64 {
    // Go keeps at most the digits that fit and scales through float64.
    let kept: String = fraction.chars().take(18).collect();
    let value: f64 = kept.parse().unwrap_or(0.0);
    let scale = 10f64.powi(i32::try_from(kept.len()).unwrap_or(18));
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let nanos = (value * (unit as f64 / scale)) as i64;
    nanos
}

fn duration_unit(unit: &str) -> Option<i64> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(left: &str, right: &str) -> Ordering {
        let left = parse_quantity(left).expect("test quantity parses");
        let right = parse_quantity(right).expect("test quantity parses");
        left.compare(&right)
    }

    #[test]
    fn quantities_compare_by_value() {
        let cases = [
            ("1024Mi", "1Gi", Ordering::Equal),
            ("0.2", "200m", Ordering::Equal),
            ("500", "500", Ordering::Equal),
            ("2048", "1024", Ordering::Greater),
            ("1Gi", "1000Mi", Ordering::Greater),
            ("1G", "1Gi", Ordering::Less),
            ("500m", "0.5", Ordering::Equal),
            ("1", "500m", Ordering::Greater),
            ("0.5", ".5", Ordering::Equal),
            ("0.2", ".5", Ordering::Less),
            ("1500m", "2", Ordering::Less),
            ("2Gi", "2147483648", Ordering::Equal),
            ("1e3", "1k", Ordering::Equal),
            ("1E3", "1000", Ordering::Equal),
            ("1E", "1e18", Ordering::Equal),
            ("-1", "0", Ordering::Less),
            ("+1", "1", Ordering::Equal),
            ("8.000000", "8", Ordering::Equal),
            ("100n", "0.1u", Ordering::Equal),
            ("1.", "1", Ordering::Equal),
            ("1Ei", "1E", Ordering::Greater),
            ("1e40", "1e39", Ordering::Greater),
        ];
        for (left, right, expected) in cases {
            assert_eq!(cmp(left, right), expected, "{left} vs {right}");
        }
    }

    #[test]
    fn malformed_quantities_are_refused() {
        for text in [
            "", "gii", ".", "1..2", "1Gb", "1e", "10s", "1h", "*", "?*", "1 Gi", "abc", "-",
            "1.2.3", "e3",
        ] {
            assert_eq!(parse_quantity(text), None, "{text:?}");
        }
    }

    #[test]
    fn durations_parse_like_go() {
        let second = 1_000_000_000;
        let cases = [
            ("0", Some(0)),
            ("10s", Some(10 * second)),
            ("1h", Some(3600 * second)),
            ("1h30m", Some(5400 * second)),
            ("1.5h", Some(5400 * second)),
            ("-2m", Some(-120 * second)),
            ("+2m", Some(120 * second)),
            ("300ms", Some(300_000_000)),
            ("1us", Some(1_000)),
            ("1µs", Some(1_000)),
            ("5ns", Some(5)),
            (".5s", Some(500_000_000)),
            ("1.s", Some(second)),
            ("10", None),
            ("", None),
            ("s", None),
            ("1d", None),
            ("1Gi", None),
            ("3600.000000", None),
            ("*", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_duration(text), expected, "{text:?}");
        }
    }
}
