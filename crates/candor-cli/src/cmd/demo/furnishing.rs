//! Making the demo installation look lived in for the two front ends:
//! staff of every role, the imported customers' choices in the privacy
//! center, and rights requests and concerns waiting for staff.

use anyhow::bail;
use candor_domain::{ConsentAction, ConsentSource, Identifier, RightKind, Role, SubjectId};
use candor_ingest::demo_data::customer_handle;
use candor_ingest::formats::PLATFORM_X;
use serde_json::json;
use time::Duration;

use crate::{output, Installation};

use super::{Cast, Story, CUSTOMERS, SEED};

/// A reproducible stream of draws for one imported customer (SplitMix64,
/// seeded by their place in the data set): every run of the demo grants
/// the same consents, so what the front ends show can be described.
struct Draws(u64);

impl Draws {
    fn new(customer: u64) -> Self {
        Self(customer.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ SEED)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % 100 < percent
    }
}

/// How the imported customers chose, counted for the story.
#[derive(Default, serde::Serialize)]
struct Choices {
    customers: u64,
    personalization_granted: u64,
    personalization_withdrawn: u64,
    advertising_granted: u64,
    advertising_withdrawn: u64,
    advertising_objected: u64,
    analytics_objected: u64,
    accessibility_granted: u64,
    gpc: u64,
}

/// Make the installation look lived in for the two front ends, through
/// the service layer as a real one would be: a compliance officer and an
/// admin, the imported customers' choices in the privacy center, and
/// rights requests and concerns waiting for staff. Maria's and tom's data
/// stay as the story left them.
pub(super) async fn furnish(inst: &Installation, cast: &Cast, s: &mut Story) -> anyhow::Result<()> {
    let c = &inst.candor;
    let me = "demo";
    for (id, role) in [("carla", Role::Compliance), ("adam", Role::Admin)] {
        c.upsert_actor(me, id, vec![role]).await?;
        c.attest_training(me, id, "privacy and ethics 2026", Duration::days(365)).await?;
    }
    s.say(
        "staff",
        "carla (compliance) and adam (admin) join, trained: every role has someone to sign in to the console as".into(),
        json!({}),
    );

    let mut imported: Vec<SubjectId> = Vec::new();
    let mut n = Choices::default();
    for i in 0..CUSTOMERS {
        let handle = Identifier::handle(PLATFORM_X, &customer_handle(i, SEED)).map_err(|e| anyhow::anyhow!("{e}"))?;
        // Not every customer of the data set wrote, and a quarantined
        // line may have been someone's only one.
        let Some(subject) = c.find_subject(&handle).await? else { continue };
        imported.push(subject);
        n.customers += 1;
        let mut draw = Draws::new(i);
        // Customers choose in the privacy center, as its pages record it.
        let choose = async |purpose: &str, action: ConsentAction| {
            c.record_consent("subject", subject, Some(purpose), action, ConsentSource::PrivacyCenter).await.map(|_| ())
        };
        if draw.chance(45) {
            choose("personalization", ConsentAction::Grant).await?;
            n.personalization_granted += 1;
            if draw.chance(10) {
                choose("personalization", ConsentAction::Withdraw).await?;
                n.personalization_withdrawn += 1;
            }
        }
        let advertising = draw.chance(30);
        if advertising {
            choose("marketing.advertising", ConsentAction::Grant).await?;
            n.advertising_granted += 1;
            if draw.chance(15) {
                choose("marketing.advertising", ConsentAction::Withdraw).await?;
                n.advertising_withdrawn += 1;
            }
        } else if draw.chance(5) {
            choose("marketing.advertising", ConsentAction::Object).await?;
            n.advertising_objected += 1;
        }
        if draw.chance(8) {
            choose("analytics", ConsentAction::Object).await?;
            n.analytics_objected += 1;
        }
        if draw.chance(3) {
            choose("accessibility_support", ConsentAction::Grant).await?;
            n.accessibility_granted += 1;
        }
        // A browser that sends Global Privacy Control opts out of sale and
        // sharing; one who allowed advertising is asked first instead.
        if !advertising && draw.chance(4) && c.record_gpc_signal("subject", subject).await? {
            n.gpc += 1;
        }
    }
    s.say(
        "consent",
        format!(
            "{} imported customers chose in the privacy center: {} granted personalization ({} withdrew it since), {} advertising ({} withdrew, {} more objected to it), {} objected to analytics, {} granted accessibility support (health data, explicit consent), {} browsers sent Global Privacy Control",
            n.customers,
            n.personalization_granted,
            n.personalization_withdrawn,
            n.advertising_granted,
            n.advertising_withdrawn,
            n.advertising_objected,
            n.analytics_objected,
            n.accessibility_granted,
            n.gpc
        ),
        json!(n),
    );

    let &[a, b, d, e, ..] = imported.as_slice() else { bail!("the demo's import stored fewer than four customers") };
    let mut opened = Vec::new();
    opened.push(c.open_rights_request(me, RightKind::Access, cast.maria, None).await?);
    opened.push(c.request_correction(cast.tom, &[("name".to_owned(), "Thomas Becker".to_owned())]).await?);
    opened.push(c.open_rights_request(me, RightKind::Erasure, a, None).await?);
    let portability = c.open_rights_request(me, RightKind::Portability, b, None).await?;
    opened.push(c.verify_rights_request_by_staff(me, &portability.id, "demo: asked from the account, in a direct message").await?);
    opened.push(c.open_rights_request(me, RightKind::OptOutSaleShare, d, None).await?);
    opened.push(c.open_rights_request(me, RightKind::Restriction, e, None).await?);
    let ids: Vec<&str> = opened.iter().map(|r| r.id.as_str()).collect();
    s.say(
        "rights",
        "open for staff: maria's access request (her identity not yet verified), tom's correction of his name (verified at his sign-in, waiting to be carried out), a customer's erasure waiting for verification, a portability request verified and ready, a CCPA opt-out of sale and sharing, and a restriction of processing".into(),
        json!({ "requests": ids }),
    );

    let maria = c
        .raise_concern(
            "subject",
            cast.maria,
            "I saw an ad for your running shoes on Instagram the day after I wrote to you about my order. Which of my data was used for that?",
        )
        .await?;
    let tom = c
        .raise_concern(
            "subject",
            cast.tom,
            "I objected to analytics last month. Are my messages to your support team still counted in your reports?",
        )
        .await?;
    s.say(
        "concerns",
        format!(
            "maria asks which of her data chose an ad, tom whether his objection holds: both waiting for an answer, due {}",
            output::ts(maria.concern.due_at)
        ),
        json!({ "concerns": [maria.id, tom.id] }),
    );
    Ok(())
}
