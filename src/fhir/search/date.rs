//! FHIR dates as time ranges. FHIR R4 §3.1.1.4.2 ("date") says a date
//! parameter and a target value are both *ranges* at their own precision
//! (`2024` is the whole year), and each prefix is defined by how the two
//! ranges relate; a Period is the range from its start to the end of its end.
//! Values without a time zone are taken as UTC (the sandbox has no local
//! time zone to speak of).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// A half-open range `[start, end)` in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: i64,
    pub end: i64,
}

/// R4 §3.1.1.4.1 prefixes (`ap` is treated as "overlaps").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Sa,
    Eb,
    Ap,
}

impl Prefix {
    /// Splits a two-letter prefix off a date value (`ge2024` → `Ge`, `2024`).
    pub fn split(value: &str) -> (Prefix, &str) {
        let table = [
            ("eq", Prefix::Eq),
            ("ne", Prefix::Ne),
            ("lt", Prefix::Lt),
            ("gt", Prefix::Gt),
            ("le", Prefix::Le),
            ("ge", Prefix::Ge),
            ("sa", Prefix::Sa),
            ("eb", Prefix::Eb),
            ("ap", Prefix::Ap),
        ];
        for (text, prefix) in table {
            if let Some(rest) = value.strip_prefix(text) {
                return (prefix, rest);
            }
        }
        (Prefix::Eq, value)
    }

    /// Whether a target range satisfies `self` against the search range
    /// (R4 §3.1.1.4.2 table: "the range above the search value intersects the
    /// range of the target value", and so on).
    pub fn matches(self, search: Range, target: Range) -> bool {
        let contains = search.start <= target.start && target.end <= search.end;
        match self {
            Prefix::Eq => contains,
            Prefix::Ne => !contains,
            Prefix::Gt => target.end > search.end,
            Prefix::Lt => target.start < search.start,
            Prefix::Ge => target.end > search.end || contains,
            Prefix::Le => target.start < search.start || contains,
            Prefix::Sa => target.start >= search.end,
            Prefix::Eb => target.end <= search.start,
            Prefix::Ap => target.start < search.end && search.start < target.end,
        }
    }
}

/// Parses a FHIR `date`, `dateTime` or `instant` (`YYYY`, `YYYY-MM`,
/// `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]`) into the range it
/// denotes at its precision. `None` when malformed.
pub fn parse_range(s: &str) -> Option<Range> {
    let s = s.trim();
    if s.len() > 40 || !s.is_ascii() {
        return None;
    }
    let (date_part, time_part) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut it = date_part.split('-');
    let year: i32 = digits(it.next()?, 4)?;
    let month: Option<u32> = match it.next() {
        Some(m) => Some(digits(m, 2)?),
        None => None,
    };
    let day: Option<u32> = match it.next() {
        Some(d) => Some(digits(d, 2)?),
        None => None,
    };
    if it.next().is_some() {
        return None;
    }
    let Some(time) = time_part else {
        let (start, end) = match (month, day) {
            (None, None) => (ymd(year, 1, 1)?, ymd(year + 1, 1, 1)?),
            (Some(m), None) => {
                let next = if m == 12 {
                    (year + 1, 1)
                } else {
                    (year, m + 1)
                };
                (ymd(year, m, 1)?, ymd(next.0, next.1, 1)?)
            }
            (Some(m), Some(d)) => {
                let start = ymd(year, m, d)?;
                (start, start.checked_add_days(chrono::Days::new(1))?)
            }
            (None, Some(_)) => return None,
        };
        return Some(Range {
            start: millis(start.and_time(NaiveTime::MIN)),
            end: millis(end.and_time(NaiveTime::MIN)),
        });
    };
    let date = ymd(year, month?, day?)?;
    let (clock, offset_secs) = split_zone(time)?;
    let mut hms = clock.split(':');
    let h: u32 = digits(hms.next()?, 2)?;
    let mi: u32 = digits(hms.next()?, 2)?;
    let (sec, frac, width) = match hms.next() {
        None => (0, 0, 60_000),
        Some(sec) => match sec.split_once('.') {
            None => (digits(sec, 2)?, 0, 1_000),
            Some((whole, f)) if !f.is_empty() && f.len() <= 9 => {
                if !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let ms: i64 = format!("{f:0<3}")[..3].parse().ok()?;
                (digits(whole, 2)?, ms, 1)
            }
            _ => return None,
        },
    };
    if hms.next().is_some() {
        return None;
    }
    let t = NaiveTime::from_hms_opt(h, mi, sec)?;
    let start = millis(NaiveDateTime::new(date, t)) + frac - offset_secs * 1000;
    Some(Range {
        start,
        end: start + width,
    })
}

fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0));
    }
    let Some(i) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, zone) = time.split_at(i);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let (h, m) = zone[1..].split_once(':')?;
    let (h, m): (i64, i64) = (digits(h, 2)?, digits(m, 2)?);
    if h > 14 || m > 59 {
        return None;
    }
    Some((clock, sign * (h * 3600 + m * 60)))
}

fn digits<T: std::str::FromStr>(s: &str, n: usize) -> Option<T> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).filter(|d| d.year() > 0)
}

fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// The range of a JSON date value: a date/dateTime/instant string, or a
/// Period (`start` to the end of `end`; an open side is unbounded).
pub fn value_range(v: &serde_json::Value) -> Option<Range> {
    match v {
        serde_json::Value::String(s) => parse_range(s),
        serde_json::Value::Object(o) => {
            let start = o.get("start").and_then(|s| s.as_str());
            let end = o.get("end").and_then(|s| s.as_str());
            if start.is_none() && end.is_none() {
                return None;
            }
            Some(Range {
                start: start.and_then(parse_range).map_or(i64::MIN, |r| r.start),
                end: end.and_then(parse_range).map_or(i64::MAX, |r| r.end),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Range {
        parse_range(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn precision_ranges() {
        assert_eq!(r("2024").end - r("2024").start, 366 * 86_400_000);
        assert_eq!(r("2023-02").end - r("2023-02").start, 28 * 86_400_000);
        assert_eq!(r("2024-12").end, r("2025").start);
        assert_eq!(r("2024-03-01").end - r("2024-03-01").start, 86_400_000);
        assert_eq!(
            r("2024-03-01T10:00:00Z").end - r("2024-03-01T10:00:00Z").start,
            1000
        );
        assert_eq!(
            r("2024-03-01T10:00Z").end - r("2024-03-01T10:00Z").start,
            60_000
        );
        assert_eq!(
            r("2024-03-01T12:00:00+02:00").start,
            r("2024-03-01T10:00:00Z").start
        );
        assert_eq!(
            r("2024-03-01T10:00:00.5Z").start,
            r("2024-03-01T10:00:00Z").start + 500
        );
        for bad in [
            "",
            "24",
            "2024-13",
            "2024-02-30",
            "2024-1-01",
            "2024-01-01T25:00Z",
            "x",
            "2024--01",
            "2024-01-01T10",
        ] {
            assert!(parse_range(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn prefixes_compare_ranges_at_precision() {
        let day = r("2024-03-01T10:00:00Z");
        assert!(Prefix::Eq.matches(r("2024-03-01"), day));
        assert!(Prefix::Eq.matches(r("2024"), day));
        assert!(!Prefix::Eq.matches(r("2024-03-02"), day));
        assert!(Prefix::Ne.matches(r("2024-03-02"), day));
        assert!(!Prefix::Ne.matches(r("2024-03"), day));
        assert!(Prefix::Gt.matches(r("2024-02-29"), day));
        assert!(!Prefix::Gt.matches(r("2024-03-01"), day));
        assert!(Prefix::Ge.matches(r("2024-03-01"), day));
        assert!(Prefix::Lt.matches(r("2024-03-02"), day));
        assert!(!Prefix::Lt.matches(r("2024-03-01"), day));
        assert!(Prefix::Le.matches(r("2024-03-01"), day));
        assert!(Prefix::Sa.matches(r("2024-02"), day));
        assert!(Prefix::Eb.matches(r("2025"), day));
        assert!(Prefix::Ap.matches(r("2024-03"), day));
        // A period partly in March overlaps "gt" February's end and "lt" April.
        let period =
            value_range(&serde_json::json!({"start": "2024-02-20", "end": "2024-03-05"})).unwrap();
        assert!(Prefix::Gt.matches(r("2024-02-28"), period));
        assert!(Prefix::Lt.matches(r("2024-03-01"), period));
        assert!(!Prefix::Eq.matches(r("2024-03"), period));
        let open = value_range(&serde_json::json!({"start": "2024-02-20"})).unwrap();
        assert!(Prefix::Gt.matches(r("2030"), open));
        assert_eq!(Prefix::split("ge2024"), (Prefix::Ge, "2024"));
        assert_eq!(Prefix::split("2024"), (Prefix::Eq, "2024"));
    }
}
