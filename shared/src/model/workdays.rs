//! Which days of a pulse's local week count towards its threshold.

use chrono::Weekday;

/// A set of weekdays. The table only stores the original `saturday` flag, so pulses are Mon–Fri or
/// Mon–Sat; the rule itself takes any set (the DST tests need Mon–Sun).
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
}
