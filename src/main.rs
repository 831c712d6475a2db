mod allocator;
mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    allocator::init();
    cli::run(cli::Cli::parse())
}
