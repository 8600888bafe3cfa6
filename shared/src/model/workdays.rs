//! Which days of a pulse's local week count towards its threshold.

use super::FieldError;
use chrono::Weekday;
use std::fmt;

/// A set of weekdays: from the original `saturday` flag (Mon–Fri or Mon–Sat), or any set given as
/// the `workdays` setting (`Sun-Thu`, `Mon,Wed,Fri`, `all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDays(u8);

impl WorkingDays {
    pub const MON_FRI: WorkingDays = WorkingDays(0b001_1111);
    pub const MON_SAT: WorkingDays = WorkingDays(0b011_1111);
    pub const EVERY_DAY: WorkingDays = WorkingDays(0b111_1111);

    pub fn from_saturday_flag(saturday: bool) -> Self {
        if saturday { Self::MON_SAT } else { Self::MON_FRI }
    }

    pub fn of(days: &[Weekday]) -> Self {
        Self(days.iter().fold(0, |bits, d| bits | 1 << d.num_days_from_monday()))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The original's flag for this set: `saturday` is written as `1` exactly when Saturday works.
    pub fn saturday(self) -> bool {
        self.contains(Weekday::Sat)
    }

    /// The same set with Saturday added or removed.
    pub fn with_saturday(self, saturday: bool) -> Self {
        let bit = 1 << Weekday::Sat.num_days_from_monday();
        if saturday {
            Self(self.0 | bit)
        } else {
            Self(self.0 & !bit)
        }
    }

    /// Parses `Mon-Fri`, `Sat-Tue` (ranges wrap), `Mon,Wed,Fri`, `all`; day names in any case,
    /// three letters or in full. At least one day.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(FieldError::new(
                "workdays",
                "is required: enter days such as Mon-Fri, Sun-Thu, Mon,Wed,Fri or all",
            ));
        }
        if text.eq_ignore_ascii_case("all") {
            return Ok(Self::EVERY_DAY);
        }
        let mut bits = 0_u8;
        for part in text.split(',') {
            let (first, last) = match part.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(part)?, day(part)?),
            };
            let mut d = first;
            loop {
                bits |= 1 << d.num_days_from_monday();
                if d == last {
                    break;
                }
                d = d.succ();
            }
        }
        Ok(Self(bits))
    }
}

fn day(raw: &str) -> Result<Weekday, FieldError> {
    let name = raw.trim();
    let found = WEEK.into_iter().find(|d| {
        let full = FULL_NAMES[d.num_days_from_monday() as usize];
        name.eq_ignore_ascii_case(&full[..3]) || name.eq_ignore_ascii_case(full)
    });
    found.ok_or_else(|| {
        FieldError::new(
            "workdays",
            format!(
                "“{}” is not a day; use Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges such as Mon-Fri, or all",
                name.chars().take(20).collect::<String>()
            ),
        )
    })
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];
const FULL_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The shortest usual form: `all`, or runs of days joined by commas, a run starting where the
/// previous day is off so a wrapping week reads `Sun-Thu`.
impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::EVERY_DAY {
            return f.write_str("all");
        }
        let Some(first) = WEEK.into_iter().find(|d| self.contains(*d) && !self.contains(d.pred())) else {
            return Ok(());
        };
        let mut parts = Vec::new();
        let mut d = first;
        for _ in 0..7 {
            if self.contains(d) && !self.contains(d.pred()) {
                let mut end = d;
                while self.contains(end.succ()) && end.succ() != d {
                    end = end.succ();
                }
                let name = |w: Weekday| &FULL_NAMES[w.num_days_from_monday() as usize][..3];
                parts.push(if end == d {
                    name(d).to_owned()
                } else {
                    format!("{}-{}", name(d), name(end))
                });
            }
            d = d.succ();
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets() {
        assert!(WorkingDays::MON_FRI.contains(Weekday::Fri));
        assert!(!WorkingDays::MON_FRI.contains(Weekday::Sat));
        assert!(WorkingDays::from_saturday_flag(true).contains(Weekday::Sat));
        assert!(!WorkingDays::MON_SAT.contains(Weekday::Sun));
        assert!(WorkingDays::EVERY_DAY.contains(Weekday::Sun));
        assert_eq!(
            WorkingDays::of(&[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]),
            WorkingDays::MON_FRI
        );
        assert!(WorkingDays::of(&[]).is_empty());
    }

    #[test]
    fn parse_and_show() {
        use Weekday::*;
        #[rustfmt::skip]
        let rows: [(&str, &[Weekday], &str); 9] = [
            ("Mon-Fri", &[Mon, Tue, Wed, Thu, Fri], "Mon-Fri"),
            ("mon-sat", &[Mon, Tue, Wed, Thu, Fri, Sat], "Mon-Sat"),
            ("Sun-Thu", &[Sun, Mon, Tue, Wed, Thu], "Sun-Thu"),
            ("Mon,Wed,Fri", &[Mon, Wed, Fri], "Mon,Wed,Fri"),
            ("Sat-Tue", &[Sat, Sun, Mon, Tue], "Sat-Tue"),
            ("all", &[Mon, Tue, Wed, Thu, Fri, Sat, Sun], "all"),
            ("Sunday", &[Sun], "Sun"),
            (" Tue , thu ", &[Tue, Thu], "Tue,Thu"),
            ("Mon-Sun", &[Mon, Tue, Wed, Thu, Fri, Sat, Sun], "all"),
        ];
        for (raw, days, shown) in rows {
            let parsed = WorkingDays::parse(raw).unwrap();
            assert_eq!(parsed, WorkingDays::of(days), "{raw}");
            assert_eq!(parsed.to_string(), shown, "{raw}");
            assert_eq!(WorkingDays::parse(shown).unwrap(), parsed, "{shown} round trip");
        }
        assert!(WorkingDays::parse("Mon-Sat").unwrap().saturday());
        assert!(!WorkingDays::parse("Sun-Thu").unwrap().saturday());
        for bits in 1_u8..128 {
            let days = WorkingDays(bits);
            assert_eq!(WorkingDays::parse(&days.to_string()).unwrap(), days, "{days}");
        }
    }

    #[test]
    fn refused_with_the_field_named() {
        for raw in ["", "Mo-Fr", "Mon-", "weekdays", "Mon;Fri", "1-5"] {
            let err = WorkingDays::parse(raw).unwrap_err();
            assert_eq!(err.field, "workdays");
            assert!(err.problem.contains("Mon-Fri"), "{raw}: {}", err.problem);
        }
    }
}
