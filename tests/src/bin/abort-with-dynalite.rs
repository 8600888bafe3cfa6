//! Starts a dynalite, prints its pid and aborts without unwinding: `dynalite_dies_with_the_test_process`
//! runs this to prove that only the stdin watchdog is needed to end dynalite.

use heartbeat_e2e::Dynalite;

#[tokio::main]
async fn main() {
    let dynalite = Dynalite::start_own().await;
    println!("DYNALITE_PID={}", dynalite.pid().expect("running"));
    std::process::abort();
}
