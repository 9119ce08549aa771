//! The closed sets of words some answers use, as schemas only: the fields
//! stay strings (the service's values pass through `transcode`), and the
//! document tells clients every value they can meet. The enums of the
//! domain (rights, regimes, consent actions, legal bases…) carry their own
//! schemas; these are the API's own words.

use utoipa::ToSchema;

/// The access gate's answer on a response that was allowed.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum AllowDecision {
    /// The purpose may read the data (the categories it may not are listed beside).
    Allow,
}

/// What kind of item an interaction is.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum InteractionKind {
    /// A public post addressed to the brand.
    Mention,
    /// A reply in a thread.
    Reply,
    /// A private message.
    DirectMessage,
    /// A comment under a post.
    Comment,
    /// A review.
    Review,
}

/// Who an interaction came from.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer.
    Inbound,
    /// From the brand.
    Outbound,
}

/// The noise distribution of a differentially private release.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum NoiseMechanism {
    /// The discrete Laplace (two-sided geometric) mechanism: pure ε-DP.
    DiscreteLaplace,
    /// The discrete Gaussian mechanism: (ε, δ)-DP.
    DiscreteGaussian,
}

/// How a customer's identity was verified.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum VerifiedBy {
    /// A one-time code sent to a contact point on record, entered back.
    OneTimeCode,
    /// A staff member, with the reason they recorded.
    Staff,
}
