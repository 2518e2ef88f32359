"""The one list of the read side's queries, typed: pages call them through the dashboard's cache
(`query(Q.top_actors, filters)`), `ceasefire query NAME` offers those that run on every engine,
and bench/query_times.py times those with benchmark arguments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from ceasefire.read import queries

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Query(Generic[P, R]):
    """A read-side function of (connection, …), with what else may call it."""

    function: Callable[Concatenate[Any, P], R]
    on_every_engine: bool = False  # takes the filters alone and runs on PostgreSQL too: `ceasefire query` offers it
    # label → keyword arguments the benchmark times it with ("" for none besides the filters).
    benchmark: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.function.__name__

    def __call__(self, con: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.function(con, *args, **kwargs)


class Q:
    """Every query, by name. The first sixteen run on every engine (in the order `ceasefire query` lists them)."""

    coverage = Query(queries.coverage, True, {"": {}, "stories": {"count": "stories"}})
    top_actors = Query(queries.top_actors, True, {"": {}})
    mentions_over_time = Query(queries.mentions_over_time, True,
                               {"": {"grain": "week", "actors": ["Hamas", "Israel", "Egypt"]}})
    co_mentions = Query(queries.co_mentions, True, {"": {"scope": "sentence", "limit": 40},
                                                     "article": {"scope": "article", "limit": 40}})
    actor_venues = Query(queries.actor_venues, True)
    issue_salience = Query(queries.issue_salience, True, {"": {}})
    rounds_by_venue_outcome = Query(queries.rounds_by_venue_outcome, True)
    tone_trend = Query(queries.tone_trend, True, {"": {"grain": "month", "actor": "Qatar"}})
    headline = Query(queries.headline, True, {"": {}})
    conflicts_side_by_side = Query(queries.conflicts_side_by_side, True, {"": {}})
    rounds_by_conflict = Query(queries.rounds_by_conflict, True)
    place_counts = Query(queries.place_counts, True, {"": {}, "venues": {"mentioned": False}})
    rounds = Query(queries.rounds, True, {"": {}})
    events_over_time = Query(queries.events_over_time, True, {"": {}})
    agreement_windows = Query(queries.agreement_windows, True, {"": {}})
    event_places = Query(queries.event_places, True, {"": {}})
    actor_profile = Query(queries.actor_profile, benchmark={"": {"actor": "Qatar"}})
    actor_sentences = Query(queries.actor_sentences, benchmark={"": {"actor": "Qatar"}})
    search_articles = Query(queries.search_articles, benchmark={"": {"text": "", "limit": 25}})
    news_rounds = Query(queries.news_rounds, benchmark={"": {}})
    # By key, uncached: one article, one round, the candidates of one news round.
    article = Query(queries.article)
    article_spans = Query(queries.article_spans)
    story = Query(queries.story)
    events = Query(queries.events)
    round_sentences = Query(queries.round_sentences)
    news_round_evidence = Query(queries.news_round_evidence)
    # The admin's review queue of unknown names, uncached: it changes with every decision.
    unknown_names = Query(queries.unknown_names)
    name_sentences = Query(queries.name_sentences)
    # Of the whole store.
    filter_options = Query(queries.filter_options)
    conflicts_unanalysed = Query(queries.conflicts_unanalysed)
    data_version = Query(queries.data_version)
    article_texts = Query(queries.article_texts)
    # What the admin's changes on a server database start from (dashboard/actions.py).
    stored_articles = Query(queries.stored_articles)
    stored_keys = Query(queries.stored_keys)


REGISTRY: dict[str, Query] = {q.name: q for q in vars(Q).values() if isinstance(q, Query)}
ON_EVERY_ENGINE: tuple[str, ...] = tuple(name for name, q in REGISTRY.items() if q.on_every_engine)
