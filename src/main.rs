fn main() -> std::process::ExitCode {
    #[cfg(feature = "gui")]
    {
        if grayzone::gui::run().is_success() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
    #[cfg(not(feature = "gui"))]
    std::process::ExitCode::SUCCESS
}
