//! The conversations behind one KPI cell, for an agent who may handle
//! them, each customer's look audited under their pseudonym.

use candor_domain::{actor_allows, Actor, CategoryId, DenyReason, SubjectId};
use candor_store::{Dimension, KeyValue, WriteBatch};
use serde::Serialize;
use serde_json::json;
use time::{Date, OffsetDateTime};

use super::{days_since_epoch, dimension_name, AnalyticsOptions, KpiRequest, ServiceLevels, PURPOSE};
use crate::{AuditAction, Candor, Result, ServiceError};

/// One conversation behind a KPI cell.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DrillRow {
    /// The platform.
    pub platform: String,
    /// The platform's id of the conversation's first item.
    pub conversation_id: String,
    /// When the customer first wrote.
    #[serde(with = "time::serde::rfc3339")]
    pub first_message: OffsetDateTime,
    /// The brand account.
    pub account: Option<String>,
    /// Who signed the first reply.
    pub agent: Option<String>,
    /// First-response time, seconds.
    pub first_response_s: Option<i64>,
    /// Time to the brand's closing reply, seconds.
    pub resolution_s: Option<i64>,
}

/// The conversations behind a KPI cell.
#[derive(Clone, Debug, Serialize)]
pub struct DrillReport {
    /// The dimensions of the KPI query.
    pub dimensions: Vec<String>,
    /// The cell's key.
    pub cell: Vec<String>,
    /// The purpose the conversations are shown under.
    pub purpose: &'static str,
    /// The conversations, oldest first (at most 10,000).
    pub conversations: Vec<DrillRow>,
}

/// The purpose an agent opens conversations under.
pub const DRILL_PURPOSE: &str = "customer_service";

impl Candor {
    /// The conversations behind one KPI cell, for an actor who may handle
    /// them: the actor needs the purpose `customer_service` (an agent), and
    /// a conversation is listed only when its customer's choices allow
    /// both that purpose and `analytics` (it was counted under analytics).
    pub async fn kpi_drill(
        &self,
        actor_id: &str,
        req: &KpiRequest,
        cell: &[String],
        options: &AnalyticsOptions,
        levels: &ServiceLevels,
    ) -> Result<DrillReport> {
        let ctx = self.policy_context().await?;
        let mut names: Vec<String> = req.by.iter().map(|d| dimension_name(*d).to_owned()).collect();
        if req.by_agent {
            names.push("agent".into());
        }
        let key = drill_key(req, cell, &names)?;
        let params = json!({ "by": names, "cell": cell, "from": req.from.map(|d| d.to_string()), "to": req.to.map(|d| d.to_string()) });
        let categories = [CategoryId::new("user.content.public"), CategoryId::new("user.content.private")];
        let actor =
            self.store.actor(actor_id).await?.map(|a| Actor { id: a.id, roles: a.roles, training_expires_at: a.training_expires_at });
        let allowed = match &actor {
            None => Err(DenyReason::UnknownActor { actor: actor_id.to_owned() }),
            Some(a) => actor_allows(&ctx, a, DRILL_PURPOSE, &categories, self.now()),
        };
        let service = match allowed {
            Ok(p) => p,
            Err(reason) => {
                let mut detail = params;
                detail["reason"] = json!(reason);
                let record = self.audit(actor_id, AuditAction::AnalyticsDrill, detail).purpose(DRILL_PURPOSE).decision("deny");
                self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![record] }).await?;
                return Err(ServiceError::Denied(reason));
            }
        };
        let analytics =
            ctx.policy.purpose(PURPOSE).ok_or_else(|| ServiceError::Denied(DenyReason::UnknownPurpose { purpose: PURPOSE.into() }))?;
        let (subjects, _) = self.subject_filter(&ctx, &[service, analytics]).await?;
        let query = req.query(subjects, levels);
        let rows = self.store.kpi_conversations(&query, &key).await?;
        // A cell the KPIs hide stays hidden: drilling into it would show
        // what suppression kept back.
        let mut customers: Vec<SubjectId> = rows.iter().map(|r| r.subject).collect();
        customers.sort_unstable();
        customers.dedup();
        if (customers.len() as u64) < u64::from(options.k) {
            return Err(ServiceError::InvalidInput(format!(
                "the cell `{}` has fewer than {} customers, so its figures are suppressed and it cannot be drilled into",
                cell.join(","),
                options.k
            )));
        }
        // One entry per customer whose conversations are shown, so that
        // each can see who looked at their data and why.
        let audit: Vec<_> = customers
            .iter()
            .map(|s| {
                let detail = json!({ "by": params["by"], "cell": cell, "conversations": rows.iter().filter(|r| r.subject == *s).count() });
                self.audit(actor_id, AuditAction::AnalyticsDrill, detail)
                    .subject(self.keys.pseudonym(s.as_uuid()))
                    .purpose(DRILL_PURPOSE)
                    .decision("allow")
            })
            .collect();
        self.store.apply(WriteBatch { ops: Vec::new(), audit }).await?;
        Ok(DrillReport {
            dimensions: names,
            cell: cell.to_vec(),
            purpose: DRILL_PURPOSE,
            conversations: rows
                .into_iter()
                .map(|r| DrillRow {
                    platform: r.platform,
                    conversation_id: r.conversation_id,
                    first_message: r.first_message,
                    account: r.account,
                    agent: r.agent,
                    first_response_s: r.first_response_s,
                    resolution_s: r.resolution_s,
                })
                .collect(),
        })
    }
}

/// A KPI cell as given (`2024-05-31,x,@northwindhelp,AB`) as the store's
/// key values, in the query's order, agent last.
fn drill_key(req: &KpiRequest, cell: &[String], names: &[String]) -> Result<Vec<KeyValue>> {
    if cell.len() != names.len() {
        return Err(ServiceError::InvalidInput(format!(
            "`--drill {}` has {} parts; the cells of `--by {}` have {}",
            cell.join(","),
            cell.len(),
            names.join(","),
            names.len()
        )));
    }
    let mut key = Vec::with_capacity(cell.len());
    for (value, dim) in cell.iter().zip(req.by.iter().map(Some).chain(std::iter::once(None))) {
        key.push(match dim {
            Some(Dimension::Time(bucket)) => {
                let bad = || ServiceError::InvalidInput(format!("`{value}` is not a date like 2024-05-31"));
                let format = time::macros::format_description!("[year]-[month]-[day]");
                let date = Date::parse(value, &format).map_err(|_| bad())?;
                match bucket {
                    candor_store::Bucket::Month => KeyValue::Number(candor_store::analytics::month_number(date.midnight().assume_utc())),
                    _ => KeyValue::Number(days_since_epoch(date)),
                }
            }
            Some(Dimension::Account) => KeyValue::Text(value.trim_start_matches('@').to_lowercase()),
            _ => KeyValue::Text(value.clone()),
        });
    }
    Ok(key)
}
