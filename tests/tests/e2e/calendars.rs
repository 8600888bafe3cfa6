//! Holiday calendars on the config table in a real dynalite: the calendar store's contract.

use heartbeat_e2e::Dynalite;
use heartbeat_shared::store::config::{DynamoConfig, ensure_config_table};
use std::sync::atomic::{AtomicUsize, Ordering};

async fn config_store() -> (Dynalite, DynamoConfig) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dynalite = Dynalite::start().await;
    let table = format!(
        "heartbeat-config-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    ensure_config_table(&dynalite.client(), &table)
        .await
        .expect("the config table is created on dynalite");
    let store = DynamoConfig::new(dynalite.client(), table);
    (dynalite, store)
}

mod contract {
    heartbeat_shared::calendar_contract!(async { super::config_store().await });
}

mod monitor_reads {
    use super::config_store;
    use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
    use heartbeat_e2e::Dynalite;
    use heartbeat_shared::config::Config;
    use heartbeat_shared::model::{
        CalendarName, CalendarNames, Expectation, Hours, PulseKey, Schedule, Threshold, Zone,
    };
    use heartbeat_shared::model::{Grace, parse_dates};
    use heartbeat_shared::monitor::{self, MonitorDeps, Summary};
    use heartbeat_shared::slack::LogNotifier;
    use heartbeat_shared::store::config::{CalendarStore, DynamoConfig, HolidayCalendar};
    use heartbeat_shared::store::{DynamoStore, PulseReceipt, PulseRecorder, due_index};
    use std::collections::HashMap;

    /// Monday 2026-11-23 09:00 UTC.
    fn monday() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn receipt(name: &str, threshold: &str, expect: Expectation) -> PulseReceipt {
        PulseReceipt {
            key: PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some(name)).unwrap(),
            at: monday(),
            threshold: Threshold::parse(threshold).unwrap(),
            saturday: false,
            tz: Zone::UTC,
            message: None,
            metadata: None,
            expect,
        }
    }

    struct Costs {
        pulses_read: usize,
        requests: usize,
        config_requests: usize,
    }

    async fn run(store: &DynamoStore, calendars: &DynamoConfig, now: DateTime<Utc>) -> (Summary, Costs) {
        let vars = HashMap::from([("REMIND_EVERY_HOURS".to_owned(), "0".to_owned())]);
        let config = Config::from_vars(&vars).unwrap();
        let deps = MonitorDeps {
            ledger: store,
            notifier: &LogNotifier,
            config: &config,
            calendars: Some(calendars),
            channels: None,
        };
        let (before, config_before) = (store.stats(), calendars.requests());
        let summary = monitor::run(&deps, now, None, "run", false).await.unwrap();
        let costs = Costs {
            pulses_read: store.stats().items_read - before.items_read,
            requests: store.stats().requests - before.requests,
            config_requests: calendars.requests() - config_before,
        };
        (summary, costs)
    }

    /// 100 pulses each with a holiday calendar, with working hours, and with a cron schedule: every
    /// run reads exactly the pulses that owe a decision, and the calendars with one Query.
    #[tokio::test]
    async fn a_run_reads_only_what_is_due_with_calendars_hours_and_schedules() {
        let (_dynalite, calendars): (Dynalite, DynamoConfig) = config_store().await;
        let dynalite = Dynalite::start().await;
        let store = DynamoStore::new(dynalite.client(), dynalite.fresh_table().await);
        calendars
            .put_calendar(&HolidayCalendar {
                name: CalendarName::parse("ops").unwrap(),
                dates: parse_dates("2026-11-24").unwrap(),
                updated_at: monday(),
            })
            .await
            .unwrap();
        let holiday = Expectation {
            calendars: Some(CalendarNames::parse("ops").unwrap()),
            ..Expectation::default()
        };
        let office = Expectation {
            hours: Some(Hours::parse("08:00-18:00").unwrap()),
            ..Expectation::default()
        };
        let nightly = Expectation {
            schedule: Some(Schedule::parse("0 2 * * 1-5").unwrap()),
            grace: Some(Grace::parse("0.5").unwrap()),
            ..Expectation::default()
        };
        for i in 0..100 {
            // Late after Wed 09:00 (Tuesday is a holiday); first due Tue 09:00, counted without it.
            store
                .record_pulse(&receipt(&format!("holiday-{i}"), "24", holiday.clone()))
                .await
                .unwrap();
            // 4 h of 08:00-18:00 from Mon 09:00: late after Mon 13:00.
            store
                .record_pulse(&receipt(&format!("office-{i}"), "4", office.clone()))
                .await
                .unwrap();
            // The Tue 02:00 run with 30 min of grace: late after Tue 02:30.
            store
                .record_pulse(&receipt(&format!("nightly-{i}"), "24", nightly.clone()))
                .await
                .unwrap();
        }
        let idle = due_index::SHARDS as usize + 1; // a Query per shard and the sweep's segment
        let hour = |h: i64| monday() + TimeDelta::hours(h) + TimeDelta::minutes(1);

        let (summary, costs) = run(&store, &calendars, hour(0)).await;
        assert_eq!(
            (summary.checked, costs.pulses_read, costs.requests),
            (0, 0, idle),
            "Mon 09:01"
        );
        assert_eq!(costs.config_requests, 0, "an idle run reads no calendar");

        let (summary, costs) = run(&store, &calendars, hour(4)).await;
        assert_eq!(
            (summary.checked, summary.newly_exceeded, costs.pulses_read),
            (100, 100, 100),
            "Mon 13:01: the office pulses"
        );

        let (summary, costs) = run(&store, &calendars, hour(17) + TimeDelta::minutes(30)).await;
        assert_eq!(
            (summary.checked, summary.newly_exceeded, costs.pulses_read),
            (100, 100, 100),
            "Tue 02:31: the nightly ones"
        );

        // Tue 09:01: the holiday pulses' first due time (without holidays) has come; they are not
        // late, and move to their exact instant, Wed 09:00.
        let (summary, costs) = run(&store, &calendars, hour(24)).await;
        assert_eq!(
            (summary.checked, summary.exceeded, summary.rescheduled),
            (100, 0, 100),
            "Tue 09:01"
        );
        assert_eq!(costs.pulses_read, 100);
        assert_eq!(costs.config_requests, 1);

        let (summary, costs) = run(&store, &calendars, hour(36)).await;
        assert_eq!(
            (summary.checked, costs.pulses_read, costs.requests),
            (0, 0, idle),
            "Tue 21:01: nothing due"
        );

        let (summary, costs) = run(&store, &calendars, hour(48)).await;
        assert_eq!(
            (summary.checked, summary.newly_exceeded, costs.pulses_read),
            (100, 100, 100),
            "Wed 09:01"
        );
    }
}
