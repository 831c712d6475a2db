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
    crate::time::Timestamp(to_unix_seconds(ft)).to_string()
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
