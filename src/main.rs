// A faster allocator for the many small nodes of large configuration trees.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tlslint::cli::run(std::env::args_os()));
}
