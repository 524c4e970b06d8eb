//! Statements: definitions, displayed queries and commands.

use std::rc::Rc;

use serde_json::json;

use crate::diagnostic::Diagnostic;
use crate::eval::CheckInterrupt;
use crate::eval::{err, err_hint, EvalResult};
use crate::render::doc::{Block, Doc, Format, Table};
use crate::session::{Event, Flow, Session};
use crate::syntax::ast::{Command, Expr, ExprKind, Query, Stmt, StmtKind};
use crate::syntax::span::Span;
use crate::value::function::Function;
use crate::value::number::notes;
use crate::value::Value;

/// If an inf or NaN was formatted since the last
/// `notes::take_nonfinite_note`, say where it came from: a note block and,
/// in JSON, a `"notes"` array. Returns the note.
fn annotate_nonfinite(doc: &mut Doc) -> Option<String> {
    let note = notes::take_nonfinite_note()?;
    if let Some(obj) = doc.json.as_object_mut() {
        if let Some(notes) = obj
            .entry("notes")
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            notes.push(json!(note.clone()));
        }
    }
    doc.push(Block::Note(note.clone()));
    Some(note)
}

/// Run one statement.
pub fn exec(
    session: &mut Session,
    stmt: &Stmt,
    text: &str,
    out: &mut dyn FnMut(Event),
) -> EvalResult<Flow> {
    session.interrupt.check(stmt.span)?;
    notes::clear();
    let mut flow = exec_inner(session, stmt, text, out);
    // Ctrl-C makes nested evaluations give up with NaN, which an outer one
    // may report as something else (a divergent integral): say what happened.
    if flow.is_err() && session.interrupt.is_set() {
        let already = flow
            .as_ref()
            .err()
            .is_some_and(|d| d.kind == crate::diagnostic::Kind::Interrupted);
        if !already {
            flow = Err(Box::new(crate::eval::interrupted(stmt.span)));
        }
    }
    emit_number_events(out, stmt.span);
    notes::clear();
    flow
}

/// Warnings for what arithmetic recorded (exactness given up, overflow).
fn emit_number_events(out: &mut dyn FnMut(Event), span: Span) {
    for event in notes::take_events() {
        out(Event::Warning(Diagnostic::warning(event, Some(span))));
    }
}

fn exec_inner(
    session: &mut Session,
    stmt: &Stmt,
    text: &str,
    out: &mut dyn FnMut(Event),
) -> EvalResult<Flow> {
    let source = text.get(stmt.span.start..stmt.span.end).map(str::to_string);
    match &stmt.kind {
        StmtKind::Assign { name, value } => {
            check_assignable(&name.name, name.span, out)?;
            let mut ctx = session.ctx();
            let v = ctx.eval(value)?;
            let warnings = std::mem::take(&mut ctx.warnings);
            let v = match v {
                Value::Function(f) => {
                    check_composition(&f, &name.name, value.span)?;
                    Value::Function(Rc::new(named(&f, &name.name)))
                }
                other => other,
            };
            // Ctrl-C during the evaluation: values may be NaN; keep the old one.
            session.interrupt.check(stmt.span)?;
            emit_warnings(out, warnings);
            session.env.set(&name.name, v, source);
        }
        StmtKind::DefFn { name, params, body } => {
            check_assignable(&name.name, name.span, out)?;
            let mut ctx = session.ctx();
            let f = crate::eval::compile::define_function(&mut ctx, name, params, body)?;
            check_composition(&f, &name.name, body.span)?;
            let warnings = std::mem::take(&mut ctx.warnings);
            emit_warnings(out, warnings);
            session
                .env
                .set(&name.name, Value::Function(Rc::new(f)), source);
        }
        StmtKind::DefSeq { name, index, body } => {
            check_assignable(&name.name, name.span, out)?;
            let mut ctx = session.ctx();
            let s = crate::eval::compile::define_sequence(&mut ctx, name, index, body)?;
            session.interrupt.check(stmt.span)?;
            let warnings = std::mem::take(&mut ctx.warnings);
            emit_warnings(out, warnings);
            session.env.set(&name.name, Value::Sequence(s), source);
        }
        StmtKind::Query(q) => {
            notes::take_nonfinite_note();
            let mut doc = query_doc(session, q, out)?;
            // Ctrl-C during the evaluation: the values may be NaN; show none.
            session.interrupt.check(stmt.span)?;
            annotate_nonfinite(&mut doc);
            emit_number_events(out, q.span());
            out(Event::Doc(doc));
        }
        StmtKind::Command(c) => return command(session, c, stmt.span, out),
    }
    Ok(Flow::Continue)
}

/// Stored functions are bounded in how deeply they nest other functions
/// (the stack of one evaluation) and in how many applications one
/// evaluation makes (its time): see [`Function::composition`].
fn check_composition(f: &Function, name: &str, span: Span) -> EvalResult<()> {
    use crate::value::function::{MAX_APPLIES, MAX_NESTING};
    let c = f.composition();
    if c.nesting > MAX_NESTING {
        return err_hint(
            span,
            format!(
                "'{name}' nests expressions and functions {} levels deep, more than the limit of {MAX_NESTING}",
                c.nesting
            ),
            "define it from fewer intermediate functions, or write its formula directly",
        );
    }
    if c.applies > MAX_APPLIES {
        return err_hint(
            span,
            format!(
                "one value of '{name}' would evaluate other functions {} times, more than the limit of {MAX_APPLIES}",
                c.applies
            ),
            "each use of a function inside another is evaluated again, so uses that repeat at every level multiply; write the formula directly",
        );
    }
    Ok(())
}

fn emit_warnings(out: &mut dyn FnMut(Event), warnings: Vec<Diagnostic>) {
    for w in warnings {
        out(Event::Warning(w));
    }
}

/// A copy of `f` carrying `name` (for `h = conv(f, g)`).
fn named(f: &Function, name: &str) -> Function {
    let mut g = f.clone();
    g.name = Some(name.to_string());
    g
}

/// Names that cannot be defined (errors) or that hide a built-in (warnings).
fn check_assignable(name: &str, span: Span, out: &mut dyn FnMut(Event)) -> EvalResult<()> {
    if matches!(name, "pi" | "inf") {
        return err_hint(
            span,
            format!("'{name}' is a constant and cannot be redefined"),
            "pick another name",
        );
    }
    if crate::registry::is_function_name(name) {
        out(Event::Warning(
            Diagnostic::warning(
                format!("'{name}' is a built-in; your definition hides it"),
                Some(span),
            )
            .with_hint("`clear NAME` brings the built-in back"),
        ));
    }
    Ok(())
}

/// The Doc a query displays.
pub fn query_doc(session: &mut Session, q: &Query, out: &mut dyn FnMut(Event)) -> EvalResult<Doc> {
    let fmt = session.settings.num;
    match q {
        Query::Expr(e) => {
            let mut ctx = session.ctx();
            let v = ctx.eval(e)?;
            emit_warnings(out, std::mem::take(&mut ctx.warnings));
            let v = match (&e.kind, v) {
                (ExprKind::Ident(n), Value::Function(f)) if f.name.is_none() => {
                    Value::Function(Rc::new(named(&f, n)))
                }
                (_, v) => v,
            };
            let mut doc = crate::render::value::value_doc(&v, &fmt);
            if let Some((nonzeros, note)) = crate::session::discrete::sparsity_note(e, &v) {
                doc.json["nonzeros"] = serde_json::json!(nonzeros);
                doc.push(crate::render::doc::Block::Note(note));
            }
            Ok(doc)
        }
        Query::Steps {
            target,
            at,
            options,
            span,
        } => crate::session::steps::steps(session, target, at.as_ref(), options, *span),
        Query::Converge {
            target,
            at,
            options,
            span,
        } => crate::session::continuous::converge(session, target, at, options, *span),
        Query::Shape { target, span } => crate::session::discrete::shape(session, target, *span),
        Query::Check { expr, span } => check(session, expr, *span),
    }
}

/// `check EXPR`: ✓ or ✗ with both sides.
pub fn check(session: &mut Session, expr: &Expr, span: Span) -> EvalResult<Doc> {
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    if let ExprKind::Compare { first, rest } = &expr.kind {
        if rest.len() == 1 {
            let (op, right) = (&rest[0].0, &rest[0].1);
            let l = ctx.eval(first)?;
            let r = ctx.eval(right)?;
            use crate::syntax::ast::CmpOp;
            let passed = match op {
                CmpOp::Eq | CmpOp::Ne => {
                    let eq = crate::eval::calls::values_equal(&l, &r, 0.0).ok_or_else(|| {
                        Box::new(Diagnostic::error(
                            format!("cannot compare {} with {}", l.kind_name(), r.kind_name()),
                            Some(expr.span),
                        ))
                    })?;
                    if *op == CmpOp::Eq {
                        eq
                    } else {
                        !eq
                    }
                }
                _ => {
                    let (Some(a), Some(b)) = (l.as_number(), r.as_number()) else {
                        return err(expr.span, "only numbers can be ordered");
                    };
                    let o = a.partial_cmp_num(&b);
                    match (op, o) {
                        (_, None) => false,
                        (CmpOp::Lt, Some(o)) => o.is_lt(),
                        (CmpOp::Le, Some(o)) => o.is_le(),
                        (CmpOp::Gt, Some(o)) => o.is_gt(),
                        (CmpOp::Ge, Some(o)) => o.is_ge(),
                        _ => false,
                    }
                }
            };
            return Ok(check_doc(passed, &l, &r, &fmt));
        }
    }
    // A predicate such as is_pdf(w): a truth value, with the reason.
    if let ExprKind::Call { func, args } = &expr.kind {
        if func.name == "is_pdf" || func.name == "is_causal" {
            let (passed, reason) = crate::eval::continuous::predicate(&mut ctx, func, args, span)?;
            let mark = if passed { "✓" } else { "✗" };
            let title = format!("{mark} {}({})", func.name, args_text(args));
            let doc = Doc::check(
                json!({"type": "check", "passed": passed, "reason": reason}),
                passed,
            )
            .with(Block::Para(title))
            .with(Block::Note(reason));
            return Ok(doc);
        }
    }
    match ctx.eval(expr)? {
        Value::Bool(b) => Ok(Doc::check(json!({"type": "check", "passed": b}), b).with(
            Block::Para(format!("{} {}", if b { "✓" } else { "✗" }, "condition")),
        )),
        other => err_hint(
            expr.span,
            format!(
                "check needs a comparison or a condition, not {}",
                other.kind_name()
            ),
            "e.g. `check conv(a, b) == conv(b, a)` or `check is_pdf(w)`",
        ),
    }
}

fn args_text(args: &[crate::syntax::ast::Arg]) -> String {
    args.iter()
        .map(|a| match &a.value.kind {
            ExprKind::Ident(n) => n.clone(),
            _ => "…".into(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_doc(passed: bool, l: &Value, r: &Value, fmt: &crate::value::NumFmt) -> Doc {
    let ld = crate::render::value::value_doc(l, fmt);
    let rd = crate::render::value::value_doc(r, fmt);
    let mark = if passed { "✓" } else { "✗" };
    let lt = ld.render(Format::Text);
    let rt = rd.render(Format::Text);
    let mut doc = Doc::check(
        json!({"type": "check", "passed": passed, "left": ld.json, "right": rd.json}),
        passed,
    );
    let verdict = if passed { "holds" } else { "does not hold" };
    doc.push(Block::Para(format!("{mark} {verdict}")));
    let mut t = Table::new(&["side", "value"]).text_columns(&[0]);
    t.push(vec!["left".into(), lt]);
    t.push(vec!["right".into(), rt]);
    doc.push(Block::Table(t));
    doc
}

fn command(
    session: &mut Session,
    c: &Command,
    span: Span,
    out: &mut dyn FnMut(Event),
) -> EvalResult<Flow> {
    let fmt = session.settings.num;
    match c {
        Command::Show { names } => {
            for n in names {
                let Some(b) = session.env.get(&n.name) else {
                    // A built-in: its help entry.
                    if let Some(text) = crate::help::help(Some(&n.name)) {
                        out(Event::Doc(
                            Doc::new(json!({"type": "help", "topic": n.name, "text": text}))
                                .with(Block::Pre(text)),
                        ));
                        continue;
                    }
                    let ctx = session.ctx();
                    return Err(ctx.unknown_name(&n.name, n.span));
                };
                out(Event::Doc(crate::session::show::show(&n.name, b, &fmt)));
            }
        }
        Command::Vars => {
            let mut t = Table::new(&["name", "kind", "value"]).text_columns(&[0, 1]);
            let mut items = Vec::new();
            for (name, b) in session.env.iter() {
                let summary = crate::session::show::summary(&b.value, &fmt);
                t.push(vec![
                    name.to_string(),
                    b.value
                        .kind_name()
                        .trim_start_matches("a ")
                        .trim_start_matches("an ")
                        .to_string(),
                    summary.clone(),
                ]);
                items.push(json!({"name": name, "kind": b.value.kind_name(), "value": summary}));
            }
            let mut doc = Doc::new(
                json!({"type": "table", "columns": ["name", "kind", "value"], "rows": items}),
            );
            if session.env.is_empty() {
                doc.push(Block::Para("(nothing defined yet)".into()));
            } else {
                doc.push(Block::Table(t));
            }
            out(Event::Doc(doc));
        }
        Command::Clear { names } => {
            if names.is_empty() {
                session.env.clear();
            } else {
                for n in names {
                    if !session.env.remove(&n.name) {
                        return Err(Box::new(not_defined(session, &n.name, n.span)));
                    }
                }
            }
        }
        Command::Help { topic } => {
            let text = crate::help::help(topic.as_ref().map(|t| t.name.as_str()));
            match text {
                Some(t) => out(Event::Doc(
                    Doc::new(json!({"type": "help", "text": t})).with(Block::Pre(t)),
                )),
                None => {
                    let t = topic
                        .as_ref()
                        .map(|t| (t.name.clone(), t.span))
                        .unwrap_or_default();
                    let mut d = Diagnostic::error(format!("no help on '{}'", t.0), Some(t.1));
                    if let Some(s) = crate::diagnostic::did_you_mean(&t.0, crate::help::topics()) {
                        d = d.with_label(format!("did you mean '{s}'?"));
                    } else {
                        d = d.with_hint("`help` lists the topics");
                    }
                    return Err(Box::new(d));
                }
            }
        }
        Command::Format { name } => match Format::parse(&name.name) {
            Some(f) => session.settings.format = f,
            None => {
                return err_hint(
                    name.span,
                    format!("unknown format '{}'", name.name),
                    format!(
                        "choose one of: {}",
                        Format::names().collect::<Vec<_>>().join(", ")
                    ),
                )
            }
        },
        Command::Precision { digits } => {
            let mut ctx = session.ctx();
            let d = ctx.integer(digits, "the precision")?;
            if !(1..=17).contains(&d) {
                return err_hint(
                    digits.span,
                    format!("precision {d} is out of range"),
                    "choose 1 to 17 significant digits",
                );
            }
            session.settings.num.precision = d as usize;
        }
        Command::ExactMode { on } => session.settings.num.exact = *on,
        Command::Export { query, to } => {
            let format = Format::from_extension(&to.value).ok_or_else(|| {
                Box::new(
                    Diagnostic::error(
                        format!("cannot tell the format of '{}'", to.value),
                        Some(to.span),
                    )
                    .with_hint(format!(
                        "use one of the extensions {}",
                        Format::extension_list()
                    )),
                )
            })?;
            notes::take_nonfinite_note();
            let mut doc = query_doc(session, query, out)?;
            let note = annotate_nonfinite(&mut doc);
            let mut text = doc.render(format);
            text.push('\n');
            session
                .files
                .write(&to.value, text.as_bytes())
                .map_err(|e| {
                    Box::new(
                        Diagnostic::error(e.message, Some(to.span))
                            .with_hint(crate::files::WRITE_HINT),
                    )
                })?;
            // CSV holds data only; the note goes to the screen instead.
            let mut wrote = message(format!("wrote {} ({})", to.value, format.name()));
            if let (Some(note), Format::Csv) = (note, format) {
                wrote.push(Block::Note(note));
            }
            out(Event::Doc(wrote));
        }
        Command::Timeit { query } => {
            let doc = crate::session::timeit::timeit(session, query, span)?;
            out(Event::Doc(doc));
        }
        Command::Exercise {
            prompt,
            answer,
            options,
        } => {
            let outcome =
                crate::session::exercise::exercise(session, prompt, answer, options, span)?;
            out(Event::Doc(outcome.doc));
            if outcome.input_ended {
                return Ok(Flow::Quit);
            }
        }
        Command::Pause => {
            if let Some(i) = session.interaction.as_mut() {
                if !i.pause() {
                    return Ok(Flow::Quit);
                }
            }
        }
        Command::Lesson { which } => {
            let source = crate::lesson::LessonSource::current();
            // `lesson "continuous"`: by name.
            if let ExprKind::Str(name) = &which.kind {
                return match source.lookup(name) {
                    Ok(Some(l)) => Ok(Flow::Lesson(l.number)),
                    Ok(None) => err_hint(
                        which.span,
                        format!("there is no lesson named '{name}'"),
                        source.hint(),
                    ),
                    Err(e) => err(which.span, e),
                };
            }
            let mut ctx = session.ctx();
            let n = ctx.integer(which, "the lesson number")?;
            if n < 1 {
                return err_hint(which.span, "lessons are numbered from 1", source.hint());
            }
            match source.find(n as usize) {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return err_hint(which.span, format!("there is no lesson {n}"), source.hint())
                }
                Err(e) => return err(which.span, e),
            }
            return Ok(Flow::Lesson(n as usize));
        }
        Command::Quit => return Ok(Flow::Quit),
        Command::Plot {
            items,
            over,
            to,
            options,
        } => {
            let doc = crate::session::plot::plot(
                session,
                items,
                over.as_ref(),
                to.as_ref(),
                options,
                span,
            )?;
            out(Event::Doc(doc));
        }
        Command::Animate {
            target,
            over,
            to,
            options,
        } => {
            let doc =
                crate::session::plot::animate(session, target, over.as_ref(), to, options, span)?;
            out(Event::Doc(doc));
        }
    }
    Ok(Flow::Continue)
}

/// `clear q` of a name that is not defined: suggest only defined names
/// (a built-in cannot be cleared).
fn not_defined(session: &Session, name: &str, span: Span) -> Diagnostic {
    let d = Diagnostic::error(format!("'{name}' is not defined"), Some(span));
    match crate::diagnostic::did_you_mean(name, session.env.names()) {
        Some(s) => d.with_label(format!("did you mean '{s}'?")),
        None if crate::registry::is_function_name(name) => d
            .with_label("a built-in")
            .with_hint("only your own definitions can be cleared; `vars` lists them"),
        None => d
            .with_label("nothing to clear")
            .with_hint("`vars` lists what is defined"),
    }
}

/// A one-line message Doc.
pub fn message(text: String) -> Doc {
    Doc::new(json!({"type": "message", "text": text})).with(Block::Para(text))
}

/// Read a `name=value` option that must be `on`/`off`.
pub fn on_off(options: &[crate::syntax::ast::Arg], name: &str) -> EvalResult<Option<bool>> {
    for o in options {
        if o.name.as_ref().is_some_and(|n| n.name == name) {
            return match &o.value.kind {
                ExprKind::Ident(w) if w == "on" || w == "true" => Ok(Some(true)),
                ExprKind::Ident(w) if w == "off" || w == "false" => Ok(Some(false)),
                _ => err_hint(
                    o.value.span,
                    format!("{name} must be on or off"),
                    format!("e.g. `{name}=on`"),
                ),
            };
        }
    }
    Ok(None)
}
