"""Derive tools/inputs/demonyms.csv from the CIA World Factbook ("People and Society: Nationality").

One-off helper, kept so the CSV can be re-made. Input: a checkout of
https://github.com/factbook/factbook.json (the Factbook's country profiles as JSON; the Factbook
is a work of the US government, public domain, and the repository is CC0-1.0). Factbook files
are named by GEC (ex-FIPS 10-4) code; Natural Earth's FIPS_10 column (tools/inputs/
natural_earth_wikidata.csv) maps them to ISO 3166-1 alpha-2, with a few by hand below.

    python tools/derive_demonyms.py path/to/factbook.json-checkout

Hand additions and removals (forms the Factbook lacks, or that are ambiguous) are NOT made
here: they live in tools/inputs/state_aliases.yaml, which build_states.py applies.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

INPUTS = Path(__file__).resolve().parent / "inputs"
OUT = INPUTS / "demonyms.csv"
# GEC codes that Natural Earth's FIPS_10 column does not give (or gives differently)
GEC_TO_ISO2 = {"kv": "XK", "tw": "TW", "hk": "HK", "mc": "MO", "ri": "RS", "mj": "ME", "od": "SS",
               "fr": "FR", "no": "NO", "wi": "EH", "nn": "SX", "uc": "CW", "rn": "MF", "tb": "BL"}
NOTE = re.compile(r"\s*\((?:US citizens|US nationals|colloquial|singular and plural|singular|plural|"
                  r"collective plural)\)")


def _forms(text: str) -> list[str]:
    text = text.split(";")[0]                       # drop "; note - ..." tails
    text = NOTE.sub("", text)
    out: list[str] = []
    for part in re.split(r",\s*(?:or\s+)?|\s+or\s+|/", text):
        part = part.strip()
        if not part or part.lower() in ("none", "na"):
            continue
        m = re.fullmatch(r"(.+?)\s*\((s|men|women)\)", part)
        if m:                                        # Ukrainian(s) -> Ukrainian, Ukrainians
            stem, suffix = m.groups()
            out += [stem, stem + "s"] if suffix == "s" else [stem, stem[: -len(suffix)] + suffix]
            continue
        if "(" in part:                              # anything else with brackets: leave to a human
            continue
        out.append(part)
    return out


def main(argv: list[str]) -> int:
    root = Path(argv[1])
    fips_to_iso2: dict[str, str] = {}
    with (INPUTS / "natural_earth_wikidata.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            if row["fips_10"] and row["iso2"]:
                fips_to_iso2.setdefault(row["fips_10"].lower(), row["iso2"])
    rows = []
    for path in sorted(root.glob("*/*.json")):
        gec = path.stem
        iso2 = GEC_TO_ISO2.get(gec) or fips_to_iso2.get(gec)
        if not iso2:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        nat = data.get("People and Society", {}).get("Nationality", {})
        noun, adjective = nat.get("noun", {}).get("text", ""), nat.get("adjective", {}).get("text", "")
        forms = list(dict.fromkeys(_forms(noun) + _forms(adjective)))
        if forms:
            rows.append({"iso2": iso2, "gec": gec, "demonyms": "; ".join(forms),
                         "factbook_noun": noun, "factbook_adjective": adjective})
    rows.sort(key=lambda r: r["iso2"])
    with OUT.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "# Demonyms from the CIA World Factbook, field \"Nationality\" (noun and adjective), via\n"
            "# https://github.com/factbook/factbook.json (commit 8662a8b, May 2026; Factbook text is a US\n"
            "# government work in the public domain; the JSON repository is CC0-1.0). Parsed by\n"
            "# tools/derive_demonyms.py: Ukrainian(s) -> Ukrainian; Ukrainians. Hand corrections (Korean,\n"
            "# Congolese, Dominican, Pole...) are applied by build_states.py from state_aliases.yaml.\n"
        )
        writer = csv.DictWriter(out, fieldnames=["iso2", "gec", "demonyms", "factbook_noun", "factbook_adjective"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
