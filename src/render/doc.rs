//! The display model every output goes through, and its five renderers.
//!
//! A feature describes what it shows as a [`Doc`]: a list of blocks
//! (headings, prose, equation lines, tables, notes) plus its JSON object
//! (the shapes are in `render::value`). The renderers below turn a `Doc`
//! into text (comfy-table), Markdown, LaTeX, CSV or JSON; no feature formats
//! its own output, so a new format is one [`Format`] in the registry and one
//! new function here.
//!
//! Equation lines and table cells marked as math use the same Unicode
//! notation as the text output (`·`, `−`, `τ`, `≤`, `∞`); the LaTeX renderer
//! maps it to commands.

use comfy_table::{presets, CellAlignment, ContentArrangement, Table as ComfyTable};

/// The output formats are listed in the registry (names, aliases, file
/// extensions); each has a renderer here, chosen in [`Doc::render`].
pub use crate::registry::Format;

/// Something to display: blocks for the human formats, and its JSON object.
#[derive(Clone, Debug)]
pub struct Doc {
    /// What the human formats show, in order.
    pub blocks: Vec<Block>,
    /// The JSON object of the `json` format.
    pub json: serde_json::Value,
    /// The verdict of a `check`, when this is one: a failed check fails a
    /// lesson or script run.
    pub verdict: Option<bool>,
}

#[derive(Clone, Debug)]
/// One part of a [`Doc`].
pub enum Block {
    /// A heading.
    Heading(String),
    /// A paragraph of prose.
    Para(String),
    /// Equation lines, e.g. `c[3] = 0.5·0.25 + 1·0.5 + 1·1 = 1.625`.
    Math(Vec<String>),
    /// A table.
    Table(Table),
    /// A remark under a table (shortening, accuracy, conventions).
    Note(String),
    /// Pre-rendered text (terminal plots): shown as is.
    Pre(String),
    /// Machine-readable data shown only in CSV (e.g. every sample of a
    /// sequence as `n,value` rows).
    Data(Table),
    /// A formula that has its own LaTeX typesetting (a `cases`
    /// environment): `lines` in text, Markdown and CSV, `latex` (math-mode
    /// source, set in `\[ … \]`) in LaTeX.
    Formula {
        /// The formula in the text notation, one line each.
        lines: Vec<String>,
        /// Its LaTeX (math mode).
        latex: String,
    },
}

#[derive(Clone, Debug, Default)]
/// A table: a header and rows of cells, with how each column is set.
pub struct Table {
    /// Column titles.
    pub header: Vec<String>,
    /// Rows of cells, one per column.
    pub rows: Vec<Vec<String>>,
    /// Per column: typeset as math in LaTeX.
    pub math: Vec<bool>,
    /// Per column: right-aligned (numbers).
    pub right: Vec<bool>,
}

impl Table {
    /// A table with these column titles and no rows; every column is math.
    pub fn new(header: &[&str]) -> Table {
        let n = header.len();
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            math: vec![true; n],
            right: vec![false; n],
        }
    }

    /// Right-align these columns (numbers).
    pub fn right_align(mut self, cols: &[usize]) -> Table {
        for &c in cols {
            if c < self.right.len() {
                self.right[c] = true;
            }
        }
        self
    }

    /// Set these columns as text, not math, in LaTeX.
    pub fn text_columns(mut self, cols: &[usize]) -> Table {
        for &c in cols {
            if c < self.math.len() {
                self.math[c] = false;
            }
        }
        self
    }

    /// Add a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
}

impl Doc {
    /// A document with this JSON and no blocks yet.
    pub fn new(json: serde_json::Value) -> Doc {
        Doc {
            blocks: Vec::new(),
            json,
            verdict: None,
        }
    }

    /// A `check`'s result: `passed` is also recorded in the JSON.
    pub fn check(json: serde_json::Value, passed: bool) -> Doc {
        Doc {
            verdict: Some(passed),
            ..Doc::new(json)
        }
    }

    /// The document with `block` added at the end.
    pub fn with(mut self, block: Block) -> Doc {
        self.blocks.push(block);
        self
    }

    /// Add `block` at the end.
    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    /// The document in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => render_text(self),
            Format::Markdown => render_markdown(self),
            Format::Latex => render_latex(self),
            Format::Csv => render_csv(self),
            Format::Json => render_json(self),
        }
    }
}

fn render_text(doc: &Doc) -> String {
    let mut out = Vec::new();
    for block in &doc.blocks {
        out.push(match block {
            Block::Heading(h) => h.clone(),
            Block::Para(p) => p.clone(),
            Block::Math(lines) | Block::Formula { lines, .. } => lines.join("\n"),
            Block::Table(t) => text_table(t),
            Block::Note(n) => format!("({n})"),
            Block::Pre(p) => p.trim_end().to_string(),
            Block::Data(_) => continue,
        });
    }
    out.join("\n")
}

fn text_table(t: &Table) -> String {
    let mut table = ComfyTable::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(t.header.clone());
    for row in &t.rows {
        table.add_row(row.clone());
    }
    for (i, right) in t.right.iter().enumerate() {
        if *right {
            if let Some(col) = table.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    table.to_string()
}

fn render_markdown(doc: &Doc) -> String {
    let mut out = Vec::new();
    for block in &doc.blocks {
        out.push(match block {
            Block::Heading(h) => format!("**{}**", md_escape(h)),
            Block::Para(p) => md_escape(p),
            Block::Math(lines) | Block::Formula { lines, .. } => lines
                .iter()
                .map(|l| format!("`{}`", l.replace('`', "'")))
                .collect::<Vec<_>>()
                .join("<br>\n"),
            Block::Table(t) => markdown_table(t),
            Block::Note(n) => format!("*{}*", md_escape(n)),
            Block::Pre(p) => format!("```text\n{}\n```", p.trim_end()),
            Block::Data(_) => continue,
        });
    }
    out.join("\n\n")
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('*', "\\*")
        .replace('_', "\\_")
}

fn markdown_table(t: &Table) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let mut out = String::new();
    out.push_str(&format!(
        "| {} |\n",
        t.header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!(
        "|{}|\n",
        (0..t.header.len())
            .map(|i| if t.right.get(i).copied().unwrap_or(false) {
                "---:"
            } else {
                "---"
            })
            .collect::<Vec<_>>()
            .join("|")
    ));
    for row in &t.rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out.trim_end().to_string()
}

/// Map the Unicode notation of the text output to LaTeX math.
pub fn latex_math(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '·' => out.push_str(" \\cdot "),
            '−' => out.push('-'),
            '×' => out.push_str(" \\times "),
            '≤' => out.push_str(" \\le "),
            '≥' => out.push_str(" \\ge "),
            '≠' => out.push_str(" \\ne "),
            '≈' => out.push_str(" \\approx "),
            '∞' => out.push_str("\\infty "),
            '∫' => out.push_str("\\int "),
            '∑' | 'Σ' => out.push_str("\\sum "),
            'ₘ' => out.push_str("_m "),
            'ⱼ' => out.push_str("_j "),
            '—' => out.push_str(" \\text{---} "),
            '∗' => out.push_str(" * "),
            '⌊' => out.push_str("\\lfloor "),
            '⌋' => out.push_str("\\rfloor "),
            '±' => out.push_str("\\pm "),
            '→' => out.push_str("\\to "),
            '…' => out.push_str("\\ldots "),
            '✓' => out.push_str("\\checkmark "),
            '✗' => out.push_str("\\times "),
            'τ' => out.push_str("\\tau "),
            'σ' => out.push_str("\\sigma "),
            'π' => out.push_str("\\pi "),
            'α' => out.push_str("\\alpha "),
            'β' => out.push_str("\\beta "),
            'ω' => out.push_str("\\omega "),
            'δ' => out.push_str("\\delta "),
            'ε' => out.push_str("\\varepsilon "),
            'λ' => out.push_str("\\lambda "),
            'μ' => out.push_str("\\mu "),
            '%' => out.push_str("\\%"),
            '&' => out.push_str("\\&"),
            '#' => out.push_str("\\#"),
            '_' => out.push_str("\\_"),
            '$' => out.push_str("\\$"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '^' => {
                // x^2 or x^12 or x^-1: brace the exponent.
                let mut j = i + 1;
                let mut exp = String::new();
                if j < chars.len() && (chars[j] == '-' || chars[j] == '−') {
                    exp.push('-');
                    j += 1;
                }
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '.') {
                    exp.push(chars[j]);
                    j += 1;
                }
                if exp.is_empty() {
                    out.push('^');
                } else {
                    out.push_str(&format!("^{{{exp}}}"));
                    i = j;
                    continue;
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Escape text (not math) for LaTeX.
pub fn latex_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '—' => out.push_str("---"),
            '–' => out.push_str("--"),
            '…' => out.push_str("\\ldots{}"),
            'ₘ' => out.push_str("$_m$"),
            'ⱼ' => out.push_str("$_j$"),
            '→' | '∑' | 'Σ' | '±' | '≠' | 'α' | 'ω' | 'λ' | 'μ' | '·' | '−' | '≤' | '≥' | '∞'
            | 'τ' | 'σ' | 'π' | '×' | '✓' | '✗' | '⌊' | '⌋' | '∫' | 'δ' | '≈' => {
                out.push_str(&format!("${}$", latex_math(&c.to_string()).trim()));
            }
            _ => out.push(c),
        }
    }
    out
}

fn render_latex(doc: &Doc) -> String {
    let mut out = Vec::new();
    for block in &doc.blocks {
        out.push(match block {
            Block::Heading(h) => format!("\\paragraph{{{}}}", latex_text(h)),
            Block::Para(p) => latex_text(p),
            Block::Math(lines) => {
                let body: Vec<String> = lines.iter().map(|l| align_line(&latex_math(l))).collect();
                format!(
                    "\\begin{{align*}}\n{}\n\\end{{align*}}",
                    body.join(" \\\\\n")
                )
            }
            Block::Formula { latex, .. } => format!("\\[\n{latex}\n\\]"),
            Block::Table(t) => latex_table(t),
            Block::Note(n) => format!("\\emph{{{}}}", latex_text(n)),
            Block::Pre(p) => format!("\\begin{{verbatim}}\n{}\n\\end{{verbatim}}", p.trim_end()),
            Block::Data(_) => continue,
        });
    }
    out.join("\n\n")
}

/// Put the alignment point before the first `=`.
fn align_line(line: &str) -> String {
    match line.find('=') {
        Some(i) => format!("{} &= {}", line[..i].trim_end(), line[i + 1..].trim_start()),
        None => line.to_string(),
    }
}

fn latex_table(t: &Table) -> String {
    let spec: String = (0..t.header.len())
        .map(|i| {
            if t.right.get(i).copied().unwrap_or(false) {
                'r'
            } else {
                'l'
            }
        })
        .collect();
    let cell = |s: &str, col: usize| {
        if s.is_empty() {
            String::new()
        } else if t.math.get(col).copied().unwrap_or(false) {
            format!("${}$", latex_math(s))
        } else {
            latex_text(s)
        }
    };
    let mut out = format!("\\begin{{tabular}}{{{spec}}}\n\\hline\n");
    out.push_str(
        &t.header
            .iter()
            .enumerate()
            .map(|(i, h)| cell(h, i))
            .collect::<Vec<_>>()
            .join(" & "),
    );
    out.push_str(" \\\\\n\\hline\n");
    for row in &t.rows {
        out.push_str(
            &row.iter()
                .enumerate()
                .map(|(i, c)| cell(c, i))
                .collect::<Vec<_>>()
                .join(" & "),
        );
        out.push_str(" \\\\\n");
    }
    out.push_str("\\hline\n\\end{tabular}");
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn render_csv(doc: &Doc) -> String {
    let mut parts = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Table(t) | Block::Data(t) => {
                let mut s = t
                    .header
                    .iter()
                    .map(|h| csv_field(h))
                    .collect::<Vec<_>>()
                    .join(",");
                for row in &t.rows {
                    s.push('\n');
                    s.push_str(
                        &row.iter()
                            .map(|c| csv_field(c))
                            .collect::<Vec<_>>()
                            .join(","),
                    );
                }
                parts.push(s);
            }
            Block::Math(lines)
                if !doc
                    .blocks
                    .iter()
                    .any(|b| matches!(b, Block::Table(_) | Block::Data(_))) =>
            {
                parts.push(
                    lines
                        .iter()
                        .map(|l| csv_field(l))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }
            Block::Para(p) | Block::Heading(p)
                if !doc
                    .blocks
                    .iter()
                    .any(|b| matches!(b, Block::Table(_) | Block::Data(_))) =>
            {
                parts.push(csv_field(p))
            }
            _ => {}
        }
    }
    parts.join("\n\n")
}

fn render_json(doc: &Doc) -> String {
    serde_json::to_string(&doc.json)
        .unwrap_or_else(|e| format!("{{\"type\":\"error\",\"message\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Doc {
        let mut t = Table::new(&["n", "terms", "c[n]"]).right_align(&[0, 2]);
        t.push(vec![
            "3".into(),
            "0.5·0.25 + 1·0.5 + 1·1".into(),
            "1.625".into(),
        ]);
        Doc::new(serde_json::json!({"type": "steps"}))
            .with(Block::Heading("conv(a, b)".into()))
            .with(Block::Table(t))
            .with(Block::Math(vec![
                "c[3] = 0.5·0.25 + 1·0.5 + 1·1 = 1.625".into()
            ]))
    }

    #[test]
    fn every_format_renders() {
        let d = sample();
        let text = d.render(Format::Text);
        assert!(text.contains("0.5·0.25 + 1·0.5 + 1·1"));
        let md = d.render(Format::Markdown);
        assert!(md.contains("| n | terms | c[n] |"));
        assert!(md.contains("|---:|---|---:|"));
        let tex = d.render(Format::Latex);
        assert!(tex.contains("$0.5 \\cdot 0.25 + 1 \\cdot 0.5 + 1 \\cdot 1$"));
        assert!(tex.contains("c[3] &= 0.5"));
        let csv = d.render(Format::Csv);
        assert!(csv.starts_with("n,terms,c[n]\n3,0.5·0.25 + 1·0.5 + 1·1,1.625"));
        assert_eq!(d.render(Format::Json), r#"{"type":"steps"}"#);
    }

    #[test]
    fn latex_math_maps_unicode_and_powers() {
        assert_eq!(latex_math("t^2/2"), "t^{2}/2");
        assert_eq!(latex_math("1·(0.3 − τ)"), "1 \\cdot (0.3 - \\tau )");
        assert_eq!(latex_text("50% of a_b"), "50\\% of a\\_b");
    }

    #[test]
    fn csv_quotes_fields() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
