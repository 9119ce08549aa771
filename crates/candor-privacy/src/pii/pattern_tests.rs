//! The pattern-based recognizers end to end, on messages written for
//! these tests: payment cards of every scheme and grouping, phone numbers
//! in contact blocks, with labels and extensions, dates of birth asked
//! for in one sentence and given in the next, IBANs in any case, parcel
//! tracking numbers and sort codes; and the look-alikes each must leave
//! alone.

use std::sync::OnceLock;

use super::{Analyzer, EntityType as E};

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(Analyzer::new)
}

fn found(text: &str) -> Vec<(E, String)> {
    analyzer().analyze(text).iter().map(|s| (s.entity, s.text(text).to_owned())).collect()
}

#[track_caller]
fn has(text: &str, entity: E, value: &str) {
    let got = found(text);
    assert!(got.iter().any(|(e, v)| *e == entity && v == value), "{entity} `{value}` not found in {text:?}: {got:?}");
}

#[track_caller]
fn lacks(text: &str, entity: E) {
    let got = found(text);
    assert!(got.iter().all(|(e, _)| *e != entity), "no {entity} expected in {text:?}: {got:?}");
}

/// `digits` written in groups of the given sizes, joined by `sep`.
fn grouped(digits: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for &n in sizes {
        if at + n >= digits.len() {
            break;
        }
        out.push(&digits[at..at + n]);
        at += n;
    }
    if at < digits.len() {
        out.push(&digits[at..]);
    }
    out.join(sep)
}

/// Luhn-valid numbers of each scheme and length a card is issued in.
const CARDS: &[(&str, &str)] = &[
    ("Maestro, 12 digits", "675938067518"),
    ("Maestro, 12 digits", "501828650827"),
    ("Maestro, 13 digits", "5020812598152"),
    ("Maestro, 19 digits", "6304892880193255102"),
    ("JCB, 15 digits from 1800", "180013690218834"),
    ("JCB, 15 digits from 2131", "213118503257407"),
    ("JCB, 16 digits", "3530833906976433"),
    ("Visa, 13 digits", "4926797246719"),
    ("Visa, 19 digits", "4087053046790030748"),
    ("UnionPay, 17 digits", "62291671045349632"),
    ("UnionPay, 19 digits", "6232236286189557022"),
    ("Diners Club, 14 digits", "36510316256706"),
    ("Diners Club, 14 digits from 305", "30587266793074"),
    ("Mastercard from 2221", "2221608101185634"),
    ("Mastercard from 2720", "2720116197681975"),
    ("Mastercard from 51", "5168737480546609"),
    ("American Express", "377164967524728"),
    ("Discover", "6011431815844577"),
    ("Mir", "2201350549515668"),
    ("RuPay", "8101807848631593"),
    ("Troy", "9792303716559811"),
    ("UATP", "157895360502722"),
];

/// How people group a card number: as printed, in fours, in other
/// groups, or not at all.
const GROUPINGS: &[&[usize]] = &[&[], &[4, 4, 4, 4], &[4, 6, 5], &[4, 4, 4], &[2, 4, 4, 4], &[8, 8], &[3, 3, 3, 3, 3]];

#[test]
fn cards_of_every_scheme_and_length_in_any_grouping_are_cards_and_never_phones() {
    let frames = [
        "paid with {c} yesterday",
        "card {c}",
        "Mi tarjeta {c} fue rechazada",
        "ma carte {c} a été débitée deux fois",
        "Die Karte {c} wurde abgelehnt.",
        "{c}\nthat's the one you charged",
    ];
    for (scheme, number) in CARDS {
        for sizes in GROUPINGS {
            for sep in [" ", "-"] {
                let written = if sizes.is_empty() { (*number).to_owned() } else { grouped(number, sizes, sep) };
                for frame in frames {
                    let text = frame.replace("{c}", &written);
                    let got = found(&text);
                    assert!(got.contains(&(E::CreditCard, written.clone())), "{scheme} {written:?} in {text:?}: {got:?}");
                    assert!(got.iter().all(|(e, _)| *e != E::Phone), "{scheme}: a phone in {text:?}: {got:?}");
                }
            }
        }
    }
}

#[test]
fn card_numbers_mixing_spaces_and_dashes_are_cards() {
    has("new card is 4926 7972-4671 9 thanks", E::CreditCard, "4926 7972-4671 9");
    has("amex 3771-649675 24728", E::CreditCard, "3771-649675 24728");
}

#[test]
fn numbers_that_no_scheme_issues_are_not_cards_nor_phones() {
    for text in [
        // Luhn-valid, but Visa issues no 17 digits, Amex no 16, Mastercard no 15.
        "ref 49458073021573689 pending",
        "id 3494580730215736 here",
        "voucher 529458073021570",
        // No scheme starts with 0 or 90.
        "loyalty 0945 8073 0215 7363",
        "member 9094 5807 3021 5737",
        // Luhn fails, grouped as a card: a card mistyped, not a phone.
        "mastercard 2221 0012 3412 3456 declined",
        "the 16-digit number 1234 5678 9012 3456 is printed on the back",
        "gift card 6035 1234 5678 9012 balance?",
    ] {
        lacks(text, E::CreditCard);
        lacks(text, E::Phone);
    }
}

#[test]
fn a_card_may_be_followed_by_another_number() {
    has("card no 4111 1111 1111 1111 123", E::CreditCard, "4111 1111 1111 1111");
}

#[test]
fn phones_at_the_start_of_lines_in_a_contact_block_with_a_label_after_them() {
    let block = "Priya Raman\nAcme Ltd\n020 7946 0958 office\n07700 900521 mobile\n020 7946 0959 fax";
    for p in ["020 7946 0958", "07700 900521", "020 7946 0959"] {
        has(block, E::Phone, p);
    }
    let block = "lucía gómez\nc/ mayor 12, 28013 madrid\n912 345 678 oficina\n612 345 678 (móvil)";
    has(block, E::Phone, "912 345 678");
    has(block, E::Phone, "612 345 678");
    let block = "jean dupont\n01 23 45 67 89 bureau\n06 12 34 56 78 portable";
    has(block, E::Phone, "01 23 45 67 89");
    has(block, E::Phone, "06 12 34 56 78");
    let block = "Max Weber\n030 1234567 Büro\n0151 23456789 mobil";
    has(block, E::Phone, "030 1234567");
    has(block, E::Phone, "0151 23456789");
    // Bare digits and one-letter labels: only the label says phone.
    has("tom baker\n4155550123 office\n4155550124 fax", E::Phone, "4155550123");
    has("tom baker\n4155550123 office\n4155550124 fax", E::Phone, "4155550124");
    has("reach me on either:\n612345678 (m)\n912345678 (o)", E::Phone, "912345678");
    has("T: 020 7946 0958\nM: 07700 900521", E::Phone, "07700 900521");
}

#[test]
fn a_label_ends_its_line_or_clause() {
    has("612345678 mobile, 912345678 home", E::Phone, "912345678");
    for text in ["the serial 12345678 mobile app crashes", "i paid 612345678 mobile points lol", "batch 20240312 home"] {
        lacks(text, E::Phone);
    }
    lacks("número de serie 123456789012", E::Phone);
}

#[test]
fn a_phone_cue_after_the_number_counts() {
    has("612 345 678 is my mobile", E::Phone, "612 345 678");
    has("612345678 es mi número, llámame", E::Phone, "612345678");
    has("0612345678 c'est mon portable", E::Phone, "0612345678");
    has("91 234567 ist meine Nummer", E::Phone, "91 234567");
}

#[test]
fn short_national_numbers_after_a_cue() {
    has("ring 91 234567 after six", E::Phone, "91 234567");
    has("tlf. 612 345 678", E::Phone, "612 345 678");
    has("mi número 912 345 678", E::Phone, "912 345 678");
    has("llama al 91 234 56 78 por la tarde", E::Phone, "91 234 56 78");
    has("ph 612 345 678", E::Phone, "612 345 678");
    has("mob 07700 900521", E::Phone, "07700 900521");
    has("escríbeme al 600 12 34 56", E::Phone, "600 12 34 56");
    has("joignable au 06 12 34 56 78", E::Phone, "06 12 34 56 78");
    has("contattami 347 123 4567", E::Phone, "347 123 4567");
}

#[test]
fn spanish_numbers_in_their_own_grouping_need_no_cue() {
    has("si necesitáis algo, 612 345 678", E::Phone, "612 345 678");
    has("lo de siempre: 91 234 56 78, de 9 a 14h", E::Phone, "91 234 56 78");
    has("oficina 612 40 67 79", E::Phone, "612 40 67 79");
    // After an order cue it is the order's.
    has("pedido 612 345 678", E::OrderId, "612 345 678");
    lacks("pedido 612 345 678", E::Phone);
}

#[test]
fn extensions_belong_to_the_phone_number() {
    for (text, phone) in [
        ("call me at 415-555-0123 x22", "415-555-0123 x22"),
        ("call me at 415-555-0123 ext. 22 after lunch", "415-555-0123 ext. 22"),
        ("phone: +1 415 555 0123 ext 1234", "+1 415 555 0123 ext 1234"),
        ("office 020 7946 0958 #22", "020 7946 0958 #22"),
        ("415-555-0123 (ext. 22) is the desk", "415-555-0123 (ext. 22)"),
        ("call 415 555 0123, extension 4", "415 555 0123, extension 4"),
        ("appelez le 01 23 45 67 89 poste 12", "01 23 45 67 89 poste 12"),
        ("ruf an: 030 1234567 Durchwahl 31", "030 1234567 Durchwahl 31"),
    ] {
        has(text, E::Phone, phone);
    }
    // No digits after the mark, or a word that starts like one.
    has("call 0412 967 692 x", E::Phone, "0412 967 692");
    has("call 0412 967 692 xbox broke", E::Phone, "0412 967 692");
    has("call 0412 967 692 extra 20 mins", E::Phone, "0412 967 692");
}

#[test]
fn a_number_after_an_account_cue_is_the_accounts() {
    has("my account number is 620 184 7731, close it", E::OrderId, "620 184 7731");
    lacks("my account number is 620 184 7731, close it", E::Phone);
    has("customer number is 612 345 678", E::OrderId, "612 345 678");
    lacks("customer number is 612 345 678", E::Phone);
    // The phone cue nearer the number wins.
    has("order 88213, my number is 612 345 678", E::Phone, "612 345 678");
}

#[test]
fn street_numbers_postcodes_prices_times_versions_and_dates_are_not_phones() {
    for text in [
        "tel: calle mayor 12 28013 madrid",
        "ring me: 12 main st, 90210",
        "call me at home, 1428 elm street 62704 springfield",
        "phone: hauptstraße 5, 10115 berlin",
        "Hauptstraße 5 10115 Berlin, ruf mich an",
        "call me about flight ba 2490 at 10:45 on 12/03/2024",
        "phone 2023 2024 model",
        "the phone cost 1 299,99 eur",
        "call between 09:00-17:30",
        "my phone is an iphone 15 pro max 256gb",
        "text me the code 482913",
        "phone battery dropped from 100 to 20 in 2 hours",
        "call me about version 10.2.3.4",
        "phone: the meeting is 12.03.2024 at 10:30",
        "el teléfono me costó 1.299.000 pesos",
        "le téléphone coûte 1 299 000 € chez vous",
    ] {
        lacks(text, E::Phone);
    }
}

#[test]
fn a_date_of_birth_given_after_the_question() {
    for (text, date) in [
        ("what's your DOB? - 12/03/1985", "12/03/1985"),
        ("Date of birth?\n3 March 1985", "3 March 1985"),
        ("what is your date of birth?\n\n14/02/1990", "14/02/1990"),
        ("when were you born? 1985-03-12", "1985-03-12"),
        ("born? yes, 14 feb 1990", "14 feb 1990"),
        ("DOB?\n- 14.02.1990", "14.02.1990"),
        ("¿fecha de nacimiento?\n14 de febrero de 1990", "14 de febrero de 1990"),
        ("¿Fecha de nacimiento? Es el 14/02/1990", "14/02/1990"),
        ("Geburtsdatum? 14. Februar 1990", "14. Februar 1990"),
        ("Ihr Geburtsdatum bitte.\n14.02.1990", "14.02.1990"),
        ("date de naissance ?\nle 14 février 1990", "14 février 1990"),
        ("data di nascita? 14 febbraio 1990", "14 febbraio 1990"),
        ("geboortedatum: 14 februari 1990", "14 februari 1990"),
        ("data de nascimento - 14/02/1990", "14/02/1990"),
    ] {
        has(text, E::DateOfBirth, date);
    }
}

#[test]
fn dates_of_birth_in_several_formats() {
    for (text, date) in [
        ("dob 14-feb-1990", "14-feb-1990"),
        ("dob 14 02 1990", "14 02 1990"),
        ("d.o.b (dd/mm/yyyy): 14/02/1990", "14/02/1990"),
        ("date of birth (mm/dd/yyyy) 02/14/1990", "02/14/1990"),
        ("born on tuesday, 14 february 1990", "14 february 1990"),
        ("i was born on the 14th of february, 1990", "14th of february, 1990"),
        ("my birthday is 2/14/90", "2/14/90"),
        ("nací el 3 de marzo del 1985", "3 de marzo del 1985"),
    ] {
        has(text, E::DateOfBirth, date);
    }
}

#[test]
fn a_date_far_from_a_birth_cue_is_not_a_date_of_birth() {
    for text in [
        "i was born in 1990 and ordered on 12/03/2024",
        "born in london. my order came 12/03/2024",
        "what's your dob?\nthe parcel came 12/03/2024",
        "birthday gift ordered 12/03/2024",
        "date of birth unknown, order placed 12/03/2024",
    ] {
        lacks(text, E::DateOfBirth);
    }
    // Nor is a date after an order cue an order number.
    lacks("it's my birthday! order 12/03/2024", E::OrderId);
}

#[test]
fn ibans_in_any_case_and_grouping() {
    has("iban de89 3704 0044 0532 0130 00 pls", E::Iban, "de89 3704 0044 0532 0130 00");
    has("IBAN: Gb82 West 1234 5698 7654 32", E::Iban, "Gb82 West 1234 5698 7654 32");
    has("send it to gb82west12345698765432", E::Iban, "gb82west12345698765432");
    has("mi iban es es91 2100 0418 4502 0005 1332", E::Iban, "es91 2100 0418 4502 0005 1332");
    // Mod 97 fails: no IBAN, and its digits are no phone number either.
    let text = "iban de89 3704 0044 0532 0130 01";
    lacks(text, E::Iban);
}

#[test]
fn national_insurance_numbers_in_lower_case() {
    has("ni number ab 12 34 56 c", E::UkNino, "ab 12 34 56 c");
    has("my nino is jg123456a", E::UkNino, "jg123456a");
}

#[test]
fn tracking_numbers_after_a_cue_are_order_references() {
    for (text, number) in [
        ("ups tracking 1Z999AA10123456784 hasn't moved", "1Z999AA10123456784"),
        ("my tracking no is 1z999aa10123456784", "1z999aa10123456784"),
        ("parcel RR123456785GB still not here", "RR123456785GB"),
        ("royal mail tracking: AB123456789GB", "AB123456789GB"),
        ("DHL 1234567890 says delivered", "1234567890"),
        ("fedex tracking # 123456789012", "123456789012"),
        ("FedEx 123456789012345 is stuck", "123456789012345"),
        ("usps tracking 9400 1000 0000 0000 0000 00", "9400 1000 0000 0000 0000 00"),
        ("Sendungsnummer 00340434161094042557, bitte prüfen", "00340434161094042557"),
        ("mi número de seguimiento es 1Z999AA10123456784", "1Z999AA10123456784"),
        ("numéro de suivi : 6A12345678901", "6A12345678901"),
        ("consignment no. 1234567890", "1234567890"),
        ("the tracking # is 1Z 999 AA1 0123 4567 84", "1Z 999 AA1 0123 4567 84"),
    ] {
        has(text, E::OrderId, number);
    }
    for text in ["tracking 1Z999 shows nothing", "parcel arrived 2 days late", "my package cost 1299 in total"] {
        lacks(text, E::OrderId);
    }
}

#[test]
fn sort_codes_and_account_numbers_are_references() {
    has("sort code 20-45-77", E::OrderId, "20-45-77");
    has("Sort code: 204577 thanks", E::OrderId, "204577");
    has("sort-code 20 45 77, account number 41234567", E::OrderId, "20 45 77");
    has("sort-code 20 45 77, account number 41234567", E::OrderId, "41234567");
    lacks("sort code 20-45-77", E::Phone);
    lacks("can you sort this out by 12/03?", E::OrderId);
}
