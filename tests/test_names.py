"""Unknown names without a model: detection, the review queue, and adding or dismissing a name from
the command line and the Data page."""

from __future__ import annotations

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from ceasefire import ingest as ingest_module
from ceasefire.analysis.catalog import CatalogError, current_catalog
from ceasefire.analysis.extract import Extraction, Extractors, extract_article
from ceasefire.analysis.names import find_names, with_alias, with_new_actor
from ceasefire.analysis.text import SentenceIndex, split_sentences
from ceasefire.cli.main import main
from ceasefire.config import REPO_ROOT, user_actors_path
from ceasefire.dashboard import frame
from ceasefire.ingest import add_name_to_catalog, dismiss_name, ingest
from ceasefire.loaders.files import load_uploads
from ceasefire.read import queries
from ceasefire.read.filters import Filters
from ceasefire.store.db import Store

# Three articles about talks the built-in catalog knows nothing of: Nandoro in all three, the AFA in
# two, Kabarebo (after a title) in two, Laurent Kanyoro in one.
ARTICLES = {
    "goma.txt": ("Rebels and Kinshasa\n\nThe Alliance Fleuve Azur (AFA), led by Corvin Nandoro, said on Monday "
                 "it would send a delegation to Doha. General Kabarebo said Rwanda had no troops there."),
    "doha.txt": ("Doha round\n\nCorvin Nandoro met Qatari mediators in Doha. His spokesman Laurent Kanyoro said the "
                 "AFA wanted guarantees. Hamas was not involved."),
    "kigali.txt": ("Kigali\n\nPresident Kabarebo spoke about the talks. Later, Corvin Nandoro said the next round "
                   "would begin in March."),
}


@pytest.fixture(scope="module")
def extractors() -> Extractors:
    return Extractors.load()


def names_of(extractors: Extractors, text: str) -> list[tuple[str, str]]:
    extraction = Extraction()
    extract_article(extractors, extraction, "a", text, None, None)
    return [(row[4], row[5]) for row in extraction.rows["name_mentions"]]


def plain(text: str, known: list[str] = (), places: list[str] = ()) -> list[tuple[str, str]]:
    """find_names on its own, with actor and place mentions at the given words."""
    spans = split_sentences(text)

    def at(words):
        return [(text.index(word), text.index(word) + len(word)) for word in words]

    return [(m.name, m.kind) for m in find_names(text, spans, SentenceIndex(spans).of, at(known), at(places))]


def test_multi_word_names_acronyms_and_names_after_a_title_are_found():
    text = ("Rebels said the Alliance Fleuve Azur would attend, with the SPLA-X and the M27. Its leader met "
            "President Tshibanda and Foreign Minister Badr Abdelkarim; Secretary of State Marco Rubinetti and "
            "Gen. Kabarebo were absent, as was Corvin Nandoro's spokesman.")
    assert plain(text) == [("Alliance Fleuve Azur", "name"), ("SPLA-X", "acronym"), ("M27", "acronym"),
                           ("Tshibanda", "titled"), ("Badr Abdelkarim", "titled"), ("Marco Rubinetti", "titled"),
                           ("Kabarebo", "titled"), ("Corvin Nandoro", "name")]


def test_catalog_actors_places_and_common_words_are_not_unknown_names():
    text = ("Negotiators met in Geneva. The talks resumed on Monday in January. However, Israeli Prime Minister "
            "Benjamin Netanyahu spoke to the Foreign Ministry and the Security Council. North Kivu residents fled.")
    # As one word at a sentence's start, a word the text also writes in lower case, a catalog actor
    # with its title and first name, and a place: none is a name; the words of offices alone neither.
    assert plain(text, known=["Israeli", "Netanyahu"], places=["Geneva", "North Kivu"]) == []
    # Without the catalog and the gazetteer, the same words would be names.
    assert plain(text) == [("Benjamin Netanyahu", "titled"), ("North Kivu", "name")]


def test_a_sentence_start_and_a_headline_do_not_make_names():
    assert plain("Mediators Welcome Doha Offer As Talks Resume") == []  # a headline in title case
    assert plain("Observers Sandra Kuchta and Peter Holm arrived. The observers left.") == [("Sandra Kuchta", "name"),
                                                                                           ("Peter Holm", "name")]
    assert plain("Corvin Nandoro arrived. Nandoro left.") == [("Corvin Nandoro", "name")]
    assert plain("General Kabarebo spoke. The general left.") == [("Kabarebo", "titled")]  # a title stays a title
    # Short, with many names, yet no headline.
    assert plain("The SPLA-X and the Rapid Support Forces met in Geneva.") == [("SPLA-X", "acronym"),
                                                                               ("Rapid Support Forces", "name")]
    assert plain("BREAKING: AFA REBELS TAKE GOMA AIRPORT") == []


def test_the_extractors_leave_out_what_the_catalog_and_gazetteer_match(extractors):
    found = names_of(extractors, ARTICLES["goma.txt"])
    assert found == [("Alliance Fleuve Azur", "name"), ("AFA", "acronym"), ("Corvin Nandoro", "name"),
                     ("Kabarebo", "titled")]  # not Doha, Rwanda or Kinshasa (places), nor Hamas (an actor)
    assert names_of(extractors, "Khalil al-Hayya met US envoy Steve Witkoff and Egypt's Foreign Minister in Cairo.") == []


def test_adding_a_name_to_the_catalog_checks_it():
    catalog = current_catalog()
    with pytest.raises(CatalogError, match="in the catalog already"):
        with_new_actor(catalog, "Hamas", "armed group")
    with pytest.raises(CatalogError, match="not an actor in the catalog"):
        with_alias(catalog, "AFA", "Nobody")
    with pytest.raises(CatalogError, match="affiliation 'Nobody' is not an actor"):
        with_new_actor(catalog, "Corvin Nandoro", "person", affiliation="Nobody")
    kagame = with_new_actor(catalog, "Kabarebo", "person", actor_name="Paul Kabarebo").actors["Paul Kabarebo"]
    assert kagame.aliases == ["Kabarebo"]
    assert with_alias(catalog, "Hamas movement", "hamas").actors["Hamas"].aliases[-1] == "Hamas movement"


@pytest.fixture
def names_store(tmp_path, monkeypatch):
    """A store of ARTICLES, and a user catalog of this test's own."""
    monkeypatch.setenv("CEASEFIRE_ACTORS", str(tmp_path / "my-actors.yaml"))
    with Store(tmp_path / "names.duckdb") as store:
        ingest(store, load_uploads([(name, text.encode()) for name, text in ARTICLES.items()]))
        yield store


def ids_of(store: Store) -> dict[str, str]:
    return dict(store.con.execute("SELECT origin_file, article_id FROM articles").fetchall())


def test_the_queue_ranks_names_by_articles_and_shows_a_sentence(names_store):
    queue = queries.unknown_names(names_store.con)
    assert queue[["name", "kind", "articles"]].values.tolist() == [
        ["Corvin Nandoro", "name", 3], ["AFA", "acronym", 2], ["Kabarebo", "titled", 2]]
    sentences = {"Rebels and Kinshasa": "The Alliance Fleuve Azur (AFA), led by Corvin Nandoro, said on Monday it would "
                                        "send a delegation to Doha.",
                 "Doha round": "Corvin Nandoro met Qatari mediators in Doha.",
                 "Kigali": "Later, Corvin Nandoro said the next round would begin in March."}
    assert queue.sentence[0] == sentences[queue.title[0]]  # one of the sentences naming it, and its article
    everything = queries.unknown_names(names_store.con, min_articles=1, limit=4)
    assert everything.name.tolist() == ["Corvin Nandoro", "AFA", "Kabarebo", "Alliance Fleuve Azur"]
    samples = queries.name_sentences(names_store.con, "Kabarebo")
    assert sorted(samples.sentence) == ["General Kabarebo said Rwanda had no troops there.", "President Kabarebo spoke about the talks."]
    assert set(samples.title) == {"Rebels and Kinshasa", "Kigali"}


def test_accepting_a_name_reanalyses_only_the_articles_naming_it(names_store, monkeypatch):
    analysed: list[str] = []
    extract = ingest_module.extract_articles

    def spy(extractors, articles):
        articles = list(articles)
        analysed.extend(article[0] for article in articles)
        return extract(extractors, articles)

    monkeypatch.setattr(ingest_module, "extract_articles", spy)
    ids = ids_of(names_store)
    before = names_store.con.execute("SELECT count(*) FROM sentences").fetchone()[0]
    catalog = with_new_actor(current_catalog(), "Kabarebo", "person", actor_name="Paul Kabarebo")
    found = add_name_to_catalog(names_store, "Kabarebo", catalog)
    assert sorted(analysed) == sorted(found) == sorted([ids["goma.txt"], ids["kigali.txt"]])
    named = names_store.con.execute("SELECT article_id FROM article_actors WHERE actor = 'Paul Kabarebo'").fetchall()
    assert sorted(row[0] for row in named) == sorted(found)
    assert names_store.con.execute("SELECT count(*) FROM sentences").fetchone()[0] == before  # replaced, not added
    assert "Kabarebo" not in queries.unknown_names(names_store.con).name.tolist()
    # The facet tables were derived again: the dashboard's counts include the new actor.
    top = queries.top_actors(names_store.con, Filters())
    assert top.set_index("actor").loc["Paul Kabarebo", "articles"] == 2
    assert queries.top_actors(names_store.con, Filters(actors=("Paul Kabarebo",))).actor.tolist()
    overlay = yaml.safe_load(user_actors_path().read_text(encoding="utf-8"))
    assert overlay == [{"name": "Paul Kabarebo", "type": "person", "aliases": ["Kabarebo"]}]


def test_an_alias_resolves_the_name_to_its_actor(names_store):
    add_name_to_catalog(names_store, "Alliance Fleuve Azur",
                        with_new_actor(current_catalog(), "Alliance Fleuve Azur", "armed group"))
    assert "Alliance Fleuve Azur" not in queries.unknown_names(names_store.con, min_articles=1).name.tolist()
    found = add_name_to_catalog(names_store, "AFA", with_alias(current_catalog(), "AFA", "Alliance Fleuve Azur"))
    assert len(found) == 2
    mentions = names_store.con.execute("SELECT surface, match_kind FROM actor_mentions WHERE actor = 'Alliance Fleuve Azur' "
                                       "ORDER BY ALL").fetchall()
    assert mentions == [("AFA", "alias"), ("AFA", "alias"), ("Alliance Fleuve Azur", "name")]


def test_a_dismissed_name_leaves_the_queue_and_stays_out_after_reanalysis(names_store):
    dismiss_name(names_store, "corvin  nandoro", dismissed_by="admin@example.org")
    assert queries.unknown_names(names_store.con).name.tolist() == ["AFA", "Kabarebo"]
    ingest_module.reextract(names_store)
    assert queries.unknown_names(names_store.con).name.tolist() == ["AFA", "Kabarebo"]
    assert names_store.con.execute("SELECT dismissed_by FROM name_dismissals").fetchall() == [("admin@example.org",)]


def test_the_command_line_lists_adds_aliases_and_dismisses(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CEASEFIRE_ACTORS", str(tmp_path / "my-actors.yaml"))
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "ingest", str(folder)]) == 0
    capsys.readouterr()

    assert main(["--db", db, "names"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in out[0:6:2]] == ["Nandoro", "AFA", "Kabarebo"]
    assert out[0].split()[:2] == ["3", "articles"] and "titled" in out[4]
    assert main(["--db", db, "names", "--min-articles", "1", "--limit", "4"]) == 0
    assert "Alliance Fleuve Azur" in capsys.readouterr().out

    assert main(["--db", db, "names", "add", "Corvin Nandoro", "--type", "person"]) == 0
    assert "analysed 3 article(s) naming it again" in capsys.readouterr().out
    assert main(["--db", db, "names", "add", "Alliance Fleuve Azur", "--type", "armed group"]) == 0
    assert main(["--db", db, "names", "alias", "AFA", "--of", "Alliance Fleuve Azur"]) == 0
    assert main(["--db", db, "names", "dismiss", "Kabarebo"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "names"]) == 0
    assert capsys.readouterr().out.startswith("no unknown names in 2 articles or more")
    with Store(db) as store:
        actors = dict(store.con.execute("SELECT actor, count(*) FROM article_actors GROUP BY 1").fetchall())
    assert (actors["Corvin Nandoro"], actors["Alliance Fleuve Azur"]) == (3, 2)

    assert main(["--db", db, "names", "alias", "Laurent Kanyoro", "--of", "Nobody"]) == 2
    assert "'Nobody' is not an actor in the catalog" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--db", db, "names", "add", "Laurent Kanyoro", "--type", "spokesman"])


def data_page(path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    app.switch_page("pages/7_Data.py")
    return app.run()


def test_the_admin_reviews_unknown_names_on_the_data_page_and_visitors_do_not_see_them(tmp_path, monkeypatch):
    monkeypatch.setenv("CEASEFIRE_ACTORS", str(tmp_path / "my-actors.yaml"))
    path = tmp_path / "page.duckdb"
    with Store(path) as store:  # these articles alone, not the bundled sample
        ingest(store, load_uploads([(name, text.encode()) for name, text in ARTICLES.items()]))
    app = data_page(path, monkeypatch)
    assert not app.exception
    assert "Unknown names" in [tab.label for tab in app.tabs]
    assert app.selectbox(key="names_selected").options == ["Corvin Nandoro", "AFA", "Kabarebo"]
    queue = next(frame.value for frame in app.dataframe if "Found as" in frame.value.columns)
    assert queue.Articles.tolist() == [3, 2, 2]
    assert any("led by Corvin Nandoro" in m.value for m in app.markdown)  # a sample sentence

    app.selectbox(key="names_selected").set_value("Kabarebo").run()
    # The form starts from the name selected, a person when it came after a title.
    assert (app.text_input(key="names_actor_name").value, app.selectbox(key="names_type").value) == ("Kabarebo", "person")
    app.text_input(key="names_actor_name").set_value("Paul Kabarebo")
    app.button(key="names_add").click().run()
    assert not app.exception
    assert "analysed the 2 articles naming it again" in app.success[0].value
    assert app.selectbox(key="names_selected").options == ["Corvin Nandoro", "AFA"]

    app.selectbox(key="names_selected").set_value("AFA").run()
    app.button(key="names_dismiss").click().run()
    assert app.selectbox(key="names_selected").options == ["Corvin Nandoro"]

    monkeypatch.setattr(frame, "_client_ip", lambda: "203.0.113.7")  # a visitor from elsewhere
    visitor = data_page(path, monkeypatch)
    assert not visitor.exception
    assert "Unknown names" not in [tab.label for tab in visitor.tabs]
    assert "names_selected" not in [box.key for box in visitor.selectbox]
