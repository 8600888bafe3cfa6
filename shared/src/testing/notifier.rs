//! A notifier that records what it was asked to send, and can be switched to refuse.

use crate::slack::{Notifier, NotifyError, SlackMessage};
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

#[derive(Default)]
pub struct RecordingNotifier {
    delivered: Mutex<Vec<SlackMessage>>,
    attempts: AtomicUsize,
    failure: Mutex<Option<NotifyError>>,
}

impl RecordingNotifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// `Some(err)`: every later `send` fails with it; `None`: healthy again.
    pub fn fail_with(&self, failure: Option<NotifyError>) {
        *lock(&self.failure) = failure;
    }

    pub fn delivered(&self) -> Vec<SlackMessage> {
        lock(&self.delivered).clone()
    }

    /// The messages delivered since the last call.
    pub fn take(&self) -> Vec<SlackMessage> {
        std::mem::take(&mut *lock(&self.delivered))
    }

    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn send(&self, message: &SlackMessage) -> Result<(), NotifyError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if let Some(failure) = lock(&self.failure).clone() {
            return Err(failure);
        }
        lock(&self.delivered).push(message.clone());
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
