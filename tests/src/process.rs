//! A child process in a process group of its own, killed with its whole group on drop.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct ChildGroup {
    child: Child,
    name: &'static str,
}

impl ChildGroup {
    pub fn spawn(name: &'static str, mut command: Command) -> Self {
        command.process_group(0);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name}: {e}"));
        Self { child, name }
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl Drop for ChildGroup {
    fn drop(&mut self) {
        let group = self.child.id() as libc::pid_t;
        // SAFETY: killpg only sends a signal; the group is the one spawn() created.
        unsafe { libc::killpg(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if self.exited().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Grandchildren (workerd, Chromium) may outlive their parent: sweep the group regardless.
        unsafe { libc::killpg(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}
