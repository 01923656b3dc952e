//! Kyverno's time functions (`pkg/engine/jmespath/time.go`) over RFC 3339
//! times: `time_since`, `time_now`, `time_now_utc`, `time_add`,
//! `time_parse`, `time_to_cron`, `time_utc`, `time_diff`, `time_before`,
//! `time_after`, `time_between`, `time_truncate`.
//!
//! Not supported: Go layouts other than RFC 3339 (`time_parse` and
//! `time_since` take RFC 3339's layout, `""` or a Unix-seconds layout), and
//! the local time zone: offline there is none, so `time_now` is UTC.

use jmespath::Variable;

use super::{Args, FnResult, format_duration, string_arg};
use crate::kyverno::quantity::parse_duration;

/// Go's `time.RFC3339` layout.
const RFC3339: &str = "2006-01-02T15:04:05Z07:00";

/// Seconds from Go's zero time (year 1) to the Unix epoch.
const ZERO_TO_UNIX: i128 = 62_135_596_800;

const NANOS: i128 = 1_000_000_000;

/// An instant and the offset it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    /// Nanoseconds since the Unix epoch.
    nanos: i128,
    /// Seconds east of UTC.
    offset: i32,
}

impl Time {
    fn utc(self) -> Time {
        Time { offset: 0, ..self }
    }
}

/// `(days since 1970-01-01)` for a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` for days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(text: &str, at: usize, len: usize) -> Option<i64> {
    let part = text.get(at..at + len)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

fn parse_error(value: &str) -> String {
    format!("parsing time {value:?} as {RFC3339:?}: cannot parse {value:?} as RFC 3339")
}

/// Go's `time.Parse(time.RFC3339, text)`: fractional seconds allowed.
pub fn parse_rfc3339(text: &str) -> Result<Time, String> {
    let fail = || parse_error(text);
    let bytes = text.as_bytes();
    let (year, month, day) = (
        digits(text, 0, 4).ok_or_else(fail)?,
        digits(text, 5, 2).ok_or_else(fail)?,
        digits(text, 8, 2).ok_or_else(fail)?,
    );
    let (hour, minute, second) = (
        digits(text, 11, 2).ok_or_else(fail)?,
        digits(text, 14, 2).ok_or_else(fail)?,
        digits(text, 17, 2).ok_or_else(fail)?,
    );
    if bytes.get(4) != Some(&b'-')
        || bytes.get(7) != Some(&b'-')
        || bytes.get(10) != Some(&b'T')
        || bytes.get(13) != Some(&b':')
        || bytes.get(16) != Some(&b':')
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(fail());
    }
    let mut rest = &text[19..];
    let mut fraction: i128 = 0;
    if let Some(after) = rest.strip_prefix('.') {
        let len = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if len == 0 {
            return Err(fail());
        }
        let kept: String = after[..len]
            .chars()
            .chain("000000000".chars())
            .take(9)
            .collect();
        fraction = kept.parse().map_err(|_| fail())?;
        rest = &after[len..];
    }
    let offset = match rest {
        "Z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
            let hours = digits(zone, 1, 2).ok_or_else(fail)?;
            let minutes = digits(zone, 4, 2).ok_or_else(fail)?;
            if zone.as_bytes()[3] != b':' || hours > 23 || minutes > 59 {
                return Err(fail());
            }
            let seconds = hours * 3600 + minutes * 60;
            let seconds = if zone.starts_with('-') {
                -seconds
            } else {
                seconds
            };
            i32::try_from(seconds).map_err(|_| fail())?
        }
        _ => return Err(fail()),
    };
    let days = days_from_civil(year, month, day);
    let local = i128::from(days * 86_400 + hour * 3600 + minute * 60 + second);
    Ok(Time {
        nanos: (local - i128::from(offset)) * NANOS + fraction,
        offset,
    })
}

/// Go's `t.Format(time.RFC3339)`: whole seconds, in the time's offset.
pub fn format_rfc3339(time: Time) -> String {
    let local = time.nanos.div_euclid(NANOS) + i128::from(time.offset);
    let days = i64::try_from(local.div_euclid(86_400)).unwrap_or(0);
    let seconds = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let zone = if time.offset == 0 {
        "Z".to_string()
    } else {
        let sign = if time.offset < 0 { '-' } else { '+' };
        let abs = time.offset.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
    };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{zone}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

fn now() -> Result<Time, String> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|error| error.to_string())?;
    Ok(Time {
        nanos: i128::try_from(since.as_nanos()).map_err(|error| error.to_string())?,
        offset: 0,
    })
}

fn time_arg(name: &str, args: Args<'_>, index: usize) -> Result<Time, String> {
    parse_rfc3339(string_arg(name, args, index)?)
}

fn duration_arg(name: &str, args: Args<'_>, index: usize) -> Result<i64, String> {
    let text = string_arg(name, args, index)?;
    parse_duration(text).ok_or_else(|| format!("time: invalid duration {text:?}"))
}

/// Go's `t2.Sub(t1).String()`, saturating as Go does.
fn difference(from: Time, to: Time) -> String {
    let nanos = (to.nanos - from.nanos).clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    format_duration(i64::try_from(nanos).unwrap_or(i64::MAX))
}

/// A layout Kyverno may be given: RFC 3339's own (or `""`).
fn rfc3339_layout(name: &str, layout: &str) -> Result<(), String> {
    if layout.is_empty() || layout == RFC3339 {
        Ok(())
    } else {
        Err(format!(
            "JMESPath function '{name}': layout {layout:?} is not supported offline, only RFC 3339"
        ))
    }
}

pub(super) fn f_time_since(name: &str, args: Args<'_>) -> FnResult {
    let layout = string_arg(name, args, 0)?;
    rfc3339_layout(name, layout)?;
    let start = time_arg(name, args, 1)?;
    let end = match string_arg(name, args, 2)? {
        "" => now()?,
        text => parse_rfc3339(text)?,
    };
    Ok(Variable::String(difference(start, end)))
}

pub(super) fn f_time_now(_: &str, _: Args<'_>) -> FnResult {
    Ok(Variable::String(format_rfc3339(now()?)))
}

pub(super) fn f_time_to_cron(name: &str, args: Args<'_>) -> FnResult {
    let time = time_arg(name, args, 0)?;
    let local = time.nanos.div_euclid(NANOS) + i128::from(time.offset);
    let days = i64::try_from(local.div_euclid(86_400)).unwrap_or(0);
    let seconds = local.rem_euclid(86_400);
    let (_, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday; Go counts Sunday as 0.
    let weekday = (days + 4).rem_euclid(7);
    Ok(Variable::String(format!(
        "{} {} {day} {month} {weekday}",
        seconds % 3600 / 60,
        seconds / 3600
    )))
}

pub(super) fn f_time_add(_: &str, args: Args<'_>) -> FnResult {
    // Kyverno checks these arguments under the name `time_to_cron`.
    let time = time_arg("time_to_cron", args, 0)?;
    let duration = duration_arg("time_to_cron", args, 1)?;
    Ok(Variable::String(format_rfc3339(Time {
        nanos: time.nanos + i128::from(duration),
        ..time
    })))
}

pub(super) fn f_time_parse(name: &str, args: Args<'_>) -> FnResult {
    let layout = string_arg(name, args, 0)?;
    let text = string_arg(name, args, 1)?;
    if layout.parse::<i64>().is_ok() {
        let seconds: i64 = text
            .parse()
            .map_err(|_| format!("strconv.ParseInt: parsing {text:?}: invalid syntax"))?;
        return Ok(Variable::String(format_rfc3339(Time {
            nanos: i128::from(seconds) * NANOS,
            offset: 0,
        })));
    }
    if layout != RFC3339 {
        rfc3339_layout(name, layout)?;
    }
    Ok(Variable::String(format_rfc3339(parse_rfc3339(text)?)))
}

pub(super) fn f_time_utc(name: &str, args: Args<'_>) -> FnResult {
    Ok(Variable::String(format_rfc3339(
        time_arg(name, args, 0)?.utc(),
    )))
}

pub(super) fn f_time_diff(name: &str, args: Args<'_>) -> FnResult {
    let start = time_arg(name, args, 0)?;
    let end = time_arg(name, args, 1)?;
    Ok(Variable::String(difference(start, end)))
}

pub(super) fn f_time_before(name: &str, args: Args<'_>) -> FnResult {
    Ok(Variable::Bool(
        time_arg(name, args, 0)?.nanos < time_arg(name, args, 1)?.nanos,
    ))
}

pub(super) fn f_time_after(name: &str, args: Args<'_>) -> FnResult {
    Ok(Variable::Bool(
        time_arg(name, args, 0)?.nanos > time_arg(name, args, 1)?.nanos,
    ))
}

pub(super) fn f_time_between(name: &str, args: Args<'_>) -> FnResult {
    let time = time_arg(name, args, 0)?.nanos;
    let start = time_arg(name, args, 1)?.nanos;
    let end = time_arg(name, args, 2)?.nanos;
    Ok(Variable::Bool(time > start && time < end))
}

pub(super) fn f_time_truncate(name: &str, args: Args<'_>) -> FnResult {
    let time = time_arg(name, args, 0)?;
    let step = i128::from(duration_arg(name, args, 1)?);
    if step <= 0 {
        return Ok(Variable::String(format_rfc3339(time)));
    }
    // Go truncates the time since its zero time (year 1, UTC).
    let absolute = time.nanos + ZERO_TO_UNIX * NANOS;
    Ok(Variable::String(format_rfc3339(Time {
        nanos: time.nanos - absolute.rem_euclid(step),
        ..time
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> Time {
        match parse_rfc3339(text) {
            Ok(time) => time,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn rfc3339_round_trips_in_its_offset() {
        for text in [
            "2021-01-02T15:04:05Z",
            "2021-01-02T15:04:05+05:30",
            "1969-12-31T23:59:59-01:00",
            "2024-02-29T00:00:00Z",
        ] {
            assert_eq!(format_rfc3339(time(text)), text);
        }
        assert_eq!(
            format_rfc3339(time("2021-01-02T15:04:05.999Z")),
            "2021-01-02T15:04:05Z"
        );
        assert_eq!(
            format_rfc3339(time("2021-01-02T15:04:05+01:00").utc()),
            "2021-01-02T14:04:05Z"
        );
        for bad in [
            "2021-01-02",
            "2021-02-30T00:00:00Z",
            "2021-01-02 15:04:05Z",
            "2021-01-02T15:04:05",
            "2021-01-02T15:04:05+0100",
        ] {
            assert_eq!(parse_rfc3339(bad), Err(parse_error(bad)), "{bad}");
        }
    }
}
