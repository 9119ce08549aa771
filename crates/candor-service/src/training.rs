//! Staff training inside candor: the course kept in the installation's
//! `training/` directory, its quiz, and what passing it records. Passing
//! records a training attestation exactly as `candor actor attest` does,
//! its course named with the content hash ([`Course::attestation_name`]),
//! valid for the quiz's `valid_days`. When the course changes, staff can be
//! made to take it again: [`Candor::require_current_course`] ends every
//! attestation earned on another version.

use std::collections::BTreeMap;
use std::path::Path;

use candor_domain::training::{Course, Marked};
use candor_store::{Op, Outcome, WriteBatch};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::{AuditAction, Candor, Result, ServiceError};

/// The largest course file read (a chapter or the quiz).
const MAX_FILE: u64 = 256 * 1024;
/// The most files a course directory may hold.
const MAX_FILES: usize = 200;

/// A quiz taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizOutcome {
    /// How it was marked.
    pub marked: Marked,
    /// When the attestation it earned expires, if it passed.
    pub attested_until: Option<OffsetDateTime>,
}

/// The course in `dir`: its `.md` chapters and `quiz.toml`. A missing or
/// unreadable directory, an oversized file or a broken quiz is an error
/// naming the file.
pub fn load_course(dir: &Path) -> Result<Course> {
    let unreadable = |what: String| ServiceError::InvalidInput(format!("the training course in `{}`: {what}", dir.display()));
    let entries = std::fs::read_dir(dir)
        .map_err(|e| unreadable(format!("{e} (`candor init` writes a default course there; or set `training.dir` in candor.toml)")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".md") || name == candor_domain::training::QUIZ_FILE) {
            continue;
        }
        if files.len() == MAX_FILES {
            return Err(unreadable(format!("more than {MAX_FILES} course files")));
        }
        let meta = entry.metadata().map_err(|e| unreadable(format!("`{name}`: {e}")))?;
        if meta.len() > MAX_FILE {
            return Err(unreadable(format!("`{name}` is {} bytes; a course file may have at most {MAX_FILE}", meta.len())));
        }
        let text = std::fs::read_to_string(entry.path()).map_err(|e| unreadable(format!("`{name}`: {e}")))?;
        files.push((name, text));
    }
    Course::from_files(&files).map_err(|e| unreadable(e.to_string()))
}

impl Candor {
    /// Staff member `actor` answered `course`'s quiz (`answers`: question id
    /// to chosen choice, from 1): marked, audited with the score (never the
    /// answers), and on a pass their training attestation is recorded.
    pub async fn take_quiz(&self, actor: &str, course: &Course, answers: &BTreeMap<String, usize>) -> Result<QuizOutcome> {
        if self.store.actor(actor).await?.is_none() {
            return Err(ServiceError::UnknownActor(actor.to_owned()));
        }
        let marked = course.quiz.mark(answers);
        let detail = json!({
            "course": course.attestation_name(),
            "correct": marked.correct,
            "total": marked.total,
            "passed": marked.passed,
        });
        self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![self.audit(actor, AuditAction::TrainingQuiz, detail)] }).await?;
        let attested_until = if marked.passed {
            let days = i64::from(course.quiz.valid_days);
            Some(self.attest_training(actor, actor, &course.attestation_name(), Duration::days(days)).await?)
        } else {
            None
        };
        Ok(QuizOutcome { marked, attested_until })
    }

    /// End every running attestation not earned on `course` as it is now:
    /// staff whose training was on an earlier version must take it again
    /// (the access gate refuses them until they do). Returns how many ended.
    pub async fn require_current_course(&self, by: &str, course: &Course) -> Result<u64> {
        let name = course.attestation_name();
        let audit = self.audit(by, AuditAction::TrainingLapse, json!({ "course": name }));
        let outcomes = self.store.apply(WriteBatch::one(Op::LapseTraining { course: name, at: self.now() }, audit)).await?;
        Ok(match outcomes.first() {
            Some(Outcome::Count(n)) => *n,
            _ => 0,
        })
    }
}
