#!/usr/bin/env python3
"""Write tests/data/pii-hard.jsonl: a harder, independently written PII set.

About 1,500 synthetic customer-care messages as people write them to brands
on social media, in English, Spanish, German, French, Italian, Dutch,
Portuguese and Polish: names without cue words, single first names, names in
lower case and on signature lines, multi-line contact blocks and addresses,
national and international phone formats, every card scheme and length,
IBANs of many countries, dates of birth cued a sentence or a line earlier,
and many look-alikes that are not personal data. The labels follow the
conventions of the shared development set (see README.md beside this file).

Made with (pinned; other versions give other text, so the script refuses
them unless --any-version is passed):
    Python 3.11, Faker 40.63.0 (MIT licence),
    phonenumbers 9.0.43 (Apache-2.0 licence; phone validity only).

Run from the repository root:
    python3 crates/candor-privacy/eval/make_hard_set.py
It is deterministic (fixed seeds): the same versions write the same file.
The labels are checked before the file is written (see self_test).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import re
import string
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import faker
import phonenumbers as pn
from faker import Faker
from phonenumbers import PhoneNumberFormat as PF
from phonenumbers import PhoneNumberType as PT

FAKER_VERSION = "40.63.0"
PHONENUMBERS_VERSION = "9.0.43"
SEED = 15
N_MESSAGES = 1500
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii-hard.jsonl"

TYPES = {
    "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "URL", "HANDLE", "US_SSN",
    "UK_NINO", "DATE_OF_BIRTH", "PERSON", "ADDRESS", "ORDER_ID",
}

# --------------------------------------------------------------------------
# Message builder: a message is a list of parts, each plain text or a span.
# Offsets are computed from the parts, so they are right by construction;
# lower-casing is applied part by part for the same reason.
# --------------------------------------------------------------------------


class Msg:
    def __init__(self) -> None:
        self.parts: list[tuple[str | None, str]] = []

    def add(self, text: str, typ: str | None = None) -> "Msg":
        if text:
            self.parts.append((typ, text))
        return self

    def extend(self, parts) -> "Msg":
        for p in parts:
            if isinstance(p, str):
                self.add(p)
            else:
                self.add(p[1], p[0])
        return self

    def render(self, lower: bool = False) -> tuple[str, list[dict]]:
        text = ""
        spans = []
        for typ, s in self.parts:
            if lower:
                s = s.lower()
            if typ:
                spans.append({"start": len(text), "end": len(text) + len(s), "type": typ, "text": s})
            text += s
        return text, spans


# --------------------------------------------------------------------------
# Checksums
# --------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(body: str) -> str:
    for c in "0123456789":
        if luhn_ok(body + c):
            return c
    raise AssertionError("unreachable")


def iban_ok(iban: str) -> bool:
    s = re.sub(r"\s", "", iban).upper()
    r = s[4:] + s[:4]
    n = "".join(str(int(c, 36)) for c in r)
    return int(n) % 97 == 1


# --------------------------------------------------------------------------
# Structured identifiers
# --------------------------------------------------------------------------

CARD_SCHEMES = [
    # (scheme, prefixes, lengths, weight)
    ("visa", ["4"], [16, 16, 16, 13, 19], 5),
    ("mastercard", ["51", "52", "53", "54", "55"], [16], 3),
    ("mastercard2", ["2221", "2300", "2450", "2601", "2720", "2299"], [16], 2),
    ("amex", ["34", "37"], [15], 3),
    ("discover", ["6011", "644", "645", "649", "65", "622126", "622925"], [16, 16, 19], 2),
    ("jcb", ["3528", "3530", "3566", "3589"], [16, 16, 17, 18, 19], 2),
    ("jcb15", ["1800", "2131"], [15], 1),
    ("maestro", ["5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763"], [12, 13, 14, 15, 16, 17, 18, 19], 3),
    ("unionpay", ["62"], [16, 17, 18, 19], 2),
    ("diners", ["300", "301", "305", "36", "38"], [14], 2),
]


# Every scheme at every length it issues, dealt from a shuffled deck so
# that each combination occurs (a 12-digit Maestro as well as a 16-digit Visa).
_CARD_DECK: list[tuple[str, list[str], int]] = []


def card_number(rng: random.Random) -> tuple[str, str]:
    if not _CARD_DECK:
        for scheme, prefixes, lengths, weight in CARD_SCHEMES:
            for length in sorted(set(lengths)):
                _CARD_DECK.extend([(scheme, prefixes, length)] * max(1, weight * lengths.count(length) // len(set(lengths))))
        rng.shuffle(_CARD_DECK)
    scheme, prefixes, length = _CARD_DECK.pop()
    prefix = rng.choice(prefixes)
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return scheme, body + luhn_digit(body)


def group(digits: str, sizes: list[int], sep: str) -> str:
    out, i = [], 0
    for s in sizes:
        if i >= len(digits):
            break
        out.append(digits[i:i + s])
        i += s
    if i < len(digits):
        out.append(digits[i:])
    return sep.join(out)


def format_card(rng: random.Random, scheme: str, digits: str) -> str:
    n = len(digits)
    sep = rng.choice([" ", " ", "-", "", ""])
    if sep == "":
        return digits
    if n == 15 and scheme in ("amex", "jcb15"):
        return group(digits, [4, 6, 5], sep)
    if n == 14:
        return group(digits, [4, 6, 4], sep)
    if n == 13:
        return group(digits, rng.choice([[4, 3, 3, 3], [4, 4, 5]]), sep)
    return group(digits, [4] * 5, sep)


def bad_card(rng: random.Random) -> str:
    """A 16-digit number that fails Luhn."""
    body = rng.choice("3456") + "".join(rng.choice(string.digits) for _ in range(14))
    good = luhn_digit(body)
    bad = str((int(good) + rng.randint(1, 9)) % 10)
    assert not luhn_ok(body + bad)
    return body + bad


# BBAN layouts after the SWIFT IBAN registry: n digits, a upper letters, c alphanumerics.
IBAN_LAYOUTS = {
    "AD": "4n4n12c", "AT": "5n11n", "BE": "3n7n2n", "BG": "4a4n2n8c", "CH": "5n12c",
    "CY": "3n5n16c", "CZ": "4n6n10n", "DE": "8n10n", "DK": "4n9n1n", "EE": "2n2n11n1n",
    "ES": "4n4n1n1n10n", "FI": "3n11n", "FR": "5n5n11c2n", "GB": "4a6n8n", "GR": "3n4n16c",
    "HR": "7n10n", "HU": "3n4n1n15n1n", "IE": "4a6n8n", "IS": "4n2n6n10n", "IT": "1a5n5n12c",
    "LI": "5n12c", "LT": "5n11n", "LU": "3n13c", "LV": "4a13c", "MT": "4a5n18c", "NL": "4a10n",
    "NO": "4n6n1n", "PL": "8n16n", "PT": "4n4n11n2n", "RO": "4a16c", "SE": "3n16n1n",
    "SI": "5n8n2n", "SK": "4n6n10n", "TR": "5n1n16c", "MC": "5n5n11c2n", "SM": "1a5n5n12c",
}

BANK_CODES = {"GB": ["NWBK", "BARC", "LOYD", "HBUK", "MIDL"], "IE": ["AIBK", "BOFI"], "NL": ["ABNA", "INGB", "RABO", "TRIO", "SNSB"]}


def iban(rng: random.Random, country: str) -> str:
    bban = ""
    layout = IBAN_LAYOUTS[country]
    for count, kind in re.findall(r"(\d+)([nac])", layout):
        pool = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}[kind]
        if kind == "c":
            # Real alphanumeric BBANs are mostly digits.
            bban += "".join(rng.choice(string.digits) if rng.random() < 0.8 else rng.choice(pool) for _ in range(int(count)))
        else:
            bban += "".join(rng.choice(pool) for _ in range(int(count)))
    if country in BANK_CODES:
        code = rng.choice(BANK_CODES[country])
        bban = code + bban[4:]
    r = bban + country + "00"
    n = int("".join(str(int(c, 36)) for c in r))
    check = 98 - n % 97
    s = f"{country}{check:02d}{bban}"
    assert iban_ok(s)
    return s


def format_iban(rng: random.Random, s: str) -> str:
    style = rng.random()
    if style < 0.55:
        out = " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    else:
        out = s
    if rng.random() < 0.18:
        out = out.lower()
    return out


def ssn(rng: random.Random) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    g = rng.randint(1, 99)
    serial = rng.randint(1, 9999)
    sep = rng.choice(["-", "-", "-", " "])
    return f"{area:03d}{sep}{g:02d}{sep}{serial:04d}"


NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
NINO_BAD = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nino(rng: random.Random) -> str:
    while True:
        p = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
        if p not in NINO_BAD:
            break
    d = "".join(rng.choice(string.digits) for _ in range(6))
    s = rng.choice("ABCD")
    if rng.random() < 0.45:
        return f"{p} {d[:2]} {d[2:4]} {d[4:]} {s}"
    return f"{p}{d}{s}"


def ipv4(rng: random.Random) -> str:
    first = rng.choice([rng.randint(1, 223), 10, 192, 172, 81, 88, 213, 2, 37, 62, 77, 185])
    if first == 192:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if first == 172:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = rng.choice(["2001", "2a02", "2a01", "2600", "2804", "fe80", "2a00", "2003"])
    style = rng.random()
    if style < 0.35:
        s = ":".join(groups)
    elif style < 0.8:
        head = rng.randint(1, 4)
        tail = rng.randint(1, 6 - head)
        s = ":".join(groups[:head]) + "::" + ":".join(groups[8 - tail:])
    else:
        s = ":".join(g.zfill(4) for g in groups)
    if rng.random() < 0.2:
        s = s.upper()
    return s


def order_ref(rng: random.Random) -> str:
    k = rng.random()
    if k < 0.2:
        return str(rng.randint(10_000_000, 9_999_999_999))
    if k < 0.35:
        return f"{rng.randint(100, 999)}-{rng.randint(0, 9_999_999):07d}-{rng.randint(0, 9_999_999):07d}"
    if k < 0.55:
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(2, 3)))
        return f"{letters}-{rng.randint(100_000, 99_999_999)}"
    if k < 0.65:
        return f"{rng.choice(string.ascii_uppercase)}{rng.randint(10_000_000, 999_999_999)}"
    if k < 0.75:
        return f"{rng.randint(2021, 2025)}-{rng.randint(1, 999_999):06d}"
    if k < 0.85:
        return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8)) + str(rng.randint(10, 99))
    return f"{rng.choice(['ES', 'DE', 'FR', 'IT', 'NL', 'PL', 'PT', 'UK'])}{rng.randint(10_000_000, 99_999_999)}"


def booking_ref(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    if rng.random() < 0.7:
        return "".join(rng.choice(alphabet) for _ in range(6))
    return f"{rng.choice(['BK', 'RES', 'H', 'TR'])}{rng.randint(100_000, 9_999_999)}"


def account_ref(rng: random.Random) -> str:
    k = rng.random()
    if k < 0.4:
        return str(rng.randint(10_000_000, 99_999_999))
    if k < 0.7:
        return f"{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}"
    return f"{rng.choice(['C', 'CU', 'KD', 'CL', 'ACC'])}{rng.randint(100_000, 99_999_999)}"


def ups_check(body: str) -> str:
    """Check digit of a UPS 1Z number over the 15 characters after 1Z."""
    total = 0
    for i, c in enumerate(body):
        v = int(c) if c.isdigit() else (ord(c) - 63) % 10
        total += v * (2 if i % 2 else 1)
    return str((10 - total % 10) % 10)


def tracking(rng: random.Random) -> str:
    k = rng.random()
    if k < 0.25:
        body = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6)) + f"{rng.randint(1, 99):02d}" + f"{rng.randint(0, 9_999_999):07d}"
        return "1Z" + body + ups_check(body)
    if k < 0.5:
        d = f"{rng.randint(0, 99_999_999):08d}"
        w = [8, 6, 4, 2, 3, 5, 9, 7]
        c = 11 - sum(int(a) * b for a, b in zip(d, w)) % 11
        c = {10: 0, 11: 5}.get(c, c)
        return f"{rng.choice(['RX', 'JD', 'TT', 'LX', 'RR', 'CP', 'PQ'])}{d}{c}{rng.choice(['GB', 'GB', 'DE', 'ES', 'FR', 'NL', 'PL', 'PT', 'IT'])}"
    if k < 0.65:
        return str(rng.randint(1_000_000_000, 9_999_999_999))  # DHL Express, 10 digits
    if k < 0.8:
        return str(rng.randint(100_000_000_000, 999_999_999_999))  # FedEx, 12 digits
    if k < 0.9:
        return "JJD" + "".join(rng.choice(string.digits) for _ in range(rng.choice([15, 18])))
    return "3S" + "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(rng.choice(string.digits) for _ in range(rng.randint(7, 9)))


def sort_code(rng: random.Random) -> str:
    a, b, c = rng.randint(1, 99), rng.randint(0, 99), rng.randint(0, 99)
    sep = rng.choice(["-", "-", " ", ""])
    return f"{a:02d}{sep}{b:02d}{sep}{c:02d}"


# --------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------

LANGS = ["en", "es", "de", "fr", "it", "nl", "pt", "pl"]
LANG_WEIGHTS = [40, 13, 11, 10, 7, 7, 6, 6]

MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split(),
    "nl": "januari februari maart april mei juni juli augustus september oktober november december".split(),
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro".split(),
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia".split(),
}
DAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "es": "lunes martes miércoles jueves viernes sábado domingo".split(),
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split(),
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split(),
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica".split(),
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split(),
    "pt": "segunda terça quarta quinta sexta sábado domingo".split(),
    "pl": "poniedziałek wtorek środa czwartek piątek sobota niedziela".split(),
}


def ordinal_en(d: int) -> str:
    if 10 <= d % 100 <= 20:
        return f"{d}th"
    return f"{d}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th') }"


def date_text(rng: random.Random, lang: str, y: int, m: int, d: int) -> str:
    mon = MONTHS[lang][m - 1]
    short_year = rng.random() < 0.12
    yy = f"{y % 100:02d}" if short_year else str(y)
    if lang == "en":
        f = rng.choice(["dmy/", "mdy/", "dmy/", "d Month y", "Month d, y", "dth of Month y", "dth Month y", "iso", "dmy.", "Mon d y", "dmy-"])
        if f == "dmy/":
            return f"{d:02d}/{m:02d}/{yy}" if rng.random() < 0.7 else f"{d}/{m}/{yy}"
        if f == "mdy/":
            return f"{m:02d}/{d:02d}/{yy}" if rng.random() < 0.6 else f"{m}/{d}/{yy}"
        if f == "dmy.":
            return f"{d:02d}.{m:02d}.{y}"
        if f == "dmy-":
            return f"{d:02d}-{m:02d}-{y}"
        if f == "d Month y":
            return f"{d} {mon} {y}"
        if f == "Month d, y":
            return f"{mon} {d}, {y}" if rng.random() < 0.7 else f"{mon} {d} {y}"
        if f == "dth of Month y":
            return f"{ordinal_en(d)} of {mon} {y}"
        if f == "dth Month y":
            return f"{ordinal_en(d)} {mon} {y}"
        if f == "Mon d y":
            return f"{mon[:3]} {d} {y}"
        return f"{y}-{m:02d}-{d:02d}"
    numeric_sep = {"es": "/", "de": ".", "fr": "/", "it": "/", "nl": "-", "pt": "/", "pl": "."}[lang]
    f = rng.random()
    if f < 0.45:
        sep = numeric_sep if rng.random() < 0.7 else rng.choice("/.-")
        if rng.random() < 0.75:
            return f"{d:02d}{sep}{m:02d}{sep}{yy}"
        return f"{d}{sep}{m}{sep}{yy}"
    if f < 0.55:
        return f"{y}-{m:02d}-{d:02d}"
    if lang in ("es", "pt"):
        return f"{d} de {mon} de {y}" if rng.random() < 0.7 else f"{d} {mon} {y}"
    if lang == "de":
        return f"{d}. {mon} {y}"
    if lang == "fr":
        return f"{'1er' if d == 1 and rng.random() < 0.7 else d} {mon} {y}"
    return f"{d} {mon} {y}"


def birth_date(rng: random.Random, lang: str) -> str:
    return date_text(rng, lang, rng.randint(1932, 2007), rng.randint(1, 12), rng.randint(1, 28))


def ordinary_date(rng: random.Random, lang: str) -> str:
    return date_text(rng, lang, rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28))


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

# Locales for names, by language of the message (most often) and a wide
# pool for the mixed cases (a Polish name in an English sentence).
NAME_LOCALES = {
    "en": ["en_US", "en_GB", "en_IE", "en_CA", "en_AU", "en_NZ", "en_IN", "en_NG"],
    "es": ["es_ES", "es_ES", "es_MX", "es_AR", "es_CO", "es_CL"],
    "de": ["de_DE", "de_DE", "de_AT", "de_CH"],
    "fr": ["fr_FR", "fr_FR", "fr_BE", "fr_CH", "fr_CA"],
    "it": ["it_IT", "it_IT", "it_CH"],
    "nl": ["nl_NL", "nl_NL", "nl_BE"],
    "pt": ["pt_PT", "pt_BR"],
    "pl": ["pl_PL"],
}
WIDE_NAME_LOCALES = [
    "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "tr_TR", "sv_SE", "da_DK", "no_NO", "fi_FI", "is_IS",
    "hr_HR", "lt_LT", "ga_IE", "yo_NG", "en_NG", "en_IN", "id_ID", "zu_ZA", "vi_VN", "de_DE", "fr_FR",
    "es_ES", "it_IT", "nl_NL", "pt_BR", "en_US", "en_GB",
]
ROMANIZED = ["ja_JP", "zh_CN"]

_FAKERS: dict[str, Faker] = {}


def fk(loc: str) -> Faker:
    if loc not in _FAKERS:
        f = Faker(loc)
        f.seed_instance(SEED * 1000 + len(_FAKERS))
        _FAKERS[loc] = f
    return _FAKERS[loc]


PARTICLES = [
    ("van", "nl"), ("van der", "nl"), ("van den", "nl"), ("de", "nl"), ("van de", "nl"),
    ("von", "de"), ("von der", "de"), ("de la", "es"), ("del", "es"), ("de", "es"),
    ("di", "it"), ("da", "pt"), ("dos", "pt"), ("de", "fr"), ("du", "fr"), ("le", "fr"),
]
IRISH_SCOTS = ["O'Brien", "O'Connor", "O'Sullivan", "O'Neill", "McCarthy", "MacDonald", "McAllister", "O'Shea", "D'Arcy", "Ní Bhriain", "Mac Giolla"]


class Person:
    def __init__(self, first: str, last: str, loc: str) -> None:
        self.first = first
        self.last = last
        self.loc = loc

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


def clean(s: str) -> str:
    return s.strip()


def make_person(rng: random.Random, lang: str) -> Person:
    r = rng.random()
    if r < 0.62:
        loc = rng.choice(NAME_LOCALES[lang])
    elif r < 0.95:
        loc = rng.choice(WIDE_NAME_LOCALES)
    else:
        loc = rng.choice(ROMANIZED)
    f = fk(loc)
    if loc in ROMANIZED:
        first, last = f.first_romanized_name(), f.last_romanized_name()
    else:
        first, last = clean(f.first_name()), clean(f.last_name())
    k = rng.random()
    if k < 0.08:
        particle, plang = rng.choice(PARTICLES)
        base = clean(fk({"nl": "nl_NL", "de": "de_DE", "es": "es_ES", "it": "it_IT", "pt": "pt_BR", "fr": "fr_FR"}[plang]).last_name())
        base = base.split(" ")[-1]
        last = f"{particle} {base}"
        if plang == "nl" and rng.random() < 0.3:
            last = last[0].upper() + last[1:]
    elif k < 0.13:
        last = rng.choice(IRISH_SCOTS)
    elif k < 0.22 and loc.startswith(("es_", "pt_")):
        last = f"{last} {clean(f.last_name())}"
    elif k < 0.26:
        last = f"{last}-{clean(f.last_name())}"
    if rng.random() < 0.05 and loc not in ROMANIZED:
        first = f"{first} {clean(f.first_name())}"
    return Person(first, last, loc)


def ascii_fold(s: str) -> str:
    s = s.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("æ", "ae").replace("ß", "ss").replace("đ", "d").replace("Þ", "Th").replace("þ", "th").replace("ð", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(s).lower())


EMAIL_DOMAINS = [
    "example.com", "example.org", "example.net", "mail.example.com", "post.example.org",
    "gmail.com", "outlook.com", "hotmail.com", "yahoo.co.uk", "icloud.com", "proton.me",
    "web.de", "gmx.de", "t-online.de", "gmx.at", "bluewin.ch", "orange.fr", "free.fr", "laposte.net",
    "hotmail.es", "telefonica.net", "libero.it", "tiscali.it", "ziggo.nl", "kpnmail.nl", "telenet.be",
    "wp.pl", "onet.pl", "o2.pl", "sapo.pt", "uol.com.br", "eircom.net", "btinternet.com", "bigpond.com",
]


def email_for(rng: random.Random, p: Person | None) -> str:
    if p is None or rng.random() < 0.15:
        user = slug(fk("en_US").user_name()) or "user"
        user += str(rng.randint(1, 999)) if rng.random() < 0.5 else ""
    else:
        f, l = slug(p.first.split(" ")[0]), slug(p.last.split(" ")[-1])
        user = rng.choice([
            f"{f}.{l}", f"{f}{l}", f"{f[0]}{l}", f"{f}_{l}", f"{l}.{f}", f"{f}{rng.randint(1, 99)}",
            f"{f}.{l}{rng.randint(70, 99)}", f"{f[0]}.{l}", f"{l}{f[0]}", f"{f}-{l}",
        ])
        if rng.random() < 0.07:
            user += "+" + rng.choice(["orders", "shop", "amazon", "promo", "bills"])
    dom = rng.choice(EMAIL_DOMAINS)
    e = f"{user}@{dom}"
    if rng.random() < 0.06:
        e = e[0].upper() + e[1:]
    return e


def handle_for(rng: random.Random, p: Person | None) -> str:
    if p is None or rng.random() < 0.3:
        base = slug(fk("en_US").user_name())[:12] or "someone"
    else:
        f, l = slug(p.first.split(" ")[0]), slug(p.last.split(" ")[-1])
        base = rng.choice([f + l, f + "_" + l, f[0] + l, l + f[:3], f + str(rng.randint(1, 99)), "the_" + f, f + "_" + l[:1], f + "x" + l[:2]])
    h = base[:15]
    if rng.random() < 0.25:
        h = h[:12] + str(rng.randint(1, 999))
    if rng.random() < 0.2:
        h = h.capitalize()
    return "@" + h[:15]


BRAND_HANDLES = [
    "@AmazonHelp", "@AskPayPal", "@VodafoneUK", "@Ryanair", "@easyJet", "@Iberia", "@KLM", "@DB_Bahn",
    "@Renfe", "@SNCF", "@Trenitalia", "@NS_online", "@PostNL", "@DHLParcel_UK", "@CTT_Correios", "@InPost",
    "@Allegro", "@bol_com", "@Zalando", "@IKEAUK", "@Orange_conseil", "@movistar_es", "@TIM_Official",
    "@TelekomHilft", "@o2de_hilfe", "@Vodafone_ES", "@MetroBank", "@NatWest_Help", "@Revolut", "@N26",
    "@BBVA_Ayuda", "@ING_Helpt", "@Santander_Ayuda", "@UberEats", "@Deliveroo", "@JustEatUK", "@glovo_es",
    "@SpotifyCares", "@NetflixHelps", "@XboxSupport", "@AskPlayStation", "@AppleSupport", "@SamsungMobileUS",
    "@British_Airways", "@AerLingus", "@TAPAirPortugal", "@LOTPolishAirlin", "@Wizz_Air", "@vueling",
    "@Decathlon", "@ElCorteIngles", "@MediaMarkt_DE", "@Fnac", "@coolblue", "@Carrefour", "@lidl_uk",
    "@Tesco", "@sainsburys", "@asda", "@ATT", "@Ask_Spectrum", "@comcastcares", "@VerizonSupport",
    "@TMobileHelp", "@SouthwestAir", "@united", "@Delta", "@airbnbhelp", "@Booking_Help", "@Uber_Support",
]

# --------------------------------------------------------------------------
# Phones: numbers valid in their plan (checked with phonenumbers), written
# the ways people write them.
# --------------------------------------------------------------------------

PHONE_REGIONS = {
    "en": ["US", "US", "GB", "GB", "IE", "CA", "AU", "NZ"],
    "es": ["ES", "ES", "ES", "MX", "AR", "CO"],
    "de": ["DE", "DE", "AT", "CH"],
    "fr": ["FR", "FR", "BE", "CH", "CA"],
    "it": ["IT", "IT", "CH"],
    "nl": ["NL", "NL", "BE"],
    "pt": ["PT", "PT", "BR"],
    "pl": ["PL"],
}
EXTRA_REGIONS = ["SE", "DK", "NO", "FI", "IE", "PL", "PT", "CZ", "GR", "LU", "GB", "DE", "ES", "US"]
TRUNK_ZERO = {"GB", "DE", "AT", "CH", "NL", "BE", "FR", "IE", "AU", "NZ", "SE", "FI"}
ES_FIXED_PREFIX = ["91", "93", "95", "96", "94", "98", "97", "92", "88", "87"]


# Each written number (lower-cased, before any extension) and its region,
# so the self-test can check it again.
PHONE_REGION_OF: dict[str, str] = {}


def valid_number(rng: random.Random, region: str, kind: int) -> pn.PhoneNumber:
    ex = pn.example_number_for_type(region, kind)
    nsn = pn.national_significant_number(ex)  # keeps Italy's leading zero
    cc = ex.country_code
    for _ in range(2000):
        keep = rng.choice([1, 1, 2, 2, 3])
        length = len(nsn)
        if region in ("DE", "AT") and kind == PT.FIXED_LINE:
            length += rng.choice([0, 0, 1, 2])
        prefix = nsn[:keep]
        if region == "ES" and kind == PT.FIXED_LINE:
            prefix = rng.choice(ES_FIXED_PREFIX)
        cand = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix)))
        try:
            n = pn.parse(f"+{cc}{cand}")
        except pn.NumberParseException:
            continue
        if not pn.is_valid_number(n) or pn.region_code_for_number(n) != region:
            continue
        t = pn.number_type(n)
        groups = digit_groups(pn.format_number(n, PF.NATIONAL))
        if region in ("DE", "AT") and len(groups) > 1 and groups[1].startswith("0"):
            continue  # valid in the plan, but no subscriber number starts with 0
        if t == kind or t == PT.FIXED_LINE_OR_MOBILE:
            return n
    raise RuntimeError(f"no valid {region} number")


def digit_groups(s: str) -> list[str]:
    return re.findall(r"\d+", s)


def phone_text(rng: random.Random, region: str, mobile: bool | None = None, allow_ext: bool = True) -> str:
    if mobile is None:
        mobile = rng.random() < 0.6
    n = valid_number(rng, region, PT.MOBILE if mobile else PT.FIXED_LINE)
    nat = pn.format_number(n, PF.NATIONAL)
    intl = pn.format_number(n, PF.INTERNATIONAL)
    e164 = pn.format_number(n, PF.E164)
    cc = str(n.country_code)
    style = rng.random()
    if region == "ES" and style < 0.5:
        d = re.sub(r"\D", "", nat)
        text = rng.choice([group(d, [3, 3, 3], " "), group(d, [3, 2, 2, 2], " "), d, group(d, [3, 3, 3], ".")])
        if rng.random() < 0.3:
            text = "+34 " + text
    elif style < 0.3:
        text = nat
    elif style < 0.5:
        text = intl
    elif style < 0.6:
        text = e164
    elif style < 0.75:
        groups = digit_groups(nat)
        sep = rng.choice(["-", ".", "", " ", "/"] if region in ("DE", "AT") else ["-", ".", "", " "])
        if region in ("DE", "AT") and sep == "/":
            text = groups[0] + "/" + "".join(groups[1:])
        else:
            text = sep.join(groups)
    elif style < 0.85:
        groups = digit_groups(intl)[1:]
        if region in TRUNK_ZERO and rng.random() < 0.6:
            text = f"+{cc} (0)" + " ".join(groups)
        elif cc != "1":
            text = f"00{cc} " + " ".join(groups)
        else:
            text = "1-" + "-".join(groups)
    elif style < 0.93:
        groups = digit_groups(intl)[1:]
        text = f"+{cc}-" + "-".join(groups) if rng.random() < 0.5 else f"+{cc} " + "".join(groups)
    else:
        text = nat
        if cc == "1":
            text = "+1 " + nat
    # The written form must read back as the same valid number.
    check = re.sub(r"\(0\)", "", text)
    parsed = pn.parse(check, region)
    if not (pn.is_valid_number(parsed) and parsed.national_number == n.national_number):
        text = nat
    PHONE_REGION_OF[text.lower()] = region
    if allow_ext and not mobile and region in ("US", "CA", "GB", "IE", "AU") and rng.random() < 0.22:
        text += rng.choice([f" x{rng.randint(2, 99)}", f" ext. {rng.randint(100, 9999)}", f" ext {rng.randint(10, 999)}", f" Ext. {rng.randint(1, 99)}", f"x{rng.randint(100, 999)}"])
    return text


# --------------------------------------------------------------------------
# Addresses: per country, as lines; written on one line (", ") or several.
# --------------------------------------------------------------------------

COUNTRY_NAMES = {
    "US": ["USA", "United States"], "GB": ["UK", "United Kingdom"], "IE": ["Ireland"], "CA": ["Canada"],
    "AU": ["Australia"], "DE": ["Germany", "Deutschland"], "AT": ["Austria", "Österreich"], "CH": ["Switzerland", "Schweiz"],
    "FR": ["France"], "BE": ["Belgium", "Belgique", "België"], "ES": ["Spain", "España"], "IT": ["Italy", "Italia"],
    "NL": ["Netherlands", "Nederland", "The Netherlands"], "PL": ["Poland", "Polska"], "PT": ["Portugal"],
    "SE": ["Sweden", "Sverige"], "DK": ["Denmark", "Danmark"], "BR": ["Brasil"], "MX": ["México"],
}
IE_TOWNS = [("Dublin 8", "D08"), ("Dublin 4", "D04"), ("Cork", "T12"), ("Galway", "H91"), ("Limerick", "V94"), ("Ballina, Co. Mayo", "F26"), ("Tralee, Co. Kerry", "V92"), ("Navan, Co. Meath", "C15"), ("Sligo", "F91"), ("Athlone, Co. Westmeath", "N37")]
IE_STREETS = ["Main Street", "Church Road", "O'Connell Street", "Castle Street", "Mill Lane", "Bridge Street", "Seafield Road", "Green Lane", "Ashfield Park", "The Crescent"]
CA_CITIES = [("Toronto", "ON", "M"), ("Ottawa", "ON", "K"), ("Vancouver", "BC", "V"), ("Calgary", "AB", "T"), ("Halifax", "NS", "B"), ("Winnipeg", "MB", "R"), ("Montréal", "QC", "H"), ("Québec", "QC", "G"), ("Regina", "SK", "S")]
AU_CITIES = [("Fitzroy", "VIC", "3065"), ("Newtown", "NSW", "2042"), ("Fortitude Valley", "QLD", "4006"), ("Glenelg", "SA", "5045"), ("Fremantle", "WA", "6160"), ("Hobart", "TAS", "7000"), ("Braddon", "ACT", "2612"), ("Parramatta", "NSW", "2150")]
AU_STREET_TYPES = ["St", "Street", "Rd", "Road", "Ave", "Cres", "Pde", "Tce", "Lane"]
US_STREET_TYPES = ["St", "Street", "Ave", "Avenue", "Blvd", "Rd", "Dr", "Ln", "Ct", "Way", "Pl"]
US_APO = [("AE", "09"), ("AP", "96"), ("AA", "340")]


def caps_alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ACDEFHKNPRTVWXY0123456789") for _ in range(n))


def ca_postcode(rng: random.Random, first: str) -> str:
    L = "ABCEGHJKLMNPRSTVXY"
    return f"{first}{rng.randint(0, 9)}{rng.choice(L)} {rng.randint(0, 9)}{rng.choice(L)}{rng.randint(0, 9)}"


def first_word_street(f: Faker) -> str:
    return clean(f.street_name())


def address_lines(rng: random.Random, country: str) -> list[str]:
    """The lines of one address (no person's name)."""
    r = rng.random()
    if country == "US":
        f = fk("en_US")
        if r < 0.12:
            st, pre = rng.choice(US_APO)
            zipc = pre + "".join(rng.choice(string.digits) for _ in range(5 - len(pre)))
            kind = rng.choice(["APO", "FPO", "DPO"] if st != "AA" else ["APO", "FPO"])
            first = rng.choice([
                f"PSC {rng.randint(1, 9999)}, Box {rng.randint(1, 9999)}",
                f"Unit {rng.randint(1000, 9999)} Box {rng.randint(1, 9999)}",
                f"CMR {rng.randint(400, 499)} Box {rng.randint(1, 9999)}",
            ])
            return [first, f"{kind} {st} {zipc}"]
        city, state, zipc = f.city(), f.state_abbr(), f.postcode()
        if r < 0.22:
            return [rng.choice(["PO Box", "P.O. Box", "PO BOX"]) + f" {rng.randint(1, 99999)}", f"{city}, {state} {zipc}"]
        street = f"{f.building_number()} {f.last_name()} {rng.choice(US_STREET_TYPES)}"
        if rng.random() < 0.35:
            street += rng.choice([f" Apt {rng.randint(1, 40)}", f" Apt. {rng.randint(1, 20)}{rng.choice('ABCD')}", f" #{rng.randint(1, 400)}", f" Suite {rng.randint(100, 900)}", f" Unit {rng.randint(1, 30)}"])
        return [street, f"{city}, {state} {zipc}" if rng.random() < 0.7 else f"{city} {state} {zipc}"]
    if country == "GB":
        f = fk("en_GB")
        lines = []
        if r < 0.3:
            lines.append(rng.choice([f"Flat {rng.randint(1, 40)}", f"Flat {rng.randint(1, 9)}{rng.choice('ABC')}", f"Apartment {rng.randint(1, 90)}", f"{rng.choice(['Ground', 'First', 'Top'])} Floor Flat"]))
        lines.append(f"{rng.randint(1, 240)} {first_word_street(f)}")
        if rng.random() < 0.3:
            lines.append(f.city())
        lines.append(rng.choice(["London", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff", f.city(), f.city()]))
        lines.append(f.postcode())
        return lines
    if country == "IE":
        town, key = rng.choice(IE_TOWNS)
        lines = []
        if r < 0.3:
            lines.append(rng.choice([f"Apt {rng.randint(1, 60)}", f"Apartment {rng.randint(1, 60)}, The Maltings", f"{rng.randint(1, 40)} Ashgrove"]))
        lines.append(f"{rng.randint(1, 140)} {rng.choice(IE_STREETS)}")
        lines.extend(town.split(", "))
        lines.append(f"{key} {caps_alnum(rng, 4)}")
        return lines
    if country == "CA":
        f = fk("en_CA")
        city, prov, first = rng.choice(CA_CITIES)
        pc = ca_postcode(rng, first)
        if prov == "QC" and rng.random() < 0.6:
            street = f"{rng.randint(10, 9999)} rue {rng.choice(['Sainte-Catherine O', 'Saint-Denis', 'Sherbrooke Est', 'Principale', 'des Érables'])}"
            if rng.random() < 0.4:
                street = f"app. {rng.randint(1, 30)}, " + street
            return [street, f"{city} (Québec) {pc}" if rng.random() < 0.5 else f"{city}, QC {pc}"]
        street = f"{rng.randint(1, 9999)} {f.last_name()} {rng.choice(['St', 'Ave', 'Rd', 'Cres', 'Dr'])}{rng.choice(['', '', ' W', ' E'])}"
        if rng.random() < 0.35:
            street = f"Unit {rng.randint(1, 30)}, " + street if rng.random() < 0.5 else f"{rng.randint(100, 2400)}-" + street
        return [street, f"{city} {prov} {pc}" if rng.random() < 0.5 else f"{city}, {prov} {pc}"]
    if country == "AU":
        f = fk("en_AU")
        city, state, pc = rng.choice(AU_CITIES)
        num = f"{rng.randint(1, 30)}/{rng.randint(1, 200)}" if rng.random() < 0.4 else str(rng.randint(1, 400))
        street = f"{num} {f.last_name()} {rng.choice(AU_STREET_TYPES)}"
        if rng.random() < 0.15:
            street = f"Unit {rng.randint(1, 20)}, {rng.randint(1, 200)} {f.last_name()} {rng.choice(AU_STREET_TYPES)}"
        return [street, f"{city} {state} {pc}" if rng.random() < 0.6 else f"{city}, {state}, {pc}"]
    if country in ("DE", "AT", "CH"):
        f = fk({"DE": "de_DE", "AT": "de_AT", "CH": "de_CH"}[country])
        street = first_word_street(f)
        num = str(rng.randint(1, 180)) + (rng.choice(["a", "b", ""]) if rng.random() < 0.3 else "")
        if country == "AT" and rng.random() < 0.5:
            num += f"/{rng.randint(1, 9)}/{rng.randint(1, 30)}"
        pc = f"{rng.randint(1010, 9999)}" if country != "DE" else f"{rng.randint(1067, 99998):05d}"
        lines = []
        if r < 0.15:
            lines.append(f"Postfach {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}")
        else:
            lines.append(f"{street} {num}")
            if rng.random() < 0.15:
                lines.append(rng.choice([f"{rng.randint(1, 6)}. OG", "Hinterhaus", f"{rng.randint(1, 5)}. Stock links", "App. 12"]))
        lines.append(f"{pc} {f.city()}")
        return lines
    if country in ("FR", "BE"):
        if country == "BE" and rng.random() < 0.5:
            f = fk("nl_BE")
            return [f"{first_word_street(f)} {rng.randint(1, 200)}{rng.choice(['', '', f' bus {rng.randint(1, 12)}'])}", f"{rng.randint(1000, 9999)} {f.city()}"]
        f = fk("fr_FR")
        lines = []
        if r < 0.2:
            lines.append(rng.choice([f"Bât. {rng.choice('ABCD')}, appt {rng.randint(1, 60)}", f"Résidence {f.last_name()}", f"{rng.randint(1, 9)}e étage"]))
        num = str(rng.randint(1, 150)) + (rng.choice([" bis", " ter", ""]) if rng.random() < 0.2 else "")
        st = first_word_street(f)
        lines.append(f"{num}, {st}" if rng.random() < 0.4 else f"{num} {st}")
        if country == "BE":
            lines.append(f"{rng.randint(1000, 9999)} {rng.choice(['Bruxelles', 'Liège', 'Namur', 'Charleroi', 'Mons'])}")
        else:
            pc = f"{rng.choice(['75', '69', '13', '33', '31', '59', '67', '44', '06', '35'])}{rng.randint(0, 999):03d}"
            lines.append(f"{pc} {f.city()}" if rng.random() < 0.6 else f"{pc} {rng.choice(['Paris', 'Lyon', 'Marseille', 'Bordeaux', 'Toulouse', 'Lille', 'Strasbourg', 'Nantes', 'Nice', 'Rennes'])}")
        if rng.random() < 0.1:
            lines[-1] += " Cedex"
        return lines
    if country in ("ES", "MX"):
        f = fk("es_ES")
        city = rng.choice(["Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Murcia", "Palma", "Valladolid", f.city()])
        pc = f"{rng.randint(1, 52):02d}{rng.randint(0, 999):03d}"
        if r < 0.1:
            return [f"Apartado de Correos {rng.randint(1, 9999)}", f"{pc} {city}"]
        typ = rng.choice(["C/", "Calle", "Avda.", "Avenida", "Pza.", "Plaza", "Paseo", "c/", "Ronda", "Camino"])
        st = clean(f.last_name()) if rng.random() < 0.5 else rng.choice(["Mayor", "Alcalá", "de la Paz", "del Carmen", "Real", "San Francisco", "de Gràcia", "Colón"])
        num = rng.randint(1, 200)
        floor = rng.choice([f"{rng.randint(1, 9)}º {rng.choice('ABCDEF')}", f"{rng.randint(1, 9)}º{rng.choice('ABCD')}", f"{rng.randint(1, 9)}º izq.", f"{rng.randint(1, 9)}º dcha.", "bajo", "1º 2ª", f"piso {rng.randint(1, 9)}, puerta {rng.randint(1, 6)}", "ático", ""])
        first = f"{typ} {st}, {num}" if rng.random() < 0.6 else f"{typ} {st} {num}"
        if floor:
            first += f", {floor}" if rng.random() < 0.7 else f" {floor}"
        province = {"Bilbao": "Bizkaia", "Palma": "Illes Balears", "Málaga": "Málaga", "Valladolid": "Valladolid", "Zaragoza": "Zaragoza"}.get(city)
        return [first, f"{pc} {city} ({province})" if province and rng.random() < 0.5 else f"{pc} {city}"]
    if country == "IT":
        f = fk("it_IT")
        city, prov, cap = rng.choice([("Roma", "RM", "00184"), ("Milano", "MI", "20122"), ("Torino", "TO", "10122"), ("Napoli", "NA", "80134"), ("Bologna", "BO", "40121"), ("Firenze", "FI", "50123"), ("Bari", "BA", "70121"), ("Verona", "VR", "37121"), ("Padova", "PD", "35121")])
        cap = cap[:3] + f"{rng.randint(0, 99):02d}"
        st = rng.choice(["Via", "Viale", "Corso", "Piazza", "Via", "Vicolo", "Largo"]) + " " + rng.choice([clean(f.last_name()), "Roma", "Garibaldi", "Mazzini", "Cavour", "Vittorio Emanuele II", "dei Mille", "XX Settembre"])
        num = rng.randint(1, 200)
        first = f"{st}, {num}" if rng.random() < 0.5 else f"{st} {num}"
        if rng.random() < 0.25:
            first += rng.choice([f" int. {rng.randint(1, 20)}", f", scala {rng.choice('ABC')}", f", piano {rng.randint(1, 8)}"])
        return [first, rng.choice([f"{cap} {city} ({prov})", f"{cap} {city} {prov}", f"{cap} {city}"])]
    if country == "NL":
        f = fk("nl_NL")
        num = str(rng.randint(1, 400)) + rng.choice(["", "", "", "a", "-II", "-1", " hs", "B"])
        pc = f"{rng.randint(1000, 9999)} {rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}"
        if rng.random() < 0.2:
            pc = pc.replace(" ", "")
        return [f"{first_word_street(f)} {num}", f"{pc} {rng.choice(['Amsterdam', 'Rotterdam', 'Utrecht', 'Den Haag', 'Eindhoven', 'Groningen', f.city(), f.city()])}"]
    if country == "PL":
        f = fk("pl_PL")
        st = first_word_street(f)
        pre = rng.choice(["ul. ", "ul. ", "al. ", "os. ", "pl. ", ""])
        num = f"{rng.randint(1, 150)}" + (f"/{rng.randint(1, 80)}" if rng.random() < 0.5 else "")
        if rng.random() < 0.15:
            num += f" m. {rng.randint(1, 60)}" if rng.random() < 0.5 else f" lok. {rng.randint(1, 20)}"
        return [f"{pre}{st} {num}", f"{rng.randint(0, 99):02d}-{rng.randint(0, 999):03d} {rng.choice(['Warszawa', 'Kraków', 'Łódź', 'Wrocław', 'Poznań', 'Gdańsk', 'Szczecin', 'Lublin', f.city()])}"]
    if country in ("PT", "BR"):
        if country == "BR":
            f = fk("pt_BR")
            return [f"{first_word_street(f)}, {rng.randint(1, 3000)}" + rng.choice(["", f", apto {rng.randint(11, 1802)}", f" - bloco {rng.choice('ABC')}"]), f"{f.bairro()}", f"{f.city()} - {f.estado_sigla()}", f"{rng.randint(10000, 99999)}-{rng.randint(0, 999):03d}"]
        f = fk("pt_PT")
        st = rng.choice(["Rua", "Av.", "Avenida", "Travessa", "Largo", "R."]) + " " + rng.choice([clean(f.last_name()), "Augusta", "da Liberdade", "de Santa Catarina", "do Carmo", "Dom João V"])
        first = f"{st}, {rng.randint(1, 300)}" if rng.random() < 0.6 else f"{st} {rng.randint(1, 300)}"
        if rng.random() < 0.5:
            first += rng.choice([f", {rng.randint(1, 9)}º Esq.", f", {rng.randint(1, 9)}.º D", f" {rng.randint(1, 9)}º Dto", ", r/c", f", {rng.randint(1, 9)}º B"])
        return [first, f"{rng.randint(1000, 9999)}-{rng.randint(0, 999):03d} {rng.choice(['Lisboa', 'Porto', 'Braga', 'Coimbra', 'Faro', 'Setúbal', 'Aveiro', clean(f.city())])}"]
    if country == "SE":
        f = fk("sv_SE")
        lines = [f"{first_word_street(f)} {rng.randint(1, 90)}"]
        if rng.random() < 0.3:
            lines.append(f"lgh {rng.randint(1001, 1602)}")
        lines.append(f"{rng.randint(100, 985)} {rng.randint(0, 99):02d} {rng.choice(['Stockholm', 'Göteborg', 'Malmö', 'Uppsala', 'Västerås', 'Örebro', f.city()])}")
        return lines
    if country == "DK":
        f = fk("da_DK")
        return [f"{first_word_street(f)} {rng.randint(1, 120)}" + rng.choice(["", f", {rng.randint(1, 5)}. th.", f", {rng.randint(1, 5)}. tv.", ", st."]), f"{rng.randint(1000, 9990)} {rng.choice(['København K', 'Aarhus C', 'Odense C', 'Aalborg', f.city()])}"]
    raise ValueError(country)


ADDRESS_COUNTRIES = {
    "en": ["US", "US", "US", "GB", "GB", "GB", "IE", "IE", "CA", "AU", "AU", "SE", "DK", "NL"],
    "es": ["ES", "ES", "ES", "ES", "MX"],
    "de": ["DE", "DE", "DE", "AT", "CH"],
    "fr": ["FR", "FR", "FR", "BE", "CA"],
    "it": ["IT", "IT", "IT", "CH"],
    "nl": ["NL", "NL", "NL", "BE"],
    "pt": ["PT", "PT", "PT", "BR"],
    "pl": ["PL"],
}


def address(rng: random.Random, country: str, multiline: bool, with_country: bool | None = None) -> str:
    if country == "MX":
        country = "ES"  # written the Spanish way; Mexico's own forms are not covered
    lines = address_lines(rng, country)
    if with_country is None:
        with_country = rng.random() < 0.2
    if with_country:
        lines.append(rng.choice(COUNTRY_NAMES[country]))
    if multiline:
        return "\n".join(lines)
    if country in ("GB", "IE") and len(lines) >= 3 and rng.random() < 0.5:
        # "…, London SW1A 1AA": town and postcode on one line.
        return ", ".join(lines[:-2]) + ", " + lines[-2] + " " + lines[-1]
    return ", ".join(lines)


# --------------------------------------------------------------------------
# Look-alikes (never spans)
# --------------------------------------------------------------------------

CITIES = ["Madrid", "Barcelona", "Berlin", "München", "Hamburg", "Paris", "Lyon", "Milano", "Roma", "Amsterdam", "Rotterdam", "Lisboa", "Porto", "Warszawa", "Kraków", "London", "Manchester", "Dublin", "Cork", "Toronto", "Sydney", "Chicago", "Houston", "Denver", "Brussels", "Vienna", "Zürich", "Stockholm", "Copenhagen", "Sevilla", "Valencia", "Bilbao", "Leeds", "Glasgow", "Boston", "Seattle", "Austin"]
STREET_PLACES = ["Hauptstraße", "Oxford Street", "Gran Vía", "Kalverstraat", "Champs-Élysées", "Via del Corso", "Rua Augusta", "Marszałkowska", "Grafton Street", "Queen Street", "Königsallee", "Regent Street", "Princes Street", "Paseo de Gracia", "Kurfürstendamm", "Drottninggatan", "Strøget", "Market Street", "Fifth Avenue", "Bahnhofstrasse"]
COUNTRIES = ["Spain", "Germany", "France", "Italy", "Portugal", "Poland", "Ireland", "Canada", "Australia", "Mexico", "Brazil", "Sweden", "Belgium", "Austria", "Switzerland", "the Netherlands", "the US", "the UK"]
PRODUCTS = ["iPhone 15 Pro", "Galaxy S24", "Pixel 8a", "PS5 Slim", "Xbox Series X", "AirPods Pro", "Kindle Paperwhite", "MacBook Air", "Nintendo Switch OLED", "Dyson V15", "Thermomix TM6", "Fire TV Stick", "Apple Watch SE", "Surface Pro 9", "Echo Dot", "Roomba j7", "Nespresso Vertuo", "Philips Hue", "Sonos Era 100", "Garmin Forerunner 265"]
BRANDS = ["Amazon", "Vodafone", "Ryanair", "Iberia", "Lufthansa", "Deutsche Bahn", "Renfe", "Zalando", "IKEA", "Orange", "Movistar", "Telekom", "PayPal", "Revolut", "Santander", "Uber Eats", "Deliveroo", "Glovo", "Spotify", "Netflix", "Apple", "Samsung", "DHL", "UPS", "FedEx", "Royal Mail", "PostNL", "InPost", "Allegro", "Decathlon", "El Corte Inglés", "MediaMarkt", "Fnac", "Coolblue", "Carrefour", "Lidl", "Tesco", "Marks & Spencer", "Tommy Hilfiger", "Hugo Boss", "Dr. Martens", "Ben & Jerry's", "Calvin Klein", "Ralph Lauren", "Ted Baker", "Jack Wolfskin", "Giorgio Armani", "Louis Vuitton", "Victoria's Secret", "Wells Fargo", "Charles Schwab", "Morgan Stanley"]
HASHTAGS = ["#fail", "#customerservice", "#help", "#nothappy", "#delay", "#BlackFriday", "#refund", "#ayuda", "#servicio", "#Kundenservice", "#SAV", "#disservizio", "#klantenservice", "#reclamacao", "#reklamacja", "#stillwaiting", "#ThanksForNothing"]
EMOJI = ["🙄", "😡", "🙏", "👍", "😤", "😭", "🤦‍♀️", "💔", "📦", "✈️", "😊", "🤬", "👏", "❤️"]


def price(rng: random.Random, lang: str) -> str:
    v = rng.randint(2, 2500) + rng.choice([0, 0.99, 0.5, 0.49, 0.95])
    if lang == "en":
        cur = rng.choice(["$", "£", "€"])
        return f"{cur}{v:,.2f}" if v != int(v) else f"{cur}{int(v)}"
    if lang == "pl":
        return f"{v:.2f} zł".replace(".", ",")
    if lang == "pt" and rng.random() < 0.4:
        return f"R$ {v:.2f}".replace(".", ",")
    s = f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return rng.choice([f"{s} €", f"{s}€", f"€{s}", f"{int(v)} euros" if lang in ("es", "fr", "pt") else f"{int(v)} Euro"])


def flight(rng: random.Random) -> str:
    code = rng.choice(["IB", "FR", "U2", "LH", "KL", "BA", "EI", "AF", "AZ", "TP", "LO", "VY", "W6", "UA", "DL", "AA", "SK"])
    return f"{code}{rng.choice(['', ' '])}{rng.randint(10, 9899)}"


def train(rng: random.Random) -> str:
    return rng.choice(["ICE", "IC", "AVE", "TGV", "RE", "Frecciarossa", "Alvia", "EC", "Intercity"]) + f" {rng.randint(10, 9999)}"


def clock(rng: random.Random, lang: str) -> str:
    h, m = rng.randint(6, 22), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50, 55])
    if lang == "en" and rng.random() < 0.5:
        return f"{(h - 1) % 12 + 1}:{m:02d}{rng.choice(['am', 'pm', ' pm', 'AM', 'PM'])}" if m else f"{(h - 1) % 12 + 1}{rng.choice(['am', 'pm'])}"
    if lang == "de" and rng.random() < 0.5:
        return f"{h}:{m:02d} Uhr"
    if lang == "fr" and rng.random() < 0.5:
        return f"{h}h{m:02d}"
    return f"{h}:{m:02d}" if rng.random() < 0.7 else f"{h}.{m:02d}"


def version(rng: random.Random) -> str:
    return rng.choice([
        f"v{rng.randint(1, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
        f"iOS {rng.randint(15, 18)}.{rng.randint(0, 6)}.{rng.randint(0, 3)}",
        f"Android {rng.randint(11, 15)}",
        f"version {rng.randint(2, 9)}.{rng.randint(0, 40)}",
        f"build {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(100, 9999)}",
        f"firmware {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(1, 99)}",
    ])


def promo(rng: random.Random) -> str:
    return rng.choice(["SAVE", "WELCOME", "SUMMER", "BF", "SPRING", "FREESHIP", "VERANO", "HERBST", "NOEL", "ESTATE", "ZOMER", "LATO", "VERAO", "XMAS"]) + rng.choice(["", "-", ""]) + str(rng.choice([5, 10, 15, 20, 25, 30, 50, 2024, 2025]))


def model_no(rng: random.Random) -> str:
    return rng.choice([
        f"SM-{rng.choice('AGSN')}{rng.randint(100, 999)}{rng.choice('BFU')}",
        f"WM{rng.randint(10, 99)}{rng.choice('ABC')}{rng.randint(100, 999)}",
        f"KDL-{rng.randint(32, 75)}W{rng.randint(600, 999)}",
        f"A{rng.randint(1000, 3200)}",
        f"HD{rng.randint(6000, 9999)}/{rng.randint(10, 99)}",
    ])


def isbn(rng: random.Random) -> str:
    body = f"978{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
    s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    return f"{body[:3]}-{body[3]}-{body[4:8]}-{body[8:]}-{(10 - s % 10) % 10}"


def url(rng: random.Random) -> str:
    dom = rng.choice([
        "amazon.es", "zalando.de", "bol.com", "allegro.pl", "fnac.fr", "ikea.com", "ryanair.com", "renfe.com",
        "bahn.de", "sncf-connect.com", "coolblue.nl", "worten.pt", "mediamarkt.de", "elcorteingles.es",
        "decathlon.fr", "tesco.com", "argos.co.uk", "currys.co.uk", "bestbuy.com", "target.com",
        fk("en_US").domain_name(), fk("de_DE").domain_name(), fk("fr_FR").domain_name(), fk("es_ES").domain_name(),
        fk("it_IT").domain_name(), fk("nl_NL").domain_name(), fk("pl_PL").domain_name(),
    ])
    seg = lambda: rng.choice(["track", "orders", "help", "returns", "p", "dp", "product", "es", "de", "account", "kundenservice", "ayuda", "aide", "retouren", "zwroty", "devolucoes", "faq", "checkout", "status", "c", "s"])
    path = "".join("/" + seg() for _ in range(rng.randint(0, 3)))
    if rng.random() < 0.4:
        path += "/" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(5, 12)))
    if rng.random() < 0.3:
        path += f"?{rng.choice(['id', 'ref', 'order', 'utm_source', 'q'])}={rng.choice([str(rng.randint(1000, 999999)), 'twitter', 'abc' + str(rng.randint(1, 99))])}"
        if rng.random() < 0.3:
            path += f"&lang={rng.choice(['es', 'de', 'en'])}"
    k = rng.random()
    if k < 0.1:
        return f"https://{rng.choice(['bit.ly', 'tinyurl.com', 't.co', 'amzn.to'])}/" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(7))
    if k < 0.3:
        return f"www.{dom}{path}"
    scheme = "https://" if rng.random() < 0.85 else "http://"
    www = "www." if rng.random() < 0.5 else ""
    return f"{scheme}{www}{dom}{path}"


BICS = ["DEUTDEFF", "COBADEFFXXX", "BBVAESMM", "CAIXESBBXXX", "BNPAFRPP", "INGBNL2A", "RABONL2U", "BCITITMM", "PKOPPLPW", "CGDIPTPL", "NWBKGB2L", "AIBKIE2D", "GEBABEBB", "UBSWCHZH80A"]
IBAN_BY_LANG = {"en": ["GB", "GB", "IE", "IE", "NL", "DE", "MT", "CY"], "es": ["ES"], "de": ["DE", "DE", "AT", "CH", "LI"], "fr": ["FR", "FR", "BE", "LU", "MC", "CH"], "it": ["IT", "IT", "SM", "CH"], "nl": ["NL", "NL", "BE"], "pt": ["PT"], "pl": ["PL"]}


class Ctx:
    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng = rng
        self.lang = lang
        self.p = make_person(rng, lang)
        self.o = make_person(rng, lang)
        self.q = make_person(rng, lang)
        self.region = rng.choice(PHONE_REGIONS[lang]) if rng.random() < 0.85 else rng.choice(EXTRA_REGIONS)
        self.country = rng.choice(ADDRESS_COUNTRIES[lang]) if rng.random() < 0.85 else rng.choice(list(COUNTRY_NAMES))
        if self.country in ("MX", "BR") and rng.random() < 0.5:
            self.country = {"MX": "ES", "BR": "PT"}[self.country]

    def iban(self) -> str:
        rng = self.rng
        c = rng.choice(IBAN_BY_LANG[self.lang]) if rng.random() < 0.7 else rng.choice(sorted(IBAN_LAYOUTS))
        return format_iban(rng, iban(rng, c))


def _card(c: Ctx):
    scheme, d = card_number(c.rng)
    return ("CREDIT_CARD", format_card(c.rng, scheme, d))


def _order_hash(c: Ctx):
    return ["#", ("ORDER_ID", order_ref(c.rng))]


SLOTS = {
    # people
    "name": lambda c: ("PERSON", c.p.full),
    "first": lambda c: ("PERSON", c.p.first),
    "last": lambda c: ("PERSON", c.p.last),
    "lname": lambda c: ("PERSON", c.p.full.lower()),
    "lfirst": lambda c: ("PERSON", c.p.first.lower()),
    "oname": lambda c: ("PERSON", c.o.full),
    "ofirst": lambda c: ("PERSON", c.o.first),
    "olast": lambda c: ("PERSON", c.o.last),
    "olfirst": lambda c: ("PERSON", c.o.first.lower()),
    "olname": lambda c: ("PERSON", c.o.full.lower()),
    "qname": lambda c: ("PERSON", c.q.full),
    "qfirst": lambda c: ("PERSON", c.q.first),
    # contact
    "email": lambda c: ("EMAIL", email_for(c.rng, c.p)),
    "oemail": lambda c: ("EMAIL", email_for(c.rng, c.o)),
    "brandmail": lambda c: ("EMAIL", c.rng.choice(["support", "help", "care", "atencion.cliente", "kundenservice", "service.client", "klantenservice", "bok", "apoio"]) + "@" + c.rng.choice(["example.com", "shop.example", "store.example.org", "mail.example.net"])),
    "phone": lambda c: ("PHONE", phone_text(c.rng, c.region)),
    "mobile": lambda c: ("PHONE", phone_text(c.rng, c.region, mobile=True)),
    "landline": lambda c: ("PHONE", phone_text(c.rng, c.region, mobile=False)),
    "handle": lambda c: ("HANDLE", handle_for(c.rng, c.p)),
    "ohandle": lambda c: ("HANDLE", handle_for(c.rng, c.o)),
    "brand": lambda c: ("HANDLE", c.rng.choice(BRAND_HANDLES)),
    "address": lambda c: ("ADDRESS", address(c.rng, c.country, multiline=False)),
    "address_ml": lambda c: ("ADDRESS", address(c.rng, c.country, multiline=True)),
    # identifiers
    "card": _card,
    "iban": lambda c: ("IBAN", c.iban()),
    "bic": lambda c: c.rng.choice(BICS),
    "ip": lambda c: ("IP_ADDRESS", ipv4(c.rng) if c.rng.random() < 0.65 else ipv6(c.rng)),
    "ip4": lambda c: ("IP_ADDRESS", ipv4(c.rng)),
    "ip6": lambda c: ("IP_ADDRESS", ipv6(c.rng)),
    "url": lambda c: ("URL", url(c.rng)),
    "ssn": lambda c: ("US_SSN", ssn(c.rng)),
    "nino": lambda c: ("UK_NINO", nino(c.rng)),
    "dob": lambda c: ("DATE_OF_BIRTH", birth_date(c.rng, c.lang)),
    "order": lambda c: ("ORDER_ID", order_ref(c.rng)),
    "horder": _order_hash,
    "booking": lambda c: ("ORDER_ID", booking_ref(c.rng)),
    "account": lambda c: ("ORDER_ID", account_ref(c.rng)),
    "tracking": lambda c: ("ORDER_ID", tracking(c.rng)),
    "sortcode": lambda c: ("ORDER_ID", sort_code(c.rng)),
    # look-alikes and places: plain text
    "price": lambda c: price(c.rng, c.lang),
    "flight": lambda c: flight(c.rng),
    "train": lambda c: train(c.rng),
    "time": lambda c: clock(c.rng, c.lang),
    "date": lambda c: ordinary_date(c.rng, c.lang),
    "version": lambda c: version(c.rng),
    "badcard": lambda c: bad_card(c.rng),
    "promo": lambda c: promo(c.rng),
    "city": lambda c: c.rng.choice(CITIES),
    "street": lambda c: c.rng.choice(STREET_PLACES),
    "country": lambda c: c.rng.choice(COUNTRIES),
    "product": lambda c: c.rng.choice(PRODUCTS),
    "brandname": lambda c: c.rng.choice(BRANDS),
    "day": lambda c: c.rng.choice(DAYS[c.lang]),
    "month": lambda c: c.rng.choice(MONTHS[c.lang]),
    "mins": lambda c: str(c.rng.choice([20, 35, 40, 45, 50, 90, 120, 180])),
    "n": lambda c: str(c.rng.randint(2, 14)),
    "gate": lambda c: f"{c.rng.choice('ABCDEFGKT')}{c.rng.randint(1, 60)}",
    "seat": lambda c: f"{c.rng.randint(1, 40)}{c.rng.choice('ABCDEF')}",
    "pct": lambda c: f"{c.rng.choice([10, 15, 20, 25, 30, 40, 50, 70])}%",
    "year": lambda c: str(c.rng.randint(1998, 2022)),
    "model": lambda c: model_no(c.rng),
    "isbn": lambda c: isbn(c.rng),
    "store": lambda c: str(c.rng.randint(100, 9999)),
    "last4": lambda c: f"{c.rng.randint(0, 9999):04d}",
    "pc": lambda c: c.rng.choice([f"{c.rng.randint(1000, 52999):05d}", f"{c.rng.randint(10, 99)}-{c.rng.randint(100, 999)}", f"{c.rng.randint(1000, 9999)}"]),
    "kwh": lambda c: f"{c.rng.randint(1000, 99999)}",
    "errcode": lambda c: c.rng.choice([f"0x{c.rng.randint(0x80000000, 0x8FFFFFFF):08X}", f"E{c.rng.randint(100, 999)}", f"{c.rng.choice([400, 403, 404, 500, 502, 503])}", f"ERR_{c.rng.randint(1000, 9999)}"]),
    "exp": lambda c: f"{c.rng.randint(1, 12):02d}/{c.rng.randint(25, 31)}",
    "tag": lambda c: c.rng.choice(HASHTAGS),
    "emoji": lambda c: c.rng.choice(EMOJI),
}

SLOT_RE = re.compile(r"\{(\w+)\}")


def render_template(c: Ctx, template: str) -> list:
    parts: list = []
    pos = 0
    for m in SLOT_RE.finditer(template):
        if m.start() > pos:
            parts.append(template[pos:m.start()])
        v = SLOTS[m.group(1)](c)
        if isinstance(v, list):
            parts.extend(v)
        else:
            parts.append(v)
        pos = m.end()
    if pos < len(template):
        parts.append(template[pos:])
    return parts


# --------------------------------------------------------------------------
# Templates: one a line; {slot} as in SLOTS; "\n" is a line break.
# Written for this set, after how people write to brands on social media.
# --------------------------------------------------------------------------

POSITIVE = {
    "en": r"""
please update it to {name}
can you change the name on the booking to {name}? it's spelled wrong on the ticket
the account should be in {name}'s name, not mine
is {ofirst} on shift today? she sorted my last problem in 5 min
is {ofirst} working tonight?? need someone who knows what they're doing
{olfirst} said it would be fixed by {day}. it's {day} now.
{ofirst} at the {city} store was brilliant, please pass it on
spoke to {ofirst} on the phone and was promised a callback. nothing.
the parcel says signed for by {oname}?? nobody here is called that
your driver {ofirst} threw my parcel over the fence {emoji}
shout out to {ofirst} from the night team, absolute legend
Thanks {ofirst}! all sorted now
ask {ofirst} about it, she has the whole history
{ofirst} from billing told me to message you here
who is {oname}? someone with that name called me from your number
I want to make a complaint about {ofirst}, the manager in your {city} branch
my mum {oname} is the account holder, can she call instead?
the order was placed by {oname} but shipped to me
gift for {oname}, can you add a note to the parcel?
my husband {ofirst} ordered it on his account
{name} here, still no refund
{lname} here again. any update??
it's {name} again, 4th message this week
hi it's {lfirst}, the one with the broken {product}
{first} again, the tracking still hasn't moved
Mr {olast} in your complaints team never replied
Mrs {oname} told me the refund was approved
Dr {olast} is the name on the prescription order
I was told by Ms. {olast} that this would be escalated
could you put me through to {oname}? she dealt with my claim
{oname} and {qname} both have accounts at this address, please stop merging them
{brand} {ofirst} was amazing on the chat today, 10/10
{brand} your agent {ofirst} hung up on me twice
{brand} hi, I'm {name} and order {horder} arrived damaged
{brand} hi, {first} here. Order {order} never arrived
my name is {name}, order {order}, still nothing after {n} days
this is {name} from flat 4, the courier keeps leaving parcels outside
{lname} - order {order} - wrong size sent
order {order} still not here after {n} days
where is my order {horder}???
Order no. {order}: wrong colour delivered
Order number: {order}\nItem: {product}\nProblem: arrived broken
booking ref {booking}, flight {flight} cancelled and no email from you
my booking reference is {booking} and online check-in just fails
confirmation code {booking}, can I add a bag?
PNR {booking} - seat {seat} was changed without asking
the tracking number {tracking} says delivered but it's not here
tracking {tracking} hasn't moved since {day}
UPS tracking: {tracking}
Royal Mail tracking {tracking} shows 'item held'
your courier lost parcel {tracking}, who pays?
acc no {account}, please close it
account number {account}, sort code {sortcode}
refund to sort code {sortcode}, account {account} please
sort code {sortcode} acc {account} - money never arrived
customer number {account}, the direct debit failed
my membership number is {account} and it won't log in
call me back on {phone}
my number is {phone}, after {time} is best
text me at {mobile} when the driver is close
{phone} is my new number, please update it
you can reach me on {landline} during the day
ring me on {phone} and ask for {first}
the courier rang {phone}, that's not even my number
whatsapp me {mobile}
old number {phone}, new one {phone}
pls call {mobile} asap
call {landline} and the switchboard will put you through
best number to reach me: {phone} (mobile)
reach me at {landline} office hours
I've called {phone} four times and nobody picks up
email me at {email}
my email is {email}, not the one you have on file
send the invoice to {email} thanks
I've written to {brandmail} three times already
contact: {email} / {phone}
reply to {email} please, I don't check DMs
my old email ({email}) was hacked, use {oemail}
<{email}> is the address on the account
you charged my card {card} twice
card number {card} was declined for no reason
I paid with card {card}, why is it still pending?
why is {card} showing a pending charge of {price}?
refund it to {card} please, expiry {exp}
cc {card}
my debit card {card} got blocked after your payment page
the charge of {price} on {card} is not mine!!
my IBAN is {iban}
please refund to {iban}
bank details: {iban}, BIC {bic}
IBAN: {iban}\nBIC: {bic}
transfer the money to {iban} (account holder {name})
you sent the refund to the wrong account, mine is {iban}
my IP is {ip} and your website blocks me
getting error 403 from {ip} all day
router shows WAN IP {ip4}, can you unblock it?
the login alert said someone signed in from {ip} - wasn't me!
ip: {ip6}
your site bans {ip4} for "suspicious activity"
see {url}
this link doesn't work: {url}
your page {url} gives a 404
found it cheaper here {url} - price match?
screenshot: {url}
the returns form at {url} just spins forever
(see {url})
why do you need my SSN? fine, it's {ssn}
social security number {ssn}, please fix the typo on my statement
the form rejected my ssn {ssn}
SSN: {ssn}
my NI number is {nino}
National Insurance no. {nino}, payslip still says emergency code
ni number: {nino}
my national insurance number {nino} is on the letter
my date of birth is {dob}
DOB {dob}
d.o.b: {dob}
born {dob}, your system says I'm 12
I was born on {dob}, not the date on my profile
They asked me for my date of birth on the phone. It's {dob}.
what's your DOB?\n- {dob}
you asked for my dob. {dob}
date of birth? {dob}
verification: name {name}, dob {dob}
my son's date of birth is {dob}, not what's printed on the ticket
birthday is wrong on the account, should be {dob}
please ship the replacement to {address}
my new address is {address}
deliver to: {address}
I moved! new address:\n{address_ml}
the parcel went to {address} but I live at {address}
the address on file is wrong, it should be {address}
return label needs to go to {address}
send it c/o {oname}, {address}
new address from Monday:\n{address_ml}\nthanks
address:\n{address_ml}
please update my billing address to {address}
{brand} {ohandle} same thing happened to me
{ohandle} {brand} this happened to me too, 3 weeks no refund
{brand} {brand} anyone?? {n} days no reply
{brand} still no refund for order {order}. {email}
cc {ohandle} who had the same issue
{brand} thanks to {ohandle} for the tip, it worked
{brand} I'm {name}, {email}, order {horder}. 3rd time asking.
{brand} hi, I'm {name}, {phone}, {address}. Nobody has come to fix the boiler.
Account holder: {name}\nAccount: {account}\nSort code: {sortcode}
{brand} charged me twice on {card}
the card I used: {card}
card: {card} exp {exp}
I never authorised this payment on {card}
payment card {card} was charged after I cancelled
someone used my card {card} on your site!!
{card} - this is the card you keep charging
why did {card} get charged {price} twice?
{card} still not refunded after {n} days
IBAN {iban} please, not the old one
my bank details changed: {iban}
refund should go to {iban}
{iban} is my account for the refund
my public IP is {ip}
traceroute dies at {ip4}, your side or mine?
blocked ip {ip}, please whitelist
with the VPN off I get {ip} and it still fails
tracking page: {url}
{url} <- this is the one I ordered
the link you sent ({url}) is dead
check {url}
link: {url}
the IRS letter has my SSN as {ssn} but that's wrong
ss# {ssn}
my social is {ssn}
last year's W-2 shows SSN {ssn}
NINO {nino}
NI no: {nino}
national insurance: {nino}
HMRC has my NI number as {nino}, your payroll has it different
""",
    "es": r"""
por favor, cambiad el titular a {name}
¿está {ofirst} hoy? me atendió ayer y fue genial
{olfirst} me dijo que lo arreglaban en 48 horas y nada
habló conmigo {ofirst} y muy amable, gracias
el paquete lo firmó {oname}?? aquí no vive nadie con ese nombre
el Sr. {olast} de atención al cliente no me ha devuelto la llamada
la Sra. {oname} me prometió el reembolso
mi madre, {oname}, es la titular de la cuenta
Hola {brand}, soy {name} y mi pedido {order} no ha llegado
{brand} soy {first}, el pedido {horder} llegó roto
mi nombre es {name} y llevo {n} días esperando
pedido {order} sin noticias desde el {day}
número de pedido: {order}
reserva {booking}, vuelo {flight} cancelado y sin aviso
localizador {booking}, no me deja hacer el check-in
número de seguimiento {tracking}, pone entregado pero no tengo nada
el envío {tracking} lleva parado desde el {day}
número de cliente {account}
mi móvil es {mobile}, llamadme por la tarde
llamadme al {phone} por favor
mi teléfono fijo: {landline}
teléfono de contacto {phone}
podéis escribirme por whatsapp al {mobile}
mi correo es {email}
escribidme a {email}, no uso mucho twitter
devolvedme el dinero a la cuenta {iban}
IBAN {iban}
mi IBAN es {iban}, titular {name}
me habéis cobrado dos veces en la tarjeta {card}
cargo de {price} en mi tarjeta {card} que no reconozco
mi fecha de nacimiento es {dob}
nací el {dob}
fecha de nacimiento: {dob}
me pedís la fecha de nacimiento para verificar. {dob}
la dirección de entrega es {address}
nueva dirección:\n{address_ml}
enviadlo a {address}, gracias
mi dirección: {address}
mi IP es {ip} y no me deja entrar
este enlace no funciona {url}
la web {url} da error
{brand} {ohandle} a mí me pasa lo mismo
""",
    "de": r"""
bitte auf {name} umschreiben
ist {ofirst} heute da? die hat mir letzte Woche super geholfen
{ofirst} hat gesagt, das wird bis {day} erledigt
{olfirst} meinte, ich bekomme eine Gutschrift
Herr {olast} vom Kundenservice hat sich nie gemeldet
Frau {oname} hat mir die Erstattung zugesagt
das Paket wurde angeblich von {oname} angenommen, die Person kenne ich nicht
Hallo {brand}, ich bin {name}, Bestellung {order} ist nie angekommen
{brand} hier {first}, meine Bestellung {horder} fehlt immer noch
mein Name ist {name} und ich warte seit {n} Tagen
Bestellnummer {order}
Bestellung {order}: falsche Größe geliefert
Buchungsnummer {booking}, Zug {train} fiel aus
Sendungsnummer {tracking}, seit {day} keine Bewegung
Sendungsverfolgung {tracking} sagt zugestellt, ist es aber nicht
Kundennummer {account}
Vertragsnummer {account}, bitte kündigen
meine Handynummer: {mobile}
ruft mich bitte unter {phone} zurück
Festnetz {landline}, ab {time} erreichbar
Tel. {phone}
meine E-Mail ist {email}
bitte an {email} schreiben
meine IBAN lautet {iban}
Erstattung bitte auf {iban}
IBAN: {iban}, Kontoinhaber {name}
Karte {card} wurde doppelt belastet
Abbuchung von {price} auf meiner Kreditkarte {card}??
Geburtsdatum {dob}
ich bin am {dob} geboren
am Telefon wurde nach meinem Geburtsdatum gefragt: {dob}
Lieferadresse: {address}
neue Adresse:\n{address_ml}
bitte an {address} liefern
meine IP ist {ip}, ich komme nicht rein
Link geht nicht: {url}
{brand} {ohandle} bei mir genauso
""",
    "fr": r"""
merci de mettre le contrat au nom de {name}
est-ce que {ofirst} travaille aujourd'hui ? elle m'a bien aidé hier
{olfirst} m'a dit que ce serait réglé lundi
{ofirst} au téléphone était très aimable, merci à elle
Mme {olast} m'a raccroché au nez
M. {oname} devait me rappeler, toujours rien
le colis aurait été remis à {oname}, je ne connais personne de ce nom
Bonjour {brand}, je suis {name}, ma commande {order} n'est jamais arrivée
{brand} c'est {first}, commande {horder} toujours pas livrée
je m'appelle {name} et j'attends depuis {n} jours
commande {order} reçue incomplète
numéro de commande : {order}
réservation {booking}, vol {flight} annulé
numéro de suivi {tracking}, bloqué depuis {day}
numéro client {account}
mon portable : {mobile}
rappelez-moi au {phone}
tél. fixe {landline}
mon adresse mail : {email}
répondez-moi à {email} svp
IBAN : {iban}
remboursez sur mon compte {iban}
débité deux fois sur ma carte {card}
prélèvement de {price} sur ma carte {card} ???
date de naissance : {dob}
je suis née le {dob}
né le {dob}, pas la date affichée sur mon profil
adresse de livraison : {address}
nouvelle adresse :\n{address_ml}
mon adresse IP est {ip}
le lien {url} ne marche pas
{brand} {ohandle} pareil pour moi
""",
    "it": r"""
potete intestare il contratto a {name}?
oggi c'è {ofirst}? mi ha aiutato ieri
{olfirst} mi ha detto che l'avrebbero risolto entro venerdì
il sig. {olast} non mi ha mai richiamato
la signora {oname} mi aveva promesso il rimborso
Buongiorno {brand}, sono {name}, l'ordine {order} non è mai arrivato
{brand} sono {first}, ordine {horder} ancora fermo
mi chiamo {name} e aspetto da {n} giorni
numero d'ordine {order}
prenotazione {booking}, volo {flight} cancellato
numero di tracking {tracking} fermo da {day}
codice cliente {account}
il mio cellulare è {mobile}
richiamatemi al {phone}
fisso: {landline}
la mia mail è {email}
rimborso sull'IBAN {iban}
IBAN {iban} intestato a {name}
addebitato due volte sulla carta {card}
data di nascita {dob}
sono nato il {dob}
indirizzo di consegna: {address}
nuovo indirizzo:\n{address_ml}
il mio IP è {ip}
il link {url} non funziona
""",
    "nl": r"""
zet het account maar op naam van {name}
werkt {ofirst} vandaag? die heeft me gisteren super geholpen
{olfirst} zei dat het maandag opgelost zou zijn
mevrouw {olast} heeft niet teruggebeld
meneer {oname} beloofde een vergoeding
Hoi {brand}, ik ben {name} en mijn bestelling {order} is nog steeds niet bezorgd
{brand} {first} hier, bestelling {horder} kwijt
mijn naam is {name}, al {n} dagen geen reactie
bestelnummer {order}
boekingsnummer {booking}, vlucht {flight} geannuleerd
track & trace {tracking} staat al dagen stil
klantnummer {account}
mijn nummer is {mobile}
bel me terug op {phone}
vast nummer: {landline}
mail: {email}
stort het terug op {iban}
rekeningnummer {iban} t.n.v. {name}
dubbel afgeschreven van mijn kaart {card}
geboortedatum {dob}
ik ben geboren op {dob}
bezorgadres: {address}
nieuw adres:\n{address_ml}
mijn IP is {ip}
deze link werkt niet {url}
""",
    "pt": r"""
podem mudar o titular para {name}?
a {ofirst} está hoje? ajudou-me ontem
o {olfirst} disse que ficava resolvido até sexta
o Sr. {olast} nunca me ligou de volta
Olá {brand}, sou {name} e a minha encomenda {order} ainda não chegou
{brand} é o {first}, encomenda {horder} sem notícias
chamo-me {name} e estou à espera há {n} dias
número da encomenda {order}
reserva {booking}, voo {flight} cancelado
código de rastreio {tracking} parado desde {day}
número de cliente {account}
o meu telemóvel é {mobile}
liguem-me para o {phone}
telefone fixo {landline}
o meu email é {email}
IBAN {iban}
devolvam o dinheiro para {iban}
cobraram duas vezes no cartão {card}
data de nascimento: {dob}
nasci a {dob}
morada: {address}
nova morada:\n{address_ml}
o meu IP é {ip}
o link {url} não funciona
""",
    "pl": r"""
proszę zmienić dane na {name}
czy {ofirst} jest dziś w pracy? wczoraj bardzo mi pomogła
{olfirst} powiedziała, że to naprawią do piątku
Pan {olast} z obsługi klienta nie oddzwonił
Pani {oname} obiecała zwrot pieniędzy
Dzień dobry {brand}, nazywam się {name}, zamówienie {order} nie dotarło
{brand} tu {first}, zamówienie {horder} nadal w drodze
nazywam się {name} i czekam już {n} dni
numer zamówienia {order}
numer rezerwacji {booking}, lot {flight} odwołany
numer przesyłki {tracking}, od {n} dni bez zmian
numer klienta {account}
mój numer to {mobile}
proszę oddzwonić na {phone}
tel. stacjonarny {landline}
mój e-mail: {email}
numer konta {iban}
zwrot na konto {iban}
obciążyliście moją kartę {card} dwa razy
data urodzenia {dob}
urodziłem się {dob}
adres dostawy: {address}
nowy adres:\n{address_ml}
moje IP to {ip}
link {url} nie działa
""",
}

NEGATIVE = {
    "en": r"""
Don't bother ordering from {brandname}, {mins} minutes on hold and nothing
flight {flight} delayed again, gate {gate}, nobody knows anything
why is the {product} {price} more expensive in {country}?
the {street} store was closed at {time} even though it says open till 9
our {city} office still hasn't received the {product}
is the promo code {promo} still valid? it says expired
app {version} keeps crashing on login
my parcel was due on {date} and still nothing
I've been a customer since {year} and this is how you treat me
{day} delivery slot missed for the third time
{pct} off my foot, the price went up first
loyalty ID {badcard} isn't recognised at checkout
serial no. {badcard} on the box, is it covered by warranty?
Thanks {brandname}, absolutely useless
Dear {brandname}, do you ship to {country}?
Hi {brandname} team, when is the {product} back in stock?
Hello Customer Service, the {product} arrived broken
seat {seat} on the {train} was double booked
is next-day delivery available for postcode {pc}?
the book with ISBN {isbn} arrived with pages missing
store #{store} in {city} refused my return
model {model} stopped working after 2 weeks
error code {errcode} every time I pay
it's {time} and the {city} branch still isn't answering
ordered 3x {product} on {date}, got 2
Christmas Eve delivery promised, arrived on the 28th
Customer Care at {brandname} are the worst
the {time} train from {city} cancelled, refund?
Still waiting. Still. Waiting.
the {street} branch was lovely today, thank you!
my Prime membership renewed without asking {emoji}
Visa or Mastercard only? no Amex??
Platform {n} at {city} Central is chaos this morning
received 2 of 3 items, the 3rd says dispatched since {date}
I paid {price} for express and it took {n} days
which {brandname} stores in {city} take returns?
your {city} warehouse must be a black hole
tried calling at {time} and again at {time}, on hold {mins} min each time
flight {flight} from {city} landed {mins} minutes late, compensation?
card ending {last4} keeps getting declined on your app
Can't log in since the update to {version}
Won't be ordering again. {tag}
Monday, Tuesday, Wednesday... still no engineer
Every {day} the same story, the bin collection never comes
Happy {month}! any deals on the {product}?
Great service from the {city} team today, really appreciated
The {brandname} gift card I got for Christmas doesn't work
your meter reading says {kwh} kWh, that's impossible for a flat
New York to {city} on {date}, the lounge was closed
April showers, May flowers, June still no parcel {emoji}
What time does the {street} shop open on Sunday?
Is the {product} compatible with {version}?
Just bought the {product} for {price}, a week later it's {pct} off. Price match?
Your chat bot keeps saying 'Sorry, I didn't get that'
Hey, is there a problem with payments? Apple Pay fails every time
Honestly the Madrid office is the only one that answers
Do you price match {brandname}?
Lost my {product} at Terminal 2, anyone handed it in?
Received someone else's parcel, how do I return it?
Been {n} weeks. {n} WEEKS. {tag}
Will the {product} be in the {month} sale?
Dear Sir or Madam, I wish to complain about the delay
The Hauptstraße store in Berlin had no stock at all
room {store} had no hot water all weekend
Terrible. Just terrible. {emoji}
the update bricked my {product} ({version})
order placed {date}, dispatched {date}, still not here
why is the {month} bill {price} when I'm on the {price} plan?
Gate {gate} to gate {gate} in {mins} minutes at {city}? impossible
""",
    "es": r"""
el vuelo {flight} lleva {mins} minutos de retraso y nadie informa
¿el código {promo} sigue activo? me dice que ha caducado
la tienda de {street} cerró a las {time} aunque pone que abre hasta las 22:00
nuestra oficina de {city} no ha recibido el {product}
pagué {price} por el envío urgente y tardó {n} días
la app {version} se cierra sola
el pedido tenía que llegar el {date} y nada
servicio pésimo {tag}
¿hacéis envíos a {country}?
Don't worry, ya me lo solucionaron en la tienda de {city}
cliente desde {year} y así me tratáis
el {day} tampoco vino el técnico
Hola {brandname}, ¿cuándo vuelve a haber stock del {product}?
la tarjeta acabada en {last4} me la rechazáis siempre
¿el {product} entra en las rebajas de {month}?
error {errcode} al pagar
""",
    "de": r"""
Zug {train} fällt schon wieder aus
der Laden in der {street} hatte um {time} schon zu
Gutscheincode {promo} funktioniert nicht
App {version} stürzt dauernd ab
{price} für Expressversand und nach {n} Tagen nichts
Lieferung war für {date} angekündigt
unser Büro in {city} wartet seit {day} auf den {product}
Kunde seit {year} und dann so was
Hallo {brandname}, wann ist der {product} wieder lieferbar?
Karte mit Endung {last4} wird ständig abgelehnt
Fehlercode {errcode} beim Bezahlen
Gleis {n} in {city} Hbf, Chaos wie immer
""",
    "fr": r"""
le TGV {store} a encore {mins} minutes de retard
le code promo {promo} ne marche pas
la boutique de {city} était fermée à {time}
payé {price} pour la livraison express, reçu {n} jours après
livraison prévue le {date}, toujours rien
l'appli {version} plante au démarrage
client depuis {year}, c'est honteux
Bonjour {brandname}, le {product} sera-t-il en promo en {month} ?
carte se terminant par {last4} refusée
""",
    "it": r"""
il volo {flight} è in ritardo di {mins} minuti
il codice sconto {promo} non funziona
il negozio di {city} era chiuso alle {time}
pagato {price} per la spedizione espressa, arrivata dopo {n} giorni
consegna prevista il {date}, ancora niente
l'app {version} si chiude da sola
cliente dal {year} e mi trattate così
""",
    "nl": r"""
vlucht {flight} heeft weer {mins} minuten vertraging
kortingscode {promo} werkt niet
de winkel in {city} was om {time} al dicht
{price} betaald voor spoedlevering, kwam na {n} dagen
levering gepland op {date}, nog steeds niks
de app {version} crasht steeds
klant sinds {year} en dan dit
""",
    "pt": r"""
o voo {flight} está com {mins} minutos de atraso
o código {promo} não funciona
a loja de {city} estava fechada às {time}
paguei {price} pelo envio expresso e demorou {n} dias
entrega prevista para {date}, nada ainda
a app {version} fecha sozinha
cliente desde {year} e é assim que me tratam
""",
    "pl": r"""
lot {flight} ma znowu {mins} minut opóźnienia
kod rabatowy {promo} nie działa
sklep w {city} był zamknięty o {time}
zapłaciłem {price} za ekspres, a przesyłka szła {n} dni
dostawa miała być {date}, nadal nic
aplikacja {version} ciągle się zawiesza
klient od {year} roku i takie traktowanie
""",
}


def template_lines(block: str) -> list[str]:
    return [l.replace("\\n", "\n") for l in block.strip("\n").split("\n") if l.strip()]


POS_T = {k: template_lines(v) for k, v in POSITIVE.items()}
NEG_T = {k: template_lines(v) for k, v in NEGATIVE.items()}


# --------------------------------------------------------------------------
# Layouts that templates cannot express: signatures, contact blocks, forms,
# chat transcripts, a date of birth answered on the next line.
# --------------------------------------------------------------------------

CLOSINGS = {
    "en": ["thanks,", "Thanks", "thanks!", "cheers", "Cheers,", "Regards,", "Kind regards,", "Best,", "thx", "Many thanks,", "BR,", "Sincerely,", "ty", "Best wishes,"],
    "es": ["Gracias,", "Un saludo,", "Saludos,", "Un saludo", "Atentamente,", "gracias!", "Saludos cordiales,"],
    "de": ["Danke,", "Viele Grüße", "Mit freundlichen Grüßen", "LG", "Gruß", "VG,", "Beste Grüße,"],
    "fr": ["Merci,", "Cordialement,", "Bien à vous,", "Bonne journée,", "merci d'avance", "Salutations,"],
    "it": ["Grazie,", "Cordiali saluti,", "Saluti,", "Distinti saluti", "Grazie mille"],
    "nl": ["Bedankt,", "Met vriendelijke groet,", "Groetjes,", "Mvg,", "Groet,"],
    "pt": ["Obrigado,", "Cumprimentos,", "Atenciosamente,", "Obrigada!", "Com os melhores cumprimentos,"],
    "pl": ["Dziękuję,", "Pozdrawiam,", "Z poważaniem,", "Pozdrawiam", "Dzięki,"],
}
PHONE_LINES = {
    "en": ["{p} (mobile)", "{p} mobile", "{p} office", "{p} (office)", "{p} fax", "Tel: {p}", "T: {p}", "M: {p}", "Mob: {p}", "Phone: {p}", "{p} (work)", "{p} (home)", "Cell {p}", "tel. {p}", "{p}", "{p} - mobile", "Direct line: {p}"],
    "es": ["Tel.: {p}", "Móvil: {p}", "{p} (móvil)", "{p} fijo", "Tfno. {p}", "{p}", "Fax: {p}", "{p} oficina"],
    "de": ["Tel.: {p}", "Mobil: {p}", "Handy {p}", "{p} (Büro)", "{p} mobil", "Fax {p}", "Telefon: {p}", "{p}"],
    "fr": ["Tél. : {p}", "Portable : {p}", "{p} (bureau)", "{p} portable", "Fax : {p}", "tel {p}", "{p}"],
    "it": ["Tel. {p}", "Cell. {p}", "{p} (ufficio)", "{p} cellulare", "Fax {p}", "{p}"],
    "nl": ["Tel: {p}", "Mobiel: {p}", "{p} (werk)", "{p} mobiel", "T {p}", "{p}"],
    "pt": ["Tel.: {p}", "Telemóvel: {p}", "{p} (escritório)", "{p} telemóvel", "{p}"],
    "pl": ["tel. {p}", "tel. kom. {p}", "{p} (biuro)", "{p} komórka", "faks {p}", "{p}"],
}
EMAIL_LINES = ["{e}", "{e}", "Email: {e}", "E-Mail: {e}", "e: {e}", "mail: {e}", "E: {e}"]
JOB_LINES = ["Office Manager", "Facilities", "Acme Logistics Ltd", "Head of Purchasing", "Gerente", "Geschäftsführerin", "Responsable achats", "Studio Verde s.r.l.", "Kantoor", "Biuro Rachunkowe", "Loja Central", "Procurement"]
FORM_LABELS = {
    "en": ("Name", "Address", "Phone", "Email", "DOB", "Order"),
    "es": ("Nombre", "Dirección", "Teléfono", "Email", "Fecha de nacimiento", "Pedido"),
    "de": ("Name", "Anschrift", "Telefon", "E-Mail", "Geburtsdatum", "Bestellnr."),
    "fr": ("Nom", "Adresse", "Téléphone", "E-mail", "Date de naissance", "Commande"),
    "it": ("Nome", "Indirizzo", "Telefono", "Email", "Data di nascita", "Ordine"),
    "nl": ("Naam", "Adres", "Telefoon", "E-mail", "Geboortedatum", "Bestelling"),
    "pt": ("Nome", "Morada", "Telefone", "Email", "Data de nascimento", "Encomenda"),
    "pl": ("Imię i nazwisko", "Adres", "Telefon", "E-mail", "Data urodzenia", "Zamówienie"),
}
DOB_QUESTIONS = {
    "en": ["They asked for my date of birth again.", "DOB?", "Q: date of birth", "what's your DOB?", "> what is your date of birth", "your bot keeps asking for my birth date", "Agent wanted my date of birth to verify:"],
    "es": ["¿Fecha de nacimiento?", "Me vuelven a pedir la fecha de nacimiento.", "> ¿cuál es tu fecha de nacimiento?"],
    "de": ["Geburtsdatum?", "Ihr wolltet mein Geburtsdatum:", "> Bitte nennen Sie Ihr Geburtsdatum"],
    "fr": ["Date de naissance ?", "Vous m'avez demandé ma date de naissance.", "> merci d'indiquer votre date de naissance"],
    "it": ["Data di nascita?", "Mi avete chiesto la data di nascita."],
    "nl": ["Geboortedatum?", "Jullie vroegen om mijn geboortedatum."],
    "pt": ["Data de nascimento?", "Pediram-me a data de nascimento."],
    "pl": ["Data urodzenia?", "Prosiliście o datę urodzenia."],
}
TRANSCRIPT_ASKS = {
    "en": ("can I take your full name and date of birth please?", "thanks, and the email on the account?", "perfect, one moment", "me"),
    "es": ("¿me indicas tu nombre completo y fecha de nacimiento?", "gracias, ¿y el correo de la cuenta?", "perfecto, un momento", "yo"),
    "de": ("Können Sie mir Ihren vollständigen Namen und Ihr Geburtsdatum nennen?", "Danke, und die E-Mail-Adresse?", "Einen Moment bitte", "ich"),
    "fr": ("pouvez-vous me donner votre nom complet et votre date de naissance ?", "merci, et l'adresse mail du compte ?", "parfait, un instant", "moi"),
}


def name_variant(rng: random.Random, p: Person) -> str:
    k = rng.random()
    if k < 0.5:
        return p.full
    if k < 0.75:
        return p.first
    if k < 0.85 and " " not in p.first and "-" not in p.last:
        return f"{p.first} {p.last.split(' ')[0][0]}." if rng.random() < 0.3 else f"{p.first} {rng.choice(string.ascii_uppercase)}. {p.last}"
    return (p.full if rng.random() < 0.6 else p.first).lower()


SLOT_TYPES = {
    "PERSON": {"name", "first", "last", "lname", "lfirst", "oname", "ofirst", "olast", "olfirst", "olname", "qname", "qfirst"},
    "EMAIL": {"email", "oemail", "brandmail"},
    "PHONE": {"phone", "mobile", "landline"},
    "HANDLE": {"handle", "ohandle", "brand"},
    "ADDRESS": {"address", "address_ml"},
    "CREDIT_CARD": {"card"},
    "IBAN": {"iban"},
    "IP_ADDRESS": {"ip", "ip4", "ip6"},
    "URL": {"url"},
    "US_SSN": {"ssn"},
    "UK_NINO": {"nino"},
    "DATE_OF_BIRTH": {"dob"},
    "ORDER_ID": {"order", "horder", "booking", "account", "tracking", "sortcode"},
}
# How often a templated message is about each kind of data: the rarer
# structured kinds are drawn more often than their share of real traffic so
# that each has enough spans to score.
THEME_WEIGHTS = {
    "PERSON": 15, "ORDER_ID": 9, "PHONE": 9, "EMAIL": 5, "ADDRESS": 7, "CREDIT_CARD": 14, "IBAN": 11,
    "DATE_OF_BIRTH": 5, "IP_ADDRESS": 7, "URL": 7, "US_SSN": 5, "UK_NINO": 5, "HANDLE": 3,
}
ENGLISH_ONLY = {"US_SSN", "UK_NINO"}


def templates_with(lang: str, typ: str) -> list[str]:
    return [t for t in POS_T[lang] if SLOT_TYPES[typ] & set(SLOT_RE.findall(t))]


def body(c: Ctx, positive: bool | None = None, theme: str | None = None) -> list:
    if positive is None:
        positive = c.rng.random() < 0.5
    if not positive:
        return render_template(c, c.rng.choice(NEG_T[c.lang]))
    pool = templates_with(c.lang, theme) if theme else []
    return render_template(c, c.rng.choice(pool or POS_T[c.lang]))


def signature_msg(c: Ctx) -> Msg:
    rng = c.rng
    m = Msg().extend(body(c))
    who = ("PERSON", name_variant(rng, c.p))
    closing = rng.choice(CLOSINGS[c.lang])
    layout = rng.randint(1, 8)
    if layout <= 2:
        m.add("\n\n" if layout == 1 else "\n").add(closing + "\n").add(who[1], "PERSON")
    elif layout <= 4:
        m.add("\n" if layout == 3 else "\n\n").add(who[1], "PERSON")
    elif layout == 5:
        m.add(rng.choice([" ", ". ", "! "]) + closing + " ").add(who[1], "PERSON")
    elif layout == 6:
        m.add(rng.choice(["\n- ", "\n– ", "\n~", "\n-- \n", " -"])).add(who[1], "PERSON")
    elif layout == 7:
        m.add("\n" + closing + " ").add(who[1], "PERSON").add(" " + rng.choice(EMOJI))
    else:
        m.add("\n\n" + closing + "\n").add(who[1], "PERSON").add("\n").add(handle_for(rng, c.p), "HANDLE")
    return m


def contact_block_msg(c: Ctx) -> Msg:
    rng = c.rng
    m = Msg()
    if rng.random() < 0.8:
        m.extend(body(c))
        m.add("\n\n" + rng.choice(CLOSINGS[c.lang]) + "\n")
    m.add(c.p.full if rng.random() < 0.85 else c.p.full.lower(), "PERSON").add("\n")
    if rng.random() < 0.2:
        m.add(rng.choice(JOB_LINES) + "\n")
    if rng.random() < 0.85:
        m.add(address(rng, c.country, multiline=True, with_country=rng.random() < 0.3), "ADDRESS").add("\n")
    lines = PHONE_LINES[c.lang]
    for i in range(rng.choice([1, 1, 1, 2])):
        tpl = rng.choice(lines)
        a, b = tpl.split("{p}")
        m.add(a).add(phone_text(rng, c.region, mobile=None if i == 0 else False), "PHONE").add(b + "\n")
    if rng.random() < 0.15:
        m.add("T ").add(phone_text(rng, c.region, mobile=False, allow_ext=False), "PHONE").add(" | F ").add(phone_text(rng, c.region, mobile=False, allow_ext=False), "PHONE").add("\n")
    a, b = rng.choice(EMAIL_LINES).split("{e}")
    m.add(a).add(email_for(rng, c.p), "EMAIL").add(b)
    if rng.random() < 0.1:
        m.add("\n").add(url(rng), "URL")
    return m


def form_msg(c: Ctx) -> Msg:
    rng = c.rng
    ln, la, lp, le, ld, lo = FORM_LABELS[c.lang]
    fields = [
        (ln, lambda: [("PERSON", c.p.full)]),
        (la, lambda: [("ADDRESS", address(rng, c.country, multiline=False))] if rng.random() < 0.6 else ["\n", ("ADDRESS", address(rng, c.country, multiline=True))]),
        (lp, lambda: [("PHONE", phone_text(rng, c.region))]),
        (le, lambda: [("EMAIL", email_for(rng, c.p))]),
        (ld, lambda: [("DATE_OF_BIRTH", birth_date(rng, c.lang))]),
        (lo, lambda: [("ORDER_ID", order_ref(rng))]),
    ]
    chosen = [fields[0]] + [f for f in fields[1:] if rng.random() < 0.6]
    if len(chosen) < 3:
        chosen = fields[:3]
    m = Msg()
    if rng.random() < 0.5:
        m.add(rng.choice({"en": ["as requested:", "here you go", "details below"], "es": ["mis datos:", "aquí tenéis"], "de": ["meine Daten:", "wie gewünscht:"], "fr": ["mes coordonnées :", "comme demandé :"], "it": ["i miei dati:"], "nl": ["mijn gegevens:"], "pt": ["os meus dados:"], "pl": ["moje dane:"]}[c.lang]) + "\n")
    sep = rng.choice([": ", ": ", " - ", ":\t"])
    for i, (label, make) in enumerate(chosen):
        value = make()
        m.add(("\n" if i else "") + label + (sep.rstrip(" ") if value[0] == "\n" else sep))
        m.extend(value)
    return m


def dob_next_line_msg(c: Ctx) -> Msg:
    rng = c.rng
    m = Msg()
    q = rng.choice(DOB_QUESTIONS[c.lang])
    m.add(q + rng.choice(["\n", "\n- ", " ", "\n\n", "\nA: " if q.startswith("Q:") else "\n"]))
    m.add(birth_date(rng, c.lang), "DATE_OF_BIRTH")
    if rng.random() < 0.4:
        m.add(rng.choice([". ", "\n"])).extend(body(c, positive=False))
    return m


def transcript_msg(c: Ctx) -> Msg:
    rng = c.rng
    lang = c.lang if c.lang in TRANSCRIPT_ASKS else "en"
    ask1, ask2, ask3, me = TRANSCRIPT_ASKS[lang]
    agent = c.o.first
    m = Msg()
    if rng.random() < 0.5:
        m.add(rng.choice(["copy of the chat:\n", "from the chat earlier:\n", "transcript:\n"]))
    m.add(agent, "PERSON").add(": " + ask1 + "\n" + me + ": ")
    m.add(c.p.full, "PERSON").add(rng.choice([", ", " - ", "\n"]))
    m.add(birth_date(rng, lang), "DATE_OF_BIRTH").add("\n").add(agent, "PERSON").add(": " + ask2 + "\n" + me + ": ")
    m.add(email_for(rng, c.p), "EMAIL").add("\n").add(agent, "PERSON").add(": " + ask3)
    return m


def quoted_reply_msg(c: Ctx) -> Msg:
    rng = c.rng
    m = Msg()
    m.add(rng.choice(["> Please DM us your full name and address\n", "> could you send us your name and postal address?\n", "> ¿nos facilitas nombre y dirección?\n", "> Bitte Name und Anschrift per DM\n"]))
    m.add(c.p.full, "PERSON").add("\n").add(address(rng, c.country, multiline=True), "ADDRESS")
    return m


def composite_msg(c: Ctx) -> Msg:
    m = Msg()
    for i in range(c.rng.choice([2, 2, 3])):
        if i:
            m.add(c.rng.choice([". ", "\n", " - ", ". Also ", "! ", "\n\n"]))
        m.extend(body(c, positive=True))
    return m


def template_msg(c: Ctx, positive: bool, theme: str | None = None) -> Msg:
    rng = c.rng
    m = Msg()
    if positive and rng.random() < 0.25:
        m.add(rng.choice(BRAND_HANDLES), "HANDLE").add(" ")
    m.extend(body(c, positive=positive, theme=theme))
    if rng.random() < 0.15:
        m.add(" " + rng.choice(HASHTAGS + EMOJI))
    return m


KINDS = [
    ("negative", 33), ("template", 40), ("signature", 8), ("contact", 6), ("form", 4),
    ("dob_next", 2.5), ("transcript", 1.5), ("quoted", 1.5), ("composite", 3.5),
]


def make_message(rng: random.Random) -> tuple[str, list[dict]]:
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    theme = rng.choices(list(THEME_WEIGHTS), weights=list(THEME_WEIGHTS.values()))[0]
    lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
    if kind == "template" and theme in ENGLISH_ONLY:
        lang = "en"
    c = Ctx(rng, lang)
    m = {
        "negative": lambda: template_msg(c, positive=False),
        "template": lambda: template_msg(c, positive=True, theme=theme),
        "signature": lambda: signature_msg(c),
        "contact": lambda: contact_block_msg(c),
        "form": lambda: form_msg(c),
        "dob_next": lambda: dob_next_line_msg(c),
        "transcript": lambda: transcript_msg(c),
        "quoted": lambda: quoted_reply_msg(c),
        "composite": lambda: composite_msg(c),
    }[kind]()
    lower = rng.random() < 0.15
    return m.render(lower=lower)


# --------------------------------------------------------------------------
# Self-test of the labels
# --------------------------------------------------------------------------

NINO_RE = re.compile(r"^[a-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[a-d]$", re.I)
SSN_RE = re.compile(r"^\d{3}[- ]\d{2}[- ]\d{4}$")


def self_test(rows: list[dict]) -> None:
    ids = set()
    for r in rows:
        assert r["id"] not in ids
        ids.add(r["id"])
        text = r["text"]
        prev_end = 0
        for s in sorted(r["spans"], key=lambda s: s["start"]):
            where = f"{r['id']}: {s}"
            assert s["type"] in TYPES, where
            assert 0 <= s["start"] < s["end"] <= len(text), where
            assert text[s["start"]:s["end"]] == s["text"], where
            assert s["text"] == s["text"].strip(), f"span with outer whitespace {where}"
            assert s["start"] >= prev_end, f"overlapping spans {where}"
            prev_end = s["end"]
            t = s["text"]
            if s["type"] == "CREDIT_CARD":
                d = re.sub(r"[ -]", "", t)
                assert d.isdigit() and 12 <= len(d) <= 19 and luhn_ok(d), where
            elif s["type"] == "IBAN":
                assert iban_ok(t), where
            elif s["type"] == "US_SSN":
                assert SSN_RE.match(t), where
            elif s["type"] == "UK_NINO":
                assert NINO_RE.match(t), where
            elif s["type"] == "EMAIL":
                assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", t, re.I), where
            elif s["type"] == "HANDLE":
                assert re.fullmatch(r"@\w{1,15}", t), where
            elif s["type"] == "PHONE":
                core = re.sub(r"\s*(x|ext\.?)\s*\d+$", "", t, flags=re.I)
                region = PHONE_REGION_OF[core.lower()]
                assert pn.is_valid_number(pn.parse(core.replace("(0)", ""), region)), where
            elif s["type"] == "IP_ADDRESS":
                ipaddress.ip_address(t)
            elif s["type"] == "DATE_OF_BIRTH":
                assert re.search(r"\d", t), where
        # No card-like digit run outside the card spans may pass Luhn at 16 digits
        # (the look-alikes must be real negatives).
        covered = [(s["start"], s["end"]) for s in r["spans"]]
        for mm in re.finditer(r"\d{16}", text):
            if not any(a <= mm.start() < b for a, b in covered):
                assert not luhn_ok(mm.group()), f"{r['id']}: unlabelled Luhn-valid number {mm.group()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("-n", type=int, default=N_MESSAGES)
    ap.add_argument("--any-version", action="store_true", help="run with other Faker/phonenumbers versions (the output will differ)")
    args = ap.parse_args()
    if (faker.VERSION, pn.__version__) != (FAKER_VERSION, PHONENUMBERS_VERSION) and not args.any_version:
        print(f"need Faker {FAKER_VERSION} and phonenumbers {PHONENUMBERS_VERSION}, have {faker.VERSION} and {pn.__version__}: "
              f"pip install Faker=={FAKER_VERSION} phonenumbers=={PHONENUMBERS_VERSION} (or pass --any-version)", file=sys.stderr)
        return 2
    rng = random.Random(SEED)
    Faker.seed(SEED)
    rows, seen = [], set()
    while len(rows) < args.n:
        text, spans = make_message(rng)
        if text in seen:
            continue
        seen.add(text)
        rows.append({"id": f"hard-{len(rows) + 1:04d}", "text": text, "spans": spans})
    self_test(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = Counter(s["type"] for r in rows for s in r["spans"])
    empty = sum(1 for r in rows if not r["spans"])
    multiline = sum(1 for r in rows if "\n" in r["text"])
    lower = sum(1 for r in rows if r["text"] == r["text"].lower() and r["spans"])
    print(f"wrote {len(rows)} messages to {args.out}: {empty} without PII, {multiline} on several lines, {lower} lower-case with spans")
    for t, n in sorted(counts.items()):
        print(f"  {t:14} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
