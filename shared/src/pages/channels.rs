//! The channels page: the channels with their settings masked, a form to add or edit one, and per
//! channel a test button and a remove button. No script: plain forms.

use super::assets::STYLE;
use askama::Template;

#[derive(Debug, Clone)]
pub struct ChannelRow {
    pub name: String,
    pub kind: &'static str,
    /// `url: https://hooks.slack.com/…••••`, one setting per entry, secrets masked.
    pub settings: Vec<String>,
    /// What the provider said when it last refused the configuration; empty when it works.
    pub problem: String,
    pub edit_href: String,
}

/// The add/edit form's values (secrets masked: sending them back unchanged keeps them).
#[derive(Debug, Clone, Default)]
pub struct ChannelForm {
    pub name: String,
    pub kind: String,
    pub url: String,
    pub secret: String,
    pub token: String,
    pub chat_id: String,
    pub routing_key: String,
    pub api_url: String,
    pub to: String,
    pub from: String,
    /// Editing an existing channel: the name is fixed.
    pub editing: bool,
}

#[derive(Debug, Clone)]
pub struct ChannelsView {
    pub channels: Vec<ChannelRow>,
    pub form: ChannelForm,
    pub kinds: &'static [&'static str],
    pub action_href: String,
    pub dashboard_href: String,
    /// What a test message got: `Test message to ops: delivered (…)`.
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "channels.html")]
struct ChannelsPage<'a> {
    view: &'a ChannelsView,
    style: &'static str,
}

pub fn render_channels(view: &ChannelsView) -> String {
    super::render::finish(ChannelsPage { view, style: STYLE }.render())
}
