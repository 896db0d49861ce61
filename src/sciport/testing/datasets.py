"""Fixtures of the Science Data Bank: an institution with a community, its depositor and curator, and drafts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from sciport.accounts.models import Organisation, User
from sciport.core.permissions import Role
from sciport.datasets.models import Community, DatasetFile, DatasetVersion, ReviewPolicy
from sciport.datasets.services import files, lifecycle


def sample_metadata(
    title_en: str = "Yangtze delta air quality 2025", title_zh: str = "长三角空气质量数据 2025"
) -> dict[str, Any]:
    """Complete DataCite 4.5 metadata that passes validation."""
    return {
        "titles": [{"title": title_zh, "lang": "zh"}, {"title": title_en, "lang": "en"}],
        "creators": [
            {
                "name": "Wang, Li",
                "nameType": "Personal",
                "givenName": "Li",
                "familyName": "Wang",
                "nameIdentifiers": [{"nameIdentifier": "https://orcid.org/0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"}],
                "affiliation": [
                    {
                        "name": "Fudan University",
                        "affiliationIdentifier": "https://ror.org/013q1eq08",
                        "affiliationIdentifierScheme": "ROR",
                    }
                ],
            }
        ],
        "publisher": {"name": "sciport Science Data Bank"},
        "publicationYear": "2026",
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Air quality measurements"},
        "descriptions": [
            {"description": "每小时 PM2.5 观测数据。", "descriptionType": "Abstract", "lang": "zh"},
            {"description": "Hourly PM2.5 observations.", "descriptionType": "Abstract", "lang": "en"},
        ],
        "rightsList": [{"rightsIdentifier": "CC-BY-4.0", "rightsIdentifierScheme": "SPDX"}],
        "subjects": [{"subject": "Atmospheric sciences", "subjectScheme": "OECD FOS"}],
    }


@dataclass
class Bank:
    organisation: Organisation
    community: Community
    depositor: User
    curator: User
    manager: User


def add_bytes(version: DatasetVersion, path: str, data: bytes) -> DatasetFile:
    """Attach ``data`` to a draft at ``path`` (folder/name) through the files service, as its depositor."""
    added = files.version_add_bytes(actor=version.created_by, version=version, path=path, data=data)
    version.refresh_from_db()
    return added.files[0]


@pytest.fixture
def make_bank(
    make_user: Callable[..., User], make_organisation: Callable[..., Organisation], add_role: Callable[..., Any]
) -> Callable[..., Bank]:
    def make(*, review_policy: str = ReviewPolicy.REVIEW, country: str = "CN") -> Bank:
        manager = make_user()
        organisation = make_organisation(manager, country=country)
        add_role(manager, organisation, Role.MANAGER)
        depositor, curator = make_user(), make_user()
        add_role(depositor, organisation, Role.MEMBER)
        add_role(curator, organisation, Role.CURATOR)
        community = lifecycle.community_create(
            actor=manager,
            organisation=organisation,
            fields={
                "slug": f"c-{organisation.public_id[4:]}",
                "name_en": "Atmosphere",
                "name_zh": "大气",
                "review_policy": review_policy,
            },
        )
        return Bank(organisation, community, depositor, curator, manager)

    return make


@pytest.fixture
def bank(make_bank: Callable[..., Bank]) -> Bank:
    return make_bank()


@pytest.fixture
def make_draft(bank: Bank) -> Callable[..., DatasetVersion]:
    def make(*, files: dict[str, bytes] | None = None, **settings: Any) -> DatasetVersion:
        version = lifecycle.dataset_create(
            actor=bank.depositor,
            community=bank.community,
            metadata=sample_metadata(),
            settings_=lifecycle.VersionSettings(**settings) if settings else None,
        )
        for path, data in (files if files is not None else {"data/readings.csv": b"station,pm25\nA,12\n"}).items():
            add_bytes(version, path, data)
        return version

    return make


@pytest.fixture
def publish(bank: Bank) -> Callable[[DatasetVersion], DatasetVersion]:
    def run(version: DatasetVersion) -> DatasetVersion:
        version = lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
        if version.state != "published":
            version = lifecycle.version_transition(actor=bank.curator, version=version, event="publish")
        return version

    return run
