//! Staff passkeys (WebAuthn): a staff member signed in to the console
//! registers one or more passkeys, then signs in with one instead of a
//! code or a token. Signing in ends, as the other ways do, in a session
//! tied to a token of its own ([`Candor::session_for_actor`]), so that
//! revoking the actor's tokens or removing the actor ends it.
//!
//! The checks are webauthn_rp's: the challenge is the one this process
//! sent and is used once, the origin is the installation's
//! (`server.public_url`), the relying party id hash, user presence and
//! verification, the signature over the authenticator data with the key
//! registered, and a signature counter that only goes up. Nothing secret
//! is stored: the credential id, the public key and the counter.
//!
//! Passkeys need `server.public_url` to name the host browsers see, and
//! that host to be a domain (`localhost` included): browsers refuse
//! passkeys on an IP address. Without it the console offers none.
//!
//! Ceremonies wait in this process's memory, at most [`MAX_CEREMONIES`]
//! of each kind, each for at most five minutes: a ceremony started on one
//! `candor serve` process must finish on the same one.

use std::borrow::Borrow;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use candor_domain::Identifier;
use candor_store::{Op, PasskeyRecord, WriteBatch};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use webauthn_rp::bin::{Decode as _, Encode as _};
use webauthn_rp::request::auth::AuthenticationVerificationOptions;
use webauthn_rp::request::register::{CredProtect, PublicKeyCredentialUserEntity, RegistrationVerificationOptions, UserHandle, Username};
use webauthn_rp::request::{
    AsciiDomain, DomainOrigin, FixedCapHashSet, InsertResult, Port, PublicKeyCredentialDescriptor, RpId, Scheme, TimedCeremony,
};
use webauthn_rp::response::register::{CompressedPubKey, DynamicState, StaticState};
use webauthn_rp::response::{AuthTransports, CredentialId, SentChallenge};
use webauthn_rp::{
    AuthenticatedCredential, DiscoverableAuthentication, DiscoverableAuthenticationServerState, DiscoverableCredentialRequestOptions,
    PublicKeyCredentialCreationOptions, Registration, RegistrationServerState,
};

use crate::actors::Actor;
use crate::auth::StartedSession;
use crate::staff_sign_in::SignInMethod;
use crate::{AuditAction, Candor, Result, ServiceError};

/// Length of the user handle authenticators keep for a staff member: a
/// keyed hash of the actor id, so the same for all of one actor's
/// passkeys and telling nothing of who it is.
pub const USER_HANDLE_LEN: usize = 32;

/// Ceremonies of each kind (registration, sign-in) that may wait at once
/// (at least; the set rounds its room up), each
/// at most five minutes: a few megabytes at most. The console lets one
/// address start only a few sign-ins a minute, so filling them takes
/// over a thousand addresses; when full, expired ones make room first,
/// and a new ceremony is refused as busy until one does.
pub const MAX_CEREMONIES: usize = 65_536;

/// The outbox kind of the notice a staff member gets when a passkey is
/// registered for them.
pub const PASSKEY_NOTICE_KIND: &str = "staff_passkey_registered";

/// Passkeys one staff member may register.
pub const MAX_PASSKEYS: usize = 10;

/// Longest name of a passkey, in characters.
pub const MAX_LABEL: usize = 60;

/// The blind-index namespace of passkey user handles.
const USER_HANDLES: &str = "passkey-user";

type Handle = UserHandle<USER_HANDLE_LEN>;
type StoredKey = CompressedPubKey<[u8; 32], [u8; 32], [u8; 48], Vec<u8>>;

/// The installation as a WebAuthn relying party: its id (the host of
/// `server.public_url`) and the one origin its pages are served from.
#[derive(Clone, Debug)]
pub struct RelyingParty {
    id: RpId,
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl RelyingParty {
    /// The relying party `public_url` makes: `https://HOST[:PORT]`, or
    /// `http://localhost[:PORT]` (browsers allow passkeys over http only
    /// there). A host that is an IP address cannot have passkeys.
    pub fn from_public_url(url: &str) -> std::result::Result<Self, String> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| format!("`{url}` has no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') || authority.starts_with('[') {
            return Err(format!("`{url}`: passkeys need a host name"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| format!("`{url}` has a bad port"))?)),
            None => (authority, None),
        };
        let host = host.to_ascii_lowercase();
        if host.parse::<IpAddr>().is_ok() {
            return Err(format!("`{url}`: browsers refuse passkeys on an IP address; use a host name (localhost on this machine)"));
        }
        match scheme.as_str() {
            "https" => {}
            "http" if host == "localhost" => {}
            _ => return Err(format!("`{url}`: passkeys need https (or http://localhost)")),
        }
        let domain = AsciiDomain::try_from(host.clone()).map_err(|e| format!("`{url}`: {e}"))?;
        // Browsers leave a scheme's default port out of the origin.
        let port = port.filter(|p| !matches!((scheme.as_str(), *p), ("https", 443) | ("http", 80)));
        Ok(Self { id: RpId::Domain(domain), scheme, host, port })
    }

    /// The relying party id (the host).
    pub fn id(&self) -> &str {
        &self.host
    }

    /// The origin passkeys work at, as a URL (`https://care.example.com`).
    pub fn origin_url(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    fn origin(&self) -> DomainOrigin<'_, '_> {
        let scheme = if self.scheme == "https" { Scheme::Https } else { Scheme::Other(&self.scheme) };
        DomainOrigin { scheme, host: &self.host, port: self.port.map_or(Port::None, Port::Val) }
    }
}

/// Ceremonies started and not yet finished, in this process.
pub(crate) struct Ceremonies {
    registrations: Mutex<FixedCapHashSet<RegistrationServerState<USER_HANDLE_LEN>>>,
    sign_ins: Mutex<FixedCapHashSet<DiscoverableAuthenticationServerState>>,
}

impl Default for Ceremonies {
    fn default() -> Self {
        Self { registrations: Mutex::new(FixedCapHashSet::new(MAX_CEREMONIES)), sign_ins: Mutex::new(FixedCapHashSet::new(MAX_CEREMONIES)) }
    }
}

/// A ceremony set, even after a thread panicked holding it: an insert or
/// a take is whole, so what it holds stays consistent.
fn held<T>(set: &Mutex<FixedCapHashSet<T>>) -> MutexGuard<'_, FixedCapHashSet<T>> {
    set.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keep `server` in `set` until the browser answers, and hand the browser
/// `client` as JSON; busy when the set is full of ceremonies under way.
fn await_answer<T>(set: &Mutex<FixedCapHashSet<T>>, server: T, client: &impl Serialize) -> Result<String>
where
    T: Borrow<SentChallenge> + Eq + Hash + TimedCeremony,
{
    let json = serde_json::to_string(client).map_err(|e| ServiceError::Encode { what: "passkey options", source: e })?;
    match held(set).insert_or_replace_all_expired(server) {
        InsertResult::Success => Ok(json),
        InsertResult::CapacityFull | InsertResult::Duplicate => Err(busy()),
    }
}

impl std::fmt::Debug for Ceremonies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ceremonies")
    }
}

/// A registered passkey as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeySummary {
    /// Its credential id, base64url.
    pub id: String,
    /// What its owner called it.
    pub label: String,
    /// When it was registered.
    pub created_at: OffsetDateTime,
    /// When it last signed its owner in.
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<&PasskeyRecord> for PasskeySummary {
    fn from(p: &PasskeyRecord) -> Self {
        Self {
            id: URL_SAFE_NO_PAD.encode(&p.credential_id),
            label: p.label.clone(),
            created_at: p.created_at,
            last_used_at: p.last_used_at,
        }
    }
}

/// A short fingerprint of a credential id, for the audit log.
fn fingerprint(credential_id: &[u8]) -> String {
    hex::encode(&Sha256::digest(credential_id)[..8])
}

fn not_accepted(why: impl std::fmt::Display) -> ServiceError {
    ServiceError::InvalidInput(format!("the passkey was not accepted: {why}"))
}

fn busy() -> ServiceError {
    ServiceError::Busy("too many passkey ceremonies are under way; try again in a minute".into())
}

impl Candor {
    /// The relying party passkeys are registered with, when
    /// `server.public_url` allows passkeys.
    pub fn relying_party(&self) -> Option<RelyingParty> {
        self.public_url.as_deref().and_then(|u| RelyingParty::from_public_url(u).ok())
    }

    fn required_relying_party(&self) -> Result<RelyingParty> {
        let url = self
            .public_url
            .as_deref()
            .ok_or_else(|| ServiceError::InvalidInput("passkeys need `server.public_url` (the address people reach candor at)".into()))?;
        RelyingParty::from_public_url(url).map_err(ServiceError::InvalidInput)
    }

    fn passkey_user_handle(&self, actor: &str) -> Handle {
        let mut bytes = [0u8; USER_HANDLE_LEN];
        bytes.copy_from_slice(&self.keys.blind_index(USER_HANDLES, actor)[..USER_HANDLE_LEN]);
        match Handle::decode(bytes) {
            Ok(h) => h,
            Err(never) => match never {},
        }
    }

    /// `actor`'s passkeys, oldest first.
    pub async fn passkeys(&self, actor: &str) -> Result<Vec<PasskeySummary>> {
        Ok(self.store.passkeys(actor).await?.iter().map(PasskeySummary::from).collect())
    }

    /// Start registering a passkey for `actor`: the options to hand to
    /// `navigator.credentials.create`, as JSON.
    pub async fn start_passkey_registration(&self, actor: &Actor) -> Result<String> {
        let rp = self.required_relying_party()?;
        let existing = self.passkeys_with_room(&actor.id).await?;
        let transports = AuthTransports::decode(0).map_err(not_accepted)?;
        let exclude = existing
            .into_iter()
            .filter_map(|p| CredentialId::decode(p.credential_id).ok())
            .map(|id| PublicKeyCredentialDescriptor { id, transports })
            .collect();
        let handle = self.passkey_user_handle(&actor.id);
        let name =
            Username::try_from(actor.id.as_str()).map_err(|e| ServiceError::InvalidInput(format!("actor id `{}`: {e}", actor.id)))?;
        let user = PublicKeyCredentialUserEntity { name, id: &handle, display_name: None };
        let mut options = PublicKeyCredentialCreationOptions::passkey(&rp.id, user, exclude);
        // User verification is required anyway; asking authenticators for
        // credProtect as well would refuse the many that do not offer it.
        options.extensions.cred_protect = CredProtect::None;
        let (server, client) = options.start_ceremony().map_err(not_accepted)?;
        await_answer(&self.ceremonies.registrations, server, &client)
    }

    /// `actor`'s passkeys, when there is room for another.
    async fn passkeys_with_room(&self, actor: &str) -> Result<Vec<PasskeyRecord>> {
        let existing = self.store.passkeys(actor).await?;
        if existing.len() >= MAX_PASSKEYS {
            return Err(ServiceError::InvalidInput(format!("{MAX_PASSKEYS} passkeys are registered already; remove one first")));
        }
        Ok(existing)
    }

    /// Finish registering: `response` is the browser's
    /// `PublicKeyCredential` as JSON, `label` what `actor` calls the
    /// passkey. Audited as `passkey.register` (with a fingerprint of the
    /// credential id, never the label).
    pub async fn finish_passkey_registration(&self, actor: &Actor, response: &str, label: &str) -> Result<PasskeySummary> {
        let rp = self.required_relying_party()?;
        let label = passkey_label(label)?;
        let registration = Registration::from_json_relaxed(response.as_bytes()).map_err(not_accepted)?;
        let challenge = registration.challenge_relaxed().map_err(not_accepted)?;
        let server = held(&self.ceremonies.registrations).take(&challenge);
        let server = server.ok_or_else(|| not_accepted("it answers no registration under way here (expired, or finished already)"))?;
        let origins = [rp.origin()];
        let options = RegistrationVerificationOptions::<DomainOrigin<'_, '_>, DomainOrigin<'_, '_>> {
            allowed_origins: &origins,
            ..Default::default()
        };
        let credential = server.verify(&rp.id, &registration, &options).map_err(not_accepted)?;
        let handle = self.passkey_user_handle(&actor.id);
        if credential.user_id() != &handle {
            return Err(not_accepted("it was made for another staff member"));
        }
        if self.store.passkey(credential.id().as_ref()).await?.is_some() {
            return Err(not_accepted("it is registered already"));
        }
        // Checked again: several ceremonies may have been started at once.
        self.passkeys_with_room(&actor.id).await?;
        let now = self.now();
        let record = PasskeyRecord {
            credential_id: credential.id().as_ref().to_vec(),
            actor: actor.id.clone(),
            user_handle: handle.encode().map_err(not_accepted)?.to_vec(),
            label,
            static_state: credential.static_state().encode().map_err(not_accepted)?,
            dynamic_state: credential.dynamic_state().encode().map_err(not_accepted)?.to_vec(),
            created_at: now,
            last_used_at: None,
        };
        let audit = self.audit(&actor.id, AuditAction::PasskeyRegister, json!({ "passkey": fingerprint(&record.credential_id) }));
        let mut ops = vec![Op::AddPasskey(record.clone())];
        // Whoever holds the member's session could add a passkey of their
        // own: the member hears of every one, where they read their mail.
        if Identifier::email(&actor.id).is_ok() {
            let text = format!(
                "A passkey named \"{}\" was registered for your candor console account at {} UTC. It signs you in from now on. If it was not you, tell your administrator: `candor actor passkeys {}` lists your passkeys and `candor actor remove-passkey` removes one.",
                record.label,
                format_args!("{} {:02}:{:02}", now.date(), now.hour(), now.minute()),
                actor.id
            );
            ops.push(Op::QueueMessages(vec![self.staff_message(
                &actor.id,
                PASSKEY_NOTICE_KIND,
                "A passkey was registered for you",
                &text,
            )?]));
        }
        self.store.apply(WriteBatch { ops, audit: vec![audit] }).await?;
        Ok(PasskeySummary::from(&record))
    }

    /// Remove one of `owner`'s passkeys, by its id (base64url): `owner`
    /// at the console, or an operator (`by`) for a lost device. Audited as
    /// `passkey.remove` under `by`.
    pub async fn remove_passkey(&self, by: &str, owner: &str, id: &str) -> Result<()> {
        let unknown = || ServiceError::InvalidInput(format!("`{owner}` has no passkey `{id}`"));
        let credential_id = URL_SAFE_NO_PAD.decode(id.trim()).map_err(|_| unknown())?;
        if self.store.passkey(&credential_id).await?.is_none_or(|p| p.actor != owner) {
            return Err(unknown());
        }
        let detail = json!({ "passkey": fingerprint(&credential_id), "owner": owner });
        let audit = self.audit(by, AuditAction::PasskeyRemove, detail);
        let op = Op::RemovePasskey { actor: owner.to_owned(), credential_id };
        match self.store.apply(WriteBatch::one(op, audit)).await?.first() {
            Some(candor_store::Outcome::Count(1)) => Ok(()),
            _ => Err(unknown()),
        }
    }

    /// Start a passkey sign-in: the options to hand to
    /// `navigator.credentials.get`, as JSON. No one is named: the
    /// authenticator offers the passkeys it holds for this host.
    pub fn start_passkey_sign_in(&self) -> Result<String> {
        let rp = self.required_relying_party()?;
        let (server, client) = DiscoverableCredentialRequestOptions::passkey(&rp.id).start_ceremony().map_err(not_accepted)?;
        await_answer(&self.ceremonies.sign_ins, server, &client)
    }

    /// Finish a passkey sign-in: `response` is the browser's
    /// `PublicKeyCredential` as JSON. A session for the passkey's owner,
    /// tied to a token of its own; any failure is audited as
    /// `session.refused` (under the owner when the passkey is known).
    pub async fn finish_passkey_sign_in(&self, response: &str) -> Result<(Actor, StartedSession)> {
        let refused = || ServiceError::Unauthenticated("the passkey was not accepted; try again or sign in another way".into());
        let rp = self.required_relying_party()?;
        let Ok(assertion) = DiscoverableAuthentication::<USER_HANDLE_LEN>::from_json_relaxed(response.as_bytes()) else {
            self.sign_in_refused(SignInMethod::Passkey, "unknown", "unreadable answer").await?;
            return Err(refused());
        };
        let server = match assertion.challenge_relaxed() {
            Ok(c) => held(&self.ceremonies.sign_ins).take(&c),
            Err(_) => None,
        };
        let Some(server) = server else {
            self.sign_in_refused(SignInMethod::Passkey, "unknown", "no such sign-in under way (expired or used)").await?;
            return Err(refused());
        };
        let raw_id = assertion.raw_id();
        let Some(record) = self.store.passkey(raw_id.as_ref()).await? else {
            self.sign_in_refused(SignInMethod::Passkey, "unknown", "unknown passkey").await?;
            return Err(refused());
        };
        let actor = record.actor.clone();
        match self.check_assertion(&rp, server, &assertion, &record) {
            Ok(state) => {
                let passkey = fingerprint(&record.credential_id);
                // Kept only if no other sign-in changed the passkey (or
                // removed it) since it was read: of two answers from
                // copies of one authenticator at once, one wins.
                let op = Op::UsePasskey {
                    credential_id: record.credential_id,
                    previous: record.dynamic_state,
                    dynamic_state: state,
                    at: self.now(),
                };
                let kept = self.store.apply(WriteBatch { ops: vec![op], audit: Vec::new() }).await?;
                if kept.first() != Some(&candor_store::Outcome::Count(1)) {
                    self.sign_in_refused(SignInMethod::Passkey, &actor, "the passkey changed or went meanwhile").await?;
                    return Err(refused());
                }
                self.session_for_actor_as(&actor, SignInMethod::Passkey, json!({ "method": "passkey", "passkey": passkey })).await
            }
            Err(why) => {
                self.sign_in_refused(SignInMethod::Passkey, &actor, &why).await?;
                Err(refused())
            }
        }
    }

    /// The checks of one sign-in against the stored passkey: the new
    /// dynamic state (counter) to keep, or why it failed.
    fn check_assertion(
        &self,
        rp: &RelyingParty,
        server: DiscoverableAuthenticationServerState,
        assertion: &DiscoverableAuthentication<USER_HANDLE_LEN>,
        record: &PasskeyRecord,
    ) -> std::result::Result<Vec<u8>, String> {
        // The handle the authenticator answers with was given at
        // registration: a keyed hash of the owner's id. A row moved to
        // another actor in the database does not carry it.
        let handle = self.passkey_user_handle(&record.actor);
        if assertion.response().user_handle() != &handle || record.user_handle.as_slice() != handle.as_ref() {
            return Err("the passkey's user handle is not its owner's".into());
        }
        let static_state =
            StaticState::<StoredKey>::decode(record.static_state.as_slice()).map_err(|e| format!("stored passkey is corrupt: {e}"))?;
        let dynamic = <[u8; 7]>::try_from(record.dynamic_state.as_slice()).map_err(|_| "stored passkey state is corrupt".to_owned())?;
        let dynamic_state = DynamicState::decode(dynamic).map_err(|e| format!("stored passkey state is corrupt: {e}"))?;
        let id = CredentialId::decode(record.credential_id.as_slice()).map_err(|e| format!("stored passkey id is corrupt: {e}"))?;
        let mut credential = AuthenticatedCredential::new(id, &handle, static_state, dynamic_state).map_err(|e| e.to_string())?;
        let origins = [rp.origin()];
        let options = AuthenticationVerificationOptions::<DomainOrigin<'_, '_>, DomainOrigin<'_, '_>> {
            allowed_origins: &origins,
            ..Default::default()
        };
        server.verify(&rp.id, assertion, &mut credential, &options).map_err(|e| e.to_string())?;
        credential.dynamic_state().encode().map(|s| s.to_vec()).map_err(|e| e.to_string())
    }
}

/// A passkey's name as typed: trimmed, 1 to [`MAX_LABEL`] characters, no
/// control characters; empty becomes "Passkey".
fn passkey_label(label: &str) -> Result<String> {
    let label = label.trim();
    if label.chars().any(char::is_control) || label.chars().count() > MAX_LABEL {
        return Err(ServiceError::InvalidInput(format!("a passkey's name is at most {MAX_LABEL} characters, on one line")));
    }
    Ok(if label.is_empty() { "Passkey".to_owned() } else { label.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::RelyingParty;

    #[test]
    fn passkeys_need_a_host_name_over_https_or_localhost() {
        let rp = RelyingParty::from_public_url("https://care.example.com/").unwrap();
        assert_eq!(rp.id(), "care.example.com");
        assert_eq!(rp.origin_url(), "https://care.example.com");
        assert_eq!(RelyingParty::from_public_url("http://LOCALHOST:8080/x").unwrap().origin_url(), "http://localhost:8080");
        assert_eq!(RelyingParty::from_public_url("http://localhost:8080").unwrap().id(), "localhost");
        for bad in ["http://127.0.0.1:8080", "https://[::1]:8443", "http://care.example.com", "care.example.com", "https://a@b.example"] {
            assert!(RelyingParty::from_public_url(bad).is_err(), "{bad} should be refused");
        }
        assert!(RelyingParty::from_public_url("https://care.example.com:99999").is_err());
        // A default port written out is not part of the origin browsers send.
        assert_eq!(RelyingParty::from_public_url("https://care.example.com:443").unwrap().origin_url(), "https://care.example.com");
        assert_eq!(RelyingParty::from_public_url("https://care.example.com:8443").unwrap().origin_url(), "https://care.example.com:8443");
    }
}
