fn main() {
    std::process::exit(convolab::cli::main());
}
