//! Fault containment: every hook call goes through [`HostInner::invoke`],
//! which logs a failure with the plugin's name, drops its output, counts it,
//! and disables the plugin after [`MAX_CONSECUTIVE_FAILURES`] in a row or
//! when a call hangs past the limit.

use super::*;

impl HostInner {
    /// Calls one hook with containment: failures are logged, counted and their
    /// output dropped. `None` when there is no output to use.
    pub(super) fn invoke(
        &self,
        p: &Loaded,
        hook_name: &'static str,
        input: &[u8],
    ) -> Option<Vec<u8>> {
        match p.call(hook_name, input) {
            CallOutcome::Ok(out) => {
                p.failures.store(0, Ordering::Relaxed);
                Some(out)
            }
            CallOutcome::Unsupported => None,
            CallOutcome::Failed { code, message } => {
                self.record_failure(p, hook_name, code, &message);
                None
            }
        }
    }

    /// Page views for one plugin: one `page_views` call with all of them when
    /// the plugin answers it, else one `page_view` call each.
    pub(super) fn invoke_views<'s>(
        &self,
        p: &Loaded,
        batch: &[u8],
        singles: &dyn Fn() -> &'s Vec<Vec<u8>>,
    ) {
        if p.batch_views.load(Ordering::Relaxed) != BATCH_NO {
            match p.call(hook::PAGE_VIEWS, batch) {
                CallOutcome::Ok(_) => {
                    p.failures.store(0, Ordering::Relaxed);
                    p.batch_views.store(BATCH_YES, Ordering::Relaxed);
                    return;
                }
                CallOutcome::Unsupported => p.batch_views.store(BATCH_NO, Ordering::Relaxed),
                CallOutcome::Failed { code, message } => {
                    self.record_failure(p, hook::PAGE_VIEWS, code, &message);
                    return;
                }
            }
        }
        for payload in singles() {
            self.invoke(p, hook::PAGE_VIEW, payload);
        }
    }

    pub(super) fn record_failure(&self, p: &Loaded, hook_name: &str, code: i32, message: &str) {
        let message: String = message.chars().take(500).collect();
        tracing::error!(
            plugin = %p.meta.name,
            hook = hook_name,
            status = code_name(code),
            error = %message,
            "plugin hook failed; its output was dropped"
        );
        let n = p.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if n < MAX_CONSECUTIVE_FAILURES {
            return;
        }
        let reason = format!(
            "Disabled automatically after {n} consecutive failures. Last failure: {hook_name} {}: {message}",
            code_name(code)
        );
        self.disable_automatically(p, &reason);
    }

    /// Disables `p` on every node (its state is stored), saying why.
    pub(super) fn disable_automatically(&self, p: &Loaded, reason: &str) {
        let mut transitioned = false;
        p.set_live(|l| {
            if l.enabled {
                l.enabled = false;
                l.failure_reason = Some(reason.to_owned());
                transitioned = true;
            }
        });
        if transitioned {
            tracing::error!(plugin = %p.meta.name, reason = %reason, "plugin disabled automatically");
            if let Err(e) = self
                .conn()
                .and_then(|mut c| store::mark_failed(&mut c, &p.meta.name, reason))
            {
                tracing::warn!(plugin = %p.meta.name, error = %e, "could not store the plugin's failure");
            }
        }
    }

    /// Disables every enabled plugin with a hook call running longer than
    /// the limit. The call itself cannot be stopped (a thread cannot be killed
    /// safely): it keeps its thread until it returns, but no new call reaches
    /// the plugin, so a hung plugin costs at most the calls already made.
    pub(super) fn check_hangs(&self) {
        let limit = std::time::Duration::from_millis(self.hang_limit_ms.load(Ordering::Relaxed));
        let plugins: Vec<Arc<Loaded>> = self.plugins.read().map(|p| p.clone()).unwrap_or_default();
        for p in plugins {
            let Some((hook_name, ran)) = p.oldest_call() else {
                continue;
            };
            if ran < limit || !p.is_enabled() {
                continue;
            }
            let reason = format!(
                "Disabled automatically: a {hook_name} call has not returned after {:.1} s (the limit is {:.1} s, plugin_hang_ms).",
                ran.as_secs_f64(),
                limit.as_secs_f64()
            );
            self.disable_automatically(&p, &reason);
        }
    }
}

/// A plugin status code as a log and the admin page say it.
pub(super) fn code_name(code: i32) -> &'static str {
    match code {
        status::ERROR => "error",
        status::PANIC => "panic",
        status::BAD_INPUT => "bad input",
        status::UNSUPPORTED => "unsupported",
        _ => "unknown status",
    }
}
