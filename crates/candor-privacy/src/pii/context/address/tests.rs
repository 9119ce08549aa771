//! The address recognizer on addresses written as people write them: one
//! line and several, many countries, lower case, military post, boxes; and
//! on what only looks like an address.

use crate::pii::context::Cues;
use crate::pii::{Analyzer, Candidate, EntityType};

/// The addresses the recognizer alone finds (overlaps resolved as the
/// engine does, among addresses).
fn found(text: &str) -> Vec<String> {
    let cues = Cues::new().find(text);
    let mut v: Vec<Candidate> = Vec::new();
    super::addresses(text, &cues, &mut v);
    v.retain(|c| c.entity == EntityType::Address && c.score >= 0.5);
    v.into_iter().map(|c| text[c.start..c.end].to_owned()).collect()
}

/// The addresses the whole engine reports.
fn engine(text: &str) -> Vec<String> {
    Analyzer::new().analyze(text).into_iter().filter(|s| s.entity == EntityType::Address).map(|s| s.text(text).to_owned()).collect()
}

#[track_caller]
fn one(text: &str, want: &str) {
    assert_eq!(found(text), vec![want.to_owned()], "in {text:?}");
}

#[track_caller]
fn none(text: &str) {
    assert_eq!(found(text), Vec::<String>::new(), "in {text:?}");
}

#[test]
fn english_addresses_with_their_locality() {
    one("ship to 487 Victoria Point, Claytonmouth, WV 22697 please", "487 Victoria Point, Claytonmouth, WV 22697");
    one("to 8 Jennifer Brae, Carolynhaven, QLD, 2628", "8 Jennifer Brae, Carolynhaven, QLD, 2628");
    one("at 941 Wright Forge, North John, NB L4E 3C6.", "941 Wright Forge, North John, NB L4E 3C6");
    one("Studio 83W, Dawn Knoll, Lake Patrickhaven, S82 9NA", "Studio 83W, Dawn Knoll, Lake Patrickhaven, S82 9NA");
    one("I live at 221B Baker Street, London NW1 6XE", "221B Baker Street, London NW1 6XE");
    one("send it to 12 Main St Apt 4, Springfield, IL 62704, thanks", "12 Main St Apt 4, Springfield, IL 62704");
    one("HQ is 1600 Pennsylvania Ave NW, Washington, DC 20500-0003.", "1600 Pennsylvania Ave NW, Washington, DC 20500-0003");
    one("we're at 350 5th Avenue, Suite 3300, New York, NY 10118", "350 5th Avenue, Suite 3300, New York, NY 10118");
    one("Ship it to 41 Park View Road, Leeds LS6 2AB, United Kingdom asap", "41 Park View Road, Leeds LS6 2AB, United Kingdom");
}

#[test]
fn australian_units_plurals_and_abbreviated_localities() {
    one("to Level 7 9 Stephen Ring, North Candy, NSW, 2642", "Level 7 9 Stephen Ring, North Candy, NSW, 2642");
    one("to 591/536 Miller Block, East Joel, VIC, 2978", "591/536 Miller Block, East Joel, VIC, 2978");
    one("at 72 Warren Villages Apt. 787, North Gavin, AS 15375", "72 Warren Villages Apt. 787, North Gavin, AS 15375");
    one("at 94 Rios Crescent, St. Edward, SA, 2642.", "94 Rios Crescent, St. Edward, SA, 2642");
    one("Apt. 834 63 Hall Meander, West Ash, QLD, 2943", "Apt. 834 63 Hall Meander, West Ash, QLD, 2943");
    one("Unit 5, 27 Kent St, Sydney NSW 2000", "Unit 5, 27 Kent St, Sydney NSW 2000");
}

#[test]
fn blocks_of_lines_are_one_address() {
    one(
        "Please send it to:\nMs Dana Whitfield\n14 Orchard Lane\nFlat 2\nCambridge\nCB1 2AB\nUnited Kingdom\n\nThanks!",
        "14 Orchard Lane\nFlat 2\nCambridge\nCB1 2AB\nUnited Kingdom",
    );
    one("My address is\n742 Evergreen Terrace\nSpringfield, IL 62704", "742 Evergreen Terrace\nSpringfield, IL 62704");
    one("Flat 9\n3 Harbour Walk\nPortsmouth\nPO1 3AX\nCheers, Ellie", "Flat 9\n3 Harbour Walk\nPortsmouth\nPO1 3AX");
    one("Lieferadresse:\nLindenweg 7a\n80331 München\nDeutschland\nDanke", "Lindenweg 7a\n80331 München\nDeutschland");
    one("Dirección:\nCalle de Toledo 63, 2º A\n28005 Madrid\nGracias", "Calle de Toledo 63, 2º A\n28005 Madrid");
    one("Prinsengracht 263\n1016 GV Amsterdam\nNederland", "Prinsengracht 263\n1016 GV Amsterdam\nNederland");
    one("Hannahbaan 8\n9590NC\nColmschate", "Hannahbaan 8\n9590NC\nColmschate");
    // Windows line ends, and a comma before each break.
    one("Adresse :\r\n8 allée des Tilleuls,\r\n44000 Nantes\r\nMerci", "8 allée des Tilleuls,\r\n44000 Nantes");
    // A line that is not part of an address ends the block.
    one("12 Mill Lane\nLeeds\nLS1 4AB\nMob: 07700 900123", "12 Mill Lane\nLeeds\nLS1 4AB");
    one("5 Ridgeway Close\nMilton Keynes MK9 2EA\nand please hurry", "5 Ridgeway Close\nMilton Keynes MK9 2EA");
}

#[test]
fn a_first_name_after_a_street_is_a_signature_not_a_town() {
    one("deliver to 9 Cedar Grove\nThomas", "9 Cedar Grove");
    one("deliver to 9 Cedar Grove\nAustin, TX 78701", "9 Cedar Grove\nAustin, TX 78701");
}

#[test]
fn one_line_addresses_across_europe() {
    one("Meine Adresse: Mariahilfer Straße 10, 1070 Wien. Tel. +43 664 5383136", "Mariahilfer Straße 10, 1070 Wien");
    one("bitte an Berliner Str. 12, 60311 Frankfurt am Main liefern", "Berliner Str. 12, 60311 Frankfurt am Main");
    one("neue Anschrift: Hauptstr. 5, D-10115 Berlin", "Hauptstr. 5, D-10115 Berlin");
    one("Paket an Am Markt 3, 28195 Bremen bitte", "Am Markt 3, 28195 Bremen");
    one("Bahnhofstrasse 21, CH-8001 Zürich", "Bahnhofstrasse 21, CH-8001 Zürich");
    one("envíenlo a C/ Gran Vía 22, 2º B, 28013 Madrid", "C/ Gran Vía 22, 2º B, 28013 Madrid");
    one("mi dirección es Avda. de la Constitución 15, 41004 Sevilla", "Avda. de la Constitución 15, 41004 Sevilla");
    one("Calle Alfonso I 17, 3º dcha, 50003 Zaragoza, España", "Calle Alfonso I 17, 3º dcha, 50003 Zaragoza, España");
    one("il mio indirizzo è Via dei Mille 24, 00185 Roma RM", "Via dei Mille 24, 00185 Roma RM");
    one("spedire a Corso Buenos Aires 33, 20124 Milano (MI) grazie", "Corso Buenos Aires 33, 20124 Milano (MI)");
    one("Viale Monza, 120, 20127 Milano", "Viale Monza, 120, 20127 Milano");
    one("livrez au 27 boulevard Haussmann, 75009 PARIS svp", "27 boulevard Haussmann, 75009 PARIS");
    one("c'est le 3 bis avenue Jean Jaurès, 69007 Lyon", "3 bis avenue Jean Jaurès, 69007 Lyon");
    one("2 impasse du Moulin, 67000 Strasbourg", "2 impasse du Moulin, 67000 Strasbourg");
    one("Mijn adres is Kalverstraat 92, 1012 PH Amsterdam, bedankt", "Kalverstraat 92, 1012 PH Amsterdam");
    one("Laan van Meerdervoort 50, 2517 AM Den Haag", "Laan van Meerdervoort 50, 2517 AM Den Haag");
    one("A minha morada é Rua Augusta 120, 1100-053 Lisboa", "Rua Augusta 120, 1100-053 Lisboa");
    one("Travessa do Carmo 3, 1200-095 Lisboa, Portugal", "Travessa do Carmo 3, 1200-095 Lisboa, Portugal");
    one("Mój adres to ul. Floriańska 15/4, 31-019 Kraków", "ul. Floriańska 15/4, 31-019 Kraków");
    one("Drottninggatan 53, 111 21 Stockholm", "Drottninggatan 53, 111 21 Stockholm");
    one("Vesterbrogade 12, 2. tv, 1620 København V", "Vesterbrogade 12, 2. tv, 1620 København V");
    one("Karl Johans gate 22, 0159 Oslo", "Karl Johans gate 22, 0159 Oslo");
    one("Aleksanterinkatu 52, 00100 Helsinki", "Aleksanterinkatu 52, 00100 Helsinki");
    one("Rue Neuve 30, 1000 Bruxelles", "Rue Neuve 30, 1000 Bruxelles");
    one("Via Roma, 10 - 20121 Milano (MI), grazie", "Via Roma, 10 - 20121 Milano (MI)");
    one("C/ de Alcalá 48 – 3º B – 28014 Madrid", "C/ de Alcalá 48 – 3º B – 28014 Madrid");
}

#[test]
fn the_demo_datas_addresses() {
    for (street, city) in [
        ("Baker Street", "London"),
        ("Elm Avenue", "Leeds"),
        ("Rue de la Paix", "Paris"),
        ("Hauptstraße", "Berlin"),
        ("Calle Mayor", "Madrid"),
        ("Rua Augusta", "Lisbon"),
        ("Via Roma", "Milan"),
    ] {
        let address = format!("{} {street}, {city}", street.len() * 7);
        one(&format!("@FabrikamSupport the delivery went to the wrong address, it should be {address}"), &address);
    }
}

#[test]
fn irish_canadian_and_antipodean_forms() {
    one("Apartment 4, 12 Main Street, Dublin 2, D02 X285", "Apartment 4, 12 Main Street, Dublin 2, D02 X285");
    one("23 Patrick Street, Cork, T12 YX84. Thanks", "23 Patrick Street, Cork, T12 YX84");
    one("123 Queen St W, Toronto, ON M5H 2M9", "123 Queen St W, Toronto, ON M5H 2M9");
    one("1055 Rue Sainte-Catherine O, Montréal, QC H3B 4W5", "1055 Rue Sainte-Catherine O, Montréal, QC H3B 4W5");
    one("18 Ponsonby Road, Auckland 1011, New Zealand", "18 Ponsonby Road, Auckland 1011, New Zealand");
}

#[test]
fn a_street_type_from_another_language_than_the_text() {
    one("send it to 5 Hauptstraße, Milan please", "5 Hauptstraße, Milan");
    one("my aunt lives at Via Roma 1, Leeds", "Via Roma 1, Leeds");
}

#[test]
fn streets_of_no_listed_type_before_a_postcode_and_town() {
    one("adres: Damrak 1, 1012 LG Amsterdam", "Damrak 1, 1012 LG Amsterdam");
    one("Ship to Bergrøa 631\n0669 Oslo\nNorge", "Bergrøa 631\n0669 Oslo\nNorge");
    one("Unter den Linden 77, 10117 Berlin", "Unter den Linden 77, 10117 Berlin");
}

#[test]
fn lower_case_messages() {
    one("ship it to 12 mill road, leeds ls1 4ab thx", "12 mill road, leeds ls1 4ab");
    one("my address is 449 meagan garden suite 957, west teresa, nl x3v 9p7", "449 meagan garden suite 957, west teresa, nl x3v 9p7");
    one("pls deliver to 3 castle terrace, edinburgh eh1 2dp", "3 castle terrace, edinburgh eh1 2dp");
    one("calle de toledo 63, 28005 madrid", "calle de toledo 63, 28005 madrid");
    one("hauptstraße 5\n10115 berlin", "hauptstraße 5\n10115 berlin");
    one("psc 4115, box 2201, apo ae 09021", "psc 4115, box 2201, apo ae 09021");
    one("po box 881\nhalifax ns b3j 2n4", "po box 881\nhalifax ns b3j 2n4");
}

#[test]
fn lower_case_streets_need_more_than_a_number() {
    none("it's a 10 minute walk from the station");
    none("i waited 2 hours on the road");
    none("we have 2 dogs and a big garden");
    none("i bought 3 new garden chairs");
    none("sent via dhl 3 times");
}

#[test]
fn us_military_post() {
    one("send to Unit 9190 Box 6732, DPO AA 63602 asap", "Unit 9190 Box 6732, DPO AA 63602");
    one("to USNS Comfort, FPO AP 54191", "USNS Comfort, FPO AP 54191");
    one("PSC 1234, Box 5678, APO AE 09876", "PSC 1234, Box 5678, APO AE 09876");
    one("CMR 480 Box 1112\nAPO AE 09128", "CMR 480 Box 1112\nAPO AE 09128");
    one("USS Nimitz\nFPO AP 96620-2820", "USS Nimitz\nFPO AP 96620-2820");
}

#[test]
fn post_office_boxes() {
    one("write to PO Box 4021, Boise, ID 83711", "PO Box 4021, Boise, ID 83711");
    one("P.O. Box 77\nSanta Fe, NM 87504", "P.O. Box 77\nSanta Fe, NM 87504");
    one("Apartado de Correos 112, 46080 Valencia", "Apartado de Correos 112, 46080 Valencia");
    one("Postfach 10 20 30, 80333 München", "Postfach 10 20 30, 80333 München");
    one("BP 45, 31001 Toulouse Cedex 6", "BP 45, 31001 Toulouse Cedex 6");
    one("Boîte postale 12, 1211 Genève", "Boîte postale 12, 1211 Genève");
    one("Postbus 1234, 1000 BE Amsterdam", "Postbus 1234, 1000 BE Amsterdam");
    one("our PO Box 9 is closed", "PO Box 9");
    none("Box 3 of 4 arrived damaged");
    none("my bp 45 is fine");
}

#[test]
fn street_words_without_structure_are_not_addresses() {
    none("Good Point, thanks for the Walk");
    none("I waited 2 Hours on the Road");
    none("flight 22 Main terminal");
    none("the Hauptstraße branch was closed today");
    none("shipping to Germany takes 5 days");
    none("Rue de Rivoli is lovely in spring");
    none("I give the Baker Street team 5 stars");
    none("the Via Roma shop has 3 staff");
    none("Calle 13 concert was great");
    none("Im Jahr 2020 war alles anders");
    none("order 12345, 10115 Berlin office");
    none("I paid 12.50 at the Main Street store");
    none("Unit 4 is faulty, replace it");
    none("top 10 Avenue Q songs");
}

#[test]
fn two_addresses_in_one_message_are_two() {
    assert_eq!(
        found("from 12 Mill Road, Leeds LS1 4AB to 5 Park Lane, York YO1 7HH"),
        vec!["12 Mill Road, Leeds LS1 4AB", "5 Park Lane, York YO1 7HH"]
    );
}

#[test]
fn the_address_wins_over_numbers_inside_it() {
    for text in [
        "Postfach 10 20 30, 80333 München",
        "Calle de Serrano 41, 4º izq., 28001 Madrid",
        "ship to 1200 Peachtree St NE, Suite 300, Atlanta, GA 30309-3574",
        "PSC 4115, Box 2201, APO AE 09021",
        "ul. Marszałkowska 84/92 m. 12, 00-514 Warszawa",
    ] {
        let spans = Analyzer::new().analyze(text);
        assert_eq!(spans.len(), 1, "{text:?}: {spans:?}");
        assert_eq!(engine(text), found(text), "{text:?}");
    }
}

#[test]
fn word_lists_load() {
    let l = super::lists();
    assert!(l.countries.len() > 200 && l.not_place.len() > 50 && !l.locality_particle.is_empty());
    assert!(
        super::listed(&l.countries, "Deutschland")
            && super::listed(&l.countries, "UNITED KINGDOM")
            && super::listed(&l.countries, "españa")
    );
    assert!(l.countries.iter().chain(&l.not_place).all(|w| *w == w.to_lowercase()));
}
