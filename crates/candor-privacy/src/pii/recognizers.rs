//! The engine's recognizers as a table ([`RECOGNIZERS`]): which stage
//! finds which entity type. A caller that wants some types only
//! ([`Analyzer::only`](super::Analyzer::only)) runs only the stages those
//! types need; the cue scanner, which every stage but the name model
//! reads, always runs.

use super::EntityType;

/// A stage of the engine: one recognizer run over a text and its cues.
/// [`Stage::ALL`] lists them in the order the engine runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// E-mail addresses and handles, anchored on `@` (`structured.rs`).
    EmailsAndHandles,
    /// Web addresses: `scheme://`, `www.` and bare domains (`structured.rs`).
    Urls,
    /// IBANs and National Insurance numbers: letters before digits
    /// (`structured.rs`).
    LetterAnchored,
    /// Cards, phones, SSNs, IP addresses and numeric references, from the
    /// digit chunks of a text (`numeric.rs`, `phone.rs`).
    Numeric,
    /// A name after a cue: `my name is`, a title, a greeting
    /// (`context/names.rs`).
    CueNames,
    /// Order, booking and case references, parcel tracking numbers
    /// (`context/orders.rs`).
    Orders,
    /// Dates of birth (`context/dates_of_birth.rs`).
    DatesOfBirth,
    /// Names on signature lines and after `here is` (`context/names.rs`).
    Signatures,
    /// Postal addresses (`context/address.rs`).
    Addresses,
    /// Names without a cue, by the name model (`person.rs`).
    PersonModel,
}

impl Stage {
    /// Every stage, in the order the engine runs them.
    pub const ALL: [Stage; 10] = [
        Self::EmailsAndHandles,
        Self::Urls,
        Self::LetterAnchored,
        Self::Numeric,
        Self::CueNames,
        Self::Orders,
        Self::DatesOfBirth,
        Self::Signatures,
        Self::Addresses,
        Self::PersonModel,
    ];

    /// The types this stage finds, as [`RECOGNIZERS`] says.
    pub fn entities(self) -> impl Iterator<Item = EntityType> {
        RECOGNIZERS.iter().filter(move |r| r.stage == self).map(|r| r.entity)
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// One row of [`RECOGNIZERS`]: `stage` finds spans of type `entity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recognizer {
    /// What it finds.
    pub entity: EntityType,
    /// Where it is found.
    pub stage: Stage,
}

const fn row(entity: EntityType, stage: Stage) -> Recognizer {
    Recognizer { entity, stage }
}

/// Every stage and each type it finds (a test holds each stage to the
/// types listed for it). A type may come from several stages: a PERSON
/// from a cue, a signature or the name model.
pub const RECOGNIZERS: &[Recognizer] = &[
    row(EntityType::Email, Stage::EmailsAndHandles),
    row(EntityType::Handle, Stage::EmailsAndHandles),
    row(EntityType::Url, Stage::Urls),
    row(EntityType::Iban, Stage::LetterAnchored),
    row(EntityType::UkNino, Stage::LetterAnchored),
    row(EntityType::CreditCard, Stage::Numeric),
    row(EntityType::Phone, Stage::Numeric),
    row(EntityType::UsSsn, Stage::Numeric),
    row(EntityType::IpAddress, Stage::Numeric),
    row(EntityType::OrderId, Stage::Numeric),
    row(EntityType::Person, Stage::CueNames),
    row(EntityType::OrderId, Stage::Orders),
    row(EntityType::DateOfBirth, Stage::DatesOfBirth),
    row(EntityType::Person, Stage::Signatures),
    row(EntityType::Address, Stage::Addresses),
    row(EntityType::Person, Stage::PersonModel),
];

/// A set of entity types and the stages they need, as bits: asked once
/// or more a stage for every message, so a test costs one `and`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Selection {
    types: u16,
    stages: u16,
}

impl Selection {
    /// Every type, every stage.
    pub(crate) const ALL: Selection = Selection { types: (1 << EntityType::ALL.len()) - 1, stages: (1 << Stage::ALL.len()) - 1 };

    /// `types` and the stages that find them.
    pub(crate) fn of(types: impl IntoIterator<Item = EntityType>) -> Self {
        let types = types.into_iter().fold(0, |bits, t| bits | type_bit(t));
        let stages = RECOGNIZERS.iter().filter(|r| types & type_bit(r.entity) != 0).fold(0, |bits, r| bits | r.stage.bit());
        Self { types, stages }
    }

    /// Whether `stage` runs.
    #[inline]
    pub(crate) fn runs(self, stage: Stage) -> bool {
        self.stages & stage.bit() != 0
    }

    /// Whether spans of `entity` are reported.
    #[inline]
    pub(crate) fn wants(self, entity: EntityType) -> bool {
        self.types & type_bit(entity) != 0
    }

    /// This selection with `stage` only (for tests of one stage).
    #[cfg(test)]
    pub(crate) fn only_stage(self, stage: Stage) -> Self {
        Self { types: self.types, stages: stage.bit() }
    }

    /// Whether every type is reported.
    #[inline]
    pub(crate) fn is_all(self) -> bool {
        self.types == Self::ALL.types
    }
}

const fn type_bit(t: EntityType) -> u16 {
    1 << t as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_stage_and_every_stage_a_type() {
        for t in EntityType::ALL {
            assert!(RECOGNIZERS.iter().any(|r| r.entity == t), "{t} has no recognizer");
        }
        for s in Stage::ALL {
            assert!(s.entities().next().is_some(), "{s:?} finds nothing");
        }
        assert_eq!(Selection::of(EntityType::ALL), Selection::ALL);
    }

    #[test]
    fn a_selection_runs_only_the_stages_its_types_need() {
        let s = Selection::of([EntityType::Email, EntityType::Phone]);
        let runs: Vec<Stage> = Stage::ALL.into_iter().filter(|&st| s.runs(st)).collect();
        assert_eq!(runs, [Stage::EmailsAndHandles, Stage::Numeric]);
        assert!(s.wants(EntityType::Email) && s.wants(EntityType::Phone) && !s.wants(EntityType::Handle));
        let person = Selection::of([EntityType::Person]);
        let runs: Vec<Stage> = Stage::ALL.into_iter().filter(|&st| person.runs(st)).collect();
        assert_eq!(runs, [Stage::CueNames, Stage::Signatures, Stage::PersonModel]);
        assert!(!Selection::of([]).is_all() && Selection::ALL.is_all());
    }
}
