"""Metadata with every part the landing page's machine-readable records carry (shared by the tests and the landing page bench)."""

from __future__ import annotations

from typing import Any

from sciport.testing.datasets import sample_metadata

ARTICLE_DOI = "10.1038/s41586-020-2649-2"
FUNDER_ID = "https://doi.org/10.13039/501100001809"


def full_metadata() -> dict[str, Any]:
    """The sample record plus a Chinese co-author, an organisation, keywords, a place, a funder and the related article."""
    described = sample_metadata()
    described["creators"] += [
        {"name": "张, 三", "nameType": "Personal", "familyName": "张", "givenName": "三"},
        {"name": "Shanghai Environmental Monitoring Center", "nameType": "Organizational"},
    ]
    described["keywords"] = [{"value": "air quality", "lang": "en"}, {"value": "空气质量", "lang": "zh"}]
    described["geoLocations"] = [
        {"geoLocationPlace": "Shanghai", "geoLocationPoint": {"pointLatitude": 31.23, "pointLongitude": 121.47}}
    ]
    described["fundingReferences"] = [
        {
            "funderName": "National Natural Science Foundation of China",
            "funderIdentifier": FUNDER_ID,
            "funderIdentifierType": "Crossref Funder ID",
        }
    ]
    described["relatedIdentifiers"] = [
        {
            "relatedIdentifier": f"https://doi.org/{ARTICLE_DOI}",
            "relatedIdentifierType": "DOI",
            "relationType": "IsSupplementTo",
            "resourceTypeGeneral": "JournalArticle",
        }
    ]
    return described
