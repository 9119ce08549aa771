//! Staff members and API clients: their roles and their privacy-and-ethics
//! training attestation, without which they see no personal data.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A staff role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Customer-care agent.
    Agent,
    /// CX / data analyst.
    Analyst,
    /// Marketer.
    Marketer,
    /// Compliance officer / DPO.
    Compliance,
    /// Operator.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [Self::Agent, Self::Analyst, Self::Marketer, Self::Compliance, Self::Admin];

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Analyst => "analyst",
            Self::Marketer => "marketer",
            Self::Compliance => "compliance",
            Self::Admin => "admin",
        }
    }

    /// Parse a role name.
    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Someone asking for data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Stable id (a name such as `alice` or a client id).
    pub id: String,
    /// Roles held.
    pub roles: Vec<Role>,
    /// When the current privacy-and-ethics training attestation expires;
    /// `None` when the actor never attested.
    pub training_expires_at: Option<OffsetDateTime>,
}
