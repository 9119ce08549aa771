//! Requests for a sign-in code are answered at once and carried out
//! behind the answer. Carrying one out costs more for an address on
//! record (the customer's key is unwrapped, the message sealed and queued,
//! the audit log written) than for one that is not; answering first keeps
//! that difference out of the answer's timing, so that nobody learns who
//! is a customer by timing the answer. The answer itself is the same
//! either way: a challenge id.
//!
//! One worker carries the requests out in order, from a bounded queue:
//! when the queue is full the request is refused (503), whoever it names.
//! What remains is the load the work puts on the server, which another
//! request arriving meanwhile could feel; one worker doing one request at
//! a time keeps that load small and bounded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use axum::http::StatusCode;
use candor_service::Candor;
use tokio::sync::{mpsc, Notify};

use crate::problem::Problem;

/// Requests waiting to be carried out, at most.
const QUEUE: usize = 1_024;

/// One request to carry out: the challenge id answered and whom it is
/// for (never logged; no `Debug`).
struct Job {
    id: String,
    whom: Whom,
}

/// Who asked for a code.
enum Whom {
    /// A customer, by the e-mail address they typed.
    Customer(String),
    /// A staff member, by the actor id they typed (the console).
    Staff(String),
}

/// The queue of sign-in requests and its worker.
pub(crate) struct SignIns {
    candor: Candor,
    per_address: u32,
    /// Started on first use, inside the server's runtime.
    queue: OnceLock<mpsc::Sender<Job>>,
    /// Requests taken and not yet carried out.
    pending: Arc<AtomicUsize>,
    /// Told whenever `pending` drops to zero.
    idle: Arc<Notify>,
}

impl SignIns {
    pub(crate) fn new(candor: Candor, per_address: u32) -> Self {
        Self { candor, per_address, queue: OnceLock::new(), pending: Arc::new(AtomicUsize::new(0)), idle: Arc::new(Notify::new()) }
    }

    /// Take a request for a code to `email` under challenge `id`, to carry
    /// out after the answer.
    pub(crate) fn submit(&self, id: String, email: String) -> Result<(), Problem> {
        self.take(Job { id, whom: Whom::Customer(email) })
    }

    /// Take a staff member's request for a console code under challenge
    /// `id`, to carry out after the answer.
    pub(crate) fn submit_staff(&self, id: String, actor: String) -> Result<(), Problem> {
        self.take(Job { id, whom: Whom::Staff(actor) })
    }

    fn take(&self, job: Job) -> Result<(), Problem> {
        let queue = self.queue.get_or_init(|| self.start());
        self.pending.fetch_add(1, Ordering::SeqCst);
        if queue.try_send(job).is_err() {
            self.done();
            let mut p =
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "Busy", "too many sign-in requests at the moment; retry shortly");
            p.retry_after = Some(5);
            return Err(p);
        }
        Ok(())
    }

    fn start(&self) -> mpsc::Sender<Job> {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        let (candor, per_address, pending, idle) = (self.candor.clone(), self.per_address, self.pending.clone(), self.idle.clone());
        tokio::spawn(async move {
            // Ends when every sender is gone (the server stopped) and the
            // queue is drained.
            while let Some(job) = rx.recv().await {
                let done = match &job.whom {
                    Whom::Customer(email) => candor.start_sign_in(&job.id, email, per_address).await,
                    Whom::Staff(actor) => candor.start_staff_sign_in(&job.id, actor, per_address).await,
                };
                if let Err(e) = done {
                    tracing::error!(error = %e, "a sign-in request could not be carried out");
                }
                if pending.fetch_sub(1, Ordering::SeqCst) == 1 {
                    idle.notify_waiters();
                }
            }
        });
        tx
    }

    fn done(&self) {
        if self.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Wait until every request taken so far has been carried out.
    pub(crate) async fn settled(&self) {
        loop {
            // Registered before looking, so a notification in between is
            // not missed.
            let idle = self.idle.notified();
            if self.pending.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }
}
