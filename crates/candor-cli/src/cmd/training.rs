//! `candor training show|quiz|require-current`: the staff course kept in
//! the installation (`training/`), its quiz, and making staff take it again
//! after it changed. Passing the quiz records the training attestation the
//! access gate asks for, as `candor actor attest` does, naming the course's
//! content hash.

use std::collections::BTreeMap;
use std::io::{BufRead as _, Write as _};

use anyhow::bail;
use candor_domain::training::{Course, Quiz};
use candor_service::training::load_course;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor training …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the course: every chapter, then how the quiz is passed.
    Show,
    /// Take the quiz as the `--as` staff member: each question asked in
    /// turn (or all answered at once with `--answers`); a pass records
    /// their training attestation. Exit 2 on a fail.
    Quiz {
        /// The chosen choice of each question, in order, counted from 1
        /// (`2,1,2,…`), instead of being asked.
        #[arg(long, value_delimiter = ',', value_name = "N,N,…")]
        answers: Option<Vec<usize>>,
    },
    /// After the course changed: end every training attestation earned on
    /// an earlier version, so that staff take the course again before the
    /// access gate lets them read personal data.
    RequireCurrent,
}

/// Run a training command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    let course = load_course(&inst.settings.training.dir)?;
    match c {
        Command::Show => show(g, &course)?,
        Command::Quiz { answers } => {
            let answers = match answers {
                Some(given) => given_answers(&course.quiz, &given)?,
                None => ask(&course.quiz)?,
            };
            let outcome = inst.candor.take_quiz(&g.actor, &course, &answers).await?;
            let m = &outcome.marked;
            if g.json {
                let missed: Vec<_> = m.missed.iter().map(|x| json!({ "question": x.id, "right": x.right, "why": x.why })).collect();
                output::json(&json!({
                    "actor": g.actor,
                    "correct": m.correct,
                    "total": m.total,
                    "passed": m.passed,
                    "pass_mark": course.quiz.pass_mark,
                    "missed": missed,
                    "attested_until": outcome.attested_until.map(output::ts),
                }))?;
            } else {
                println!("{} of {} right (pass mark {} %)", m.correct, m.total, course.quiz.pass_mark);
                for x in &m.missed {
                    println!("  {}: the answer is \"{}\". {}", x.id, x.right, x.why);
                }
                match outcome.attested_until {
                    Some(until) => println!("passed: {}'s training is recorded until {}", g.actor, until.date()),
                    None => println!("not passed: read the course again (`candor training show`) and retake the quiz"),
                }
            }
            if !m.passed {
                return Ok(Outcome::Denied);
            }
        }
        Command::RequireCurrent => {
            let ended = inst.candor.require_current_course(&g.actor, &course).await?;
            if g.json {
                output::json(&json!({ "course": course.attestation_name(), "attestations_ended": ended }))?;
            } else {
                println!("{ended} training attestation(s) earned on an earlier course ended; those staff take the course again");
            }
        }
    }
    Ok(Outcome::Ok)
}

fn show(g: &Global, course: &Course) -> anyhow::Result<()> {
    if g.json {
        let chapters: Vec<_> =
            course.chapters.iter().map(|c| json!({ "file": c.file, "title": c.title, "markdown": c.markdown })).collect();
        return output::json(&json!({
            "title": course.title,
            "content_hash": course.content_hash,
            "chapters": chapters,
            "questions": course.quiz.questions.len(),
            "pass_mark": course.quiz.pass_mark,
            "valid_days": course.quiz.valid_days,
        }));
    }
    println!("{} (sha256:{})\n", course.title, course.content_hash);
    for c in &course.chapters {
        println!("{}\n", c.markdown.trim_end());
    }
    println!(
        "Then take the quiz: `candor training quiz --as YOU`. {} questions; {} % right passes, and your training is recorded for {} days.",
        course.quiz.questions.len(),
        course.quiz.pass_mark,
        course.quiz.valid_days
    );
    Ok(())
}

/// `--answers` as the quiz's answers: one a question, each a choice.
fn given_answers(quiz: &Quiz, given: &[usize]) -> anyhow::Result<BTreeMap<String, usize>> {
    if given.len() != quiz.questions.len() {
        bail!("`--answers` has {} answer(s); the quiz has {} questions", given.len(), quiz.questions.len());
    }
    let mut out = BTreeMap::new();
    for (i, (q, a)) in quiz.questions.iter().zip(given).enumerate() {
        if *a == 0 || *a > q.choices.len() {
            bail!("`--answers`: answer {} is {a}; question {} (`{}`) has choices 1 to {}", i + 1, i + 1, q.id, q.choices.len());
        }
        out.insert(q.id.clone(), *a);
    }
    Ok(out)
}

/// Ask each question on the terminal until a valid choice is typed.
fn ask(quiz: &Quiz) -> anyhow::Result<BTreeMap<String, usize>> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = BTreeMap::new();
    for (i, q) in quiz.questions.iter().enumerate() {
        println!("\n{}. {}", i + 1, q.text);
        for (n, c) in q.choices.iter().enumerate() {
            println!("   {}) {c}", n + 1);
        }
        loop {
            print!("your answer (1-{}): ", q.choices.len());
            std::io::stdout().flush()?;
            let Some(line) = lines.next() else { bail!("the quiz was left before question {}", i + 1) };
            match line?.trim().parse::<usize>() {
                Ok(n) if (1..=q.choices.len()).contains(&n) => {
                    out.insert(q.id.clone(), n);
                    break;
                }
                _ => println!("type the number of a choice"),
            }
        }
    }
    Ok(out)
}
