//! The detail page's inline SVG: a bar per recent run (its duration) and a bar per day (its uptime).
//! Only numbers and our own words go into the SVG; the template escapes every title.

use crate::rules::history::{Day, Run};
use crate::words;

/// The charts' drawing width and heights, in SVG units (`viewBox`).
const WIDTH: f64 = 300.0;
const DURATION_HEIGHT: f64 = 60.0;
const UPTIME_HEIGHT: f64 = 24.0;

/// One rectangle, its coordinates already as text, and the tooltip a person reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub fill: &'static str,
    pub title: String,
}

fn num(value: f64) -> String {
    format!("{value:.2}")
}

/// The last runs (at most 20), oldest on the left, each as tall as its share of the longest;
/// failures red.
pub fn duration_bars(runs: &[Run]) -> Vec<Bar> {
    let recent = &runs[runs.len().saturating_sub(crate::rules::history::RECENT_RUNS)..];
    let longest = recent
        .iter()
        .map(|r| r.took.num_milliseconds())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = WIDTH / recent.len().max(1) as f64;
    recent
        .iter()
        .enumerate()
        .map(|(i, run)| {
            // Even a zero-length run shows a sliver, so every run is visible.
            let height = (run.took.num_milliseconds() as f64 / longest * (DURATION_HEIGHT - 2.0)).max(1.0);
            Bar {
                x: num(i as f64 * slot + slot * 0.1),
                y: num(DURATION_HEIGHT - height),
                width: num(slot * 0.8),
                height: num(height),
                fill: if run.failed { "#c0392b" } else { "#2e7d32" },
                title: format!(
                    "{}: {}{}",
                    crate::model::format_stamp(run.finished),
                    words::duration(run.took),
                    if run.failed { ", failed" } else { "" }
                ),
            }
        })
        .collect()
}

/// One bar per day, full height: green when no incident was open, amber when one was for part of
/// the day, red when for most of it, grey when the history does not reach that day.
pub fn uptime_bars(days: &[Day]) -> Vec<Bar> {
    let slot = WIDTH / days.len().max(1) as f64;
    days.iter()
        .enumerate()
        .map(|(i, day)| {
            let (fill, said) = match day.up {
                None => ("#dddddd", "no history".to_owned()),
                Some(up) if up >= 1.0 => ("#2e7d32", "100 % up".to_owned()),
                Some(up) if up >= 0.5 => ("#f0a020", format!("{:.1} % up", up * 100.0)),
                Some(up) => ("#c0392b", format!("{:.1} % up", up * 100.0)),
            };
            Bar {
                x: num(i as f64 * slot),
                y: "0".into(),
                width: num(slot * 0.85),
                height: num(UPTIME_HEIGHT),
                fill,
                title: format!("{}: {said}", day.date),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeDelta, TimeZone as _, Utc};

    #[test]
    fn bars_scale_to_the_longest_run_and_colour_failures() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let runs = [
            Run {
                finished: at,
                took: TimeDelta::seconds(30),
                failed: false,
            },
            Run {
                finished: at,
                took: TimeDelta::seconds(60),
                failed: true,
            },
        ];
        let bars = duration_bars(&runs);
        assert_eq!(bars.len(), 2);
        assert_eq!((bars[0].height.as_str(), bars[1].height.as_str()), ("29.00", "58.00"));
        assert_eq!(bars[1].fill, "#c0392b");
        assert_eq!(bars[1].title, "2026-11-23T09:00:00.000Z: 1 min, failed");
        assert!(duration_bars(&[]).is_empty());
    }

    #[test]
    fn days_are_coloured_by_uptime() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let days = [None, Some(1.0), Some(0.75), Some(0.1)].map(|up| Day { date, up });
        let fills: Vec<&str> = uptime_bars(&days).iter().map(|b| b.fill).collect();
        assert_eq!(fills, ["#dddddd", "#2e7d32", "#f0a020", "#c0392b"]);
        assert_eq!(uptime_bars(&days)[2].title, "2026-11-23: 75.0 % up");
    }
}
