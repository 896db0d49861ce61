"""The deposit form: DataCite JSON shown as plain fields and repeatable rows, and read back without losing anything.

``DepositForms`` binds one main form and a formset per repeatable part (creators,
contributors, subjects, related identifiers, funding, places, dates). ``metadata()``
builds the JSON to store from the stored JSON, replacing only what the form shows, so
keys and rows it does not show survive a save. It also remembers where each JSON row
came from, so a service's field error such as ``creators[1].affiliation[0].affiliationIdentifier``
lands on the ROR box of the second creator row (``place_errors``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from sciport.core.errors import FieldError
from sciport.datasets.models import AccessLevel, Classification
from sciport.datasets.views import vocabularies

ORCID_URL = "https://orcid.org/"
ROR_URL = "https://ror.org/"
KEYWORD_SEPARATORS = re.compile(r"[,，;；、\n]+")
CJK = re.compile(r"[\u3400-\u9fff]")
MAIN = "main"


# ------------------------------------------------------------------------------------ forms


class MainForm(forms.Form):
    """What a dataset has once: titles, abstracts, keywords, licence, field of science, access settings."""

    title_zh = forms.CharField(label=_("Title in Chinese"), max_length=500, required=False)
    title_en = forms.CharField(label=_("Title in English"), max_length=500, required=False)
    description_zh = forms.CharField(label=_("Abstract in Chinese"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    description_en = forms.CharField(label=_("Abstract in English"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    keywords_zh = forms.CharField(
        label=_("Keywords in Chinese"), required=False, max_length=2000, help_text=_("Separate keywords with commas.")
    )
    keywords_en = forms.CharField(
        label=_("Keywords in English"), required=False, max_length=2000, help_text=_("Separate keywords with commas.")
    )
    field_of_science = forms.MultipleChoiceField(
        label=_("Field of science"),
        required=False,
        choices=vocabularies.fields_of_science,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("OECD Fields of Science and Technology; hold Ctrl or ⌘ to choose more than one."),
    )
    licence = forms.ChoiceField(
        label=_("Licence"),
        required=False,
        choices=vocabularies.licence_choices,
        help_text=_("Under which terms others may reuse the data (SPDX identifier)."),
    )
    data_availability = forms.CharField(
        label=_("Data availability statement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("How and under which conditions the data can be obtained, as journals ask for it."),
    )
    publisher = forms.CharField(
        label=_("Publisher"),
        max_length=500,
        required=False,
        help_text=_("Who makes the data available, usually your institution; part of the citation."),
    )
    publication_year = forms.CharField(label=_("Year of publication"), max_length=4, required=False)
    resource_type_general = forms.ChoiceField(
        label=_("Type of resource"), choices=vocabularies.RESOURCE_TYPES, initial="Dataset", required=False
    )
    resource_type = forms.CharField(
        label=_("Kind of data"), max_length=500, required=False, help_text=_("In a few words, such as “hourly sensor readings”.")
    )
    access_level = forms.ChoiceField(label=_("Access"), choices=AccessLevel.choices)
    embargo_until = forms.DateField(
        label=_("Embargoed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For embargoed datasets: the files open by themselves on this date."),
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        help_text=_("Important data is never released to foreign organisations without an approved export review."),
    )
    data_use_agreement = forms.CharField(
        label=_("Data use agreement"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("For restricted datasets: what requesters must accept before a curator decides."),
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    name_type = forms.ChoiceField(label=_("Kind"), choices=vocabularies.NAME_TYPES, initial="Personal")
    orcid = forms.CharField(label=_("ORCID iD"), max_length=60, required=False)
    affiliation = forms.CharField(label=_("Affiliation"), max_length=300, required=False)
    ror = forms.CharField(label=_("ROR id of the affiliation"), max_length=60, required=False)
    original = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ContributorForm(PersonForm):
    contributor_type = forms.ChoiceField(label=_("Role"), choices=vocabularies.CONTRIBUTOR_TYPES, initial="DataCollector")


class SubjectForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    scheme = forms.CharField(label=_("Scheme"), max_length=200, required=False)
    original = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RelatedForm(forms.Form):
    identifier = forms.CharField(label=_("Identifier"), max_length=500, required=False)
    identifier_type = forms.ChoiceField(label=_("Type"), choices=vocabularies.IDENTIFIER_TYPES, initial="DOI")
    relation_type = forms.ChoiceField(label=_("Relation"), choices=vocabularies.RELATION_TYPES, initial="IsSupplementTo")
    original = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FundingForm(forms.Form):
    funder_name = forms.CharField(label=_("Funder"), max_length=300, required=False)
    funder_identifier = forms.CharField(label=_("Funder identifier"), max_length=300, required=False)
    award_number = forms.CharField(label=_("Grant number"), max_length=200, required=False)
    award_title = forms.CharField(label=_("Grant title"), max_length=500, required=False)
    original = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlaceForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6)
    original = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DateForm(forms.Form):
    date = forms.CharField(label=_("Date"), max_length=40, required=False)
    date_type = forms.ChoiceField(label=_("Kind of date"), choices=vocabularies.DEPOSITOR_DATE_TYPES, initial="Collected")
    information = forms.CharField(label=_("Note"), max_length=300, required=False)
    original = forms.IntegerField(widget=forms.HiddenInput, required=False)


# ------------------------------------------------------------------------------------ JSON <-> rows


def _list(metadata: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = metadata.get(key)
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _url_or_empty(value: str, prefix: str) -> str:
    """An identifier typed bare (``0000-0002-…``) or without scheme (``orcid.org/…``) as its https URL; the metadata rules check its form."""
    value = value.strip()
    if not value:
        return ""
    return value if value.startswith("http") else prefix + value.removeprefix(prefix.removeprefix("https://"))


def _person_row(stored: dict[str, Any]) -> dict[str, Any]:
    orcid = next(
        (
            _text(ident.get("nameIdentifier"))
            for ident in _list(stored, "nameIdentifiers")
            if _text(ident.get("nameIdentifierScheme")).upper() == "ORCID"
        ),
        "",
    )
    affiliation = next(iter(_list(stored, "affiliation")), {})
    return {
        "name": _text(stored.get("name"))
        or ", ".join(filter(None, [_text(stored.get("familyName")), _text(stored.get("givenName"))])),
        "name_type": _text(stored.get("nameType")) or "Personal",
        "orcid": orcid.removeprefix(ORCID_URL),
        "affiliation": _text(affiliation.get("name")),
        "ror": _text(affiliation.get("affiliationIdentifier")).removeprefix(ROR_URL),
        "contributor_type": _text(stored.get("contributorType")) or "Other",
    }


def _person_json(row: dict[str, Any], stored: dict[str, Any], contributor: bool) -> dict[str, Any]:
    person = copy.deepcopy(stored)
    name = row["name"].strip()
    person["name"] = name
    person["nameType"] = row["name_type"]
    if row["name_type"] == "Personal" and "," in name:
        family, _comma, given = name.partition(",")
        person["familyName"], person["givenName"] = family.strip(), given.strip()
    else:
        person.pop("familyName", None)
        person.pop("givenName", None)
    others = [i for i in _list(stored, "nameIdentifiers") if _text(i.get("nameIdentifierScheme")).upper() != "ORCID"]
    orcid = _url_or_empty(row["orcid"], ORCID_URL)
    person["nameIdentifiers"] = (
        [{"nameIdentifier": orcid, "nameIdentifierScheme": "ORCID", "schemeUri": "https://orcid.org"}] if orcid else []
    ) + others
    first: dict[str, Any] = {}
    if row["affiliation"].strip() or row["ror"].strip():
        first = {"name": row["affiliation"].strip()}
        ror = _url_or_empty(row["ror"], ROR_URL)
        if ror:
            first |= {"affiliationIdentifier": ror, "affiliationIdentifierScheme": "ROR", "schemeUri": "https://ror.org"}
    person["affiliation"] = ([first] if first else []) + _list(stored, "affiliation")[1:]
    if contributor:
        person["contributorType"] = row["contributor_type"]
    return {key: value for key, value in person.items() if value not in ("", [], None)}


def _subject_row(stored: dict[str, Any]) -> dict[str, Any]:
    return {"subject": _text(stored.get("subject")), "scheme": _text(stored.get("subjectScheme"))}


def _subject_json(row: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    subject = copy.deepcopy(stored) | {"subject": row["subject"].strip()}
    if row["scheme"].strip():
        subject["subjectScheme"] = row["scheme"].strip()
    else:
        subject.pop("subjectScheme", None)
    return subject


def _related_row(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        "identifier": _text(stored.get("relatedIdentifier")),
        "identifier_type": _text(stored.get("relatedIdentifierType")) or "DOI",
        "relation_type": _text(stored.get("relationType")) or "IsSupplementTo",
    }


def _related_json(row: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(stored) | {
        "relatedIdentifier": row["identifier"].strip(),
        "relatedIdentifierType": row["identifier_type"],
        "relationType": row["relation_type"],
    }


def _funding_row(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        "funder_name": _text(stored.get("funderName")),
        "funder_identifier": _text(stored.get("funderIdentifier")),
        "award_number": _text(stored.get("awardNumber")),
        "award_title": _text(stored.get("awardTitle")),
    }


def _funder_identifier_type(identifier: str) -> str:
    if "ror.org/" in identifier:
        return "ROR"
    if "10.13039/" in identifier:
        return "Crossref Funder ID"
    return "Other"


def _funding_json(row: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    funding = copy.deepcopy(stored) | {"funderName": row["funder_name"].strip()}
    for key, value in (
        ("funderIdentifier", row["funder_identifier"].strip()),
        ("awardNumber", row["award_number"].strip()),
        ("awardTitle", row["award_title"].strip()),
    ):
        if value:
            funding[key] = value
        else:
            funding.pop(key, None)
    if funding.get("funderIdentifier"):
        funding["funderIdentifierType"] = _funder_identifier_type(funding["funderIdentifier"])
    else:
        funding.pop("funderIdentifierType", None)
    return funding


def _place_row(stored: dict[str, Any]) -> dict[str, Any]:
    found = stored.get("geoLocationPoint")
    point: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "place": _text(stored.get("geoLocationPlace")),
        "latitude": point.get("pointLatitude"),
        "longitude": point.get("pointLongitude"),
    }


def _place_json(row: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    place = copy.deepcopy(stored)
    if row["place"].strip():
        place["geoLocationPlace"] = row["place"].strip()
    else:
        place.pop("geoLocationPlace", None)
    if row["latitude"] is not None and row["longitude"] is not None:
        place["geoLocationPoint"] = {"pointLatitude": float(row["latitude"]), "pointLongitude": float(row["longitude"])}
    else:
        place.pop("geoLocationPoint", None)
    return place


def _date_row(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": _text(stored.get("date")),
        "date_type": _text(stored.get("dateType")) or "Other",
        "information": _text(stored.get("dateInformation")),
    }


def _date_json(row: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    date = copy.deepcopy(stored) | {"date": row["date"].strip(), "dateType": row["date_type"]}
    if row["information"].strip():
        date["dateInformation"] = row["information"].strip()
    else:
        date.pop("dateInformation", None)
    return date


@dataclass(frozen=True, kw_only=True)
class Repeatable:
    """One repeatable part of the form: its DataCite key, row form, and how rows and JSON convert.

    ``fields`` maps a JSON sub-path (dotted keys after the row index) to the form field that
    shows it, for placing errors; the longest matching prefix wins. ``keeps`` says which
    stored rows the part shows (the others are kept as they are).
    """

    prefix: str
    key: str
    form: type[forms.Form]
    to_row: Callable[[dict[str, Any]], dict[str, Any]]
    to_json: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    fields: dict[str, str]
    add_label: Any
    legend: Any
    hint: Any = ""
    keeps: Callable[[dict[str, Any]], bool] = lambda _stored: True


@dataclass(frozen=True)
class Section:
    """A repeatable part with its bound formset, for the template."""

    part: Repeatable
    formset: forms.BaseFormSet


PERSON_FIELDS = {
    "name": "name",
    "givenName": "name",
    "familyName": "name",
    "nameType": "name_type",
    "nameIdentifiers": "orcid",
    "affiliation": "affiliation",
    "affiliation.affiliationIdentifier": "ror",
    "contributorType": "contributor_type",
}

REPEATABLES: tuple[Repeatable, ...] = (
    Repeatable(
        prefix="creators",
        key="creators",
        form=PersonForm,
        to_row=_person_row,
        to_json=lambda row, stored: _person_json(row, stored, contributor=False),
        fields=PERSON_FIELDS,
        add_label=_("Add a creator"),
        legend=_("Creators"),
        hint=_(
            "The people or organisations who made the data, in the order of the citation; people as “Family name, given names”."
        ),
    ),
    Repeatable(
        prefix="contributors",
        key="contributors",
        form=ContributorForm,
        to_row=_person_row,
        to_json=lambda row, stored: _person_json(row, stored, contributor=True),
        fields=PERSON_FIELDS,
        add_label=_("Add a contributor"),
        legend=_("Contributors"),
        hint=_("Others who helped: data collectors, curators, the hosting institution."),
    ),
    Repeatable(
        prefix="subjects",
        key="subjects",
        form=SubjectForm,
        to_row=_subject_row,
        to_json=_subject_json,
        fields={"subject": "subject", "subjectScheme": "scheme"},
        add_label=_("Add a subject"),
        legend=_("Subjects"),
        hint=_("Subjects from a classification your discipline uses (such as GB/T 13745 or MeSH), with the name of the scheme."),
    ),
    Repeatable(
        prefix="related",
        key="relatedIdentifiers",
        form=RelatedForm,
        to_row=_related_row,
        to_json=_related_json,
        fields={"relatedIdentifier": "identifier", "relatedIdentifierType": "identifier_type", "relationType": "relation_type"},
        add_label=_("Add a related identifier"),
        legend=_("Related works"),
        hint=_("The article the data supports (its DOI), software, other datasets."),
    ),
    Repeatable(
        prefix="funding",
        key="fundingReferences",
        form=FundingForm,
        to_row=_funding_row,
        to_json=_funding_json,
        fields={
            "funderName": "funder_name",
            "funderIdentifier": "funder_identifier",
            "funderIdentifierType": "funder_identifier",
            "awardNumber": "award_number",
            "awardTitle": "award_title",
            "awardURI": "award_title",
        },
        add_label=_("Add a funder"),
        legend=_("Funding"),
        hint=_("Each funder with its ROR id or Crossref Funder ID when it has one, and the grant."),
    ),
    Repeatable(
        prefix="places",
        key="geoLocations",
        form=PlaceForm,
        to_row=_place_row,
        to_json=_place_json,
        fields={
            "geoLocationPlace": "place",
            "geoLocationPoint.pointLatitude": "latitude",
            "geoLocationPoint.pointLongitude": "longitude",
        },
        add_label=_("Add a place"),
        legend=_("Places"),
        hint=_("Where the data was collected or what it covers."),
    ),
    Repeatable(
        prefix="dates",
        key="dates",
        form=DateForm,
        to_row=_date_row,
        to_json=_date_json,
        fields={"date": "date", "dateType": "date_type", "dateInformation": "information"},
        add_label=_("Add a date"),
        legend=_("Dates"),
        hint=_("When the data was collected, or the period it is valid for: YYYY-MM-DD, or a range like 2024-01/2024-06."),
    ),
)

# Top-level JSON keys shown by one field of the main form (errors on them land there).
MAIN_FIELDS = {
    "titles": "title_zh",
    "descriptions": "description_zh",
    "rightsList": "licence",
    "keywords": "keywords_zh",
    "publisher": "publisher",
    "publicationYear": "publication_year",
    "types": "resource_type_general",
    "fieldOfScience": "field_of_science",
    "dataAvailability": "data_availability",
    "access_level": "access_level",
    "embargo_until": "embargo_until",
    "classification": "classification",
    "data_use_agreement": "data_use_agreement",
}


def _titles_and_abstracts(stored: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in _list(stored, "titles"):
        if not row.get("titleType"):
            found.setdefault(f"title_{_language(row)}", _text(row.get("title")))
    for row in _list(stored, "descriptions"):
        if row.get("descriptionType", "Abstract") == "Abstract":
            found.setdefault(f"description_{_language(row)}", _text(row.get("description")))
    return found


def _language_of(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def _language(row: dict[str, Any]) -> str:
    return "zh" if _text(row.get("lang")).lower().startswith("zh") else "en"


def main_initial(stored: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    keywords = _keywords(stored)
    return {
        **_titles_and_abstracts(stored),
        "keywords_zh": ", ".join(word for word, lang in keywords if lang == "zh"),
        "keywords_en": ", ".join(word for word, lang in keywords if lang == "en"),
        "field_of_science": vocabularies.field_of_science_codes(stored),
        "licence": next((_text(r.get("rightsIdentifier")) for r in _list(stored, "rightsList") if r.get("rightsIdentifier")), ""),
        "data_availability": next((_text(row.get("statement")) for row in _list(stored, "dataAvailability")), ""),
        **_publication(stored),
        **settings,
    }


def _keywords(stored: dict[str, Any]) -> list[tuple[str, str]]:
    """(keyword, "zh"|"en") pairs as stored under ``keywords``."""
    return [(_text(row.get("value")), _language(row)) for row in _list(stored, "keywords") if row.get("value")]


def _record(stored: dict[str, Any], key: str) -> dict[str, Any]:
    value = stored.get(key)
    return copy.deepcopy(value) if isinstance(value, dict) else {}


def _publication(stored: dict[str, Any]) -> dict[str, str]:
    types = _record(stored, "types")
    return {
        "publisher": _text(_record(stored, "publisher").get("name")),
        "publication_year": _text(stored.get("publicationYear")),
        "resource_type_general": _text(types.get("resourceTypeGeneral")) or "Dataset",
        "resource_type": _text(types.get("resourceType")),
    }


def _publication_json(data: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """``publisher``, ``publicationYear`` and ``types`` from their boxes, keeping what else the stored ones say."""
    publisher, types = _record(stored, "publisher"), _record(stored, "types")
    if data["publisher"].strip():
        publisher["name"] = data["publisher"].strip()
    else:
        publisher.pop("name", None)
    types["resourceTypeGeneral"] = data["resource_type_general"] or "Dataset"
    if data["resource_type"].strip():
        types["resourceType"] = data["resource_type"].strip()
    else:
        types.pop("resourceType", None)
    return {"publisher": publisher, "publicationYear": data["publication_year"].strip(), "types": types}


# ------------------------------------------------------------------------------------ the bound set


@dataclass
class Location:
    """Where a JSON row is shown: a form (``main`` or a formset prefix), a row of it, and a default field."""

    form: str
    row: int | None = None
    field: str | None = None


@dataclass
class DepositForms:
    main: forms.Form
    formsets: dict[str, forms.BaseFormSet]
    locations: dict[str, Location] = field(default_factory=dict)
    general_errors: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @classmethod
    def build(
        cls, stored: dict[str, Any], settings: dict[str, Any], data: Any = None, *, lock_settings: bool = False
    ) -> DepositForms:
        main = MainForm(data, initial=main_initial(stored, settings))
        if lock_settings:
            for name in ("access_level", "embargo_until", "classification", "data_use_agreement"):
                main.fields[name].disabled = True
        formsets = {}
        for part in REPEATABLES:
            # One empty row to fill in, so that rows can be added without JavaScript too.
            formset_class = formset_factory(part.form, extra=1, can_delete=True)
            rows = [
                part.to_row(row) | {"original": index} for index, row in enumerate(_list(stored, part.key)) if part.keeps(row)
            ]
            formsets[part.prefix] = formset_class(data, initial=rows, prefix=part.prefix)
        forms_ = cls(main, formsets)
        if data is None:
            forms_._locate_stored(stored)
        return forms_

    @property
    def sections(self) -> dict[str, Section]:
        return {part.prefix: Section(part, self.formsets[part.prefix]) for part in REPEATABLES}

    def is_valid(self) -> bool:
        return all([self.main.is_valid(), *(formset.is_valid() for formset in self.formsets.values())])

    def settings(self) -> dict[str, Any]:
        data = self.main.cleaned_data
        return {name: data[name] for name in ("access_level", "embargo_until", "classification", "data_use_agreement")}

    # -- reading back

    def metadata(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The JSON to store: ``stored`` with what the form shows replaced; records where each row came from."""
        result = copy.deepcopy(stored) if isinstance(stored, dict) else {}
        data = self.main.cleaned_data
        self.locations = {}
        result["titles"] = self._bilingual(
            stored=stored, key="titles", name="title", data=data, shown=lambda row: not row.get("titleType")
        )
        result["descriptions"] = self._bilingual(
            stored=stored,
            key="descriptions",
            name="description",
            data=data,
            shown=lambda row: row.get("descriptionType", "Abstract") == "Abstract",
            extra={"descriptionType": "Abstract"},
        )
        result["keywords"] = [
            {"value": word, "lang": lang}
            for lang in ("zh", "en")
            for word in dict.fromkeys(w.strip() for w in KEYWORD_SEPARATORS.split(data[f"keywords_{lang}"]) if w.strip())
        ]
        result["rightsList"] = vocabularies.licence_rights(data["licence"]) + [
            row for row in _list(stored, "rightsList") if not row.get("rightsIdentifier")
        ]
        statement = data["data_availability"].strip()
        result["dataAvailability"] = ([{"statement": statement, "lang": _language_of(statement)}] if statement else []) + [
            row for row in _list(stored, "dataAvailability") if statement and _language(row) != _language_of(statement)
        ]
        result |= _publication_json(data, stored)
        for part in REPEATABLES:
            result[part.key] = self._rows(part, stored)
        result["fieldOfScience"] = data["field_of_science"]
        return {key: value for key, value in result.items() if value not in ("", [], {}, None)}

    def _bilingual(
        self,
        *,
        stored: dict[str, Any],
        key: str,
        name: str,
        data: dict[str, Any],
        shown: Callable[[dict[str, Any]], bool],
        extra: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for lang in ("zh", "en"):
            text = data[f"{name}_{lang}"].strip()
            if text:
                self.locations[f"{key}.{len(rows)}"] = Location(MAIN, field=f"{name}_{lang}")
                rows.append({name: text, "lang": lang, **(extra or {})})
        for row in _list(stored, key):
            if not shown(row):
                rows.append(row)
        return rows

    def _rows(self, part: Repeatable, stored: dict[str, Any]) -> list[dict[str, Any]]:
        originals = _list(stored, part.key)
        kept = [row for row in originals if not part.keeps(row)]
        rows = list(kept)
        for number, form in enumerate(self.formsets[part.prefix].forms):
            cleaned = form.cleaned_data
            if (
                not cleaned
                or cleaned.get("DELETE")
                or not any(v not in ("", None) for k, v in cleaned.items() if k not in _QUIET)
            ):
                continue
            index = cleaned.get("original")
            source = originals[index] if isinstance(index, int) and 0 <= index < len(originals) else {}
            self.locations[f"{part.key}.{len(rows)}"] = Location(part.prefix, row=number)
            rows.append(part.to_json(cleaned, source))
        return rows

    def _locate_stored(self, stored: dict[str, Any]) -> None:
        """Locations for errors about stored metadata (the form was built from it, not posted)."""
        shown = self.main.initial
        for key, name in (("titles", "title"), ("descriptions", "description")):
            languages = [lang for lang in ("zh", "en") if shown.get(f"{name}_{lang}")]
            for index, row in enumerate(_list(stored, key)):
                lang = _language(row)
                if lang in languages:
                    self.locations[f"{key}.{index}"] = Location(MAIN, field=f"{name}_{lang}")
                    languages.remove(lang)
        for part in REPEATABLES:
            for number, form in enumerate(self.formsets[part.prefix].forms):
                index = form.initial.get("original")
                if isinstance(index, int):
                    self.locations[f"{part.key}.{index}"] = Location(part.prefix, row=number)

    # -- errors

    def place_errors(self, errors: Iterable[FieldError]) -> None:
        """Put each service error on the field or row that shows it; the rest above the form."""
        for error in errors:
            self._place(error)

    def _place(self, error: FieldError) -> None:
        message = str(error.message)
        tokens = json_path(error.field)
        if not tokens:
            self.general_errors.append(message)
            return
        for length in range(len(tokens), 0, -1):
            location = self.locations.get(".".join(str(t) for t in tokens[:length]))
            if location is not None:
                self._add(location, tokens[length:], message)
                return
        head = str(tokens[0])
        if head == "files":
            self.file_errors.append(message)
            return
        if head in MAIN_FIELDS:
            self._add(Location(MAIN, field=MAIN_FIELDS[head]), [], message)
            return
        part = next((p for p in REPEATABLES if p.key == head), None)
        if part is not None:
            self._formset_error(part.prefix, message)
            return
        self.general_errors.append(f"{error.field}: {message}")

    def _add(self, location: Location, rest: list[str | int], message: str) -> None:
        if location.form == MAIN:
            target = self.main
            name = location.field
        else:
            part = next(p for p in REPEATABLES if p.prefix == location.form)
            target = self.formsets[location.form].forms[location.row or 0]
            name = _longest_match(part.fields, rest) or location.field
        _add_form_error(target, name, message)

    def _formset_error(self, prefix: str, message: str) -> None:
        self.formsets[prefix].non_form_errors().append(message)

    @property
    def error_count(self) -> int:
        return (
            len(self.general_errors)
            + len(self.file_errors)
            + sum(len(errors) for errors in self.main.errors.values())
            + sum(formset.total_error_count() for formset in self.formsets.values())
        )


_QUIET = {"original", "DELETE", "name_type", "contributor_type", "identifier_type", "relation_type", "date_type"}


def _longest_match(fields: dict[str, str], rest: list[str | int]) -> str | None:
    keys = [str(token) for token in rest if isinstance(token, str)]
    for length in range(len(keys), 0, -1):
        found = fields.get(".".join(keys[:length]))
        if found:
            return found
    return None


def _add_form_error(form: forms.Form, name: str | None, message: str) -> None:
    """``add_error`` on a posted form; a form built from stored metadata (unbound) takes the message in its error dict."""
    if form.is_bound:
        form.add_error(name if name in form.fields else None, message)
    elif name in form.fields:
        form.errors.setdefault(name, form.error_class()).append(message)
    else:
        form.errors.setdefault(NON_FIELD_ERRORS, form.error_class(error_class="nonfield")).append(message)


_PATH_TOKEN = re.compile(r"[^.\[\]/]+")


def json_path(path: str) -> list[str | int]:
    """``metadata.creators[0].affiliation.0.name`` or ``/creators/0/name`` → ``["creators", 0, "affiliation", 0, "name"]``."""
    tokens: list[str | int] = [int(t) if t.isdigit() else t for t in _PATH_TOKEN.findall(path)]
    if tokens and tokens[0] == "metadata":
        tokens = tokens[1:]
    return tokens
