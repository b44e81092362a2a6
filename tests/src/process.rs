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

impl ChildGroup {
    /// Whether a process of this group listens on 127.0.0.1:`port`: the proof that a server
    /// answering there is ours and not another test's that took the port first. Read from
    /// `/proc` (the listening socket's inode, then the group's open descriptors), so it holds
    /// whatever the server prints.
    pub fn listens_on(&self, port: u16) -> bool {
        let inodes = listening_inodes(port);
        if inodes.is_empty() {
            return false;
        }
        let group = self.child.id() as i32;
        let Ok(processes) = std::fs::read_dir("/proc") else {
            return false;
        };
        processes
            .flatten()
            .filter_map(|p| p.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| process_group(pid) == Some(group))
            .any(|pid| {
                let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                    return false;
                };
                fds.flatten().any(|fd| {
                    std::fs::read_link(fd.path()).is_ok_and(|target| {
                        inodes
                            .iter()
                            .any(|i| target.as_os_str() == format!("socket:[{i}]").as_str())
                    })
                })
            })
    }
}

impl ChildGroup {
    /// The CPU time (user and system) the group's processes named `name` have used so far,
    /// from `/proc/PID/stat` (fields 14 and 15, in clock ticks).
    pub fn cpu_time(&self, name: &str) -> Duration {
        let group = self.child.id() as i32;
        // SAFETY: sysconf only reads a constant of the system.
        let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        let ticks: u64 = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|p| p.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| process_group(pid) == Some(group))
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim() == name)
            })
            .filter_map(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                let after_name = &stat[stat.rfind(')')? + 1..];
                let fields: Vec<&str> = after_name.split_whitespace().collect();
                // After the name: state is field 3, so utime (14) and stime (15) sit at 11, 12.
                Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
            })
            .sum();
        Duration::from_secs_f64(ticks as f64 / ticks_per_second)
    }
}

/// The inodes of the TCP sockets listening on 127.0.0.1:`port` (`/proc/net/tcp`: local
/// address `0100007F:PORT` in hex, state `0A` LISTEN, the inode in the tenth column).
fn listening_inodes(port: u16) -> Vec<String> {
    let local = format!("0100007F:{port:04X}");
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            (columns.get(1) == Some(&local.as_str()) && columns.get(3) == Some(&"0A"))
                .then(|| columns.get(9).map(|inode| (*inode).to_owned()))
                .flatten()
        })
        .collect()
}

/// The process group of `pid` (`/proc/PID/stat`: the fifth field, counted after the command
/// name's closing parenthesis since the name may hold spaces).
fn process_group(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(2)?.parse().ok()
}
