//! Turns pulses and their status into the plain view models the templates render.

use crate::config::{Config, Secret};
use crate::links;
use crate::model::{Pulse, Window, format_stamp};
use crate::pages::{
    DashboardRow, DashboardView, EditErrors, EditForm, EditView, Paging, due_in, local_time, relative_time,
};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::quiet::{Silence, silence};
use crate::rules::status::{Status, status, status_with};
use crate::rules::{signals, state};
use crate::store::Listing;
use crate::words;
use chrono::{DateTime, Utc};

/// Page `page` (1-based, `PAGE_ROWS` rows) of the dashboard; the counts are of every pulse.
pub fn dashboard_view<'a>(
    listing: &'a Listing,
    windows: &[Window],
    book: &CalendarBook,
    config: &Config,
    secret: &Secret,
    now: DateTime<Utc>,
    page: usize,
) -> DashboardView<'a> {
    let mut judged: Vec<(&'a Pulse, Status, f64)> = listing
        .pulses
        .iter()
        .map(|pulse| {
            let status = status_with(pulse, now, config.default_timezone, book);
            let delta = status.delta_hours();
            (pulse, status, delta)
        })
        .collect();
    // Sorted (a stable sort, as the rows were) and paged before the rows' texts are made, so only
    // the page's rows are built and the sort moves small tuples, each with its key worked out once.
    judged.sort_by(|(_, _, a), (_, _, b)| b.total_cmp(a));
    let exceeded = judged.iter().filter(|(_, status, _)| status.exceeded).count();
    let total = judged.len();
    let paging = Paging::new(page, total);
    let rows = judged[paging.range()]
        .iter()
        .map(|(pulse, status, _)| {
            let mut row = dashboard_row(pulse, status, config, now);
            quiet_row(&mut row, pulse, windows, config, now);
            row
        })
        .collect();
    DashboardView {
        total,
        ok: total - exceeded,
        exceeded,
        unreadable: listing.unreadable.len(),
        generated_at: format_stamp(now),
        status_names: &state::ON_DASHBOARD,
        maintenance_href: links::maintenance(secret),
        channels_href: links::channels(secret),
        calendars_href: links::calendars(secret),
        secret_query: format!("secret={}", links::encode(secret.expose())),
        paging,
        rows,
    }
}

/// A snoozed, paused or in-maintenance pulse shows that status, and until when in the "due" column.
fn quiet_row(row: &mut DashboardRow<'_>, pulse: &Pulse, windows: &[Window], config: &Config, now: DateTime<Utc>) {
    let Some(silence) = silence(&pulse.key, &pulse.quiet, windows, now) else {
        return;
    };
    let tz = pulse.timezone(config.default_timezone).tz();
    row.status = silence.status();
    row.due_in = match &silence {
        Silence::Paused => "paused until its next signal".to_owned(),
        Silence::Snoozed { until } => format!("snoozed until {}", local_time(*until, tz)),
        Silence::Maintenance { until, .. } => format!("in maintenance until {}", local_time(*until, tz)),
    };
}

fn dashboard_row<'a>(pulse: &'a Pulse, status: &Status, config: &Config, now: DateTime<Utc>) -> DashboardRow<'a> {
    let tz = pulse.timezone(config.default_timezone);
    let last_duration = signals::last_duration(&pulse.run);
    DashboardRow {
        host: &pulse.key.host,
        category: &pulse.key.category,
        kind: &pulse.key.kind,
        name: &pulse.key.name,
        last_pulse_local: local_time(pulse.last_pulse, tz.tz()),
        last_pulse_offset_s: (pulse.last_pulse - now).num_seconds(),
        last_pulse_relative: relative_time(pulse.last_pulse, now),
        hours_since: status.hours_since(),
        delta: status.delta_hours(),
        threshold: pulse.threshold.to_string(),
        threshold_text: words::duration(status.threshold),
        saturday: pulse.saturday,
        tz: tz.name(),
        exceeded: status.exceeded,
        id_unless_key: (!id_follows_from_key(pulse)).then(|| pulse.id.to_string()),
        status: signals::state(pulse, status, now).name(),
        due_in: due_in(status.exceeded_after, now),
        due_offset_s: status.exceeded_after.map(|due| (due - now).num_seconds()),
        last_duration: last_duration.map(words::duration).unwrap_or_default(),
        last_duration_ms: last_duration.map(|d| d.num_milliseconds()),
        last_exit: pulse.run.exit_code,
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

/// The edit page; `form` and `errors` carry what the user typed when re-shown after a refusal.
pub fn edit_view(
    pulse: &Pulse,
    config: &Config,
    secret: &Secret,
    now: DateTime<Utc>,
    form: Option<EditForm>,
    errors: EditErrors,
) -> EditView {
    let tz = pulse.timezone(config.default_timezone);
    let status = status(pulse, now, config.default_timezone);
    EditView {
        id: pulse.id.to_string(),
        host: pulse.key.host.clone(),
        category: pulse.key.category.clone(),
        kind: pulse.key.kind.clone(),
        name: pulse.key.name.clone(),
        last_pulse_local: local_time(pulse.last_pulse, tz.tz()),
        last_pulse_relative: relative_time(pulse.last_pulse, now),
        hours_since: status.hours_since(),
        delta: status.delta_hours(),
        threshold_text: words::duration(status.threshold),
        exceeded: status.exceeded,
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
