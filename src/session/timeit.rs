//! `timeit EXPR`: like IPython's %timeit, medians over repeated runs.

use std::time::Duration;

// std's Instant on native; on wasm32 (where std's panics) the browser's clock.
use web_time::Instant;

use serde_json::json;

use crate::eval::CheckInterrupt;
use crate::eval::EvalResult;
use crate::render::doc::{Block, Doc};
use crate::session::Session;
use crate::syntax::ast::Query;
use crate::syntax::span::Span;

/// Run the query until about a second has passed (at least 5, at most 1000
/// runs) and report the median, min and max.
pub fn timeit(session: &mut Session, query: &Query, span: Span) -> EvalResult<Doc> {
    let _ = span;
    let mut times: Vec<Duration> = Vec::new();
    let budget = Duration::from_millis(1000);
    let started = Instant::now();
    while times.len() < 5 || (started.elapsed() < budget && times.len() < 1000) {
        session.interrupt.check(query.span())?;
        let t0 = Instant::now();
        // An expression is timed as its evaluation (as %timeit does);
        // tables are timed as the building of the table.
        match query {
            Query::Expr(e) => {
                let mut ctx = session.ctx();
                let _ = ctx.eval(e)?;
            }
            _ => {
                let _ = crate::session::commands::query_doc(session, query, &mut |_| {})?;
            }
        }
        times.push(t0.elapsed());
        if times.len() >= 5 && started.elapsed() > budget * 10 {
            break;
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    let (min, max) = (times[0], times[times.len() - 1]);
    let text = format!(
        "median {} over {} runs (min {}, max {})",
        human(median),
        times.len(),
        human(min),
        human(max)
    );
    Ok(Doc::new(json!({
        "type": "timing",
        "runs": times.len(),
        "median_s": median.as_secs_f64(),
        "min_s": min.as_secs_f64(),
        "max_s": max.as_secs_f64(),
    }))
    .with(Block::Para(text)))
}

/// `1.23 ms`, `45.6 µs`, `2.01 s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    let (v, unit) = if s >= 1.0 {
        (s, "s")
    } else if s >= 1e-3 {
        (s * 1e3, "ms")
    } else if s >= 1e-6 {
        (s * 1e6, "µs")
    } else {
        (s * 1e9, "ns")
    };
    format!(
        "{} {unit}",
        crate::value::number::format_float((v * 100.0).round() / 100.0, 3)
    )
}
