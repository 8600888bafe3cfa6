//! The holiday calendars page over the memory configuration: a GET lists and changes nothing; a
//! POST saves pasted dates, saves an uploaded .ics file (multipart form) or deletes a calendar;
//! mistakes are shown with the form, and nothing is stored.

use crate::support::*;
use chrono::NaiveDate;
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::model::CalendarName;
use heartbeat_shared::store::MemoryStore;
use heartbeat_shared::store::config::{CalendarStore, HolidayCalendar, MemoryConfig};
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

const BOUNDARY: &str = "----heartbeatTestBoundary7MA4YWxk";

/// Christmas every year from 2020 (all-day, yearly), and a timed meeting that is no holiday.
const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:xmas@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20201225\r\n\
DTEND;VALUE=DATE:20201226\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:meeting@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261124T090000Z\r\n\
DTEND:20261124T100000Z\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

const MEETINGS_ONLY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:meeting@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261124T090000Z\r\n\
DTEND:20261124T100000Z\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

struct Page {
    store: MemoryStore,
    config: heartbeat_shared::config::Config,
    keys: Keys,
    calendars: MemoryConfig,
}

impl Page {
    fn new() -> Self {
        Self {
            store: MemoryStore::new(),
            config: with_secret(),
            keys: Keys::default(),
            calendars: MemoryConfig::new(),
        }
    }

    async fn send(&self, req: Request) -> Response<Body> {
        let deps = ApiDeps::new(&self.store, &self.config, &self.keys).with_calendars(Some(&self.calendars));
        api::serve(req, &deps, now()).await
    }

    async fn post(&self, body: &str) -> Response<Body> {
        self.send(request(Method::POST, &uri(), Some(FORM), body)).await
    }

    async fn upload(&self, name: &str, file: &str) -> Response<Body> {
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send(request(
            Method::POST,
            &uri(),
            Some(&content_type),
            &multipart(name, file),
        ))
        .await
    }

    async fn stored(&self, name: &str) -> Option<Vec<String>> {
        let name = CalendarName::parse(name).unwrap();
        self.calendars
            .calendar(&name)
            .await
            .unwrap()
            .map(|c| c.dates.iter().map(|d| d.to_string()).collect())
    }

    async fn count(&self) -> usize {
        self.calendars.calendars().await.unwrap().len()
    }
}

fn uri() -> String {
    format!("/heartbeat/calendars?secret={SECRET_IN_URL}")
}

/// The body a browser sends for the upload form: the name field and the file part.
fn multipart(name: &str, file: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"holidays.ics\"\r\n\
         Content-Type: text/calendar\r\n\r\n{file}\r\n--{BOUNDARY}--\r\n"
    )
}

fn form_error(res: &Response<Body>) -> String {
    let page = text(res);
    page.split("id=\"form-error\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no error shown: {page}"))
        .split("</p>")
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn pasted_dates_create_and_replace_a_calendar_and_the_list_shows_the_next_date() {
    let p = Page::new();
    let page = p.send(get(&uri())).await;
    assert_html_page(&page, 200);
    assert!(text(&page).contains("id=\"no-calendars\""));

    // One per line, comma separated, a comment, a duplicate and a date already past (now: 2026-11-23).
    let dates = "2026-12-25, 2026-12-26\n# the office is closed\n2027-01-01\n2026-01-01\n2026-12-25";
    let res = p.post(&format!("name=company&dates={}", form_encode(dates))).await;
    assert_eq!(res.status(), 303, "{}", text(&res));
    assert_eq!(
        header(&res, "location"),
        Some(format!("calendars?secret={SECRET_IN_URL}").as_str())
    );
    assert_eq!(
        p.stored("company").await.unwrap(),
        ["2026-01-01", "2026-12-25", "2026-12-26", "2027-01-01"]
    );

    let listing = p.send(get(&uri())).await;
    assert_html_page(&listing, 200);
    let listing = text(&listing);
    let row = listing
        .split("data-name=\"company\"")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("<td class=\"count\">4</td>"), "{row}");
    assert!(row.contains("<td class=\"next\">2026-12-25</td>"), "{row}");

    // Saving under the same name replaces the dates.
    let res = p.post("name=company&dates=2026-05-01").await;
    assert_eq!(res.status(), 303, "{}", text(&res));
    assert_eq!(p.stored("company").await.unwrap(), ["2026-05-01"]);
    let listing = text(&p.send(get(&uri())).await);
    assert!(listing.contains("<td class=\"next\">none ahead</td>"), "{listing}");
}

#[tokio::test]
async fn an_uploaded_ics_file_saves_its_all_day_events_with_yearly_repeats() {
    let p = Page::new();
    let res = p.upload("de-BY", ICS).await;
    assert_eq!(res.status(), 303, "{}", text(&res));
    let dates = p.stored("de-BY").await.unwrap();
    // 2020 to ten years ahead of 2026, Christmas only: the timed meeting is not a holiday.
    assert_eq!(dates.first().map(String::as_str), Some("2020-12-25"));
    assert_eq!(dates.last().map(String::as_str), Some("2036-12-25"));
    assert_eq!(dates.len(), 17);
    assert!(dates.iter().all(|d| d.ends_with("-12-25")), "{dates:?}");
    let listing = text(&p.send(get(&uri())).await);
    assert!(listing.contains("<td class=\"next\">2026-12-25</td>"), "{listing}");
}

#[tokio::test]
async fn mistakes_are_shown_with_the_form_and_nothing_is_stored() {
    let p = Page::new();
    let pasted = [
        ("name=company&dates=2026-13-01", "2026-13-01", "is not a date"),
        ("name=company&dates=25.12.2026", "25.12.2026", "YYYY-MM-DD"),
        ("name=bad%20name&dates=2026-12-25", "2026-12-25", "the name"),
        ("name=&dates=2026-12-25", "2026-12-25", "the name"),
    ];
    for (body, shown, named) in pasted {
        let res = p.post(body).await;
        assert_html_page(&res, 400);
        let error = form_error(&res);
        assert!(
            error.starts_with("Nothing was saved:") && error.contains(named),
            "{body}: {error}"
        );
        // The form is shown again with what was sent.
        assert!(text(&res).contains(shown), "{body}");
        assert_eq!(p.count().await, 0, "{body}");
    }
    let uploads = [
        ("de-BY", "this is not a calendar", "is not an iCalendar file"),
        ("de-BY", MEETINGS_ONLY, "no all-day event"),
        ("de-BY", "", "choose the .ics file"),
        ("bad name", ICS, "the name"),
    ];
    for (name, file, named) in uploads {
        let res = p.upload(name, file).await;
        assert_html_page(&res, 400);
        let error = form_error(&res);
        assert!(error.contains(named), "{name} {file:.20}: {error}");
        assert!(text(&res).contains(&format!("id=\"upload-name\" name=\"name\" value=\"{}\"", name)));
        assert_eq!(p.count().await, 0, "{name}");
    }
    // A multipart body that is not one (no closing boundary) is refused with what to do.
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let res = p
        .send(request(Method::POST, &uri(), Some(&content_type), "--nonsense"))
        .await;
    assert_eq!(res.status(), 400, "{}", text(&res));
    assert!(text(&res).contains("send the form"), "{}", text(&res));
    assert_eq!(p.count().await, 0);
}

#[tokio::test]
async fn the_delete_button_removes_one_calendar() {
    let p = Page::new();
    for name in ["company", "de-BY"] {
        let calendar = HolidayCalendar {
            name: CalendarName::parse(name).unwrap(),
            dates: [NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()].into(),
            updated_at: now(),
        };
        p.calendars.put_calendar(&calendar).await.unwrap();
    }
    let res = p.post("remove=company").await;
    assert_eq!(res.status(), 303, "{}", text(&res));
    assert_eq!(p.stored("company").await, None);
    assert!(p.stored("de-BY").await.is_some());
    let res = p.post("remove=ghost").await;
    assert_html_page(&res, 400);
    assert!(form_error(&res).contains("no calendar named “ghost”"));
    assert_eq!(p.count().await, 1);
}

#[tokio::test]
async fn the_page_needs_the_secret_and_a_get_changes_nothing() {
    let p = Page::new();
    let res = p.send(get("/heartbeat/calendars?secret=wrong")).await;
    assert_eq!(res.status(), 403);
    let res = p
        .send(request(
            Method::POST,
            "/heartbeat/calendars?secret=wrong",
            Some(FORM),
            "name=company&dates=2026-12-25",
        ))
        .await;
    assert_eq!(res.status(), 403);
    let res = p.send(get("/heartbeat/calendars")).await;
    assert_eq!(res.status(), 403);
    assert_eq!(p.count().await, 0);
    // A GET with a save's or a delete's parameters in its query stores and deletes nothing.
    let res = p.send(get(&format!("{}&name=company&dates=2026-12-25", uri()))).await;
    assert_html_page(&res, 200);
    assert_eq!(p.count().await, 0);
    p.post("name=company&dates=2026-12-25").await;
    let res = p.send(get(&format!("{}&remove=company", uri()))).await;
    assert_html_page(&res, 200);
    assert_eq!(p.count().await, 1);
    let res = p.send(request(Method::DELETE, &uri(), None, "")).await;
    assert_eq!(res.status(), 405);
}

#[tokio::test]
async fn without_the_config_table_the_page_says_what_to_set() {
    let p = Page::new();
    let deps = ApiDeps::new(&p.store, &p.config, &p.keys);
    let res = api::serve(get(&uri()), &deps, now()).await;
    assert_eq!(res.status(), 503);
    assert!(text(&res).contains("CONFIG_TABLE_NAME"), "{}", text(&res));
}

#[tokio::test]
async fn the_dashboard_and_the_maintenance_page_link_to_the_calendars_page() {
    let p = Page::new();
    let href = format!("href=\"calendars?secret={SECRET_IN_URL}\"");
    let maintenance = text(
        &p.send(get(&format!("/heartbeat/maintenance?secret={SECRET_IN_URL}")))
            .await,
    );
    assert!(maintenance.contains(&href), "{maintenance}");
    let dashboard = heartbeat_shared::handlers::dashboard(
        get(&format!("/heartbeat/dashboard?secret={SECRET_IN_URL}")),
        &p.store,
        &p.config,
        now(),
    )
    .await;
    assert!(text(&dashboard).contains(&href), "{}", text(&dashboard));
}

fn form_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}
