"""Choice lists of the deposit form: DataCite's controlled values with translated labels, licences, fields of science."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sciport.datasets import licences, taxonomy
from sciport.datasets.metadata_schema import MANAGED_DATE_TYPES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NAME_TYPES = [("Personal", _("Person")), ("Organizational", _("Organisation"))]

CONTRIBUTOR_TYPES = [
    ("ContactPerson", _("Contact person")),
    ("DataCollector", _("Data collector")),
    ("DataCurator", _("Data curator")),
    ("DataManager", _("Data manager")),
    ("Distributor", _("Distributor")),
    ("Editor", _("Editor")),
    ("HostingInstitution", _("Hosting institution")),
    ("Producer", _("Producer")),
    ("ProjectLeader", _("Project leader")),
    ("ProjectManager", _("Project manager")),
    ("ProjectMember", _("Project member")),
    ("RelatedPerson", _("Related person")),
    ("Researcher", _("Researcher")),
    ("ResearchGroup", _("Research group")),
    ("RightsHolder", _("Rights holder")),
    ("Sponsor", _("Sponsor")),
    ("Supervisor", _("Supervisor")),
    ("WorkPackageLeader", _("Work package leader")),
    ("Other", _("Other")),
]

IDENTIFIER_TYPES = [
    (name, name) for name in ("DOI", "URL", "Handle", "arXiv", "PMID", "ISBN", "ISSN", "URN", "ARK", "IGSN", "PURL", "bibcode")
]

RESOURCE_TYPES = [
    ("Dataset", _("Dataset")),
    ("Image", _("Image")),
    ("Audiovisual", _("Audiovisual")),
    ("Sound", _("Sound")),
    ("Model", _("Model")),
    ("Software", _("Software")),
    ("ComputationalNotebook", _("Computational notebook")),
    ("Collection", _("Collection")),
    ("PhysicalObject", _("Physical object")),
    ("Text", _("Text")),
    ("Other", _("Other")),
]

RELATION_TYPES = [
    ("IsSupplementTo", _("is supplement to (e.g. the article)")),
    ("IsCitedBy", _("is cited by")),
    ("Cites", _("cites")),
    ("IsReferencedBy", _("is referenced by")),
    ("References", _("references")),
    ("IsDescribedBy", _("is described by")),
    ("IsDocumentedBy", _("is documented by")),
    ("IsDerivedFrom", _("is derived from")),
    ("IsSourceOf", _("is source of")),
    ("IsPartOf", _("is part of")),
    ("HasPart", _("has part")),
    ("IsNewVersionOf", _("is new version of")),
    ("IsPreviousVersionOf", _("is previous version of")),
    ("IsIdenticalTo", _("is identical to")),
    ("IsCompiledBy", _("is compiled by")),
    ("Requires", _("requires")),
]

DATE_TYPES = [
    ("Collected", _("Collected")),
    ("Created", _("Created")),
    ("Valid", _("Valid")),
    ("Available", _("Available")),
    ("Accepted", _("Accepted")),
    ("Issued", _("Issued")),
    ("Submitted", _("Submitted")),
    ("Updated", _("Updated")),
    ("Copyrighted", _("Copyrighted")),
    ("Other", _("Other")),
]
# The deposit form offers only the dates a depositor may give; sciport sets the others (the metadata rules refuse them).
DEPOSITOR_DATE_TYPES = [(value, label) for value, label in DATE_TYPES if value not in MANAGED_DATE_TYPES]


def licence_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("Choose a licence")), *((item.spdx_id, f"{item.spdx_id} — {item.name}") for item in licences.LICENCES)]


def licence_rights(spdx_id: str) -> list[dict[str, str]]:
    """The ``rightsList`` entry of an SPDX licence (empty when none is chosen)."""
    found = licences.licence(spdx_id) if spdx_id else None
    if found is None:
        return []
    return [
        {
            "rights": found.name,
            "rightsUri": found.url,
            "rightsIdentifier": found.spdx_id,
            "rightsIdentifierScheme": "SPDX",
            "schemeUri": licences.SPDX_SCHEME_URI,
        }
    ]


def fields_of_science() -> list[tuple[str, str]]:
    """Major fields with their subfields indented below them, labelled in the page's language."""
    language = get_language() or "zh-hans"
    indent = "\u2003"  # an em space before subfields
    return [
        (field.code, f"{indent if field.parent else ''}{field.code} {field.label(language)}")
        for field in taxonomy.FIELDS_OF_SCIENCE
    ]


def field_of_science_codes(stored: dict[str, Any]) -> list[str]:
    value = stored.get("fieldOfScience")
    if isinstance(value, str):
        return [value] if value else []
    return [str(code) for code in value if code] if isinstance(value, list) else []
