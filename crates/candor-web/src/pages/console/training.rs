//! Privacy training inside the console: the course from the
//! installation's `training/` directory, chapter by chapter, then its
//! quiz. Passing records the attestation (named with the course's
//! content hash, valid for the quiz's days) exactly as `candor training
//! quiz` does. Every staff member may open it; one whose training
//! lapsed is sent here, course first, instead of being shown an error.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use candor_domain::training::Course;
use candor_service::training::load_course;
use serde::Deserialize;

use super::{or_error, ConsoleFrame, Desk};
use crate::pages::Visit;
use crate::problem::Problem;
use crate::AppState;

/// A block of a chapter, from its Markdown: headings, paragraphs and
/// lists (the course is the operator's; nothing in it is markup here).
enum Block {
    Heading(String),
    Paragraph(String),
    List(Vec<String>),
}

struct ChapterView {
    title: String,
    blocks: Vec<Block>,
}

struct QuestionView {
    id: String,
    text: String,
    choices: Vec<(usize, String)>,
}

/// How the quiz went.
struct Outcome {
    passed: bool,
    words: String,
    missed: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/training.html")]
struct TrainingPage {
    frame: ConsoleFrame,
    lapsed: bool,
    status: String,
    course: String,
    chapters: Vec<ChapterView>,
    questions: Vec<QuestionView>,
    pass_mark: u32,
    outcome: Option<Outcome>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Lapsed {
    lapsed: Option<String>,
}

/// `GET /console/training[?lapsed=1]`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(q): Query<Lapsed>) -> Response {
    let d = desk!(&state, &visit, None);
    let r = async {
        let course = load_course(&state.settings().training.dir)?;
        Ok(render(&state, &visit, &d, &course, q.lapsed.is_some(), None))
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/training/quiz`: the answers, marked; a pass records
/// the attestation.
pub(crate) async fn quiz(State(state): State<AppState>, visit: Visit, Form(form): Form<Vec<(String, String)>>) -> Response {
    let d = desk!(&state, &visit, None);
    let r = async {
        let csrf = form.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
        d.check(csrf)?;
        let course = load_course(&state.settings().training.dir)?;
        let mut answers = BTreeMap::new();
        for (k, v) in &form {
            if let Some(id) = k.strip_prefix("q-") {
                let n = v.parse::<usize>().map_err(|_| Problem::invalid_input(format!("the answer to `{id}` is not a choice")))?;
                answers.insert(id.to_owned(), n);
            }
        }
        let taken = state.candor().take_quiz(&d.actor.id, &course, &answers).await?;
        let w = visit.w;
        let m = &taken.marked;
        let score = [("correct", m.correct.to_string()), ("total", m.total.to_string())];
        let args: Vec<(&str, &str)> = score.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let words = match taken.attested_until {
            Some(until) => {
                let mut a = args.clone();
                let until = until.date().to_string();
                a.push(("until", &until));
                w.tn("quiz-passed", &a)
            }
            None => w.tn("quiz-failed", &args),
        };
        let missed = m.missed.iter().map(|x| (x.right.clone(), x.why.clone())).collect();
        // The session's actor was read before the attestation: from now
        // on the page shows them as trained.
        let mut trained = Desk { actor: d.actor.clone(), csrf: d.csrf.clone() };
        if let Some(until) = taken.attested_until {
            trained.actor.training_expires_at = Some(until);
            // The session's credential, cached with the old training, is
            // read afresh on the next page.
            if let crate::credentials::Caller::Valid(_, key) = &visit.auth.caller {
                state.0.credentials.forget(key);
            }
        }
        Ok(render(&state, &visit, &trained, &course, false, Some(Outcome { passed: m.passed, words, missed })))
    }
    .await;
    or_error(&state, &visit, &d, r)
}

fn render(state: &AppState, visit: &Visit, d: &Desk, course: &Course, lapsed: bool, outcome: Option<Outcome>) -> Response {
    let w = visit.w;
    let status = match d.actor.training_expires_at {
        Some(t) if t > state.candor().now() => w.t1("training-current", "date", &t.date().to_string()),
        Some(t) => w.t1("training-expired", "date", &t.date().to_string()),
        None => w.t("training-none"),
    };
    let chapters = course.chapters.iter().map(|c| ChapterView { title: c.title.clone(), blocks: blocks(&c.markdown) }).collect();
    let questions = course
        .quiz
        .questions
        .iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            text: q.text.clone(),
            choices: q.choices.iter().cloned().enumerate().map(|(i, c)| (i + 1, c)).collect(),
        })
        .collect();
    let page = TrainingPage {
        frame: d.frame(state, visit),
        lapsed: lapsed || !d.trained(state),
        status,
        course: course.title.clone(),
        chapters,
        questions,
        pass_mark: course.quiz.pass_mark,
        outcome,
    };
    visit.render(StatusCode::OK, &page)
}

/// A chapter's Markdown as blocks: `#` headings (the first, the
/// chapter's title, is left out), `-`/`*` lists, paragraphs; inline marks
/// (`**`, `` ` ``, `_`) are dropped.
fn blocks(markdown: &str) -> Vec<Block> {
    let plain = |s: &str| s.replace("**", "").replace('`', "").replace("__", "").trim().to_owned();
    let mut out = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let mut first_heading = true;
    let flush = |para: &mut Vec<String>, list: &mut Vec<String>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join(" ")));
            para.clear();
        }
        if !list.is_empty() {
            out.push(Block::List(std::mem::take(list)));
        }
    };
    for line in markdown.lines() {
        let t = line.trim();
        if t.is_empty() {
            flush(&mut para, &mut list, &mut out);
        } else if let Some(h) = t.strip_prefix('#') {
            flush(&mut para, &mut list, &mut out);
            if !std::mem::take(&mut first_heading) {
                out.push(Block::Heading(plain(h.trim_start_matches('#'))));
            }
        } else if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            if !para.is_empty() {
                out.push(Block::Paragraph(para.join(" ")));
                para.clear();
            }
            list.push(plain(item));
        } else if !list.is_empty() && line.starts_with([' ', '\t']) {
            if let Some(last) = list.last_mut() {
                last.push(' ');
                last.push_str(&plain(t));
            }
        } else {
            if !list.is_empty() {
                out.push(Block::List(std::mem::take(&mut list)));
            }
            para.push(plain(t));
        }
    }
    flush(&mut para, &mut list, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::{blocks, Block};

    #[test]
    fn a_chapter_reads_as_headings_paragraphs_and_lists_without_its_title() {
        let b = blocks("# Title\n\nOne **bold** line\nand its rest.\n\n## Part\n- first\n  continued\n- `second`\nAfter.");
        let shape: Vec<String> = b
            .iter()
            .map(|b| match b {
                Block::Heading(h) => format!("h:{h}"),
                Block::Paragraph(p) => format!("p:{p}"),
                Block::List(items) => format!("l:{}", items.join("|")),
            })
            .collect();
        assert_eq!(shape, ["p:One bold line and its rest.", "h:Part", "l:first continued|second", "p:After."]);
    }
}
