"""Demo Science Data Bank: two communities and bilingual datasets in every state, with small real files (idempotent).

Everything goes through the services, as a depositor and a curator would: drafts are
created, files attached, versions submitted, taken, published, versioned and withdrawn.
A dataset whose English title exists already is left alone, so running it again adds
only what is missing. Needs the accounts demo (its organisations and people) first.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from sciport.accounts.demo import ADMIN_EMAIL
from sciport.accounts.models import Organisation, User
from sciport.datasets.models import Community, Dataset, DatasetVersion, ReviewPolicy
from sciport.datasets.services import files, lifecycle

RESEARCHER = "researcher@demo.sciport"
CURATOR = "curator@demo.sciport"
MATERIALS_MANAGER = "lab.manager@demo.sciport"
FUDAN_ROR = "https://ror.org/013q1eq08"


@dataclass(frozen=True)
class DemoCommunity:
    slug: str
    organisation_en: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    review_policy: str


COMMUNITIES = (
    DemoCommunity(
        "shencheng-environment",
        "Shencheng University",
        "申城大学环境与生态数据",
        "Shencheng environment and ecology data",
        "大气、水体与城市生态的观测数据，由学校数据馆员审核后发布。",
        "Observations of air, water and urban ecology, reviewed by the university's data curators before publication.",
        ReviewPolicy.REVIEW,
    ),
    DemoCommunity(
        "donghai-materials",
        "Donghai Institute of Advanced Materials",
        "东海先进材料开放数据",
        "Donghai advanced materials open data",
        "新能源与先进材料表征数据，提交即发布。",
        "Characterisation data of new-energy and advanced materials, published on submission.",
        ReviewPolicy.AUTO_PUBLISH,
    ),
)


# --- small real files ----------------------------------------------------------------------------


def _png_bar_chart(values: list[int], width: int = 160, height: int = 80) -> bytes:
    """A real PNG: a bar chart of ``values`` (0-100), drawn pixel by pixel and deflated."""
    bar = width // len(values)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter byte: none
        for x in range(width):
            index = min(x // bar, len(values) - 1)
            filled = height - y <= values[index] * height // 100 and x % bar < bar - 4
            row += bytes((11, 79, 138) if filled else (244, 246, 249))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


def _csv(header: str, rows: list[tuple[Any, ...]]) -> bytes:
    return (header + "\n" + "\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n").encode()


AIR_QUALITY = _csv(
    "station,time,pm25,pm10,no2",
    [("Xuhui", f"2025-03-01T{hour:02}:00", 30 + hour % 7 * 3, 52 + hour % 5 * 4, 21 + hour % 3) for hour in range(24)]
    + [("Pudong", f"2025-03-01T{hour:02}:00", 26 + hour % 6 * 3, 47 + hour % 4 * 5, 18 + hour % 4) for hour in range(24)],
)
STATIONS = json.dumps(
    {"Xuhui": {"lat": 31.19, "lon": 121.44, "since": 2012}, "Pudong": {"lat": 31.22, "lon": 121.54, "since": 2014}},
    indent=2,
).encode()
README = "# 长三角空气质量 / Yangtze delta air quality\n\nHourly readings of two stations. Columns: `pm25`, `pm10`, `no2` in µg/m³.\n".encode()


# --- the datasets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoDataset:
    title_zh: str
    title_en: str
    abstract_zh: str
    abstract_en: str
    community: str
    depositor: str
    files: dict[str, bytes]
    keywords: tuple[tuple[str, str], ...] = ()
    field_of_science: str = "1.5"
    settings: dict[str, Any] = field(default_factory=dict)
    ends: str = "published"  # draft, in_curation, published, withdrawn
    second_version: dict[str, bytes] = field(default_factory=dict)


def _metadata(item: DemoDataset, publisher: str) -> dict[str, Any]:
    return {
        "titles": [{"title": item.title_zh, "lang": "zh"}, {"title": item.title_en, "lang": "en"}],
        "creators": [
            {
                "name": "Li, Yan",
                "nameType": "Personal",
                "givenName": "Yan",
                "familyName": "Li",
                "nameIdentifiers": [{"nameIdentifier": "https://orcid.org/0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"}],
                "affiliation": [{"name": publisher}],
            },
            {
                "name": "Wang, Ce",
                "nameType": "Personal",
                "givenName": "Ce",
                "familyName": "Wang",
                "affiliation": [
                    {"name": "Fudan University", "affiliationIdentifier": FUDAN_ROR, "affiliationIdentifierScheme": "ROR"}
                ],
            },
        ],
        "publisher": {"name": publisher},
        "publicationYear": str(timezone.localdate().year),
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Observations"},
        "descriptions": [
            {"description": item.abstract_zh, "descriptionType": "Abstract", "lang": "zh"},
            {"description": item.abstract_en, "descriptionType": "Abstract", "lang": "en"},
        ],
        "rightsList": [{"rightsIdentifier": "CC-BY-4.0", "rightsIdentifierScheme": "SPDX"}],
        "keywords": [{"value": value, "lang": lang} for value, lang in item.keywords],
        "fieldOfScience": [item.field_of_science],
        "dataAvailability": [{"statement": "The files of this dataset are available on sciport.", "lang": "en"}],
    }


def _datasets() -> list[DemoDataset]:
    embargo_ends = timezone.localdate() + timedelta(days=180)
    return [
        DemoDataset(
            "长三角空气质量小时观测",
            "Yangtze delta hourly air quality",
            "徐汇与浦东两个站点 2025 年 3 月 1 日的每小时 PM2.5、PM10 与二氧化氮观测。",
            "Hourly PM2.5, PM10 and NO2 at the Xuhui and Pudong stations on 1 March 2025.",
            "shencheng-environment",
            RESEARCHER,
            {"readings/air-quality.csv": AIR_QUALITY, "stations.json": STATIONS, "README.md": README},
            keywords=(("空气质量", "zh"), ("PM2.5", "zh"), ("air quality", "en"), ("PM2.5", "en")),
            second_version={"figures/pm25-by-station.png": _png_bar_chart([62, 48, 75, 55])},
        ),
        DemoDataset(
            "黄浦江水质监测（受限）",
            "Huangpu River water quality (restricted)",
            "黄浦江六个断面的溶解氧与氨氮月度数据，涉及取水口位置，申请后使用。",
            "Monthly dissolved oxygen and ammonia at six Huangpu River sections; near water intakes, so access is on request.",
            "shencheng-environment",
            RESEARCHER,
            {
                "sections.csv": _csv(
                    "section,month,do_mg_l,nh3n_mg_l", [(f"S{n}", "2025-02", 6 + n / 10, 0.3 + n / 20) for n in range(1, 7)]
                )
            },
            keywords=(("水质", "zh"), ("water quality", "en")),
            settings={
                "access_level": "restricted",
                "data_use_agreement": "仅用于科研；不得公开取水口位置；发表时引用本数据集。\nResearch use only; do not publish intake locations; cite this dataset.",
            },
        ),
        DemoDataset(
            "新能源电池循环寿命",
            "Cycle life of new-energy battery cells",
            "二十只磷酸铁锂电芯的充放电循环容量衰减曲线。",
            "Capacity fade over charge cycles of twenty lithium iron phosphate cells.",
            "donghai-materials",
            MATERIALS_MANAGER,
            {
                "cycles.csv": _csv(
                    "cell,cycle,capacity_ah",
                    [(f"C{c:02}", k * 100, round(3.2 - k * 0.04 - c * 0.002, 3)) for c in range(1, 4) for k in range(6)],
                )
            },
            keywords=(("锂电池", "zh"), ("battery", "en")),
            field_of_science="2.5",
            settings={"access_level": "embargoed", "embargo_until": embargo_ends},
        ),
        DemoDataset(
            "城市热岛遥感反演",
            "Urban heat island from satellite images",
            "基于 Landsat 地表温度的上海城市热岛强度（草稿）。",
            "Shanghai's urban heat island intensity from Landsat land surface temperature (draft).",
            "shencheng-environment",
            RESEARCHER,
            {"notes.md": "# 方法 / Method\n\nSplit-window retrieval, summer 2024.\n".encode()},
            ends="draft",
        ),
        DemoDataset(
            "上海地铁早高峰客流",
            "Shanghai metro morning peak ridership",
            "2024 年工作日早高峰各线路进站客流。",
            "Weekday morning-peak entries per metro line in 2024.",
            "shencheng-environment",
            RESEARCHER,
            {"ridership.csv": _csv("line,entries", [(line, 80000 + line * 7300) for line in range(1, 6)])},
            keywords=(("交通", "zh"), ("transport", "en")),
            field_of_science="5.7",
            ends="in_curation",
        ),
        DemoDataset(
            "2019 年空气传感器试点",
            "2019 air sensor pilot",
            "低成本传感器试点数据，因校准错误已撤回。",
            "Low-cost sensor pilot data, withdrawn after a calibration error was found.",
            "shencheng-environment",
            RESEARCHER,
            {"pilot.csv": _csv("sensor,pm25", [("L1", 41), ("L2", 39)])},
            ends="withdrawn",
        ),
    ]


# --- loading ---------------------------------------------------------------------------------------


def _community(spec: DemoCommunity) -> Community:
    found = Community.objects.filter(slug=spec.slug).first()
    if found is not None:
        return found
    organisation = Organisation.objects.get(name_en=spec.organisation_en)
    fields = {
        "slug": spec.slug,
        "name_zh": spec.name_zh,
        "name_en": spec.name_en,
        "description_zh": spec.description_zh,
        "description_en": spec.description_en,
        "review_policy": spec.review_policy,
    }
    # The platform administrator registered the demo organisations and administers them.
    return lifecycle.community_create(actor=User.objects.get(email=ADMIN_EMAIL), organisation=organisation, fields=fields)


def _attach(actor: User, version: DatasetVersion, contents: dict[str, bytes]) -> None:
    for path, data in contents.items():
        files.version_add_bytes(actor=actor, version=version, path=path, data=data)


def _publish(version: DatasetVersion, depositor: User, curator: User) -> DatasetVersion:
    version = lifecycle.version_transition(actor=depositor, version=version, event="submit")
    if version.state != "published":
        version = lifecycle.version_transition(actor=curator, version=version, event="publish")
    return version


def _curator_of(community: Community) -> User:
    curator = User.objects.filter(email=CURATOR, memberships__organisation=community.organisation).first()
    return curator or User.objects.get(email=MATERIALS_MANAGER)


def _deposit(item: DemoDataset, community: Community) -> None:
    depositor = User.objects.get(email=item.depositor)
    curator = _curator_of(community)
    settings_ = lifecycle.VersionSettings(**item.settings) if item.settings else None
    publisher = community.organisation.display_name("en")
    version = lifecycle.dataset_create(
        actor=depositor, community=community, metadata=_metadata(item, publisher), settings_=settings_
    )
    _attach(depositor, version, item.files)
    if item.ends == "draft":
        return
    if item.ends == "in_curation":
        version = lifecycle.version_transition(actor=depositor, version=version, event="submit")
        lifecycle.version_transition(actor=curator, version=version, event="take")
        return
    version = _publish(version, depositor, curator)
    if item.ends == "withdrawn":
        lifecycle.version_transition(
            actor=curator, version=version, event="withdraw", message="传感器校准错误 / The sensors were miscalibrated."
        )
    if item.second_version:
        draft = lifecycle.version_new(actor=depositor, dataset=version.dataset)
        _attach(depositor, draft, item.second_version)
        _publish(draft, depositor, curator)


def load() -> str:
    """Create what is missing; returns a line for the demo command to print."""
    communities = {spec.slug: _community(spec) for spec in COMMUNITIES}
    for item in _datasets():
        if not DatasetVersion.objects.filter(title_en=item.title_en, version_number=1).exists():
            _deposit(item, communities[item.community])
    count = Dataset.objects.filter(community__in=communities.values()).count()
    return f"Science Data Bank: {count} demo datasets in {len(communities)} communities (/data/)"
