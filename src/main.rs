//! The `grayzone` binary: see `grayzone --help`.

fn main() {
    let code = grayzone::cli::main_with_args(std::env::args_os());
    std::process::exit(code);
}
