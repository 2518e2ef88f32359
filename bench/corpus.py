"""SYNTHETIC benchmark corpus: generated news-like articles, for measuring speed only.

Every article is made from templates filled with actors from data/actors/ and
places from data/places.csv. As in real coverage, a few actors and places are named far more
often than the rest (Zipf-like weights in catalog order), and most sentences name no actor:
about 10 actor mentions per article, the density the scale targets assume (1M articles, 10M mentions). Titles start with "[SYNTHETIC]" and the source is
"synthetic-benchmark", so generated text can never be mistaken for news.

    python bench/corpus.py 10000 --out /tmp/corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from ceasefire.analysis.catalog import read_catalog
from ceasefire.analysis.conflicts import read_conflicts

PLACES = ["Cairo", "Doha", "Gaza", "Rafah", "Khan Younis", "Sharm el-Sheikh", "Jerusalem", "Tel Aviv", "Paris",
          "Washington", "the West Bank", "the Philadelphi corridor", "the Rafah crossing", "Deir al-Balah", "Amman"]
ISSUES = ["a 60-day truce", "the release of hostages", "a prisoner exchange", "humanitarian aid deliveries",
          "the reopening of crossings", "a phased withdrawal", "security arrangements for the day after",
          "reconstruction funding", "alleged ceasefire violations", "the return of displaced families"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Sentences that name actors or places, and sentences that name none.
TEMPLATES = [
    "{person} arrived in {place} on {weekday} for talks on {issue}.",
    "{state} and {state2} discussed {issue} in {place} in {month}.",
    "According to {media}, {group} rejected the latest proposal, citing {issue}.",
    "Officials from {state} said {issue} remained the main obstacle, {media} reported.",
    "{person} told reporters that {group} would not accept {issue} without guarantees.",
    "The talks in {place} last week focused on {issue}, two officials said.",
    "{igo} warned that {issue} could not wait, as conditions in {place} worsened.",
    "Mediators from {state} pressed {group} and {state2} to agree on {issue}.",
]
FILLERS = [
    "Negotiators have met repeatedly over two years without a lasting deal.",
    "Analysts said the outcome would depend on pressure from outside the region.",
    "Residents described long queues for food and water and fear of renewed strikes.",
    "The proposal would be implemented in stages, according to a draft seen by reporters.",
    "It was not clear when the next round would take place.",
]


def _zipf(names: list[str]) -> tuple[list[str], list[float]]:
    return names, [1 / rank for rank in range(1, len(names) + 1)]


def generate_articles(count: int, seed: int = 7, sentences: tuple[int, int] = (24, 36),
                      naming_share: float = 0.2) -> Iterator[dict]:
    """`count` synthetic articles as dicts ready for the JSON loaders; `naming_share` of their
    sentences name actors or places."""
    rng = random.Random(seed)
    # The catalog's actors, those of the conflicts first (their parties and usual mediators, in the
    # conflicts file's order), as news names them most: in the catalog's own order the alphabetically
    # first states (Afghanistan, Albania…) were the most named, unlike any coverage of the talks.
    prominent = {name: rank for rank, name in enumerate(dict.fromkeys(
        name for conflict in read_conflicts() for name in (*conflict.parties, *conflict.mediators)))}
    actors = sorted(read_catalog().actors.values(), key=lambda a: prominent.get(a.name, len(prominent)))
    by_type = {kind: [a.name for a in actors if a.type == kind] for kind in {a.type for a in actors}}
    fill = {
        "person": by_type["person"], "state": by_type["state"], "state2": by_type["state"],
        "group": by_type["armed group"], "media": by_type["media"], "igo": by_type["mediator/IGO"],
        "place": PLACES, "issue": ISSUES, "weekday": WEEKDAYS,
    }
    weighted = {key: _zipf(names) for key, names in fill.items()}
    start = date(2023, 10, 7)
    for number in range(count):
        published = start + timedelta(days=rng.randrange(0, 800))
        lines = []
        for _ in range(rng.randint(*sentences)):
            template = rng.choice(TEMPLATES if rng.random() < naming_share else FILLERS)
            values = {key: rng.choices(names, weights)[0] for key, (names, weights) in weighted.items()
                      if "{" + key + "}" in template}
            lines.append(template.format(month=f"{published:%B %Y}", **values))
        paragraphs = ["\n".join([" ".join(lines[i : i + 3])]) for i in range(0, len(lines), 3)]
        yield {
            "title": f"[SYNTHETIC] Benchmark article {number}",
            "text": "\n\n".join(paragraphs),
            "published_at": published.isoformat(),
            "source": "synthetic-benchmark",
            "url": f"https://example.invalid/synthetic/{number}",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as handle:
        for article in generate_articles(args.count, args.seed):
            handle.write(json.dumps(article) + "\n")


if __name__ == "__main__":
    main()
