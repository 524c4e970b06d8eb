//! How a closed form reads: its pieces as a `cases` formula, the breakpoints,
//! point masses and the continuity report.

use serde_json::json;

use crate::engine::exact::{Bound, Meet};
use crate::eval::exact::*;
use crate::render::doc::{Block, Doc, Table};
use crate::value::number::{NumFmt, Number};

impl ClosedForm {
    /// `show h`: one line per interval, the continuity report, and the
    /// function's JSON with CAS-readable pieces.
    pub fn doc(&self, name: &str, var: &str, fmt: &NumFmt) -> Doc {
        let mut lines = self.result.text_lines(var, fmt);
        let lead = format!("{name}({var}) = ");
        let pad = " ".repeat(lead.chars().count());
        for (i, l) in lines.iter_mut().enumerate() {
            *l = if i == 0 {
                format!("{lead}{l}")
            } else {
                format!("{pad}{l}")
            };
        }
        let latex = format!("{name}({var}) = {}", self.result.latex(var, fmt));
        let rows = self.result.piece_rows(var, fmt);
        let cas: Vec<String> = rows.iter().map(|r| r.expr.clone()).collect();
        let mut data = Table::new(&["from", "to", "closed_from", "closed_to", "expr"]);
        for r in &rows {
            let end = |x: &Option<Number>, inf: &str| {
                x.as_ref().map_or(inf.to_string(), |n| n.format(fmt))
            };
            data.push(vec![
                end(&r.from, "-inf"),
                end(&r.to, "inf"),
                r.closed_from.to_string(),
                r.closed_to.to_string(),
                r.expr.clone(),
            ]);
        }
        let mut doc = Doc::new(json!({
            "type": "function",
            "name": name,
            "var": var,
            "exact": true,
            "of": self.title(),
            "pieces": rows.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
            "deltas": self.result.deltas.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
            "expr": cas,
        }))
        .with(Block::Formula { lines, latex });
        doc.push(Block::Data(data));
        doc.push(Block::Note(self.continuity_line(var, fmt)));
        doc
    }

    /// "the pieces meet at t = 0, 1, 2 (checked exactly)", which jumps there
    /// are, and where the point masses sit, in the function's variable.
    pub(crate) fn continuity_line(&self, var: &str, fmt: &NumFmt) -> String {
        let at = |x: &Number| bound_text(&Bound::Finite(x.clone()), fmt);
        let j = &self.trace.junctions;
        if j.is_empty() {
            return "one formula everywhere: no breakpoints".into();
        }
        let masses: Vec<String> = j
            .iter()
            .filter(|x| x.delta.is_some())
            .map(|x| at(&x.at))
            .collect();
        let meets: Vec<String> = j
            .iter()
            .filter(|x| x.is_continuous() && x.delta.is_none())
            .map(|x| at(&x.at))
            .collect();
        let jumps: Vec<String> = j
            .iter()
            .filter(|x| !x.is_continuous())
            .map(|x| {
                format!(
                    "{var} = {} (from {} to {})",
                    at(&x.at),
                    x.left.text(var, fmt),
                    x.right.text(var, fmt)
                )
            })
            .collect();
        let approx = j.iter().any(|x| x.meets == Meet::Approximately);
        let mut out = String::new();
        if !meets.is_empty() {
            out.push_str(&format!(
                "the pieces meet at {var} = {}{}",
                meets.join(", "),
                if approx {
                    " (to 1e-9: floats were involved)"
                } else {
                    " (checked exactly)"
                }
            ));
        }
        if !jumps.is_empty() {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(&format!("it jumps at {}", jumps.join(", ")));
        }
        if !masses.is_empty() {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(&format!("point masses at {var} = {}", masses.join(", ")));
        }
        out
    }
}
