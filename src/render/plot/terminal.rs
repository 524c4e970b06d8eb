//! Terminal rendering.
use super::model::Figure;

/// Renders a figure as Unicode text.
pub fn render_terminal(figure: &Figure, cols: usize, rows: usize) -> String {
    let _ = (cols, rows);
    figure.title.clone()
}
