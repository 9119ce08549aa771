//! The operations staff routes check the caller's roles against: one
//! variant per operation, with the stable name that `[server.operations]`
//! in `candor.toml` and the `forbidden` problem's detail use.

use std::fmt;

/// An operation a staff route performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// `subjects.read`: find and read subjects.
    SubjectsRead,
    /// `subjects.write`: create subjects, link identities.
    SubjectsWrite,
    /// `interactions.read`: a subject's interactions.
    InteractionsRead,
    /// `consent.read`: a subject's consent and receipts.
    ConsentRead,
    /// `consent.write`: record a consent choice.
    ConsentWrite,
    /// `rights.read`: rights requests and their bundles.
    RightsRead,
    /// `rights.write`: open, verify, carry out, reject, extend.
    RightsWrite,
    /// `concerns.read`: customers' questions and concerns.
    ConcernsRead,
    /// `concerns.write`: answer and close them.
    ConcernsWrite,
    /// `analytics.read`: analytics queries.
    AnalyticsRead,
    /// `policy.read`: policy versions and diffs.
    PolicyRead,
    /// `recipients.read`: recipients and sharing agreements.
    RecipientsRead,
    /// `audit.read`: the audit log and its verification.
    AuditRead,
    /// `policy.write`: check and publish a new policy version (the console).
    PolicyWrite,
    /// `staff.read`: staff, their roles and training (the console).
    StaffRead,
}

impl Operation {
    /// Every operation, in the order the README lists them.
    pub const ALL: [Self; 15] = [
        Self::SubjectsRead,
        Self::SubjectsWrite,
        Self::InteractionsRead,
        Self::ConsentRead,
        Self::ConsentWrite,
        Self::RightsRead,
        Self::RightsWrite,
        Self::ConcernsRead,
        Self::ConcernsWrite,
        Self::AnalyticsRead,
        Self::PolicyRead,
        Self::RecipientsRead,
        Self::AuditRead,
        Self::PolicyWrite,
        Self::StaffRead,
    ];

    /// The stable name (`subjects.read`, …): configuration keys and
    /// messages use it, so it never changes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SubjectsRead => "subjects.read",
            Self::SubjectsWrite => "subjects.write",
            Self::InteractionsRead => "interactions.read",
            Self::ConsentRead => "consent.read",
            Self::ConsentWrite => "consent.write",
            Self::RightsRead => "rights.read",
            Self::RightsWrite => "rights.write",
            Self::ConcernsRead => "concerns.read",
            Self::ConcernsWrite => "concerns.write",
            Self::AnalyticsRead => "analytics.read",
            Self::PolicyRead => "policy.read",
            Self::RecipientsRead => "recipients.read",
            Self::AuditRead => "audit.read",
            Self::PolicyWrite => "policy.write",
            Self::StaffRead => "staff.read",
        }
    }

    /// The operation named `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether it reads or changes personal data (then the caller needs a
    /// current privacy-training attestation). Reading the policy and the
    /// staff list is not; publishing a policy is (its preview counts
    /// customers' consent, and it notifies them).
    pub const fn personal(self) -> bool {
        !matches!(self, Self::PolicyRead | Self::StaffRead)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Operation;

    #[test]
    fn every_operation_parses_from_its_name_and_the_names_are_the_ones_configuration_uses() {
        for op in Operation::ALL {
            assert_eq!(Operation::parse(op.as_str()), Some(op));
        }
        let names: Vec<&str> = Operation::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            names,
            [
                "subjects.read",
                "subjects.write",
                "interactions.read",
                "consent.read",
                "consent.write",
                "rights.read",
                "rights.write",
                "concerns.read",
                "concerns.write",
                "analytics.read",
                "policy.read",
                "recipients.read",
                "audit.read",
                "policy.write",
                "staff.read"
            ]
        );
        assert_eq!(Operation::parse("subjects.delete"), None);
        assert!(!Operation::PolicyRead.personal() && Operation::AuditRead.personal());
    }
}
