//! `sqlx::migrate!` embeds the migration files at compile time, but cargo does not know it reads
//! them: a new migration alone would not rebuild the binary, which would then start against a
//! schema missing it while reporting "up to date".
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
