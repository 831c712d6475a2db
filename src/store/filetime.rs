//! FILETIME (100 ns ticks since 1601-01-01 UTC) to calendar time, for display and JSON.

const TICKS_PER_SECOND: i64 = 10_000_000;
/// Seconds from 1601-01-01 to 1970-01-01.
const EPOCH_DIFF: i64 = 11_644_473_600;

pub fn to_unix_seconds(ft: i64) -> i64 {
    ft.div_euclid(TICKS_PER_SECOND) - EPOCH_DIFF
}

pub fn from_unix_seconds(secs: i64) -> i64 {
    (secs + EPOCH_DIFF) * TICKS_PER_SECOND
}

/// RFC 3339 in UTC, to the second: `2021-08-12T20:18:02Z`.
pub fn to_rfc3339(ft: i64) -> String {
    let secs = to_unix_seconds(ft);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
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

    #[test]
    fn known_instants() {
        assert_eq!(to_rfc3339(from_unix_seconds(0)), "1970-01-01T00:00:00Z");
        assert_eq!(to_rfc3339(0), "1601-01-01T00:00:00Z");
        // 2021-08-12T20:18:02Z, the delivery time of a message in the real OST fixture.
        assert_eq!(
            to_rfc3339(from_unix_seconds(1_628_799_482)),
            "2021-08-12T20:18:02Z"
        );
        assert_eq!(
            to_rfc3339(from_unix_seconds(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
