"""GET /api/v1/search/directory: organisations for everyone, people for signed-in callers, kept current by the services."""

from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from sciport.accounts import services
from sciport.accounts.models import Organisation
from sciport.core.models import SearchDocument
from sciport.core.permissions import Role

pytestmark = pytest.mark.django_db


def search(api, **params):
    response = api.get("/search/directory?" + urlencode(params))
    assert response.status_code == 200, response.content
    return response.json()


def ids(api, **params):
    return [item["id"] for item in search(api, **params)["items"]]


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.org")


@pytest.fixture
def directory(owner, make_organisation):
    return {
        "materials": make_organisation(
            owner,
            kind="institution",
            name_zh="东海先进材料研究所",
            name_en="East Sea Institute of Advanced Materials",
            region="浦东新区",
            description_zh="新能源电池材料的表征与测试",
        ),
        "testing": make_organisation(
            owner,
            kind="provider",
            name_zh="张江检验检测技术服务中心",
            name_en="Zhangjiang Testing and Inspection Centre",
            region="浦东新区",
        ),
        "patents": make_organisation(
            owner,
            kind="provider",
            name_zh="徐汇知识产权服务有限公司",
            name_en="Xuhui Patent Agency",
            region="徐汇区",
        ),
    }


def test_anyone_finds_organisations_by_a_two_character_chinese_word(directory, api_for):
    anonymous = api_for(None)
    assert ids(anonymous, q="材料") == [directory["materials"].public_id]
    assert ids(anonymous, q="检测") == [directory["testing"].public_id]


def test_english_words_find_english_names_whatever_their_case(directory, api_for):
    anonymous = api_for(None)
    assert ids(anonymous, q="ZHANGJIANG testing") == [directory["testing"].public_id]
    assert ids(anonymous, q="patent") == [directory["patents"].public_id]


def test_a_mixed_query_matches_chinese_and_english_names(directory, api_for):
    body = search(api_for(None), q="东海 materials")
    assert [item["id"] for item in body["items"]] == [directory["materials"].public_id]
    item = body["items"][0]
    assert item["kind"] == "organisation"
    assert item["score"] > 0
    assert "<mark>" in item["snippet"] or item["snippet"]


def test_hits_carry_the_title_in_the_readers_language(directory, make_user, api_for):
    english = search(api_for(make_user(language="en")), q="检测", kind="organisation")["items"][0]
    chinese = search(api_for(make_user(language="zh-hans")), q="检测", kind="organisation")["items"][0]
    assert english["title"] == "Zhangjiang Testing and Inspection Centre"
    assert chinese["title"] == "张江检验检测技术服务中心"
    assert chinese["snippet"] == "张江检验<mark>检测</mark>技术服务中心"


def test_facet_counts_show_every_choice_of_a_filter(directory, api_for):
    body = search(api_for(None), q="", organisation_kind="provider")
    assert sorted(body["items"][i]["id"] for i in range(2)) == sorted(
        [directory["testing"].public_id, directory["patents"].public_id]
    )
    assert body["facets"]["organisation_kind"] == [{"value": "provider", "count": 2}, {"value": "institution", "count": 1}]
    assert body["facets"]["region"] == [{"value": "徐汇区", "count": 1}, {"value": "浦东新区", "count": 1}]
    assert body["facets"]["verification"] == [{"value": "unverified", "count": 2}]
    assert body["facets"]["country"] == [{"value": "CN", "count": 2}]
    narrowed = search(api_for(None), q="服务", organisation_kind="provider", region="浦东新区")
    assert [item["id"] for item in narrowed["items"]] == [directory["testing"].public_id]


def test_a_person_is_invisible_to_anonymous_callers_but_found_when_signed_in(make_user, make_organisation, api_for):
    person = make_user("li.wei@example.org")
    services.user_update_profile(actor=person, fields={"display_name": "Li Wei"})
    assert ids(api_for(None), q="Li Wei") == []
    assert ids(api_for(None), q="Li Wei", kind="person") == []
    assert ids(api_for(make_user()), q="Li Wei") == [person.public_id]


def test_a_person_is_found_by_orcid_but_never_through_their_affiliations(make_user, make_organisation, api_for):
    person = make_user()
    services.user_update_profile(actor=person, fields={"display_name": "王芳", "orcid": "0000-0002-1825-0097"})
    make_organisation(person, name_zh="临港智能制造研究院", name_en="Lingang Institute of Smart Manufacturing")
    reader = api_for(make_user())
    assert ids(reader, q="0000-0002-1825-0097") == [person.public_id]
    assert ids(reader, q="王芳") == [person.public_id]
    assert person.public_id not in ids(reader, q="临港", kind="person"), "membership is for the organisation's members to see"


def test_email_addresses_are_never_indexed(make_user, api_for):
    person = make_user("hidden.name@secret-domain.example")
    services.user_update_profile(actor=person, fields={"display_name": "Zhou hidden.name@secret-domain.example"})
    reader = api_for(make_user())
    assert ids(reader, q="secret") == []
    assert ids(reader, q="Zhou") == [person.public_id]
    for document in SearchDocument.objects.all():
        assert "@" not in " ".join([document.title_zh, document.title_en, document.body_zh, document.body_en])


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "NEAR(",
        "a OR",
        "-",
        "x" * 5000,
        "材" * 5000,
        "🔬",
        "' OR 1=1; --",
        "'; DROP TABLE core_search_fts; --",
        "\\",
        "%00",
    ],
)
def test_hostile_query_strings_give_a_list_never_an_error(directory, owner, api_for, text):
    for api in (api_for(None), api_for(owner)):
        body = search(api, q=text)
        assert isinstance(body["items"], list)
    assert Organisation.objects.count() == 3


def test_a_nul_character_in_any_parameter_is_a_field_error(directory, api_for):
    anonymous = api_for(None)
    for name in ("q", "organisation_kind", "region", "verification", "country"):
        response = anonymous.get(f"/search/directory?{name}=a%00", headers={"Accept-Language": "en"})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": name, "message": "Text must not contain NUL characters."}]


def test_the_openapi_document_says_credentials_are_optional(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/search/directory"]["get"]
    assert {} in operation["security"]


def test_renaming_an_organisation_changes_what_search_finds(directory, owner, api_for):
    organisation = directory["materials"]
    services.organisation_update(
        actor=owner, organisation=organisation, fields={"name_zh": "东海量子计算实验室", "name_en": "East Sea Quantum Lab"}
    )
    anonymous = api_for(None)
    assert ids(anonymous, q="材料研究所") == []
    assert ids(anonymous, q="量子") == [organisation.public_id]


def test_verification_updates_the_facet(directory, make_user, api_for):
    staff = make_user(staff=True)
    services.organisation_verify(actor=staff, organisation=directory["patents"], approve=True)
    body = search(api_for(None), q="", verification="verified")
    assert [item["id"] for item in body["items"]] == [directory["patents"].public_id]


def test_joining_an_organisation_does_not_reveal_the_membership_to_outsiders(directory, owner, make_user, api_for):
    person = make_user("guest@example.org")
    services.user_update_profile(actor=person, fields={"display_name": "Chen Jing"})
    issued = services.invitation_create(actor=owner, organisation=directory["testing"], email=person.email, role=Role.MEMBER)
    services.invitation_accept(actor=person, token=issued.token)
    reader = api_for(make_user())
    assert person.public_id not in ids(reader, q="张江", kind="person")
    assert ids(reader, q="Chen Jing") == [person.public_id]


def test_cursor_and_limit_page_through_results(owner, make_organisation, api_for):
    created = {make_organisation(owner, name_en=f"Photonics Lab {number}").public_id for number in range(5)}
    anonymous, seen, cursor = api_for(None), [], None
    while True:
        body = search(anonymous, q="photonics", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(created)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "dataset"}, "kind"),
        ({"cursor": "not-ours"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 500}, "limit"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_parameters_are_a_problem_not_a_crash(api_for, params, field):
    response = api_for(None).get("/search/directory?" + urlencode(params))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert any(error["field"].endswith(field) for error in response.json()["errors"])


def test_a_wrong_token_is_refused_rather_than_treated_as_anonymous(api_for):
    response = api_for(None).get("/search/directory?q=x", headers={"Authorization": "Bearer sp_wrong"})
    assert response.status_code == 401


def test_reindex_rebuilds_the_directory_from_the_database(directory, owner, api_for, capsys):
    SearchDocument.objects.all().delete()
    assert ids(api_for(None), q="材料") == []
    call_command("reindex")
    assert "directory: 4 documents indexed" in capsys.readouterr().out
    assert ids(api_for(None), q="材料") == [directory["materials"].public_id]
    assert owner.public_id in ids(api_for(owner), q="owner", kind="person")


def test_reindex_refuses_an_unknown_part():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no search part named nothing"):
        call_command("reindex", "nothing")
