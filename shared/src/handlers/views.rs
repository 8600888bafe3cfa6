//! Turns pulses and their status into the plain view models the templates render.

use crate::config::{Config, Secret};
use crate::links;
use crate::model::{Pulse, SignalKind, Window, format_stamp};
use crate::pages::{
    DashboardRow, DashboardView, EditErrors, EditForm, EditView, LastSignals, LaterSignal, PageClock, Paging, When,
    due_in, full_time, local_time, relative_time,
};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::quiet::{Silence, silence};
use crate::rules::signals;
use crate::rules::state::{self, State};
use crate::rules::status::Status;
use crate::store::Listing;
use crate::words;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Page `page` (1-based, `PAGE_ROWS` rows) of the dashboard; the counts are of every pulse. Every
/// time on it is in `DEFAULT_TIMEZONE`, which the page names.
pub fn dashboard_view<'a>(
    listing: &'a Listing,
    windows: &[Window],
    book: &CalendarBook,
    config: &Config,
    secret: &Secret,
    now: DateTime<Utc>,
    page: usize,
) -> DashboardView<'a> {
    let zone = config.default_timezone;
    let mut judged: Vec<(&'a Pulse, Status, State, f64)> = listing
        .pulses
        .iter()
        .map(|pulse| {
            let (status, state) = state::judge(pulse, zone, now, windows, book);
            let delta = status.delta_hours();
            (pulse, status, state, delta)
        })
        .collect();
    // Those that need attention first, the worst first, then by delta (a stable sort, so equal rows
    // keep the table's order). Sorted and paged before the rows' texts are made, so only the page's
    // rows are built and the sort moves small tuples, each with its keys worked out once.
    judged.sort_by(|(_, _, a, da), (_, _, b, db)| a.cmp(b).then(db.total_cmp(da)));
    let mut by_state = [0usize; State::ALL.len()];
    for (_, _, state, _) in &judged {
        by_state[state.rank()] += 1;
    }
    let counts: Vec<(State, usize)> = State::ALL.into_iter().zip(by_state).filter(|(_, n)| *n > 0).collect();
    let attention = counts.iter().filter(|(s, _)| s.needs_attention()).map(|(_, n)| n).sum();
    let total = judged.len();
    let paging = Paging::new(page, total);
    let tz = zone.tz();
    let clock = PageClock::new(tz, now);
    let rows = judged[paging.range()]
        .iter()
        .map(|(pulse, status, state, _)| {
            let mut row = dashboard_row(pulse, status, *state, &clock, now);
            if state.is_quiet() {
                quiet_row(&mut row, pulse, windows, &clock, now);
            }
            row
        })
        .collect();
    DashboardView {
        total,
        counts,
        attention,
        unreadable: listing.unreadable.len(),
        generated_at: format_stamp(now),
        generated_local: full_time(now, tz),
        zone: zone.name(),
        status_names: &state::NAMES,
        maintenance_href: links::maintenance(secret),
        channels_href: links::channels(secret),
        calendars_href: links::calendars(secret),
        secret_query: format!("secret={}", links::encode(secret.expose())),
        paging,
        rows,
    }
}

/// A snoozed, paused or in-maintenance pulse says until when in the "due" column.
fn quiet_row(row: &mut DashboardRow<'_>, pulse: &Pulse, windows: &[Window], clock: &PageClock, now: DateTime<Utc>) {
    let Some(silence) = silence(&pulse.key, &pulse.quiet, windows, now) else {
        return;
    };
    row.due_in = match &silence {
        Silence::Paused => "paused until its next signal".to_owned(),
        Silence::Snoozed { until } => format!("snoozed until {}", clock.time(*until)),
        Silence::Maintenance { until, .. } => format!("in maintenance until {}", clock.time(*until)),
    };
}

fn dashboard_row<'a>(
    pulse: &'a Pulse,
    status: &Status,
    state: State,
    clock: &PageClock,
    now: DateTime<Utc>,
) -> DashboardRow<'a> {
    let last_duration = signals::last_duration(&pulse.run);
    let (last_pulse_local, last_pulse_relative) = match signals::last_success(pulse) {
        Some(at) => (clock.time(at), relative_time(at, now)),
        // Rare: an item a start or a failure made. Its time is no success.
        None => {
            let (kind, at) = signals::last_signal(pulse);
            (
                "no success yet".to_owned(),
                format!("{} {}", signal_word(kind), relative_time(at, now)),
            )
        }
    };
    DashboardRow {
        host: &pulse.key.host,
        category: &pulse.key.category,
        kind: &pulse.key.kind,
        name: &pulse.key.name,
        last_pulse_local,
        last_pulse_offset_s: (pulse.last_pulse - now).num_seconds(),
        last_pulse_relative,
        hours_since: status.hours_since(),
        delta: status.delta_hours(),
        threshold: pulse.threshold.to_string(),
        threshold_text: words::duration(status.threshold),
        saturday: pulse.saturday,
        id_unless_key: (!id_follows_from_key(pulse)).then(|| pulse.id.to_string()),
        state,
        due_in: due_in(status.exceeded_after, now),
        due_offset_s: status.exceeded_after.map(|due| (due - now).num_seconds()),
        last_duration: last_duration.map(words::duration).unwrap_or_default(),
        last_duration_ms: last_duration.map(|d| d.num_milliseconds()),
        last_exit: pulse.run.exit_code,
    }
}

/// A signal as the pages say it happened: `succeeded`, `started`, `failed`.
fn signal_word(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::Success => "succeeded",
        SignalKind::Start => "started",
        SignalKind::Failure => "failed",
    }
}

/// What a pulse's own page says of its signals, in its zone: the last success (or that it never
/// succeeded), and a start or failure that came after it.
pub fn last_signals(pulse: &Pulse, tz: Tz, now: DateTime<Utc>) -> LastSignals {
    let when = |at| When {
        local: local_time(at, tz),
        relative: relative_time(at, now),
    };
    let success = signals::last_success(pulse);
    let (kind, at) = signals::last_signal(pulse);
    let later = (kind != SignalKind::Success && success.is_none_or(|s| at >= s)).then(|| LaterSignal {
        what: signal_word(kind),
        when: when(at),
    });
    LastSignals {
        success: success.map(when),
        later,
    }
}

/// Whether the dashboard's script finds the pulse's id by hashing the key it reads from the page:
/// the stored id is the key's hash (as the original server made it), and the HTML parser keeps the
/// key's text as it is (it turns CR and NUL into something else).
fn id_follows_from_key(pulse: &Pulse) -> bool {
    let k = &pulse.key;
    let plain = [&k.host, &k.category, &k.kind, &k.name]
        .iter()
        .all(|part| match part.is_ascii() {
            // The common case, a byte at a time; ASCII's control characters are the same set.
            true => !part.bytes().any(|b| b.is_ascii_control()),
            false => !part.chars().any(char::is_control),
        });
    plain && pulse.key.id() == pulse.id
}

/// The edit page; `form` and `errors` carry what the user typed when re-shown after a refusal. The
/// pulse is judged as everywhere else (its calendars' holidays, the maintenance windows).
#[allow(clippy::too_many_arguments)]
pub fn edit_view(
    pulse: &Pulse,
    windows: &[Window],
    book: &CalendarBook,
    config: &Config,
    secret: &Secret,
    now: DateTime<Utc>,
    form: Option<EditForm>,
    errors: EditErrors,
) -> EditView {
    let tz = pulse.timezone(config.default_timezone);
    let (status, state) = state::judge(pulse, config.default_timezone, now, windows, book);
    EditView {
        id: pulse.id.to_string(),
        host: pulse.key.host.clone(),
        category: pulse.key.category.clone(),
        kind: pulse.key.kind.clone(),
        name: pulse.key.name.clone(),
        last: last_signals(pulse, tz.tz(), now),
        hours_since: status.hours_since(),
        delta: status.delta_hours(),
        threshold_text: words::duration(status.threshold),
        status: state.name(),
        pulse_count: pulse.pulse_count,
        first_seen: pulse.first_seen.map(|t| local_time(t, tz.tz())),
        last_message: pulse.last_message.clone(),
        last_metadata: pulse.last_metadata.clone(),
        form: form.unwrap_or_else(|| super::edit::stored_form(pulse, config)),
        errors,
        action_href: links::edit(secret, &pulse.id),
        dashboard_href: links::dashboard(secret),
        default_tz: config.default_timezone.name().to_owned(),
        quiet_href: links::quiet(secret, &pulse.id),
    }
}

#[cfg(test)]
mod tests {
    use super::id_follows_from_key;
    use crate::model::PulseKey;
    use crate::testing::original_pulse;
    use chrono::{TimeZone as _, Utc};

    fn with_name(name: &str) -> crate::model::Pulse {
        let key = PulseKey {
            host: "web-1".into(),
            category: "backup".into(),
            kind: "cron".into(),
            name: name.into(),
        };
        original_pulse(key, Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(), "24", false)
    }

    #[test]
    fn the_script_computes_the_id_unless_a_part_holds_a_control_character() {
        for plain in ["nightly", "nächtlich · 夜間", "tab\u{a0}space"] {
            assert!(id_follows_from_key(&with_name(plain)), "{plain:?}");
        }
        // ASCII's (CR, NUL, DEL) and Latin-1's (NEL, U+0080–U+009F): the page's text would differ.
        for control in ["cr\r", "nul\0", "del\u{7f}", "nel\u{85}", "c1\u{9f} and é"] {
            assert!(!id_follows_from_key(&with_name(control)), "{control:?}");
        }
        let mut other_id = with_name("nightly");
        other_id.id = with_name("weekly").id;
        assert!(!id_follows_from_key(&other_id), "an id that is not the key's hash");
    }
}
