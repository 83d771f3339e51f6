fn main() {
    std::process::exit(tlslint::cli::run(std::env::args_os()));
}
