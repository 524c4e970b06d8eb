//! `exercise "prompt" = ANSWER [tol=…] [hint="…"]`.
//!
//! In an interactive lesson the student is asked; answers are expressions
//! (`13/8`, `1.625`, `[1, 1, 1.5]`, `a·w + b·x` written `a*w + b*x`), checked
//! within a tolerance (numbers), entry by entry (sequences, matrices), or up
//! to the order of terms (symbolic). A wrong answer gets a hint, the second
//! wrong answer gets the solution; an answer that cannot be read is asked
//! again without counting. Outside interactive runs the answer is printed.

use serde_json::json;

use crate::eval::calls::values_equal;
use crate::eval::{err, EvalResult};
use crate::render::doc::{Block, Doc, Format};
use crate::render::value::value_doc;
use crate::session::Session;
use crate::syntax::ast::{Arg, Expr, ExprKind, StrLit};
use crate::syntax::span::Span;
use crate::value::Value;

/// What happened, for the caller: the Doc to show, and whether input ended.
pub struct ExerciseOutcome {
    /// What to show.
    pub doc: Doc,
    /// The student's input ended (end of file) during the exercise.
    pub input_ended: bool,
}

/// `exercise "prompt" = answer`: ask, check, hint, then show the answer.
pub fn exercise(
    session: &mut Session,
    prompt: &StrLit,
    answer: &Expr,
    options: &[Arg],
    span: Span,
) -> EvalResult<ExerciseOutcome> {
    let fmt = session.settings.num;
    let mut tol = 1e-6;
    let mut hint: Option<String> = None;
    for o in options {
        let name = o.name.as_ref().map(|n| n.name.as_str()).unwrap_or("");
        match name {
            "tol" => {
                let mut ctx = session.ctx();
                let v = ctx.real(&o.value, "tol")?.to_f64();
                if !(v >= 0.0 && v.is_finite()) {
                    return crate::eval::err_hint(
                        o.value.span,
                        "tol must be a non-negative number",
                        "tol is how far an answer may be from the exact value, e.g. tol=0.01",
                    );
                }
                tol = v;
            }
            "hint" => match &o.value.kind {
                ExprKind::Str(s) => hint = Some(s.clone()),
                _ => return err(o.value.span, "hint must be a string in quotes"),
            },
            other => {
                return Err(Box::new(
                    crate::diagnostic::Diagnostic::error(
                        format!("exercise has no option '{other}'"),
                        Some(o.span),
                    )
                    .with_label("options: tol, hint"),
                ))
            }
        }
    }
    let _ = span;
    let expected = session.ctx().eval(answer)?;
    let shown = value_doc(&expected, &fmt).render(Format::Text);
    let mut doc = Doc::new(json!({
        "type": "exercise",
        "prompt": prompt.value,
        "answer": value_doc(&expected, &fmt).json,
    }));
    let Some(mut io) = session.interaction.take() else {
        doc.push(Block::Para(format!("Exercise: {}", prompt.value)));
        doc.push(Block::Para(format!("Answer: {shown}")));
        return Ok(ExerciseOutcome {
            doc,
            input_ended: false,
        });
    };
    // Interactive: the dialogue itself shows the question and the verdict,
    // so the Doc carries only its JSON (and the answer if input ends).
    let symbolic = has_symbols(&expected);
    let mut wrong = 0;
    let mut input_ended = false;
    let mut prompt_text = format!("{}\nyour answer> ", prompt.value);
    loop {
        let Some(line) = io.ask(&prompt_text) else {
            input_ended = true;
            doc.push(Block::Para(format!("(input ended) Answer: {shown}")));
            break;
        };
        // Asked once; a blank line or another try only needs the prompt.
        prompt_text = "your answer> ".into();
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut given = read_answer(session, line);
        if given.is_err() && symbolic {
            // Letters are symbols only inside [ ]: read `a·w + b·x` as one.
            if let Ok(Value::Sequence(s)) = read_answer(session, &format!("[{line}]")) {
                if s.len() == 1 && !matches!(expected, Value::Sequence(_)) {
                    given = Ok(Value::Scalar(s.elems.scalars()[0].clone()));
                } else {
                    given = Ok(Value::Sequence(s));
                }
            }
        }
        let given = match given {
            Ok(v) => v,
            Err(d) => {
                io.ask_feedback(&format!(
                    "I could not read that ({}). Try again, e.g. 1.625 or [1, 2, 3].",
                    d.message
                ));
                continue;
            }
        };
        if values_equal(&given, &expected, tol).unwrap_or(false) {
            io.ask_feedback("✓ correct");
            doc.json["given"] = value_doc(&given, &fmt).json;
            doc.json["correct"] = json!(true);
            break;
        }
        wrong += 1;
        if wrong >= 2 {
            io.ask_feedback(&format!("✗ not quite. The answer is {shown}"));
            doc.json["given"] = value_doc(&given, &fmt).json;
            doc.json["correct"] = json!(false);
            break;
        }
        let advice = hint.clone().unwrap_or_else(|| auto_hint(&given, &expected));
        io.ask_feedback(&format!("✗ not quite. Hint: {advice}. One more try."));
    }
    session.interaction = Some(io);
    Ok(ExerciseOutcome { doc, input_ended })
}

/// Parse and evaluate a student's answer.
fn read_answer(session: &Session, line: &str) -> EvalResult<Value> {
    match crate::syntax::parse_expr(line) {
        Ok(e) => session.ctx().eval(&e),
        Err(e) => Err(Box::new(crate::diagnostic::Diagnostic::from_parse_error(
            &e, line,
        ))),
    }
}

/// Whether a value holds letters (symbolic entries).
fn has_symbols(v: &Value) -> bool {
    match v {
        Value::Scalar(s) => s.is_symbolic(),
        Value::Sequence(s) => s.elems.is_symbolic(),
        Value::Matrix(m) => m.elems.is_symbolic(),
        _ => false,
    }
}

/// A hint from the shape of the mistake.
fn auto_hint(given: &Value, expected: &Value) -> String {
    match (given.as_number(), expected.as_number()) {
        (Some(g), Some(e)) => {
            if g.to_f64() > e.to_f64() {
                "your answer is too large".into()
            } else {
                "your answer is too small".into()
            }
        }
        _ => match (given, expected) {
            (Value::Sequence(g), Value::Sequence(e)) => {
                if g.len() != e.len() {
                    format!("the answer has {} samples, yours has {}", e.len(), g.len())
                } else {
                    let start = g.start.min(e.start);
                    let end = g.end().max(e.end());
                    match (start..end).find(|n| !g.at(*n).approx_eq(&e.at(*n), 1e-9)) {
                        Some(n) => format!("look again at n = {n}"),
                        None => "check where the sequence starts".into(),
                    }
                }
            }
            _ => format!("the answer is {}", expected.kind_name()),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    use crate::render::doc::Format;
    use crate::session::{Event, Interaction, Session};

    /// A student who types the given lines; records what they were asked
    /// and told.
    struct Student {
        lines: VecDeque<&'static str>,
        log: Rc<RefCell<Vec<String>>>,
    }

    impl Interaction for Student {
        fn ask(&mut self, prompt: &str) -> Option<String> {
            self.log.borrow_mut().push(format!("ask: {prompt}"));
            self.lines.pop_front().map(str::to_string)
        }
        fn ask_feedback(&mut self, text: &str) {
            self.log.borrow_mut().push(format!("told: {text}"));
        }
        fn pause(&mut self) -> bool {
            true
        }
    }

    /// Runs `text` with a student typing `lines`; returns the dialogue and
    /// the text the statements displayed.
    fn run(text: &str, lines: &[&'static str]) -> (Vec<String>, String) {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut s = Session::new();
        s.interaction = Some(Box::new(Student {
            lines: lines.iter().copied().collect(),
            log: log.clone(),
        }));
        let mut shown = String::new();
        s.run(text, &mut |e| {
            if let Event::Doc(d) = e {
                shown.push_str(&d.render(Format::Text));
            }
        })
        .unwrap();
        let dialogue = log.borrow().clone();
        (dialogue, shown)
    }

    #[test]
    fn the_question_is_asked_once_and_not_repeated_after_the_answer() {
        let (dialogue, shown) = run("exercise \"What is 1 + 1?\" = 2", &["", "3", "2"]);
        assert_eq!(
            dialogue,
            [
                "ask: What is 1 + 1?\nyour answer> ",
                "ask: your answer> ",
                "told: ✗ not quite. Hint: your answer is too large. One more try.",
                "ask: your answer> ",
                "told: ✓ correct",
            ]
        );
        assert_eq!(shown, "", "the dialogue already showed everything");
    }

    #[test]
    fn symbolic_answers_can_be_typed_without_brackets() {
        let (dialogue, _) = run("exercise \"c[1]?\" = conv([a, b], [1, 1])[1]", &["b + a"]);
        assert_eq!(dialogue.last().unwrap(), "told: ✓ correct");
        let (dialogue, _) = run("exercise \"c?\" = conv([a, b], [1, 1])", &["a, a + b, b"]);
        assert_eq!(dialogue.last().unwrap(), "told: ✓ correct");
    }

    #[test]
    fn without_a_student_the_question_and_answer_are_shown() {
        let mut s = Session::new();
        let out = s.run_collect("exercise \"What is 1 + 1?\" = 2").unwrap();
        assert_eq!(out, ["Exercise: What is 1 + 1?\nAnswer: 2"]);
    }
}
