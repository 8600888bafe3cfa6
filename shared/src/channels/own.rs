//! A pulse's own channels must exist when they are set: the edit page and the API look each new
//! name up, so a typo is refused at once instead of silently falling back to the default webhook
//! at the next alert (a channel removed later still falls back: `monitor::channels`).

use crate::model::{FieldError, PulseChannels};
use crate::store::StoreError;
use crate::store::config::ChannelDirectory;

/// `Ok(Err(problem))` when a name is neither `default` nor a stored channel. Without a directory
/// (no configuration table) there is nothing to look names up in, and every valid name passes.
/// One GetItem per name, at most `PULSE_CHANNELS_MAX`, and only when the setting is written.
pub async fn check_known(
    directory: Option<&dyn ChannelDirectory>,
    wanted: Option<&PulseChannels>,
) -> Result<Result<(), FieldError>, StoreError> {
    let (Some(directory), Some(wanted)) = (directory, wanted) else {
        return Ok(Ok(()));
    };
    for name in wanted.names().iter().filter(|n| !n.is_default()) {
        if directory.channel(name).await?.is_none() {
            return Ok(Err(FieldError::new(
                "channels",
                format!(
                    "names {name}, but there is no channel named {name}; add it on the channels page first, or name default for the Slack webhook"
                ),
            )));
        }
    }
    Ok(Ok(()))
}
