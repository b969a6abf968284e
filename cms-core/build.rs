//! Rebuilds cms-core when a migration is added or edited: the migrations are
//! embedded at compile time (`embed_migrations!`), and without this a new
//! migration directory would not make cargo recompile the crate.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
