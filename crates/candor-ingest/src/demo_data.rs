//! A synthetic, realistic data set for demos, tests and benchmarks: a
//! `twcs` file of customer-care threads on X between customers and several
//! brands, and a CRM contacts CSV that links part of those customers to
//! customer numbers, e-mail addresses and phone numbers.
//!
//! Threads open with a customer's mention of a brand, in one of several
//! languages, often carrying personal data (names, e-mail addresses, phone
//! numbers, order references, card numbers, postal addresses); the brand
//! answers with an @mention and an agent's initials, and the conversation
//! goes on for a few turns. Threads interleave as they do in real exports,
//! a few arrive with replies before the items they answer, and about one
//! line in a thousand is malformed the way real exports are (bad
//! timestamps, empty ids, invalid UTF-8, unknown `inbound` values), so the
//! quarantine is exercised too. The same seed always gives the same files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use time::macros::{datetime, format_description};
use time::{Duration, OffsetDateTime};

/// The brands and their agents' initials.
const BRANDS: &[(&str, &[&str])] = &[
    ("NorthwindHelp", &["AB", "JK", "MR"]),
    ("ContosoCare", &["LS", "TW"]),
    ("FabrikamSupport", &["DP", "EH", "NV"]),
    ("WingtipAir", &["CG", "OB"]),
    ("TailspinBank", &["RM", "SY"]),
];

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloe", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Karin", "Liam", "Maria", "Noah", "Olga", "Pierre",
    "Quinn", "Rosa", "Samir", "Tanya", "Umar", "Vera", "Walter", "Yuki", "Zoe", "Lucas", "Emma", "Mateo", "Sofia", "Lena",
];
const LAST: &[&str] = &[
    "Lopez", "Schmidt", "Martin", "Rossi", "Silva", "Novak", "Jensen", "Dubois", "Fischer", "Garcia", "Kowalski", "Ahmed", "Walsh",
    "Moreau", "Bauer", "Costa", "Nguyen", "Okafor", "Larsen", "Brennan",
];
const STREETS: &[&str] = &["Baker Street", "Elm Avenue", "Rue de la Paix", "Hauptstraße", "Calle Mayor", "Rua Augusta", "Via Roma"];
const CITIES: &[&str] = &["London", "Leeds", "Paris", "Berlin", "Madrid", "Lisbon", "Milan", "Dublin"];
const CARDS: &[&str] = &["4111 1111 1111 1111", "5555 5555 5555 4444", "2223 0031 2200 3222", "4000 0566 5566 5556"];
const PHONES: &[&str] = &["+44 7700 900{n3}", "07700 900{n3}", "+1 (415) 555-0{n2}", "+33 6 12 34 5{n1} {n2}", "+49 151 2345 6{n3}"];

/// Openings by language: `{brand}`, `{order}`, `{name}`, `{email}`,
/// `{phone}`, `{card}`, `{address}` are filled in.
const OPENINGS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "@{brand} my order {order} still hasn't arrived and nobody answers my emails",
            "@{brand} hi, my name is {name} and I was charged twice for order {order}. Please call me on {phone}",
            "@{brand} why is your app so slow today? Can't even log in",
            "@{brand} the delivery went to the wrong address, it should be {address}",
            "@{brand} I've been on hold for 45 minutes, this is ridiculous",
            "@{brand} can someone email me at {email} about my refund? Order {order}",
            "@{brand} thanks for sorting out my account so quickly, great service!",
            "@{brand} my card {card} was declined but the money left my account",
            "@{brand} is there an outage? Nothing works since this morning",
            "@{brand} love the new update, much easier to use now",
        ],
    ),
    (
        "es",
        &[
            "@{brand} hola, mi pedido {order} todavía no ha llegado y nadie me responde",
            "@{brand} me llamo {name} y me han cobrado dos veces, mi teléfono es {phone}",
            "@{brand} la aplicación no funciona desde ayer, ¿qué pasa?",
            "@{brand} gracias por la ayuda, todo resuelto",
        ],
    ),
    (
        "fr",
        &[
            "@{brand} bonjour, ma commande {order} n'est toujours pas arrivée et personne ne me répond",
            "@{brand} je m'appelle {name}, pouvez-vous m'écrire à {email} ? Merci",
            "@{brand} le service client est injoignable depuis trois jours",
        ],
    ),
    (
        "de",
        &[
            "@{brand} hallo, meine Bestellung {order} ist immer noch nicht angekommen",
            "@{brand} mein Name ist {name}, bitte rufen Sie mich unter {phone} an",
            "@{brand} die App stürzt seit dem Update ständig ab, sehr ärgerlich",
        ],
    ),
    (
        "pt",
        &[
            "@{brand} olá, a minha encomenda {order} ainda não chegou e ninguém me responde",
            "@{brand} obrigado pela ajuda rápida, excelente atendimento",
        ],
    ),
    ("it", &["@{brand} buongiorno, il mio ordine {order} non è ancora arrivato e nessuno risponde"]),
];

/// Brand replies by language: `{customer}` and `{agent}` are filled in.
const REPLIES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "@{customer} Sorry to hear that! Please send us a DM with your order number and we'll look into it. ^{agent}",
            "@{customer} We're sorry for the wait. Could you DM us the email address on your account? ^{agent}",
            "@{customer} Thanks for letting us know, our team is working on it right now. ^{agent}",
            "@{customer} Glad we could help! Have a great day. ^{agent}",
        ],
    ),
    ("es", &["@{customer} Lo sentimos mucho. Envíanos un mensaje privado con tu número de pedido, por favor. ^{agent}"]),
    ("fr", &["@{customer} Nous sommes désolés. Pouvez-vous nous envoyer un message privé avec votre numéro de commande ? ^{agent}"]),
    ("de", &["@{customer} Das tut uns leid. Bitte schick uns eine Direktnachricht mit deiner Bestellnummer. ^{agent}"]),
    ("pt", &["@{customer} Lamentamos muito. Envie-nos uma mensagem privada com o número da encomenda. ^{agent}"]),
    ("it", &["@{customer} Ci dispiace molto. Inviaci un messaggio privato con il numero d'ordine. ^{agent}"]),
];

/// Customers' follow-ups, any language.
const FOLLOW_UPS: &[&str] = &[
    "@{brand} done, sent you a DM",
    "@{brand} still waiting for an answer...",
    "@{brand} DM sent, my email is {email}",
    "@{brand} ok thanks",
    "@{brand} gracias, ya os he escrito",
    "@{brand} merci, c'est fait",
];

/// The handles of the brands the data set's threads are with.
pub fn brand_handles() -> Vec<String> {
    BRANDS.iter().map(|(b, _)| (*b).to_owned()).collect()
}

/// The `author_id` of customer `i` (from 0) in the data set made with
/// `seed`: `candor demo` finds the customers it imported by it.
pub fn customer_handle(i: u64, seed: u64) -> String {
    (100_000 + i * 7 + seed % 7).to_string()
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct DemoData {
    /// The `twcs` file.
    pub twcs: PathBuf,
    /// The contacts CSV.
    pub contacts: PathBuf,
    /// Lines of interactions written (malformed ones included).
    pub interactions: u64,
    /// Of which deliberately malformed.
    pub malformed: u64,
    /// Contacts written.
    pub contact_rows: u64,
    /// Distinct customers who wrote.
    pub customers: u64,
    /// Contacts written with the phone of the contact before them: two
    /// people of one household, who must stay two customers.
    pub households: u64,
    /// The brands' handles.
    pub brands: Vec<String>,
}

struct Customer {
    handle: String,
    first: &'static str,
    last: &'static str,
    number: u64,
}

impl Customer {
    fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    fn email(&self) -> String {
        format!("{}.{}{}@example.com", self.first.to_lowercase(), self.last.to_lowercase(), self.number % 100)
    }
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn phone(rng: &mut StdRng) -> String {
    pick(rng, PHONES)
        .replace("{n3}", &format!("{:03}", rng.random_range(0..1000)))
        .replace("{n2}", &format!("{:02}", rng.random_range(0..100)))
        .replace("{n1}", &rng.random_range(0..10).to_string())
}

/// The demo's national numbers are British.
fn with_country_code(phone: String) -> String {
    match phone.strip_prefix('0') {
        Some(rest) => format!("+44 {rest}"),
        None => phone,
    }
}

fn order(rng: &mut StdRng, brand: &str) -> String {
    let prefix: String = brand.chars().filter(char::is_ascii_uppercase).collect();
    match rng.random_range(0..3) {
        0 => format!("#{prefix}-{}", rng.random_range(100_000..999_999)),
        1 => format!("{}", rng.random_range(10_000_000..99_999_999)),
        _ => format!("#{}", rng.random_range(100_000..999_999)),
    }
}

fn fill(rng: &mut StdRng, template: &str, brand: &str, c: &Customer) -> String {
    let mut s = template.replace("{brand}", brand);
    if s.contains("{order}") {
        s = s.replace("{order}", &order(rng, brand));
    }
    if s.contains("{phone}") {
        s = s.replace("{phone}", &phone(rng));
    }
    if s.contains("{address}") {
        let (n, street, city) = (rng.random_range(1..200), pick(rng, STREETS), pick(rng, CITIES));
        let a = format!("{n} {street}, {city}");
        s = s.replace("{address}", &a);
    }
    if s.contains("{card}") {
        s = s.replace("{card}", pick(rng, CARDS));
    }
    s.replace("{name}", &c.name()).replace("{email}", &c.email())
}

/// One line of the `twcs` file.
struct Tweet {
    id: u64,
    author: String,
    inbound: bool,
    at: OffsetDateTime,
    text: String,
    responses: Vec<u64>,
    reply_to: Option<u64>,
}

fn write_tweet(out: &mut impl Write, t: &Tweet, float_ids: bool) -> std::io::Result<()> {
    let created =
        t.at.format(format_description!("[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] +0000 [year]"))
            .unwrap_or_default();
    let responses = t.responses.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    let reply_to = match t.reply_to {
        Some(p) if float_ids => format!("{p}.0"),
        Some(p) => p.to_string(),
        None => String::new(),
    };
    writeln!(
        out,
        "{},{},{},{},{},{},{}",
        t.id,
        t.author,
        if t.inbound { "True" } else { "False" },
        created,
        quote(&t.text),
        quote(&responses),
        reply_to
    )
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Write `interactions` lines of `twcs` by about `customers` customers, and
/// their contacts, into `dir`.
pub fn generate(dir: &Path, customers: u64, interactions: u64, seed: u64) -> std::io::Result<DemoData> {
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let customers = customers.max(1);
    let people: Vec<Customer> = (0..customers)
        .map(|i| Customer { handle: customer_handle(i, seed), first: pick(&mut rng, FIRST), last: pick(&mut rng, LAST), number: 0 })
        .enumerate()
        .map(|(i, mut c)| {
            c.number = 40_000 + i as u64;
            c
        })
        .collect();

    let twcs = dir.join("twcs.csv");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&twcs)?);
    writeln!(out, "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id")?;
    let mut next_id: u64 = 1_000_000;
    let mut clock = datetime!(2017-10-01 08:00:00 UTC);
    let mut written = 0u64;
    let mut malformed = 0u64;
    let mut wrote = vec![false; people.len()];
    while written < interactions {
        // A thread: the customer opens, the brand answers, perhaps more turns.
        let ci = if rng.random_bool(0.3) { rng.random_range(0..people.len().min(50)) } else { rng.random_range(0..people.len()) };
        let c = &people[ci];
        let (brand, agents) = pick(&mut rng, BRANDS);
        let (lang, openings) = if rng.random_bool(0.7) { OPENINGS[0] } else { pick(&mut rng, OPENINGS) };
        let turns = (rng.random_range(2..=5) as u64).min(interactions - written);
        let mut thread: Vec<Tweet> = Vec::with_capacity(turns as usize);
        clock += Duration::seconds(rng.random_range(1..90));
        let mut at = clock;
        for k in 0..turns {
            let id = next_id;
            next_id += rng.random_range(1..4);
            let inbound = k % 2 == 0;
            let text = if k == 0 {
                let template = pick(&mut rng, openings);
                fill(&mut rng, template, brand, c)
            } else if inbound {
                let template = pick(&mut rng, FOLLOW_UPS);
                fill(&mut rng, template, brand, c)
            } else {
                let replies = REPLIES.iter().find(|(l, _)| *l == lang).map_or(REPLIES[0].1, |(_, r)| r);
                let (template, agent) = (pick(&mut rng, replies), pick(&mut rng, agents));
                template.replace("{customer}", &c.handle).replace("{agent}", agent)
            };
            let reply_to = thread.last().map(|t: &Tweet| t.id);
            if let Some(prev) = thread.last_mut() {
                prev.responses.push(id);
            }
            thread.push(Tweet {
                id,
                author: if inbound { c.handle.clone() } else { brand.to_owned() },
                inbound,
                at,
                text,
                responses: vec![],
                reply_to,
            });
            at += Duration::seconds(rng.random_range(30..7200));
        }
        wrote[ci] = true;
        // A few threads arrive newest first, as partial exports do.
        if rng.random_bool(0.02) {
            thread.reverse();
        }
        let float_ids = rng.random_bool(0.5);
        for t in &thread {
            if rng.random_bool(0.001) {
                malformed += 1;
                write_malformed(&mut out, &mut rng, t)?;
            } else {
                write_tweet(&mut out, t, float_ids)?;
            }
            written += 1;
        }
    }
    out.flush()?;

    // Contacts: about half the customers who wrote are in the CRM.
    let contacts = dir.join("contacts.csv");
    let mut out = BufWriter::new(File::create(&contacts)?);
    writeln!(out, "Customer ID,Full Name,Email Address,Mobile,Twitter")?;
    let mut contact_rows = 0u64;
    let mut households = 0u64;
    let mut last_phone = String::new();
    let mut since_household = 0u32;
    for (i, c) in people.iter().enumerate() {
        if !wrote[i] || !rng.random_bool(0.5) {
            continue;
        }
        contact_rows += 1;
        if rng.random_bool(0.002) {
            // A CRM row with a broken e-mail address.
            writeln!(out, "C-{},{},{}-at-example.com,,@{}", c.number, c.name(), c.first.to_lowercase(), c.handle)?;
            continue;
        }
        // The CRM keeps numbers with their country code (messages have
        // them either way): a national one would need
        // `identity.default_region` to import.
        let mut phone = if rng.random_bool(0.6) { with_country_code(phone(&mut rng)) } else { String::new() };
        if !phone.is_empty() {
            since_household += 1;
            // Every 40th contact with a phone shares the one before (a
            // household's landline), on purpose: counted rather than drawn,
            // so the rest of the file stays as the seed made it.
            if since_household == 40 && !last_phone.is_empty() {
                since_household = 0;
                phone = last_phone.clone();
                households += 1;
            }
            last_phone = phone.clone();
        }
        writeln!(out, "C-{},{},{},{},@{}", c.number, c.name(), c.email(), quote(&phone), c.handle)?;
    }
    out.flush()?;
    Ok(DemoData {
        twcs,
        contacts,
        interactions: written,
        malformed,
        contact_rows,
        customers: wrote.iter().filter(|w| **w).count() as u64,
        households,
        brands: brand_handles(),
    })
}

fn write_malformed(out: &mut impl Write, rng: &mut StdRng, t: &Tweet) -> std::io::Result<()> {
    match rng.random_range(0..4) {
        0 => writeln!(out, "{},{},True,yesterday at noon,{},,", t.id, t.author, quote(&t.text)),
        1 => writeln!(out, ",{},True,Tue Oct 31 22:10:47 +0000 2017,{},,", t.author, quote(&t.text)),
        2 => writeln!(out, "{},{},Maybe,Tue Oct 31 22:10:47 +0000 2017,{},,", t.id, t.author, quote(&t.text)),
        _ => {
            write!(out, "{},{},True,Tue Oct 31 22:10:47 +0000 2017,caf", t.id, t.author)?;
            out.write_all(b"\xe9 au lait,,\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{contacts::Contacts, twcs::Twcs};
    use crate::record::Record;

    #[test]
    fn the_same_seed_gives_the_same_files_and_every_line_reads() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let da = generate(a.path(), 200, 5_000, 7).unwrap();
        let db = generate(b.path(), 200, 5_000, 7).unwrap();
        assert_eq!(std::fs::read(&da.twcs).unwrap(), std::fs::read(&db.twcs).unwrap());
        assert_eq!(std::fs::read(&da.contacts).unwrap(), std::fs::read(&db.contacts).unwrap());
        assert_eq!(da.interactions, 5_000);

        let records: Vec<Record> = Twcs::new(File::open(&da.twcs).unwrap()).unwrap().collect();
        assert_eq!(records.len(), 5_000);
        let bad = records.iter().filter(|r| matches!(r, Record::Bad(_))).count() as u64;
        assert_eq!(bad, da.malformed, "exactly the malformed lines are quarantined");
        let brands = records.iter().filter(|r| matches!(r, Record::Interaction(d) if d.outbound())).count();
        assert!(brands > 1_500, "threads carry brand replies: {brands}");
        let replies = records.iter().filter(|r| matches!(r, Record::Interaction(d) if d.reply_to.is_some())).count();
        assert!(replies > 2_500, "{replies}");

        let contacts: Vec<Record> = Contacts::new(File::open(&da.contacts).unwrap()).unwrap().collect();
        assert_eq!(contacts.len() as u64, da.contact_rows);
        assert!(contacts.iter().filter(|r| matches!(r, Record::Contact(_))).count() > 50);
    }

    #[test]
    fn every_phone_the_contacts_import_takes_is_redacted_in_running_text() {
        let dir = tempfile::tempdir().unwrap();
        let data = generate(dir.path(), 600, 3_000, 14).unwrap();
        // The raw phone of each row, beside what the importer made of it.
        let mut csv = csv::Reader::from_path(&data.contacts).unwrap();
        let mobile = csv.headers().unwrap().iter().position(|h| h == "Mobile").unwrap();
        let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        let records: Vec<Record> = Contacts::new(File::open(&data.contacts).unwrap()).unwrap().collect();
        assert_eq!(rows.len(), records.len());
        let analyzer = candor_privacy::Analyzer::new();
        let redactor = candor_privacy::Redactor::default();
        let mut checked = 0;
        let mut missed = Vec::new();
        for (row, record) in rows.iter().zip(&records) {
            let raw = row.get(mobile).unwrap_or_default().trim();
            let Record::Contact(contact) = record else { continue };
            if raw.is_empty() || !contact.identifiers.iter().any(|i| i.kind() == candor_domain::IdentifierKind::Phone) {
                continue;
            }
            checked += 1;
            for frame in candor_privacy::pii::PHONE_FRAMES {
                let text = frame.replace("{p}", raw);
                let spans = analyzer.analyze(&text);
                let found = spans.iter().any(|s| s.entity == candor_privacy::EntityType::Phone && s.text(&text) == raw);
                let redacted = redactor.redact(&text, &spans, &mut candor_privacy::pii::Numbering::new());
                if !found || redacted.as_ref().contains(raw) {
                    missed.push(format!("{text:?}: {spans:?}"));
                }
            }
        }
        assert!(checked > 100, "only {checked} phones in the demo contacts");
        assert!(
            missed.is_empty(),
            "{} of {} left in clear:\n{}",
            missed.len(),
            checked * candor_privacy::pii::PHONE_FRAMES.len(),
            missed[..missed.len().min(20)].join("\n")
        );
    }
}
