//! The SPA's entry point: it only mounts the app. (No panic hook: a release build aborts on a
//! panic, and the hook's formatting cost 1.2 KB brotli; the console still shows the abort.)

fn main() {
    leptos::mount::mount_to_body(frontend::App);
}
