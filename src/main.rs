use clap::Parser;
use gapmap::cli::Cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    gapmap::telemetry::init();
    let cli = Cli::parse();
    match gapmap::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
