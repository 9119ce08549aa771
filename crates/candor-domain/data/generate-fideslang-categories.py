#!/usr/bin/env python3
"""Write fideslang-categories.txt from the fideslang package's default
taxonomy: every `user.*` data category, in order, with candor's own
judgement of which are special categories of personal data marked.

    pip install 'fideslang==3.1.4'
    python3 crates/candor-domain/data/generate-fideslang-categories.py          # rewrite the file
    python3 crates/candor-domain/data/generate-fideslang-categories.py --check  # fail if it differs

fideslang says nothing about special categories: SPECIAL below is
candor's reading of GDPR Art. 9 and 10 and the CPRA's sensitive personal
information. Every key in it must exist in the taxonomy.
"""

import pathlib
import sys

import fideslang
from fideslang.default_taxonomy import DEFAULT_TAXONOMY

VERSION = "3.1.4"

SPECIAL = {
    "user.authorization.biometric",
    "user.biometric",
    "user.biometric.fingerprint",
    "user.biometric.retinal",
    "user.biometric.voice",
    "user.biometric.health",
    "user.childrens",
    "user.criminal_history",
    "user.demographic.political_opinion",
    "user.demographic.race_ethnicity",
    "user.demographic.religious_belief",
    "user.demographic.sexual_orientation",
    "user.government_id",
    "user.government_id.birth_certificate",
    "user.government_id.drivers_license_number",
    "user.government_id.immigration",
    "user.government_id.national_identification_number",
    "user.government_id.passport_number",
    "user.health_and_medical",
    "user.health_and_medical.genetic",
    "user.health_and_medical.insurance_beneficiary_id",
    "user.health_and_medical.record_id",
    "user.location.precise",
}

HEADER = f"""\
# Data categories of the fideslang taxonomy (the `user.*` tree candor's policies
# use), generated from the fideslang {VERSION} package's default taxonomy by
# generate-fideslang-categories.py: do not edit by hand. One identifier a line;
# a trailing ` special` marks a special category of personal data (GDPR Art. 9
# and 10) or data CCPA counts as sensitive.
"""


def render() -> str:
    if fideslang.__version__ != VERSION:
        sys.exit(f"fideslang {fideslang.__version__} is installed; this list is made from {VERSION}")
    keys = [
        c.fides_key
        for c in DEFAULT_TAXONOMY.data_category
        if (c.fides_key == "user" or c.fides_key.startswith("user.")) and not c.version_deprecated
    ]
    unknown = sorted(SPECIAL - set(keys))
    if unknown:
        sys.exit(f"special categories not in fideslang {VERSION}: {', '.join(unknown)}")
    lines = [f"{k} special" if k in SPECIAL else k for k in sorted(keys)]
    return HEADER + "\n".join(lines) + "\n"


def main() -> None:
    out = pathlib.Path(__file__).with_name("fideslang-categories.txt")
    text = render()
    if sys.argv[1:] == ["--check"]:
        if out.read_text() != text:
            sys.exit(f"{out} differs from fideslang {VERSION}'s taxonomy: run {pathlib.Path(__file__).name}")
        print(f"{out.name} agrees with fideslang {VERSION}")
    elif not sys.argv[1:]:
        out.write_text(text)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
