"""Derive tools/inputs/natural_earth_wikidata.csv from Natural Earth's admin-0 countries table.

One-off helper, kept so the derived CSV can be re-made: it reads the attribute table
(ne_10m_admin_0_countries.dbf, Natural Earth 1:10m Cultural Vectors, public domain) and keeps
the few columns the actor catalog uses. Needs `dbfread` (pip install dbfread).

    python tools/derive_natural_earth.py path/to/ne_10m_admin_0_countries.dbf [VERSION]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "inputs" / "natural_earth_wikidata.csv"
COLUMNS = ["adm0_a3", "iso2", "iso3", "fips_10", "ne_type", "sovereignt", "admin", "name_en", "wikidata"]


def _code(value: str) -> str:
    return "" if value in ("-99", "-099", None) else value


def main(argv: list[str]) -> int:
    from dbfread import DBF  # only this helper needs it

    dbf, version = Path(argv[1]), (argv[2] if len(argv) > 2 else "5.1.1")
    rows = []
    for rec in DBF(str(dbf), encoding="utf-8"):
        rows.append({
            "adm0_a3": rec["ADM0_A3"],
            # the *_EH columns fill the codes that ISO_A2/ISO_A3 leave as -99 (France, Norway, Kosovo...)
            "iso2": _code(rec["ISO_A2_EH"]), "iso3": _code(rec["ISO_A3_EH"]),
            "fips_10": _code(rec["FIPS_10"]), "ne_type": rec["TYPE"], "sovereignt": rec["SOVEREIGNT"],
            "admin": rec["ADMIN"], "name_en": rec["NAME_EN"], "wikidata": rec["WIKIDATAID"] or "",
        })
    rows.sort(key=lambda r: r["adm0_a3"])
    with OUT.open("w", encoding="utf-8", newline="") as out:
        out.write(
            f"# Derived from Natural Earth {version}, 1:10m Cultural Vectors, Admin 0 - Countries\n"
            "# (ne_10m_admin_0_countries.dbf; https://www.naturalearthdata.com/downloads/10m-cultural-vectors/\n"
            "#  and https://github.com/nvkelso/natural-earth-vector). Licence: public domain\n"
            "#  (https://www.naturalearthdata.com/about/terms-of-use/). Columns: ADM0_A3, ISO_A2_EH, ISO_A3_EH,\n"
            "#  FIPS_10, TYPE, SOVEREIGNT, ADMIN, NAME_EN, WIKIDATAID. Re-make with tools/derive_natural_earth.py.\n"
        )
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
