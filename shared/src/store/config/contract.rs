//! The configuration store's behaviour, written once (like `store::contract`): `config_contract!`
//! instantiates the cases for the in-memory store here and for DynamoDB on dynalite in the
//! end-to-end tests.

use super::channels::{ChannelDirectory, Problem};
use crate::channels::{Channel, ChannelConfig, ChannelName, Routes};
use crate::store::Held;
use chrono::{TimeZone as _, Utc};

#[macro_export]
macro_rules! config_contract {
    ($make:expr) => {
        $crate::config_contract!(@cases $make;
            channels_are_put_listed_and_replaced,
            a_delete_says_whether_it_found_the_channel,
            problems_are_recorded_cleared_and_forgotten_on_edit,
            a_problem_never_recreates_a_deleted_channel,
            routes_are_none_until_put
        );
    };
    (@cases $make:expr; $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_guard, store) = $make.await;
                $crate::store::config::contract::$case(&store).await;
            }
        )+
    };
}

fn slack(name: &str, url: &str) -> Channel {
    Channel::parse(name, ChannelConfig::Slack { url: url.into() }).unwrap()
}

fn name(n: &str) -> ChannelName {
    ChannelName::parse(n).unwrap()
}

pub async fn channels_are_put_listed_and_replaced(store: &dyn ChannelDirectory) {
    assert!(store.channels().await.unwrap().is_empty());
    store
        .put_channel(&slack("ops", "https://hooks.slack.com/a"))
        .await
        .unwrap();
    let pager = Channel::parse(
        "pager",
        ChannelConfig::Pagerduty {
            routing_key: "key".into(),
            api_url: None,
        },
    )
    .unwrap();
    store.put_channel(&pager).await.unwrap();
    store
        .put_channel(&slack("ops", "https://hooks.slack.com/b"))
        .await
        .unwrap();
    let mut listed: Vec<Channel> = store.channels().await.unwrap().into_iter().map(|c| c.channel).collect();
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(listed, vec![slack("ops", "https://hooks.slack.com/b"), pager.clone()]);
    assert_eq!(store.channel(&name("pager")).await.unwrap().unwrap().channel, pager);
    assert_eq!(store.channel(&name("nope")).await.unwrap(), None);
}

pub async fn a_delete_says_whether_it_found_the_channel(store: &dyn ChannelDirectory) {
    store
        .put_channel(&slack("ops", "https://hooks.slack.com/a"))
        .await
        .unwrap();
    assert_eq!(store.delete_channel(&name("ops")).await.unwrap(), Held::Yes);
    assert_eq!(store.delete_channel(&name("ops")).await.unwrap(), Held::No);
    assert!(store.channels().await.unwrap().is_empty());
}

pub async fn problems_are_recorded_cleared_and_forgotten_on_edit(store: &dyn ChannelDirectory) {
    let ops = slack("ops", "https://hooks.slack.com/a");
    store.put_channel(&ops).await.unwrap();
    let problem = Problem {
        text: "hooks.slack.com answered HTTP 404: no_service".into(),
        at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    };
    assert_eq!(store.set_problem(&ops.name, Some(&problem)).await.unwrap(), Held::Yes);
    assert_eq!(
        store.channel(&ops.name).await.unwrap().unwrap().problem,
        Some(problem.clone())
    );
    assert_eq!(store.set_problem(&ops.name, None).await.unwrap(), Held::Yes);
    assert_eq!(store.channel(&ops.name).await.unwrap().unwrap().problem, None);
    store.set_problem(&ops.name, Some(&problem)).await.unwrap();
    store.put_channel(&ops).await.unwrap();
    assert_eq!(
        store.channel(&ops.name).await.unwrap().unwrap().problem,
        None,
        "an edit forgets it"
    );
}

pub async fn a_problem_never_recreates_a_deleted_channel(store: &dyn ChannelDirectory) {
    let problem = Problem {
        text: "refused".into(),
        at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    };
    assert_eq!(
        store.set_problem(&name("gone"), Some(&problem)).await.unwrap(),
        Held::No
    );
    assert_eq!(store.channel(&name("gone")).await.unwrap(), None);
    assert!(store.channels().await.unwrap().is_empty());
}

pub async fn routes_are_none_until_put(store: &dyn ChannelDirectory) {
    assert_eq!(store.routes().await.unwrap(), Routes::default());
    let routes: Routes =
        serde_json::from_str(r#"{"routes":[{"match":"category","value":"backups","channels":["ops"]},{"match":"*","channels":["default"]}]}"#)
            .unwrap();
    store.put_routes(&routes).await.unwrap();
    assert_eq!(store.routes().await.unwrap(), routes);
    // Routes never show up as a channel.
    assert!(store.channels().await.unwrap().is_empty());
}
