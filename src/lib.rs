pub mod view;
#[cfg(feature = "gui")]
pub mod gui;
