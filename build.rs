//! On Linux with glibc, link `bnotify` at a fixed address (`-no-pie`).
//!
//! A position-independent executable has its 17,000 pointers in static data (tables,
//! vtables, panic locations) rewritten by the dynamic loader at every start: half of the
//! instructions of `bnotify --version`, and 70 copied pages. Fixed-address, they are
//! written by the linker once. Shared libraries are still placed at random and RELRO
//! still write-protects what the loader filled in. Set `BNOTIFY_PIE=1` when building to
//! keep a position-independent executable instead.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BNOTIFY_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let libc = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && libc == "gnu" && std::env::var_os("BNOTIFY_PIE").is_none() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
