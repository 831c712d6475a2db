//! Dates for log lines. Lines carry only the computer's local clock time; the message
//! carries the instant it was written, in UTC. The last line was written moments before
//! the message, so the two give the computer's offset from UTC, and from there each
//! line's local date, stepping back a day wherever the clock runs backwards.

use super::parse::Event;
use crate::time::Timestamp;

const DAY: i64 = 86_400;

/// Fills in each timed event's date from `written` (Unix seconds, UTC) and returns the
/// offset from UTC in minutes that the clock times imply.
pub fn date_events(events: &mut [Event], written: i64) -> Option<i32> {
    let last = events.iter().rev().find_map(|e| e.seconds)? as i64;
    let utc_clock = written.rem_euclid(DAY);
    let mut offset = last - utc_clock;
    // Zones run from UTC-12 to UTC+14.
    if offset > 14 * 3600 {
        offset -= DAY;
    } else if offset < -12 * 3600 {
        offset += DAY;
    }
    // Zones are whole quarters of an hour; the rest is the delay between line and message.
    let quarter = 15 * 60;
    let offset = (offset as f64 / quarter as f64).round() as i64 * quarter;
    let end_local = written + offset;
    let mut day = end_local.div_euclid(DAY);
    // The last line can only be a few minutes before the message; if its clock is later
    // than the message's local time, it was written just before midnight.
    if last > end_local.rem_euclid(DAY) + quarter {
        day -= 1;
    }
    let mut next = last;
    for e in events.iter_mut().rev() {
        let Some(secs) = e.seconds else { continue };
        let secs = secs as i64;
        // A clock later than the line after it: midnight lies between them.
        if secs > next + 60 {
            day -= 1;
        }
        next = secs;
        e.date = Some(Timestamp(day * DAY).to_string()[..10].to_string());
    }
    Some((offset / 60) as i32)
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;

    fn at(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        Timestamp::from_utc(y, mo, d, h, mi, s).unwrap().0
    }

    #[test]
    fn the_real_log_is_seven_hours_behind_utc() {
        let mut p = parse("13:41:51 Synchronizer Version 16.0.4266\n13:41:51 Done\n");
        let offset = date_events(&mut p.events, at(2021, 8, 12, 20, 41, 51));
        assert_eq!(offset, Some(-420));
        assert_eq!(p.events[0].date.as_deref(), Some("2021-08-12"));
    }

    #[test]
    fn a_log_across_midnight_dates_earlier_lines_the_day_before() {
        let mut p = parse("23:59:58 Synchronizing Hierarchy\n0:00:03 Done\n");
        // Written in UTC+2 at 00:00:05 local on 1 March 2024.
        let offset = date_events(&mut p.events, at(2024, 2, 29, 22, 0, 5));
        assert_eq!(offset, Some(120));
        assert_eq!(p.events[0].date.as_deref(), Some("2024-02-29"));
        assert_eq!(p.events[1].date.as_deref(), Some("2024-03-01"));
    }

    #[test]
    fn last_line_just_before_local_midnight() {
        // Local 23:59:59 in UTC-5, the message stamped a little after local midnight.
        let mut p = parse("23:59:59 Done\n");
        let offset = date_events(&mut p.events, at(2024, 1, 2, 5, 0, 30));
        assert_eq!(offset, Some(-300));
        assert_eq!(p.events[0].date.as_deref(), Some("2024-01-01"));
    }

    #[test]
    fn no_times_no_dates() {
        let mut p = parse("no clock here\n");
        assert_eq!(date_events(&mut p.events, 0), None);
        assert_eq!(p.events[0].date, None);
    }
}
