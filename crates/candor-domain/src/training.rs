//! Staff training inside candor: a course of Markdown chapters and a quiz
//! with a pass mark, kept as files in the installation (`training/`,
//! written by `candor init` from [`DEFAULT_COURSE`]). Passing the quiz
//! records a training attestation naming the course's content hash, so a
//! changed course is told apart from the one an attestation was earned on.
//! No I/O here: the files arrive as `(name, text)` pairs.

use std::collections::BTreeMap;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The course `candor init` writes: its chapters in reading order, then
/// the quiz.
pub const DEFAULT_COURSE: &[(&str, &str)] = &[
    ("01-purposes.md", include_str!("../data/training/01-purposes.md")),
    ("02-consent.md", include_str!("../data/training/02-consent.md")),
    ("03-minimization.md", include_str!("../data/training/03-minimization.md")),
    ("04-the-gate.md", include_str!("../data/training/04-the-gate.md")),
    ("05-no-manipulation.md", include_str!("../data/training/05-no-manipulation.md")),
    ("06-special-categories.md", include_str!("../data/training/06-special-categories.md")),
    ("07-rights-requests.md", include_str!("../data/training/07-rights-requests.md")),
    ("08-breaches.md", include_str!("../data/training/08-breaches.md")),
    (QUIZ_FILE, include_str!("../data/training/quiz.toml")),
];

/// The quiz's file name in the course directory.
pub const QUIZ_FILE: &str = "quiz.toml";

/// The most questions and choices a quiz may have, and the longest text.
const MAX_QUESTIONS: usize = 100;
const MAX_CHOICES: usize = 8;
const MAX_TEXT: usize = 1_000;

/// A course: chapters to read, a quiz to pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Course {
    /// The quiz's title, which names the course.
    pub title: String,
    /// The chapters, in file-name order.
    pub chapters: Vec<Chapter>,
    /// The quiz.
    pub quiz: Quiz,
    /// SHA-256 (hex) over every file's name and text: what an attestation
    /// records, so that a changed course is recognized.
    pub content_hash: String,
}

/// One chapter: a Markdown file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    /// The file's name.
    pub file: String,
    /// Its first `# ` heading, else the file name.
    pub title: String,
    /// The Markdown.
    pub markdown: String,
}

/// The quiz after the course.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quiz {
    /// Percent of questions to answer correctly to pass.
    pub pass_mark: u32,
    /// Days an attestation earned by passing stays valid.
    pub valid_days: u32,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// One question with its choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Its id, unique in the quiz.
    pub id: String,
    /// The question.
    pub text: String,
    /// The choices.
    pub choices: Vec<String>,
    /// The right choice, counted from 1.
    pub answer: usize,
    /// Why that is right, shown after a wrong answer.
    pub why: String,
}

/// What is wrong with a course's files, naming the file and the place.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CourseError {
    /// No quiz file.
    #[error("the course has no `{QUIZ_FILE}`")]
    NoQuiz,
    /// No chapter.
    #[error("the course has no chapter (a `.md` file)")]
    NoChapter,
    /// The quiz file is not valid TOML of the expected shape.
    #[error("`{QUIZ_FILE}`: {0}")]
    Syntax(String),
    /// A field of the quiz is out of range.
    #[error("`{QUIZ_FILE}`, {place}: {problem}")]
    Invalid {
        /// `pass_mark`, `questions[3].answer`, …
        place: String,
        /// What is wrong.
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizFile {
    title: String,
    pass_mark: u32,
    valid_days: u32,
    questions: Vec<QuestionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    id: String,
    text: String,
    choices: Vec<String>,
    answer: usize,
    why: String,
}

impl Course {
    /// The course in `files` (`(name, text)`): every `.md` file a chapter,
    /// in name order, and [`QUIZ_FILE`]; other files are ignored.
    pub fn from_files(files: &[(String, String)]) -> Result<Self, CourseError> {
        let mut sorted: Vec<&(String, String)> = files.iter().filter(|(n, _)| n.ends_with(".md") || n == QUIZ_FILE).collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let quiz_text = sorted.iter().find(|(n, _)| n == QUIZ_FILE).map(|(_, t)| t.as_str()).ok_or(CourseError::NoQuiz)?;
        let chapters: Vec<Chapter> = sorted
            .iter()
            .filter(|(n, _)| n.ends_with(".md"))
            .map(|(file, markdown)| Chapter {
                file: file.clone(),
                title: heading(markdown).unwrap_or(file).to_owned(),
                markdown: markdown.clone(),
            })
            .collect();
        if chapters.is_empty() {
            return Err(CourseError::NoChapter);
        }
        let (title, quiz) = parse_quiz(quiz_text)?;
        let mut hash = Sha256::new();
        for (name, text) in &sorted {
            hash.update(name.as_bytes());
            hash.update([0]);
            hash.update(text.as_bytes());
            hash.update([0]);
        }
        Ok(Self { title, chapters, quiz, content_hash: hex::encode(hash.finalize()) })
    }

    /// The course `candor init` writes.
    pub fn default_course() -> Result<Self, CourseError> {
        let files: Vec<(String, String)> = DEFAULT_COURSE.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
        Self::from_files(&files)
    }

    /// What a training attestation earned on this course records as its
    /// course: the title and the content hash.
    pub fn attestation_name(&self) -> String {
        format!("{} sha256:{}", self.title, self.content_hash)
    }
}

/// The first level-one Markdown heading's text.
fn heading(markdown: &str) -> Option<&str> {
    markdown.lines().find_map(|l| l.strip_prefix("# ")).map(str::trim).filter(|t| !t.is_empty())
}

fn parse_quiz(text: &str) -> Result<(String, Quiz), CourseError> {
    let file: QuizFile = toml::from_str(text).map_err(|e| CourseError::Syntax(e.to_string().trim_end().to_owned()))?;
    let invalid = |place: String, problem: &str| CourseError::Invalid { place, problem: problem.to_owned() };
    let title = file.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(invalid("title".into(), "give the course a title of 1 to 100 characters"));
    }
    if !(1..=100).contains(&file.pass_mark) {
        return Err(invalid("pass_mark".into(), "a percentage from 1 to 100"));
    }
    if !(1..=3 * 366).contains(&file.valid_days) {
        return Err(invalid("valid_days".into(), "from 1 day to 3 years"));
    }
    if file.questions.is_empty() || file.questions.len() > MAX_QUESTIONS {
        return Err(invalid("questions".into(), &format!("give 1 to {MAX_QUESTIONS} questions")));
    }
    let mut seen = BTreeMap::new();
    let mut questions = Vec::with_capacity(file.questions.len());
    for (i, q) in file.questions.into_iter().enumerate() {
        let at = |field: &str| format!("questions[{}] (`{}`).{field}", i + 1, q.id);
        if q.id.trim().is_empty() || seen.insert(q.id.clone(), i).is_some() {
            return Err(invalid(format!("questions[{}].id", i + 1), "every question needs an id of its own"));
        }
        if [&q.text, &q.why].iter().any(|t| t.trim().is_empty() || t.chars().count() > MAX_TEXT) {
            return Err(invalid(at("text"), &format!("the question and its `why` need 1 to {MAX_TEXT} characters")));
        }
        if q.choices.len() < 2 || q.choices.len() > MAX_CHOICES || q.choices.iter().any(|c| c.trim().is_empty()) {
            return Err(invalid(at("choices"), &format!("give 2 to {MAX_CHOICES} choices, none empty")));
        }
        if q.answer == 0 || q.answer > q.choices.len() {
            return Err(invalid(at("answer"), &format!("the number of the right choice, 1 to {}", q.choices.len())));
        }
        questions.push(Question { id: q.id, text: q.text, choices: q.choices, answer: q.answer, why: q.why });
    }
    Ok((title, Quiz { pass_mark: file.pass_mark, valid_days: file.valid_days, questions }))
}

/// A quiz marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marked {
    /// Questions answered correctly.
    pub correct: usize,
    /// Questions in the quiz.
    pub total: usize,
    /// Whether that reaches the pass mark.
    pub passed: bool,
    /// The questions answered wrongly or not at all, with why the right
    /// answer is right.
    pub missed: Vec<Missed>,
}

/// A question answered wrongly or not at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missed {
    /// The question's id.
    pub id: String,
    /// The right choice's text.
    pub right: String,
    /// Why.
    pub why: String,
}

impl Quiz {
    /// Mark `answers` (question id to the chosen choice, counted from 1);
    /// an unanswered question or an unknown choice counts as wrong.
    pub fn mark(&self, answers: &BTreeMap<String, usize>) -> Marked {
        let mut missed = Vec::new();
        for q in &self.questions {
            if answers.get(&q.id) != Some(&q.answer) {
                let right = q.choices.get(q.answer - 1).cloned().unwrap_or_default();
                missed.push(Missed { id: q.id.clone(), right, why: q.why.clone() });
            }
        }
        let total = self.questions.len();
        let correct = total - missed.len();
        // Whole-number arithmetic: 8 of 10 reaches 80 %, 7 of 9 does not.
        let passed = correct * 100 >= self.pass_mark as usize * total;
        Marked { correct, total, passed, missed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(quiz: &str) -> Vec<(String, String)> {
        vec![("01-a.md".into(), "# First\n\ntext\n".into()), ("notes.txt".into(), "ignored".into()), (QUIZ_FILE.into(), quiz.into())]
    }

    const QUIZ: &str = "title = \"T\"\npass_mark = 80\nvalid_days = 365\n[[questions]]\nid = \"a\"\ntext = \"Q?\"\nchoices = [\"x\", \"y\"]\nanswer = 2\nwhy = \"because\"\n";

    #[test]
    fn the_default_course_parses_and_covers_what_the_seeds_ask_for() {
        let c = Course::default_course().unwrap();
        assert_eq!(c.chapters.len(), 8);
        assert_eq!(c.chapters[0].title, "1. Why we may use a customer's data");
        let all: String = c.chapters.iter().map(|ch| ch.markdown.to_lowercase()).collect();
        for topic in ["legal basis", "withdraw", "minimization", "gate", "manipulation", "special categor", "rights", "breach"] {
            assert!(all.contains(topic), "{topic}");
        }
        assert_eq!((c.quiz.pass_mark, c.quiz.questions.len()), (80, 10));
        assert!(c.attestation_name().starts_with("Privacy and ethical data use sha256:"));
    }

    #[test]
    fn the_hash_changes_with_any_file_of_the_course_and_not_with_other_files() {
        let base = Course::from_files(&files(QUIZ)).unwrap();
        assert_eq!(base.chapters.len(), 1);
        let mut edited = files(QUIZ);
        edited[0].1.push_str("more\n");
        assert_ne!(Course::from_files(&edited).unwrap().content_hash, base.content_hash);
        let mut other = files(QUIZ);
        other[1].1 = "changed".into();
        assert_eq!(Course::from_files(&other).unwrap().content_hash, base.content_hash);
    }

    #[test]
    fn marking_reaches_the_pass_mark_or_not_and_says_what_was_missed() {
        let c = Course::default_course().unwrap();
        let right: BTreeMap<String, usize> = c.quiz.questions.iter().map(|q| (q.id.clone(), q.answer)).collect();
        assert_eq!(c.quiz.mark(&right), Marked { correct: 10, total: 10, passed: true, missed: vec![] });
        let mut two_wrong = right.clone();
        two_wrong.insert("purpose".into(), 1);
        two_wrong.remove("breach");
        let m = c.quiz.mark(&two_wrong);
        assert_eq!((m.correct, m.passed), (8, true), "80 % is the pass mark");
        assert_eq!(m.missed.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), ["purpose", "breach"]);
        assert_eq!(m.missed[0].right, "Customer service");
        let mut three_wrong = two_wrong;
        three_wrong.insert("special".into(), 99);
        assert!(!c.quiz.mark(&three_wrong).passed);
        assert!(!c.quiz.mark(&BTreeMap::new()).passed);
    }

    #[test]
    fn a_broken_quiz_is_refused_naming_the_place() {
        let cases = [
            (QUIZ.replace("answer = 2", "answer = 3"), "questions[1] (`a`).answer"),
            (QUIZ.replace("pass_mark = 80", "pass_mark = 0"), "pass_mark"),
            (QUIZ.replace("valid_days = 365", "valid_days = 5000"), "valid_days"),
            (QUIZ.replace("[\"x\", \"y\"]", "[\"x\"]"), "questions[1] (`a`).choices"),
            (format!("{QUIZ}{}", &QUIZ[QUIZ.find("[[questions]]").unwrap()..]), "questions[2].id"),
        ];
        for (text, place) in cases {
            let err = Course::from_files(&files(&text)).unwrap_err();
            assert!(matches!(&err, CourseError::Invalid { place: p, .. } if p == place), "{place}: {err}");
        }
        let err = Course::from_files(&files("title = \"T\"\npass_mark = 80\nsurprise = 1\n")).unwrap_err();
        assert!(matches!(&err, CourseError::Syntax(why) if why.contains("line")), "{err}");
        assert_eq!(Course::from_files(&[("01.md".into(), "# x".into())]), Err(CourseError::NoQuiz));
        assert_eq!(Course::from_files(&[(QUIZ_FILE.into(), QUIZ.into())]), Err(CourseError::NoChapter));
    }
}
