"""The search kernel: Chinese and English matching, visibility in the query, facets, hostile input."""

import logging

import pytest
from django.conf import settings

from sciport.core import search
from sciport.core.errors import ValidationFailed
from sciport.core.models import SearchDocument

pytestmark = pytest.mark.django_db


def add(key, *, kind="organisation", visibility="public", organisation="", facets=None, **texts):
    search.index(
        search.Document(kind=kind, key=key, visibility=visibility, organisation=organisation, facets=facets or {}, **texts)
    )


def keys(text, **options):
    options.setdefault("signed_in", True)
    return [hit.key for hit in search.query(text, **options).hits]


@pytest.fixture
def directory():
    add(
        "org_materials",
        title_zh="东海先进材料研究所",
        title_en="East Sea Institute of Advanced Materials",
        body_zh="面向新能源电池的材料表征",
        facets={"kind": "institution", "region": "浦东新区"},
    )
    add(
        "org_testing",
        title_zh="张江检验检测技术服务中心",
        title_en="Zhangjiang Testing and Inspection Centre",
        body_en="Accredited laboratory for chemical testing.",
        facets={"kind": "provider", "region": "浦东新区"},
    )
    add(
        "org_ip",
        title_zh="徐汇知识产权服务有限公司",
        title_en="Xuhui Patent Agency",
        body_zh="专利申请与检索",
        facets={"kind": "provider", "region": "徐汇区"},
    )


def test_two_character_chinese_words_are_found_inside_longer_titles(directory):
    assert keys("材料") == ["org_materials"]
    assert keys("检测") == ["org_testing"]
    assert keys("研究所") == ["org_materials"]


def test_a_chinese_word_the_dictionary_does_not_know_is_found_by_its_character_pairs():
    add("org_cloud", title_zh="云栖智算中心")
    assert keys("栖智") == ["org_cloud"]
    assert keys("云栖智算") == ["org_cloud"]


def test_english_words_match_case_insensitively_and_by_stem(directory):
    assert keys("materials") == ["org_materials"]
    assert keys("MATERIAL") == ["org_materials"]
    assert keys("Patent") == ["org_ip"]
    assert keys("tested") == ["org_testing"]


def test_a_mixed_chinese_and_english_query_needs_every_word(directory):
    assert keys("东海 materials") == ["org_materials"]
    assert keys("检测 laboratory") == ["org_testing"]
    assert keys("检测 materials") == []


def test_a_title_match_ranks_above_a_body_match():
    add("org_body", title_en="Harbour Logistics", body_en="We ship materials for laboratories.")
    add("org_title", title_en="Materials Genome Lab")
    assert keys("materials") == ["org_title", "org_body"]


def test_restricted_documents_never_reach_callers_outside_their_audience():
    add("pub", title_en="graphene public")
    add("members", title_en="graphene signed in", visibility="signed_in")
    add("own", title_en="graphene own draft", visibility="organisation", organisation="org_a")
    add("other", title_en="graphene other draft", visibility="organisation", organisation="org_b")
    assert sorted(keys("graphene", signed_in=False)) == ["pub"]
    assert sorted(keys("graphene", signed_in=True)) == ["members", "pub"]
    assert sorted(keys("graphene", signed_in=True, viewer_organisations=["org_a"])) == ["members", "own", "pub"]
    counts = search.facet_counts("graphene", keys=["kind"], signed_in=False)
    assert counts == {"kind": {}}


def test_kinds_limit_the_results():
    add("org_x", title_en="Quantum centre")
    add("usr_x", kind="person", title_en="Quantum person")
    assert keys("quantum", kinds=["person"]) == ["usr_x"]


def test_facet_filters_and_counts(directory):
    assert sorted(keys("服务", facets={"kind": "provider"})) == ["org_ip", "org_testing"]
    assert keys("服务", facets={"kind": "provider", "region": "徐汇区"}) == ["org_ip"]
    counts = search.facet_counts("", keys=["kind", "region"], facets={"kind": "provider"})
    # A facet is counted without its own filter, so the other kinds stay visible as choices.
    assert counts["kind"] == {"provider": 2, "institution": 1}
    assert counts["region"] == {"徐汇区": 1, "浦东新区": 1}
    assert search.facet_counts("材料", keys=["region"]) == {"region": {"浦东新区": 1}}
    assert keys("", facets={"region": "徐汇区"}) == ["org_ip"]


def test_facet_names_that_look_like_lookups_are_plain_keys():
    add("org_contains", title_en="Odd facet", facets={"contains": "yes"})
    assert keys("", facets={"contains": "yes"}) == ["org_contains"]


HOSTILE = [
    '"',
    "'",
    "*",
    "NEAR(",
    "NEAR(a b, 2)",
    "a OR",
    "OR",
    "-",
    "- materials",
    "(",
    ")",
    "材料)",
    '"材料',
    "材料*",
    "title:材料",
    "^材料",
    "a AND",
    "NOT",
    "x" * 5000,
    "材" * 5000,
    "🔬🧪",
    "' OR 1=1; --",
    "'; DROP TABLE core_searchdocument; --",
    "\\",
    "%",
    "_",
    "\x00",
    "\u200b",
    "&|!<->:*",
    "{}[]",
    "\t\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_query_text_gives_results_or_nothing_but_never_an_error(directory, text):
    hits = search.query(text, signed_in=True).hits
    assert isinstance(hits, list)
    search.facet_counts(text, keys=["kind"])
    assert SearchDocument.objects.count() == 3


@pytest.mark.parametrize("text", ['"材料"', "材料*", "(材料)", "-材料", "材料 -", "材料^", "{材料}"])
def test_search_syntax_around_a_word_is_ignored(directory, text):
    assert "org_materials" in keys(text)


def test_operator_words_are_plain_words_that_must_match(directory):
    assert keys("材料 OR") == []
    add("org_or", title_en="Research OR Development")
    assert keys("research OR") == ["org_or"]


def test_indexing_again_replaces_the_document_and_removing_forgets_it():
    add("org_rename", title_en="Old Name Foundry")
    add("org_rename", title_en="New Name Foundry")
    assert keys("old") == []
    assert keys("new") == ["org_rename"]
    search.remove("organisation", "org_rename")
    assert keys("foundry") == []
    assert SearchDocument.objects.count() == 0
    search.remove("organisation", "org_rename")


def test_clearing_a_kind_keeps_the_others():
    add("org_keep", title_en="Keep me")
    add("usr_drop", kind="person", title_en="Keep me too")
    search.clear("person")
    assert keys("keep") == ["org_keep"]
    search.optimise()
    assert keys("keep") == ["org_keep"]


def test_the_snippet_marks_matches_and_escapes_html():
    add("org_html", title_en="Script Lab", body_en="We test <script>alert(1)</script> materials & more materials.")
    hit = search.query("materials", signed_in=True).hits[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>materials</mark>" in hit.snippet
    add("org_zh", title_zh="材料所", body_zh="提供先进材料的表征服务")
    assert search.query("表征", signed_in=True).hits[0].snippet == "提供先进材料的<mark>表征</mark>服务"


def test_cursor_pages_through_every_result_once():
    for number in range(7):
        add(f"org_{number}", title_en=f"Catalyst lab {number}")
    seen, cursor = [], None
    while True:
        page = search.query("catalyst", limit=3, cursor=cursor)
        seen += [hit.key for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"org_{number}" for number in range(7))


@pytest.mark.parametrize("cursor", ["nonsense", "eyJvZmZzZXQiOiAtMX0", "eyJhZnRlciI6IDF9", "%%%"])
def test_a_cursor_we_did_not_give_out_is_refused(cursor):
    with pytest.raises(ValidationFailed) as raised:
        search.query("x", cursor=cursor)
    assert raised.value.errors[0].field == "cursor"


@pytest.mark.parametrize("limit", [0, -1, 201])
def test_a_limit_out_of_range_is_refused(limit):
    with pytest.raises(ValidationFailed):
        search.query("x", limit=limit)


def test_blank_text_lists_visible_documents_newest_first():
    add("org_first", title_en="First")
    add("org_second", title_en="Second")
    add("usr_hidden", kind="person", visibility="signed_in", title_en="Hidden")
    assert keys("   ", signed_in=False) == ["org_second", "org_first"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "Bad Kind"}, "kind"),
        ({"key": ""}, "key"),
        ({"visibility": "everyone"}, "visibility"),
        ({"visibility": "organisation"}, "organisation"),
        ({"facets": {"Bad-Name": "x"}}, "facet"),
    ],
)
def test_malformed_documents_are_a_programming_error(changes, message):
    fields = {"kind": "organisation", "key": "org_1", "visibility": "public"} | changes
    with pytest.raises(ValueError, match=message):
        search.index(search.Document(**fields))


def test_jieba_is_quiet_and_keeps_its_cache_under_var():
    search.query("材料")
    assert logging.getLogger("jieba").getEffectiveLevel() >= logging.WARNING
    assert (settings.VAR_DIR / "cache" / "jieba.cache").exists()


def test_tokens_are_letters_and_digits_only():
    assert search.query_terms('"Graphene" NEAR(材料, -x) 🔬') == [
        search.Term("graphene"),
        search.Term("near"),
        search.Term("材料"),
        search.Term("x"),
    ]
    assert search.query_terms("云栖智算")[0].windows in {(), ("云栖", "栖智", "智算")}
    assert "检测" in search.index_terms("张江检验检测技术服务中心")
