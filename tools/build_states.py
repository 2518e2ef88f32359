"""Generate data/actors/states.yaml: every UN member and observer state, disputed and de-facto
entities, and the dependent territories that turn up in the news.

    python tools/build_states.py            # from the repository root; rewrites the file
    python tools/build_states.py --check    # exit 1 if the file is not what the inputs give

Sources (see data/SOURCES.md):
- country_converter (its bundled country_data.tsv): short and official names, ISO codes, and the
  UNmember column (year of admission) that decides who is a UN member;
- pycountry (ISO 3166-1): ISO codes and the ISO names, as further aliases;
- tools/inputs/natural_earth_wikidata.csv: Wikidata ids (Natural Earth's WIKIDATAID, public domain);
- tools/inputs/demonyms.csv: demonyms from the CIA World Factbook (public domain);
- tools/inputs/state_aliases.yaml: hand-kept names, aliases, demonyms, removals, and the states the
  catalog had before it was generated (kept exactly).

The output depends on nothing else (no network, no clock), so the same inputs and package
versions always give the same file. Needs: country_converter, pycountry, pyyaml (no pandas:
the converter's table is read as plain TSV).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from importlib import metadata, resources
from pathlib import Path

import pycountry
import yaml

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "tools" / "inputs"
OUT = ROOT / "data" / "actors" / "states.yaml"

# candidate aliases from the packages are skipped when they carry these (inverted ISO names
# "Korea, Republic of", bracketed notes, abbreviations "Dem. Rep.")
_UNFIT = re.compile(r"[,().]")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _cc_table() -> list[dict[str, str]]:
    text = resources.files("country_converter").joinpath("country_data.tsv").read_text(encoding="utf-8")
    # plain csv: no "NA" (Namibia) read as missing
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


class Forms:
    """The forms claimed so far, casefolded, so that no two entities share one."""

    def __init__(self) -> None:
        self.owner: dict[str, str] = {}
        self.dropped: list[str] = []

    def claim(self, entity: str, form: str) -> bool:
        key = form.casefold()
        owner = self.owner.setdefault(key, entity)
        if owner != entity:
            self.dropped.append(f"{form!r}: kept for {owner}, dropped for {entity}")
            return False
        return True


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        v = v.strip()
        if v and v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out


def build() -> tuple[str, dict[str, int], list[str]]:
    hand = yaml.safe_load((INPUTS / "state_aliases.yaml").read_text(encoding="utf-8"))
    cc = {r["ISO3"]: r for r in _cc_table() if r["ISO3"] and not r["obsolete"]}
    ne_by_iso3: dict[str, dict[str, str]] = {}
    ne_by_adm0: dict[str, dict[str, str]] = {}
    for r in _rows(INPUTS / "natural_earth_wikidata.csv"):
        ne_by_adm0[r["adm0_a3"]] = r
    for r in sorted(ne_by_adm0.values(), key=lambda r: (r["adm0_a3"] != r["iso3"], r["adm0_a3"])):
        if r["iso3"]:
            ne_by_iso3.setdefault(r["iso3"], r)     # the row whose ADM0_A3 is the ISO code wins
    ne_by_iso3.setdefault("XKX", ne_by_adm0["KOS"])  # Natural Earth has no ISO code for Kosovo
    fb = {r["iso2"]: [d.strip() for d in r["demonyms"].split(";")] for r in _rows(INPUTS / "demonyms.csv")}

    existing = {e["name"]: e for e in hand["existing"]}
    names: dict[str, str] = hand.get("names") or {}
    observers, disputed, territories = hand["observers"], hand["disputed"], hand["territories"]
    drop_aliases = {a.casefold() for a in hand.get("drop_aliases") or []}
    drop_demonyms = {d.casefold() for d in hand.get("drop_demonyms") or []}
    hand_aliases: dict[str, list[str]] = hand.get("aliases") or {}
    hand_demonyms: dict[str, list[str]] = hand.get("demonyms") or {}
    hand_wikidata: dict[str, str] = hand.get("wikidata") or {}

    members = sorted(iso3 for iso3, r in cc.items() if r["UNmember"])
    if len(members) != 193:
        raise SystemExit(f"country_converter lists {len(members)} UN members, not 193: check its version")

    # ---- assemble entities, in priority order for shared forms: members, observers, disputed, territories
    groups = [("state", members), ("state", sorted(observers)), ("territory", sorted(disputed)),
              ("territory", sorted(territories))]
    entities: list[dict] = []
    existing_by_iso3: dict[str, dict] = {}
    for e in existing.values():
        for iso3, r in cc.items():
            if names.get(iso3, r["name_short"]) == e["name"] or e["name"] in (r["name_short"],):
                existing_by_iso3[iso3] = e
    # names that differ between the old catalog and country_converter
    existing_by_iso3.update({"TUR": existing["Turkey"]})

    for kind, codes in groups:
        for iso3 in codes:
            r = cc[iso3]
            country = pycountry.countries.get(alpha_3=iso3)
            old = existing_by_iso3.get(iso3)
            name = old["name"] if old else names.get(iso3, r["name_short"])
            candidates = [r["name_short"], r["name_official"]]
            if country:
                candidates += [country.name, getattr(country, "official_name", ""), getattr(country, "common_name", "")]
            ne = ne_by_iso3.get(iso3)
            if ne:
                candidates += [ne["admin"], ne["name_en"]]
            generated = [c for c in candidates if c and not _UNFIT.search(c) and c.casefold() not in drop_aliases]
            aliases = (old.get("aliases", []) if old else []) + hand_aliases.get(iso3, []) + generated
            iso2 = country.alpha_2 if country else ("XK" if iso3 == "XKX" else None)
            source_demonyms = [d for d in fb.get(iso2 or "", []) if d.casefold() not in drop_demonyms]
            demonyms = (old.get("demonyms", []) if old else []) + source_demonyms + hand_demonyms.get(iso3, [])
            wikidata = (old or {}).get("wikidata") or hand_wikidata.get(iso3) or (ne["wikidata"] if ne else None)
            entities.append({"name": name, "type": kind, "aliases": aliases, "demonyms": demonyms,
                             "iso2": iso2, "iso3": iso3, "wikidata": wikidata,
                             "_keep": set(old.get("aliases", []) + old.get("demonyms", [])) if old else set(),
                             "_group": "disputed" if iso3 in disputed else kind})
            if old and old.get("wikidata") and ne and ne["wikidata"] and old["wikidata"] != ne["wikidata"] \
                    and iso3 not in hand_wikidata:
                print(f"note: {name}: kept wikidata {old['wikidata']} (Natural Earth says {ne['wikidata']})",
                      file=sys.stderr)
    for x in hand.get("extra") or []:
        ne = ne_by_adm0.get(x.get("ne", ""))
        entities.append({"name": x["name"], "type": "territory", "aliases": list(x.get("aliases", [])),
                         "demonyms": list(x.get("demonyms", [])), "iso2": None, "iso3": None,
                         "wikidata": hand_wikidata.get(x["name"]) or (ne["wikidata"] if ne else None),
                         "_keep": set(), "_group": "disputed"})

    # ---- forms: each once in the whole file (a later entity loses a form an earlier one has)
    forms = Forms()
    for e in entities:
        forms.claim(e["name"], e["name"])
    for e in entities:
        for field in ("aliases", "demonyms"):
            kept = []
            for form in _unique(e[field]):
                if form.casefold() == e["name"].casefold() and form not in e["_keep"]:
                    continue
                if field == "demonyms" and form.casefold() in {a.casefold() for a in e["aliases"]} \
                        and form not in e["_keep"]:
                    continue                        # "Laos", "Luxembourg": already the name or an alias
                if forms.claim(e["name"], form):
                    kept.append(form)
            e[field] = kept
    missing = [e["name"] for e in entities if e["iso3"] in cc and cc[e["iso3"]]["UNmember"] and not e["demonyms"]]
    for old_name, old in existing.items():
        e = next((e for e in entities if e["name"] == old_name), None)
        if e is None:
            raise SystemExit(f"existing state {old_name!r} is missing from the output")
        lost = [f for f in old.get("aliases", []) + old.get("demonyms", []) if f not in e["aliases"] + e["demonyms"]]
        if lost:
            raise SystemExit(f"existing state {old_name!r} lost {lost}")

    # ---- write
    sections = [("state", "UN member states (193) and observer states (Palestine, Holy See)"),
                ("disputed", "Disputed, occupied and de-facto entities (type territory)"),
                ("territory", "Dependent territories and special administrative regions (type territory)")]
    versions = {p: metadata.version(p) for p in ("country_converter", "pycountry")}
    lines = [
        "# GENERATED by tools/build_states.py: do not edit by hand. To change it, edit the inputs in",
        "# tools/inputs/ (state_aliases.yaml for names, aliases and demonyms) and run, from the repository",
        "# root:  python tools/build_states.py",
        (f"# Built with country_converter {versions['country_converter']} and pycountry {versions['pycountry']}; "
        "Wikidata ids from Natural Earth"),
        "# (public domain), demonyms from the CIA World Factbook (public domain). See data/SOURCES.md.",
        "# Fields: see README.md beside this file.",
    ]
    counts: dict[str, int] = {}
    for group, title in sections:
        chosen = sorted((e for e in entities if e["_group"] == group), key=lambda e: _sort_key(e["name"]))
        counts[group] = len(chosen)
        lines += ["", f"# ---------------------------------------------------------------- {title}"]
        for e in chosen:
            lines.append("- " + _flow(e))
    text = "\n".join(lines) + "\n"
    _check_roundtrip(text, entities)
    notes = forms.dropped + ([f"UN members without demonyms: {', '.join(missing)}"] if missing else [])
    return text, counts, notes


def _sort_key(name: str) -> str:
    """Alphabetical, accents aside: Côte d'Ivoire among the Cs, Åland among the As."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def _scalar(value: str) -> str:
    """A plain YAML scalar where it reads back as the same string, else a double-quoted one."""
    plain = value
    try:
        ok = yaml.safe_load(f"[{plain}]") == [value] and not re.search(r"[\[\]{},#&*!|>%@`\"]|: ", value) \
            and not value.startswith(("'", "-", "?"))
    except yaml.YAMLError:
        ok = False
    if ok:
        return plain
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(e: dict) -> str:
    parts = [f"name: {_scalar(e['name'])}", f"type: {e['type']}"]
    for field in ("aliases", "demonyms"):
        if e[field]:
            parts.append(f"{field}: [" + ", ".join(_scalar(v) for v in e[field]) + "]")
    for field in ("iso2", "iso3", "wikidata"):
        if e[field]:
            parts.append(f"{field}: {_scalar(e[field])}")
    return "{" + ", ".join(parts) + "}"


def _check_roundtrip(text: str, entities: list[dict]) -> None:
    loaded = yaml.safe_load(text)
    by_name = {e["name"]: e for e in entities}
    for item in loaded:
        e = by_name[item["name"]]
        for field in ("aliases", "demonyms"):
            if item.get(field, []) != e[field]:
                raise SystemExit(f"YAML round trip changed {item['name']}'s {field}")
        for field in ("iso2", "iso3", "wikidata"):
            if item.get(field) != e[field]:
                raise SystemExit(f"YAML round trip changed {item['name']}'s {field}")


def _entries(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    parser.add_argument("--verbose", action="store_true", help="list the forms dropped as shared")
    args = parser.parse_args(argv)
    text, counts, notes = build()
    if args.verbose:
        for note in notes:
            print(note, file=sys.stderr)
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if _entries(current) != _entries(text):  # the header names the package versions: not compared
            print(f"{OUT.relative_to(ROOT)} is out of date: run python tools/build_states.py", file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(ROOT)} is up to date")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: " + ", ".join(f"{n} {g}" for g, n in counts.items())
          + f" ({sum(counts.values())} in all; {len(notes)} notes, --verbose lists them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
