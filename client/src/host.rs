//! The default `host`: this machine's name, as `hostname` prints it.

/// `None` when the system has no name to give.
pub fn this_machine() -> Option<String> {
    let uname = rustix::system::uname();
    let name = uname.nodename().to_string_lossy().trim().to_owned();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_host_is_the_kernels_host_name() {
        let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("Linux names its host here");
        assert_eq!(super::this_machine().as_deref(), Some(kernel.trim()));
    }
}
