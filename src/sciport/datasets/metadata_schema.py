"""The shape of stored metadata as data: DataCite 4.5 JSON fields plus keywords, fieldOfScience and dataAvailability.

``check(metadata, complete=...)`` walks the rules once and reports every problem as a
``FieldError`` at its JSON path (``creators[0].nameIdentifiers[0].nameIdentifier``).
A draft is checked for form only (types, identifier forms, choices, unknown keys);
``complete`` also asks for every field DataCite requires, for submission.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from sciport.core.errors import FieldError
from sciport.datasets import metadata_forms as forms
from sciport.datasets.taxonomy import field_of_science

# Set from the version itself when metadata is exported (identifiers, version, sizes…), never typed in.
MANAGED_KEYS = frozenset(
    {"doi", "prefix", "suffix", "event", "url", "identifiers", "version", "sizes", "formats", "schemaVersion", "state"}
)
MANAGED_DATE_TYPES = ("Issued", "Available", "Withdrawn")
METADATA_RELATIONS = ("HasMetadata", "IsMetadataFor")


@dataclass
class Report:
    complete: bool
    errors: list[FieldError] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))


@dataclass(frozen=True)
class Text:
    form: Callable[[str], str] | None = None
    choices: tuple[str, ...] = ()
    max_length: int = 2000


@dataclass(frozen=True)
class Number:
    minimum: float
    maximum: float


Refine = Callable[[dict[str, Any], str, Report], None]


@dataclass(frozen=True)
class Record:
    fields: Mapping[str, Rule]
    required: tuple[str, ...] = ()
    refine: Refine | None = None


@dataclass(frozen=True)
class ListOf:
    item: Rule
    max_items: int = 200


Rule = Text | Number | Record | ListOf


def check(metadata: Any, *, complete: bool) -> tuple[Any, list[FieldError]]:
    """The metadata as it should be stored (normalised) and every problem found in it."""
    report = Report(complete=complete)
    cleaned = _walk(METADATA, metadata, "", report)
    return cleaned, report.errors


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _walk(rule: Rule, value: Any, path: str, report: Report) -> Any:
    if isinstance(rule, Text):
        return _text(rule, value, path, report)
    if isinstance(rule, Number):
        return _number(rule, value, path, report)
    if isinstance(rule, ListOf):
        return _list(rule, value, path, report)
    return _record(rule, value, path, report)


def _text(rule: Text, value: Any, path: str, report: Report) -> Any:
    if not isinstance(value, str):
        report.add(path, _("Must be text."))
        return value
    if len(value) > rule.max_length:
        report.add(path, _("At most %(count)d characters.") % {"count": rule.max_length})
        return value
    if value == "":
        return value
    if rule.choices and value not in rule.choices:
        report.add(path, _("Choose one of: %s.") % ", ".join(rule.choices))
        return value
    if rule.form is not None:
        try:
            return rule.form(value)
        except forms.Invalid as invalid:
            report.add(path, str(invalid))
    return value


def _number(rule: Number, value: Any, path: str, report: Report) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        report.add(path, _("Must be a number."))
    elif not rule.minimum <= value <= rule.maximum:
        report.add(path, _("Must be between %(minimum)s and %(maximum)s.") % {"minimum": rule.minimum, "maximum": rule.maximum})
    return value


def _list(rule: ListOf, value: Any, path: str, report: Report) -> Any:
    if not isinstance(value, list):
        report.add(path, _("Must be a list."))
        return value
    if len(value) > rule.max_items:
        report.add(path, _("At most %(count)d entries.") % {"count": rule.max_items})
        return value
    return [_walk(rule.item, item, f"{path}[{index}]", report) for index, item in enumerate(value)]


def _record(rule: Record, value: Any, path: str, report: Report) -> Any:
    if not isinstance(value, dict):
        report.add(path or "metadata", _("Must be an object."))
        return value
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        if key not in rule.fields:
            managed = not path and key in MANAGED_KEYS
            report.add(_join(path, str(key)), _("sciport sets this field itself.") if managed else _("Unknown field."))
        elif item is not None:
            cleaned[key] = _walk(rule.fields[key], item, _join(path, key), report)
    if report.complete:
        for key in rule.required:
            if is_empty(cleaned.get(key)):
                report.add(_join(path, key), _("This field is required."))
    if rule.refine is not None:
        rule.refine(cleaned, path, report)
    return cleaned


# --- checks that look at more than one field ----------------------------------------------------


def _text_at(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _apply_form(record: dict[str, Any], key: str, form: Callable[[str], str], path: str, report: Report) -> None:
    value = _text_at(record, key)
    if not value:
        return
    try:
        record[key] = form(value)
    except forms.Invalid as invalid:
        report.add(_join(path, key), str(invalid))


def _scheme_form(scheme: str) -> Callable[[str], str] | None:
    return {"orcid": forms.orcid, "ror": forms.ror}.get(scheme.casefold())


def _identified_by(identifier_key: str, scheme_key: str) -> Refine:
    """An identifier whose form its scheme decides (ORCID, ROR); a ROR URL without a scheme is taken as ROR."""

    def refine(record: dict[str, Any], path: str, report: Report) -> None:
        identifier, scheme = _text_at(record, identifier_key), _text_at(record, scheme_key)
        if identifier and not scheme and identifier.startswith(forms.ROR_URL):
            record[scheme_key] = scheme = "ROR"
        form = _scheme_form(scheme)
        if form is not None:
            record[scheme_key] = scheme.upper()
            _apply_form(record, identifier_key, form, path, report)
        if report.complete and identifier and not scheme:
            report.add(_join(path, scheme_key), _("Name the identifier's scheme, for example ROR or ORCID."))

    return refine


def _funder(record: dict[str, Any], path: str, report: Report) -> None:
    kind = _text_at(record, "funderIdentifierType")
    if kind == "ROR":
        _apply_form(record, "funderIdentifier", forms.ror, path, report)
    elif kind == "Crossref Funder ID":
        _apply_form(record, "funderIdentifier", forms.crossref_funder, path, report)
    if report.complete and _text_at(record, "funderIdentifier") and not kind:
        report.add(_join(path, "funderIdentifierType"), _("Name the funder identifier's type, for example ROR."))


def _related(record: dict[str, Any], path: str, report: Report) -> None:
    kind = _text_at(record, "relatedIdentifierType")
    if kind == "DOI":
        _apply_form(record, "relatedIdentifier", forms.doi, path, report)
    elif kind == "URL":
        _apply_form(record, "relatedIdentifier", forms.url, path, report)
    if _text_at(record, "relationType") not in METADATA_RELATIONS:
        for key in ("relatedMetadataScheme", "schemeUri", "schemeType"):
            if key in record:
                report.add(_join(path, key), _("Only for the relations HasMetadata and IsMetadataFor."))


def _rights(record: dict[str, Any], path: str, report: Report) -> None:
    if not _text_at(record, "rightsIdentifier"):
        return
    scheme = _text_at(record, "rightsIdentifierScheme")
    if scheme and scheme.casefold() != "spdx":
        report.add(_join(path, "rightsIdentifierScheme"), _("Licences are named by their SPDX id; use the scheme SPDX."))
        return
    record["rightsIdentifierScheme"] = "SPDX"
    _apply_form(record, "rightsIdentifier", forms.spdx, path, report)


def _date(record: dict[str, Any], path: str, report: Report) -> None:
    if _text_at(record, "dateType") in MANAGED_DATE_TYPES:
        report.add(_join(path, "dateType"), _("sciport sets the Issued, Available and Withdrawn dates itself."))


def _box(record: dict[str, Any], path: str, report: Report) -> None:
    south, north = record.get("southBoundLatitude"), record.get("northBoundLatitude")
    if isinstance(south, int | float) and isinstance(north, int | float) and south > north:
        report.add(_join(path, "southBoundLatitude"), _("The southern bound must not lie north of the northern bound."))


def _geo_location(record: dict[str, Any], path: str, report: Report) -> None:
    polygon = record.get("geoLocationPolygon")
    if not report.complete or not isinstance(polygon, list) or not polygon:
        return
    corners = [point.get("polygonPoint") for point in polygon if isinstance(point, dict) and point.get("polygonPoint")]
    if len(corners) < 4 or corners[0] != corners[-1]:
        report.add(
            _join(path, "geoLocationPolygon"), _("A polygon needs at least four points, the last one the same as the first.")
        )


def _fos_code(value: str) -> str:
    if field_of_science(value) is None:
        raise forms.Invalid(_("Choose a field of science from the list, for example 1.5."))
    return value


# --- the rules ------------------------------------------------------------------------------------

NAME_TYPES = ("Organizational", "Personal")
CONTRIBUTOR_TYPES = (
    "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor", "HostingInstitution",
    "Producer", "ProjectLeader", "ProjectManager", "ProjectMember", "RegistrationAgency", "RegistrationAuthority",
    "RelatedPerson", "Researcher", "ResearchGroup", "RightsHolder", "Sponsor", "Supervisor", "WorkPackageLeader", "Other",
)  # fmt: skip
TITLE_TYPES = ("AlternativeTitle", "Subtitle", "TranslatedTitle", "Other")
DATE_TYPES = (
    "Accepted", "Available", "Copyrighted", "Collected", "Created", "Issued", "Submitted", "Updated", "Valid", "Withdrawn",
    "Other",
)  # fmt: skip
RESOURCE_TYPES = (
    "Audiovisual", "Book", "BookChapter", "Collection", "ComputationalNotebook", "ConferencePaper", "ConferenceProceeding",
    "DataPaper", "Dataset", "Dissertation", "Event", "Image", "Instrument", "InteractiveResource", "Journal",
    "JournalArticle", "Model", "OutputManagementPlan", "PeerReview", "PhysicalObject", "Preprint", "Report", "Service",
    "Software", "Sound", "Standard", "StudyRegistration", "Text", "Workflow", "Other",
)  # fmt: skip
RELATED_IDENTIFIER_TYPES = (
    "ARK", "arXiv", "bibcode", "DOI", "EAN13", "EISSN", "Handle", "IGSN", "ISBN", "ISSN", "ISTC", "LISSN", "LSID", "PMID",
    "PURL", "UPC", "URL", "URN", "w3id",
)  # fmt: skip
RELATION_TYPES = (
    "IsCitedBy", "Cites", "IsCollectedBy", "Collects", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues",
    "IsDescribedBy", "Describes", "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf", "IsNewVersionOf", "IsPartOf",
    "IsPreviousVersionOf", "IsPublishedIn", "HasPart", "IsReferencedBy", "References", "IsDocumentedBy", "Documents",
    "IsCompiledBy", "Compiles", "IsVariantFormOf", "IsOriginalFormOf", "IsIdenticalTo", "IsReviewedBy", "Reviews",
    "IsDerivedFrom", "IsSourceOf", "IsRequiredBy", "Requires", "IsObsoletedBy", "Obsoletes",
)  # fmt: skip
DESCRIPTION_TYPES = ("Abstract", "Methods", "SeriesInformation", "TableOfContents", "TechnicalInfo", "Other")
FUNDER_IDENTIFIER_TYPES = ("ISNI", "GRID", "Crossref Funder ID", "ROR", "Other")

LANGUAGE = Text(form=forms.language, max_length=35)
URI = Text(form=forms.url)
LONGITUDE = Number(-180, 180)
LATITUDE = Number(-90, 90)
POINT = Record({"pointLongitude": LONGITUDE, "pointLatitude": LATITUDE}, required=("pointLongitude", "pointLatitude"))

NAME_IDENTIFIER = Record(
    {"nameIdentifier": Text(), "nameIdentifierScheme": Text(max_length=100), "schemeUri": URI},
    required=("nameIdentifier", "nameIdentifierScheme"),
    refine=_identified_by("nameIdentifier", "nameIdentifierScheme"),
)
AFFILIATION = Record(
    {"name": Text(), "affiliationIdentifier": Text(), "affiliationIdentifierScheme": Text(max_length=100), "schemeUri": URI},
    required=("name",),
    refine=_identified_by("affiliationIdentifier", "affiliationIdentifierScheme"),
)
PERSON_FIELDS: dict[str, Rule] = {
    "name": Text(max_length=500),
    "nameType": Text(choices=NAME_TYPES),
    "givenName": Text(max_length=500),
    "familyName": Text(max_length=500),
    "nameIdentifiers": ListOf(NAME_IDENTIFIER, max_items=20),
    "affiliation": ListOf(AFFILIATION, max_items=50),
    "lang": LANGUAGE,
}
CREATOR = Record(PERSON_FIELDS, required=("name",))
CONTRIBUTOR = Record({**PERSON_FIELDS, "contributorType": Text(choices=CONTRIBUTOR_TYPES)}, required=("name", "contributorType"))

METADATA = Record(
    {
        "titles": ListOf(
            Record(
                {"title": Text(max_length=500), "titleType": Text(choices=TITLE_TYPES), "lang": LANGUAGE}, required=("title",)
            ),
            max_items=20,
        ),
        "creators": ListOf(CREATOR, max_items=5000),
        "contributors": ListOf(CONTRIBUTOR, max_items=5000),
        "publisher": Record(
            {
                "name": Text(max_length=500),
                "publisherIdentifier": Text(),
                "publisherIdentifierScheme": Text(max_length=100),
                "schemeUri": URI,
                "lang": LANGUAGE,
            },
            required=("name",),
            refine=_identified_by("publisherIdentifier", "publisherIdentifierScheme"),
        ),
        "publicationYear": Text(form=forms.publication_year, max_length=4),
        "types": Record(
            {"resourceTypeGeneral": Text(choices=RESOURCE_TYPES), "resourceType": Text(max_length=500)},
            required=("resourceTypeGeneral",),
        ),
        "subjects": ListOf(
            Record(
                {
                    "subject": Text(max_length=500),
                    "subjectScheme": Text(max_length=200),
                    "schemeUri": URI,
                    "valueUri": URI,
                    "classificationCode": Text(max_length=200),
                    "lang": LANGUAGE,
                },
                required=("subject",),
            )
        ),
        "dates": ListOf(
            Record(
                {
                    "date": Text(form=forms.iso_date, max_length=100),
                    "dateType": Text(choices=DATE_TYPES),
                    "dateInformation": Text(),
                },
                required=("date", "dateType"),
                refine=_date,
            ),
            max_items=50,
        ),
        "language": LANGUAGE,
        "alternateIdentifiers": ListOf(
            Record(
                {"alternateIdentifier": Text(), "alternateIdentifierType": Text(max_length=100)},
                required=("alternateIdentifier", "alternateIdentifierType"),
            ),
            max_items=50,
        ),
        "relatedIdentifiers": ListOf(
            Record(
                {
                    "relatedIdentifier": Text(),
                    "relatedIdentifierType": Text(choices=RELATED_IDENTIFIER_TYPES),
                    "relationType": Text(choices=RELATION_TYPES),
                    "resourceTypeGeneral": Text(choices=RESOURCE_TYPES),
                    "relatedMetadataScheme": Text(),
                    "schemeUri": URI,
                    "schemeType": Text(),
                },
                required=("relatedIdentifier", "relatedIdentifierType", "relationType"),
                refine=_related,
            ),
            max_items=500,
        ),
        "rightsList": ListOf(
            Record(
                {
                    "rights": Text(),
                    "rightsUri": URI,
                    "rightsIdentifier": Text(max_length=100),
                    "rightsIdentifierScheme": Text(max_length=100),
                    "schemeUri": URI,
                    "lang": LANGUAGE,
                },
                refine=_rights,
            ),
            max_items=20,
        ),
        "descriptions": ListOf(
            Record(
                {"description": Text(max_length=20000), "descriptionType": Text(choices=DESCRIPTION_TYPES), "lang": LANGUAGE},
                required=("description", "descriptionType"),
            ),
            max_items=20,
        ),
        "geoLocations": ListOf(
            Record(
                {
                    "geoLocationPlace": Text(),
                    "geoLocationPoint": POINT,
                    "geoLocationBox": Record(
                        {
                            "westBoundLongitude": LONGITUDE,
                            "eastBoundLongitude": LONGITUDE,
                            "southBoundLatitude": LATITUDE,
                            "northBoundLatitude": LATITUDE,
                        },
                        required=("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude"),
                        refine=_box,
                    ),
                    "geoLocationPolygon": ListOf(Record({"polygonPoint": POINT, "inPolygonPoint": POINT}), max_items=1000),
                },
                refine=_geo_location,
            ),
            max_items=500,
        ),
        "fundingReferences": ListOf(
            Record(
                {
                    "funderName": Text(max_length=500),
                    "funderIdentifier": Text(),
                    "funderIdentifierType": Text(choices=FUNDER_IDENTIFIER_TYPES),
                    "awardNumber": Text(max_length=500),
                    "awardUri": URI,
                    "awardTitle": Text(),
                },
                required=("funderName",),
                refine=_funder,
            ),
            max_items=100,
        ),
        # sciport's own keys
        "keywords": ListOf(Record({"value": Text(max_length=200), "lang": LANGUAGE}, required=("value",)), max_items=100),
        "fieldOfScience": ListOf(Text(form=_fos_code, max_length=10), max_items=10),
        "dataAvailability": ListOf(
            Record({"statement": Text(max_length=5000), "lang": LANGUAGE}, required=("statement",)), max_items=10
        ),
    }
)
