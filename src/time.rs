//! Points in time as stores and servers write them (FILETIMEs, IMAP INTERNALDATE, RFC 5322
//! `Date:` headers, RFC 3339 in Graph JSON), reduced to seconds since 1970 in UTC so that
//! items can be matched by time whatever zone each side wrote.

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

impl Timestamp {
    /// The system clock's time; 1970 if the clock is set before it.
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    /// From a civil date and time in UTC; `None` when a field is out of range. Years run
    /// from 1 to 9999, as every date format read here can write them: a header's year
    /// comes from mail anyone can send, and an unbounded one overflowed the day count.
    pub fn from_utc(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        min: u32,
        sec: u32,
    ) -> Option<Self> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || min > 59
            || sec > 60
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Timestamp(
            days * 86_400 + i64::from(hour) * 3600 + i64::from(min) * 60 + i64::from(sec),
        ))
    }

    /// IMAP INTERNALDATE: `17-Jul-1996 02:44:25 -0700` (the day may be space-padded).
    pub fn parse_imap(text: &str) -> Option<Self> {
        let text = text.trim();
        let (date, rest) = text.split_once(' ')?;
        let mut parts = date.split('-');
        let day: u32 = parts.next()?.trim().parse().ok()?;
        let month = month_number(parts.next()?)?;
        let year: i64 = parts.next()?.parse().ok()?;
        let mut rest = rest.split_whitespace();
        let (hour, min, sec) = parse_clock(rest.next()?)?;
        let offset = parse_offset(rest.next()?)?;
        Some(Timestamp(
            Self::from_utc(year, month, day, hour, min, sec)?.0 - offset,
        ))
    }

    /// RFC 5322 `Date:` header: `Tue, 1 Jul 2003 10:52:37 +0200`, tolerating the common
    /// variants (no weekday, no seconds, obsolete zone names, trailing comments).
    pub fn parse_rfc5322(text: &str) -> Option<Self> {
        let text = match text.split_once(',') {
            Some((_, rest)) => rest,
            None => text,
        };
        let mut words = text.split_whitespace();
        let day: u32 = words.next()?.parse().ok()?;
        let month = month_number(words.next()?)?;
        let mut year: i64 = words.next()?.parse().ok()?;
        // Two-digit years per RFC 5322 4.3.
        if year < 50 {
            year += 2000;
        } else if year < 1000 {
            year += 1900;
        }
        let (hour, min, sec) = parse_clock(words.next()?)?;
        let offset = words.next().and_then(parse_offset).unwrap_or(0);
        Some(Timestamp(
            Self::from_utc(year, month, day, hour, min, sec)?.0 - offset,
        ))
    }

    /// RFC 3339: `2024-01-31T10:00:00Z`, `2024-01-31T10:00:00.1234567Z`, `...+01:00`.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() < 19 || !text.is_char_boundary(10) || !text.is_char_boundary(19) {
            return None;
        }
        let (date, rest) = text.split_at(10);
        let mut d = date.split('-');
        let year: i64 = d.next()?.parse().ok()?;
        let month: u32 = d.next()?.parse().ok()?;
        let day: u32 = d.next()?.parse().ok()?;
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        let (hour, min, sec) = parse_clock(rest.get(..8)?)?;
        let mut zone = &rest[8..];
        if let Some(frac) = zone.strip_prefix('.') {
            zone = frac.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        let offset = match zone {
            "" | "Z" | "z" => 0,
            z => parse_offset(&z.replace(':', ""))?,
        };
        Some(Timestamp(
            Self::from_utc(year, month, day, hour, min, sec)?.0 - offset,
        ))
    }
}

impl Timestamp {
    /// RFC 5322 `Date:` form in UTC: `Thu, 12 Aug 2021 20:18:02 +0000`.
    pub fn to_rfc5322(&self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let month = MONTHS[m as usize - 1];
        let month = format!("{}{}", month[..1].to_ascii_uppercase(), &month[1..]);
        format!(
            "{}, {d} {month} {y:04} {:02}:{:02}:{:02} +0000",
            DAYS[days.rem_euclid(7) as usize],
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Seconds east of UTC, as a time zone stands at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset(pub i32);

impl UtcOffset {
    pub const UTC: UtcOffset = UtcOffset(0);

    /// `UTC`, `UTC+01:00`, `UTC-03:00`, `UTC+05:45`: the offset named with the time, so
    /// a time copied into a ticket reads the same in any other zone.
    pub fn name(self) -> String {
        if self.0 == 0 {
            return "UTC".to_owned();
        }
        let sign = if self.0 < 0 { '-' } else { '+' };
        let minutes = self.0.unsigned_abs() / 60;
        format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// Which zone times are shown in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Zone {
    /// This computer's, as the system keeps it (on Linux the TZ variable is honoured).
    #[default]
    Local,
    /// One offset for every moment: tests, which must not depend on the machine's zone.
    Fixed(UtcOffset),
}

impl Zone {
    /// The offset at `at` (summer time included); UTC where the system cannot say.
    pub fn offset_at(self, at: Timestamp) -> UtcOffset {
        match self {
            Zone::Local => local::offset_at(at.0).map_or(UtcOffset::UTC, UtcOffset),
            Zone::Fixed(offset) => offset,
        }
    }

    /// `2024-05-01 10:30 UTC+01:00`: to the minute, in this zone, with its offset.
    pub fn minutes(self, at: Timestamp) -> String {
        let offset = self.offset_at(at);
        let shifted = at.0 + i64::from(offset.0);
        let (y, m, d) = civil_from_days(shifted.div_euclid(86_400));
        let secs = shifted.rem_euclid(86_400);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02} {}",
            secs / 3600,
            secs / 60 % 60,
            offset.name()
        )
    }
}

/// The one seam to the system's time zone: seconds east of UTC at a moment, or `None`
/// where the system cannot say (and the time is then shown in UTC, named as such).
#[cfg(target_os = "linux")]
mod local {
    pub fn offset_at(at: i64) -> Option<i32> {
        let t = libc::time_t::try_from(at).ok()?;
        // SAFETY: `tm` is plain data that localtime_r fills in; both pointers are valid for
        // the call, and localtime_r (unlike localtime) shares no buffer between threads.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        let filled = unsafe { libc::localtime_r(&t, &mut tm) };
        if filled.is_null() {
            return None;
        }
        i32::try_from(tm.tm_gmtoff).ok()
    }
}

/// Windows' C runtime converts to local time (its TZ variable, else the system's zone);
/// the offset is that civil time read back as if it were UTC, less the moment itself.
#[cfg(windows)]
mod local {
    pub fn offset_at(at: i64) -> Option<i32> {
        let t = libc::time_t::try_from(at).ok()?;
        // SAFETY: `tm` is plain data that localtime_s fills in; both pointers are valid.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        if unsafe { libc::localtime_s(&mut tm, &t) } != 0 {
            return None;
        }
        let civil = super::Timestamp::from_utc(
            i64::from(tm.tm_year) + 1900,
            u32::try_from(tm.tm_mon + 1).ok()?,
            u32::try_from(tm.tm_mday).ok()?,
            u32::try_from(tm.tm_hour).ok()?,
            u32::try_from(tm.tm_min).ok()?,
            u32::try_from(tm.tm_sec).ok()?,
        )?;
        i32::try_from(civil.0 - at).ok()
    }
}

/// Elsewhere the zone is not read: times are shown in UTC and say so.
#[cfg(not(any(target_os = "linux", windows)))]
mod local {
    pub fn offset_at(_at: i64) -> Option<i32> {
        None
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == lower)
        .map(|i| i as u32 + 1)
}

fn parse_clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split(':');
    let hour = parts.next()?.parse().ok()?;
    let min = parts.next()?.parse().ok()?;
    let sec = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((hour, min, sec))
}

/// `+0200` / `-0700` as seconds east of UTC; the obsolete names of RFC 5322 4.3.
fn parse_offset(text: &str) -> Option<i64> {
    let named = match text.to_ascii_uppercase().as_str() {
        "UT" | "GMT" | "Z" => Some(0),
        "EST" => Some(-5),
        "EDT" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        _ => None,
    };
    if let Some(hours) = named {
        return Some(hours * 3600);
    }
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let mins: i64 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + mins * 60))
}

// Howard Hinnant's civil-calendar algorithms, valid for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn times_are_shown_in_the_zone_with_its_offset_named() {
        let plus_one = Zone::Fixed(UtcOffset(3600));
        let minus_three = Zone::Fixed(UtcOffset(-3 * 3600));
        let t = at("2024-05-01T09:30:59Z");
        assert_eq!(plus_one.minutes(t), "2024-05-01 10:30 UTC+01:00");
        assert_eq!(minus_three.minutes(t), "2024-05-01 06:30 UTC-03:00");
        assert_eq!(
            Zone::Fixed(UtcOffset::UTC).minutes(t),
            "2024-05-01 09:30 UTC"
        );
        // Across midnight, both ways, and into another month and year.
        assert_eq!(
            plus_one.minutes(at("2023-12-31T23:15:00Z")),
            "2024-01-01 00:15 UTC+01:00"
        );
        assert_eq!(
            minus_three.minutes(at("2024-03-01T01:00:00Z")),
            "2024-02-29 22:00 UTC-03:00"
        );
        // Zones a quarter or half an hour off.
        let nepal = Zone::Fixed(UtcOffset(5 * 3600 + 45 * 60));
        assert_eq!(nepal.minutes(t), "2024-05-01 15:15 UTC+05:45");
        assert_eq!(UtcOffset(-(9 * 3600 + 30 * 60)).name(), "UTC-09:30");
    }

    /// The system's zone as the TZ variable sets it, summer time included: read in a child
    /// process (this test again), since the C library reads TZ once per process. The POSIX
    /// rule needs no zone database: one hour east, two in summer (last Sunday of March
    /// to the last of October).
    #[cfg(target_os = "linux")]
    #[test]
    fn the_local_zone_follows_tz_with_summer_time() {
        const CHILD: &str = "OSTDOCTOR_TZ_CHILD";
        if std::env::var_os(CHILD).is_some() {
            assert_eq!(
                Zone::Local.minutes(at("2024-01-15T12:00:00Z")),
                "2024-01-15 13:00 UTC+01:00"
            );
            assert_eq!(
                Zone::Local.minutes(at("2024-07-15T22:30:00Z")),
                "2024-07-16 00:30 UTC+02:00"
            );
            return;
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "time::tests::the_local_zone_follows_tz_with_summer_time",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .env("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The child ran the test, not nothing.
        assert!(said.contains("1 passed"), "{said}");
    }

    #[test]
    fn imap_internaldate() {
        let t = Timestamp::parse_imap("17-Jul-1996 02:44:25 -0700").unwrap();
        assert_eq!(t.to_string(), "1996-07-17T09:44:25Z");
        let t = Timestamp::parse_imap(" 1-Jan-2024 00:00:00 +0100").unwrap();
        assert_eq!(t.to_string(), "2023-12-31T23:00:00Z");
        assert_eq!(Timestamp::parse_imap("garbage"), None);
        assert_eq!(Timestamp::parse_imap("32-Jan-2024 00:00:00 +0000"), None);
        assert_eq!(Timestamp::parse_imap("29-Feb-2023 00:00:00 +0000"), None);
        assert!(Timestamp::parse_imap("29-Feb-2000 00:00:00 +0000").is_some());
    }

    #[test]
    fn rfc5322_dates() {
        let t = Timestamp::parse_rfc5322("Tue, 1 Jul 2003 10:52:37 +0200").unwrap();
        assert_eq!(t.to_string(), "2003-07-01T08:52:37Z");
        let t = Timestamp::parse_rfc5322("1 Jul 03 10:52 GMT (comment)").unwrap();
        assert_eq!(t.to_string(), "2003-07-01T10:52:00Z");
        assert_eq!(Timestamp::parse_rfc5322("yesterday"), None);
    }

    #[test]
    fn a_year_out_of_range_is_no_date_rather_than_an_overflow() {
        for text in [
            "Tue, 1 Jul 9223372036854775807 10:52:37 +0200",
            "1 Jul 4611686018427387904 10:52 GMT",
            "1 Jul 10000 10:52 GMT",
        ] {
            assert_eq!(Timestamp::parse_rfc5322(text), None, "{text}");
        }
        assert_eq!(
            Timestamp::parse_imap("1-Jan-99999999999 00:00:00 +0000"),
            None
        );
        assert_eq!(Timestamp::parse_rfc3339("-9999-01-01T00:00:00Z"), None);
        assert_eq!(Timestamp::from_utc(0, 1, 1, 0, 0, 0), None);
        let last = Timestamp::parse_rfc5322("31 Dec 9999 23:59:59 +0000").unwrap();
        assert_eq!(last.to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn rfc5322_output_reads_back() {
        let t = Timestamp::parse_rfc3339("2021-08-12T20:18:02Z").unwrap();
        assert_eq!(t.to_rfc5322(), "Thu, 12 Aug 2021 20:18:02 +0000");
        assert_eq!(Timestamp(0).to_rfc5322(), "Thu, 1 Jan 1970 00:00:00 +0000");
        let t = Timestamp::parse_rfc3339("2000-02-29T23:59:59Z").unwrap();
        assert_eq!(t.to_rfc5322(), "Tue, 29 Feb 2000 23:59:59 +0000");
        assert_eq!(Timestamp::parse_rfc5322(&t.to_rfc5322()), Some(t));
        assert_eq!(
            Timestamp(-1).to_rfc5322(),
            "Wed, 31 Dec 1969 23:59:59 +0000"
        );
    }

    #[test]
    fn rfc3339_dates() {
        let t = Timestamp::parse_rfc3339("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:59Z");
        let t = Timestamp::parse_rfc3339("2024-03-01T01:00:00.1234567+01:00").unwrap();
        assert_eq!(t.to_string(), "2024-03-01T00:00:00Z");
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::parse_rfc3339("2024-03-01"), None);
        assert_eq!(Timestamp::parse_rfc3339("2024-03-01Té:00:00Z"), None);
    }
}
