//! The command line: `convolab` (the REPL on a terminal, otherwise
//! statements from stdin), `run [--interactive] FILE…`, `-c STATEMENTS`,
//! `lessons`, `lesson [--interactive] N|NAME`, and the global options
//! `--format` and `--lessons`, which go before or after the subcommand.
//! The README's "Command line" section is the user's view of it.
//!
//! Exit status: 0 success; 1 a statement failed or a `check` did not hold;
//! 2 bad command-line usage; 130 interrupted. Results go to stdout, errors
//! and warnings to stderr, colour only when stderr is a terminal and
//! `NO_COLOR` is unset.

use std::io::IsTerminal;

use clap::Parser;

use crate::lesson::LessonSource;
use crate::render::doc::Format;
use crate::runner::{self, Outcome};
use crate::session::Session;

#[derive(Parser, Debug)]
#[command(
    name = "convolab",
    version,
    about = "convolab: convolution, continuous and discrete, with every step shown",
    long_about = "convolab computes convolutions and correlations of sequences, matrices and piecewise functions, \
and shows every step. With no arguments it starts the REPL on a terminal, or reads statements from stdin.",
    after_help = "Examples:\n  convolab\n  convolab -c 'a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]; steps conv(a, b)'\n  convolab lessons\n  convolab lesson 1\n  convolab lesson --interactive continuous\n  convolab run my-lesson.md\n  convolab --lessons ./lessons lesson 3\n  convolab --format json -c 'conv([1, 2], [1, 1])'\n\n\
Lessons are built into the binary. `--lessons DIR` (or CONVOLAB_LESSONS=DIR) reads them from a folder \
of Markdown files instead, for writing lessons."
)]
pub struct Cli {
    /// Output format: text, markdown, latex, csv or json.
    #[arg(long, global = true, value_name = "FMT", value_parser = parse_format)]
    pub format: Option<Format>,
    /// Read lessons from the .md files in DIR instead of the bundled ones
    /// (for `lessons`, `lesson N` and the REPL's `lesson N`; also CONVOLAB_LESSONS=DIR).
    #[arg(long, global = true, value_name = "DIR", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub lessons: Option<String>,
    /// Run these statements (separated by newlines or ';') and exit.
    #[arg(short = 'c', value_name = "STATEMENTS")]
    pub code: Option<String>,
    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Run files in order (.md: a lesson; anything else: a plain script).
    Run {
        /// Pause between blocks and ask the exercises.
        #[arg(long, short = 'i')]
        interactive: bool,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<std::path::PathBuf>,
    },
    /// List the lessons, numbered.
    Lessons,
    /// Run one lesson, by number or name (e.g. `lesson 3`, `lesson continuous`).
    Lesson {
        /// Pause between blocks and ask the exercises.
        #[arg(long, short = 'i')]
        interactive: bool,
        /// The number or the file name shown by `convolab lessons`.
        #[arg(value_name = "N|NAME")]
        which: String,
    },
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("unknown format '{s}' (choose {})", Format::choices()))
}

/// Colour on stderr only when it is a terminal and NO_COLOR is unset.
pub fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Ctrl-C sets the session's interrupt flag; a second one outside the REPL exits.
fn install_interrupt(session: &Session, repl: bool) {
    let flag = session.interrupt.flag();
    let _ = ctrlc::set_handler(move || {
        let already = flag.swap(true, std::sync::atomic::Ordering::SeqCst);
        if already && !repl {
            std::process::exit(130);
        }
    });
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    // `-c` and a subcommand exclude each other. (clap's
    // args_conflicts_with_subcommands would also refuse the global options
    // before a subcommand: `--format json run FILE`.)
    if cli.code.is_some() && cli.command.is_some() {
        use clap::CommandFactory;
        let e = Cli::command().error(
            clap::error::ErrorKind::ArgumentConflict,
            "-c cannot be used with a subcommand",
        );
        let _ = e.print();
        return 2;
    }
    if let Some(dir) = &cli.lessons {
        LessonSource::Dir(dir.into()).choose();
    }
    let mut session = Session::new();
    if let Some(f) = cli.format {
        session.settings.format = f;
    }
    let color = use_color();
    match (&cli.command, &cli.code) {
        (Some(Sub::Lessons), _) => list_lessons(&LessonSource::current()),
        (Some(Sub::Lesson { interactive, which }), _) => {
            let source = LessonSource::current();
            let lesson = match source.lookup(which) {
                Ok(Some(l)) => l,
                Ok(None) => {
                    eprintln!("error: there is no lesson '{which}'; {}", source.hint());
                    return 1;
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return 1;
                }
            };
            install_interrupt(&session, false);
            runner::status(runner::run_lesson_terminal(
                &mut session,
                &lesson,
                color,
                *interactive,
            ))
        }
        (Some(Sub::Run { interactive, files }), _) => {
            install_interrupt(&session, false);
            if *interactive {
                session.interaction = Some(Box::new(runner::Terminal));
            }
            for f in files {
                let o = runner::run_file(&mut session, f, color, *interactive);
                if o != Outcome::Ok {
                    return runner::status(o);
                }
            }
            0
        }
        (None, Some(code)) => {
            install_interrupt(&session, false);
            let (o, flow) = runner::on_terminal(color, |io| {
                runner::run_text(&mut session, "-c", code, code, 0, io)
            });
            if let crate::session::Flow::Lesson(n) = flow {
                return runner::status(runner::run_numbered_lesson(&mut session, n, color, false));
            }
            runner::status(o)
        }
        (None, None) => {
            if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
                install_interrupt(&session, true);
                crate::repl::run(&mut session, color)
            } else {
                install_interrupt(&session, false);
                runner::run_stdin(&mut session, color)
            }
        }
    }
}

/// `convolab lessons`: number, file and title of each lesson, and its
/// one-line summary.
fn list_lessons(source: &LessonSource) -> i32 {
    let all = match source.list() {
        Ok(all) => all,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    if let LessonSource::Dir(dir) = source {
        if all.is_empty() {
            eprintln!("error: no lessons (.md files) in {}", dir.display());
            return 1;
        }
        println!("Lessons in {}:", dir.display());
    }
    for l in all {
        println!("{:>2}  {:<30} {}", l.number, l.file, l.title);
        if !l.summary.is_empty() {
            println!("{:>2}  {:<30} {}", "", "", l.summary);
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn format_option_help_names_every_format() {
        let cmd = Cli::command();
        let arg = cmd
            .get_arguments()
            .find(|a| a.get_id() == "format")
            .expect("--format");
        let help = arg.get_help().expect("help").to_string();
        for name in Format::names() {
            assert!(help.contains(name), "--format help misses {name}: {help}");
        }
    }

    #[test]
    fn format_option_takes_names_and_aliases() {
        assert_eq!(parse_format("LaTeX"), Ok(Format::Latex));
        assert_eq!(parse_format("md"), Ok(Format::Markdown));
        let e = parse_format("xml").unwrap_err();
        assert_eq!(
            e,
            "unknown format 'xml' (choose text, markdown, latex, csv or json)"
        );
    }
}
