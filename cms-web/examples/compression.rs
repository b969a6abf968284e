//! What compressing a stored page costs: Brotli at several qualities against
//! gzip -6, on a page saved from Gazette (e.g. by `bench/run.sh`, which keeps
//! the article page nginx serves).
//!
//! `cargo run --release -p cms-web --example compression -- PAGE.html`

use std::io::Write;
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: compression PAGE.html");
        std::process::exit(2);
    };
    let page = match std::fs::read(&path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    const ROUNDS: u32 = 200;
    println!("identity: {} bytes", page.len());
    for quality in [4u32, 5, 6, 11] {
        let start = Instant::now();
        let mut size = 0;
        for _ in 0..ROUNDS {
            let mut out = Vec::new();
            {
                let mut enc = brotli::CompressorWriter::new(&mut out, 4096, quality, 22);
                enc.write_all(&page).expect("in memory");
                enc.flush().expect("in memory");
            }
            size = out.len();
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS);
        println!("brotli q{quality}: {size} bytes, {us:.0} µs");
    }
    let start = Instant::now();
    let mut size = 0;
    for _ in 0..ROUNDS {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        enc.write_all(&page).expect("in memory");
        size = enc.finish().expect("in memory").len();
    }
    let us = start.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS);
    println!("gzip -6: {size} bytes, {us:.0} µs");
}
