//! A software passkey authenticator (ES256, "none" attestation) for tests
//! of the relying party: it answers the options candor hands out as a
//! browser with a platform authenticator would, and can be made to
//! misbehave (another origin, a counter that goes back, a swapped key).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Flags of authenticator data: user present, user verified, attested
/// credential data included.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// One passkey on a software authenticator.
#[derive(Clone, Debug)]
pub struct SoftPasskey {
    key: SigningKey,
    /// The credential id.
    pub credential_id: Vec<u8>,
    /// The user handle the relying party gave at registration.
    pub user_handle: Vec<u8>,
    /// The relying party id it was made for.
    pub rp_id: String,
    /// The signature counter it reports next.
    pub counter: u32,
}

fn new_key() -> SigningKey {
    loop {
        let bytes: [u8; 32] = rand::random();
        if let Ok(k) = SigningKey::from_slice(&bytes) {
            return k;
        }
    }
}

fn challenge_of(options: &str) -> (Value, String) {
    let v: Value = serde_json::from_str(options).expect("passkey options are JSON");
    let challenge = v["challenge"].as_str().expect("options carry a challenge").to_owned();
    (v, challenge)
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> String {
    json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false }).to_string()
}

fn cbor_head(out: &mut Vec<u8>, major: u8, n: usize) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=255 => out.extend([m | 24, n as u8]),
        _ => {
            out.push(m | 25);
            out.extend_from_slice(&u16::try_from(n).expect("short CBOR item").to_be_bytes());
        }
    }
}

fn cbor_bytes(out: &mut Vec<u8>, b: &[u8]) {
    cbor_head(out, 2, b.len());
    out.extend_from_slice(b);
}

fn cbor_text(out: &mut Vec<u8>, s: &str) {
    cbor_head(out, 3, s.len());
    out.extend_from_slice(s.as_bytes());
}

impl SoftPasskey {
    /// Answer registration `options` (the JSON candor handed out) as a
    /// browser at `origin` would: the passkey, and the JSON to post back.
    pub fn register(options: &str, origin: &str) -> (Self, String) {
        let (v, challenge) = challenge_of(options);
        let rp_id = v["rp"]["id"].as_str().expect("options name the relying party").to_owned();
        let user_handle = B64.decode(v["user"]["id"].as_str().expect("options carry a user handle")).expect("user handle is base64url");
        let passkey = Self { key: new_key(), credential_id: rand::random::<[u8; 16]>().to_vec(), user_handle, rp_id, counter: 1 };
        let json = passkey.attestation(&challenge, origin);
        (passkey, json)
    }

    fn attestation(&self, challenge: &str, origin: &str) -> String {
        let client_data = client_data("webauthn.create", challenge, origin);
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut auth = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth.push(UP | UV | AT);
        auth.extend_from_slice(&0u32.to_be_bytes());
        auth.extend_from_slice(&[0u8; 16]);
        auth.extend_from_slice(&u16::try_from(self.credential_id.len()).expect("short id").to_be_bytes());
        auth.extend_from_slice(&self.credential_id);
        // The COSE key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
        auth.extend_from_slice(&[0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]);
        cbor_bytes(&mut auth, point.x().expect("uncompressed point"));
        auth.push(0x22);
        cbor_bytes(&mut auth, point.y().expect("uncompressed point"));
        let mut attestation = vec![0xa3];
        cbor_text(&mut attestation, "fmt");
        cbor_text(&mut attestation, "none");
        cbor_text(&mut attestation, "attStmt");
        attestation.push(0xa0);
        cbor_text(&mut attestation, "authData");
        cbor_bytes(&mut attestation, &auth);
        let id = B64.encode(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(client_data),
                "attestationObject": B64.encode(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
        .to_string()
    }

    /// Answer sign-in `options` as a browser at `origin` would, counting
    /// the signature: the JSON to post back.
    pub fn sign_in(&mut self, options: &str, origin: &str) -> String {
        let (_, challenge) = challenge_of(options);
        let answer = self.assertion(&challenge, origin, &self.key.clone());
        self.counter += 1;
        answer
    }

    /// The same answer signed with another key (a forged passkey with a
    /// stolen credential id).
    pub fn sign_in_with_another_key(&self, options: &str, origin: &str) -> String {
        let (_, challenge) = challenge_of(options);
        self.assertion(&challenge, origin, &new_key())
    }

    fn assertion(&self, challenge: &str, origin: &str, key: &SigningKey) -> String {
        let client_data = client_data("webauthn.get", challenge, origin);
        let mut auth = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth.push(UP | UV);
        auth.extend_from_slice(&self.counter.to_be_bytes());
        let mut signed = auth.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = key.sign(&signed);
        let id = B64.encode(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(client_data),
                "authenticatorData": B64.encode(auth),
                "signature": B64.encode(signature.to_der().as_bytes()),
                "userHandle": B64.encode(&self.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
        .to_string()
    }
}
