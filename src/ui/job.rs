//! Backend work on a worker thread: the window keeps drawing while a store is read or a
//! server answers, shows how far the work has got, and can ask it to stop.

use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::sync::{Arc, Mutex};

use eframe::egui;

use crate::doctor::{Doctor, Findings};
use crate::wizard::{Reply, Request};
use crate::work::CancelToken;

/// What the work last said about itself.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    pub fraction: Option<f32>,
    pub doing: String,
}

/// The reply, and the findings as they stood when the work ended: the window reads
/// these instead of locking the doctor while other work may hold it.
pub struct Done {
    pub reply: Reply,
    /// `None` when the work was left behind after Cancel.
    pub findings: Option<Findings>,
}

pub struct Job {
    done: Receiver<Done>,
    progress: Arc<Mutex<Progress>>,
    cancel: CancelToken,
    /// Reading work (a check, a plan) may be left to finish on its own once cancelled: its
    /// result is no longer wanted, and it changes nothing. Applying a fix is always
    /// waited for, so that what it did is known.
    pub detachable: bool,
}

impl Job {
    pub fn spawn(doctor: &Arc<Mutex<Doctor>>, request: Request, ctx: &egui::Context) -> Job {
        let detachable = !matches!(request, Request::ApplyFix { .. });
        let (send, done) = channel();
        let progress = Arc::new(Mutex::new(Progress::default()));
        let cancel = CancelToken::new();
        let (doctor, shared, token, ctx) = (
            Arc::clone(doctor),
            Arc::clone(&progress),
            cancel.clone(),
            ctx.clone(),
        );
        std::thread::spawn(move || {
            // A poisoned lock means an earlier job panicked; its state is still readable.
            let mut doctor = doctor.lock().unwrap_or_else(|p| p.into_inner());
            doctor.begin(token);
            let repaint = ctx.clone();
            doctor.set_progress(Arc::new(move |step| {
                let mut p = shared.lock().unwrap_or_else(|p| p.into_inner());
                p.fraction = (step.total > 0).then(|| step.fraction());
                p.doing = step.doing.to_owned();
                repaint.request_repaint();
            }));
            let reply = request.send(&mut *doctor);
            doctor.set_progress(Arc::new(|_| {}));
            let findings = Some(doctor.findings().clone());
            let _ = send.send(Done { reply, findings });
            ctx.request_repaint();
        });
        Job {
            done,
            progress,
            cancel,
            detachable,
        }
    }

    /// The outcome, once the work has ended. A worker that died without replying is
    /// reported as an error rather than leaving the window waiting for ever.
    pub fn poll(&self) -> Option<Result<Done, String>> {
        match self.done.try_recv() {
            Ok(done) => Some(Ok(done)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err("the work stopped unexpectedly".to_owned()))
            }
        }
    }

    pub fn progress(&self) -> Progress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_cancelling(&self) -> bool {
        self.cancel.is_cancelled()
    }
}
