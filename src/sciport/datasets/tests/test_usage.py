"""Usage statistics after COUNTER: what counts once, what never counts, unique sessions, the concept, exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from sciport.core.i18n_compile import compile_all
from sciport.datasets.models import UsageEvent, UsageMonth
from sciport.datasets.services import lifecycle
from sciport.datasets.tests.pages import client_for, text_of
from sciport.datasets.usage import recording, robots
from sciport.datasets.usage.folding import fold_usage, schedule_usage_folding, usage_fold

compile_all()  # the page below is read in Chinese from the committed catalogue, as `make test` compiles it
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class Clock:
    """The time recording sees; tests move it on instead of sleeping."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(recording, "clock", clock)
    return clock


@pytest.fixture
def published(make_draft, publish):
    return publish(make_draft(files={"data/readings.csv": b"site,pm25\nA,12\n"}))


def browser(agent: str = FIREFOX, address: str = "192.0.2.10") -> Client:
    client = client_for()
    client.defaults |= {"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address}
    return client


def usage_of(version) -> dict:
    return Client().get(f"/api/v1/versions/{version.public_id}/usage").json()


def landing(version) -> str:
    return f"/data/versions/{version.public_id}/"


def content(version) -> str:
    return f"/api/v1/files/{version.files.get().public_id}/content"


def test_a_double_click_within_30_seconds_counts_once(published, clock):
    reader = browser()
    for _ in range(2):
        assert reader.get(landing(published)).status_code == 200
        assert reader.get(content(published)).status_code == 200
    clock.advance(seconds=29)
    reader.get(content(published))
    totals = usage_of(published)["totals"]
    assert totals["total_investigations"] == 2  # one view, one download (a download is also an investigation)
    assert totals["total_requests"] == 1
    clock.advance(seconds=31)
    reader.get(landing(published))
    reader.get(content(published))
    totals = usage_of(published)["totals"]
    assert (totals["total_investigations"], totals["total_requests"]) == (4, 2)


def test_a_robot_is_not_counted(published, clock):
    for agent in ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0", ""):
        crawler = browser(agent)
        assert crawler.get(landing(published)).status_code == 200
        assert crawler.get(content(published)).status_code == 200
    assert not UsageEvent.objects.exists()
    assert usage_of(published)["totals"]["total_investigations"] == 0
    assert not robots.is_robot(FIREFOX)
    assert not robots.is_robot(SAFARI)


def test_the_robots_list_is_shipped_with_well_known_entries():
    listed = robots.patterns(robots.ROBOTS_FILE.read_text("utf-8"))
    assert {"bot", "spider", "crawl", "^curl", "^wget", "python-requests"} <= set(listed)


def test_unique_counts_one_per_session(published, clock):
    first, second = browser(FIREFOX), browser(SAFARI)
    for _ in range(2):
        first.get(landing(published))
        second.get(landing(published))
        second.get(content(published))
        clock.advance(seconds=40)
    totals = usage_of(published)["totals"]
    assert totals == {"total_investigations": 6, "unique_investigations": 2, "total_requests": 2, "unique_requests": 1}
    clock.advance(hours=1)  # a COUNTER session lasts one hour
    first.get(landing(published))
    assert usage_of(published)["totals"]["unique_investigations"] == 3


def test_a_signed_in_reader_is_one_session_whatever_the_address(published, clock, make_user):
    reader = make_user()
    for address in ("192.0.2.1", "198.51.100.7"):
        client = browser(address=address)
        client.force_login(reader)
        client.get(landing(published))
        clock.advance(seconds=40)
    assert usage_of(published)["totals"]["unique_investigations"] == 1


def test_version_counts_roll_up_to_the_concept(bank, published, clock):
    second = lifecycle.version_transition(
        actor=bank.curator,
        version=lifecycle.version_transition(
            actor=bank.depositor,
            version=lifecycle.version_new(actor=bank.depositor, dataset=published.dataset),
            event="submit",
        ),
        event="publish",
    )
    reader, other = browser(FIREFOX), browser(SAFARI)
    reader.get(landing(published))
    reader.get(landing(second))
    reader.get(content(second))
    other.get(landing(second))
    clock.advance(days=40)  # the next month
    other.get(landing(published))

    dataset_url = f"/api/v1/datasets/{published.dataset.public_id}/usage"
    concept = Client().get(dataset_url).json()
    assert concept["totals"] == {"total_investigations": 5, "unique_investigations": 3, "total_requests": 1, "unique_requests": 1}
    assert [m["month"] for m in concept["months"]] == ["2026-03", "2026-04"]
    assert concept["months"][0]["unique_investigations"] == 2  # the reader's two versions are one session
    assert usage_of(published)["totals"]["unique_investigations"] == 2
    assert usage_of(second)["totals"]["unique_investigations"] == 2

    before = (usage_of(published), usage_of(second), concept)
    assert usage_fold(before=clock.now + timedelta(days=1)) == 5  # the task folds events into monthly rows
    assert not UsageEvent.objects.exists()
    assert UsageMonth.objects.filter(version=None).count() == 2
    assert (usage_of(published), usage_of(second), Client().get(dataset_url).json()) == before


def test_folding_keeps_the_current_month_and_adds_to_folded_ones(published, clock):
    browser().get(landing(published))
    assert usage_fold(before=START.replace(day=1)) == 0  # this month stays raw
    assert UsageEvent.objects.count() == 1
    usage_fold(before=START + timedelta(days=30))
    clock.advance(minutes=5)
    browser(SAFARI).get(landing(published))
    usage_fold(before=START + timedelta(days=30))
    assert UsageMonth.objects.get(version=published).total_investigations == 2


def test_the_daily_fold_keeps_its_next_run_queued(published, clock):
    browser().get(landing(published))  # March 2026, a closed month by now
    assert fold_usage.call() == 1
    assert DBTaskResult.objects.filter(task_path=fold_usage.module_path, status="READY").count() == 1
    assert schedule_usage_folding() is False
    assert usage_of(published)["totals"]["total_investigations"] == 1


def test_csv_export_matches_the_json(published, clock):
    reader = browser()
    reader.get(landing(published))
    reader.get(content(published))
    clock.advance(days=31)
    reader.get(landing(published))
    for url in (f"/api/v1/versions/{published.public_id}/usage", f"/api/v1/datasets/{published.dataset.public_id}/usage"):
        as_json = Client().get(url).json()
        response = Client().get(url + "?format=csv")
        assert response["Content-Type"].startswith("text/csv")
        header, *rows, total = list(csv.reader(io.StringIO(response.content.decode())))
        assert header == ["month", "total_investigations", "unique_investigations", "total_requests", "unique_requests"]
        assert [dict(zip(header, map(str, row), strict=True)) for row in rows] == [
            {key: str(value) for key, value in month.items()} for month in as_json["months"]
        ]
        assert total == ["total", *(str(as_json["totals"][key]) for key in header[1:])]


def test_drafts_previews_and_ranges_are_not_usage(bank, make_draft, published, clock):
    draft = make_draft(files={"a.txt": b"draft"})
    insider = browser()
    insider.force_login(bank.depositor)
    insider.get(landing(draft))
    insider.get(content(draft))
    reader = browser()
    assert reader.get(content(published), HTTP_RANGE="bytes=5-9").status_code == 206  # a later piece of a download
    etag = reader.get(content(published))["ETag"]
    clock.advance(seconds=31)
    assert reader.get(content(published), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert UsageEvent.objects.filter(version=draft).count() == 0
    assert usage_of(published)["totals"]["total_requests"] == 1


def test_archives_and_api_reads_count(published, clock):
    reader = browser()
    b"".join(reader.get(f"/api/v1/versions/{published.public_id}/archive.zip").streaming_content)
    b"".join(reader.get(f"/api/v1/versions/{published.public_id}/bag.zip").streaming_content)
    reader.get(f"/api/v1/versions/{published.public_id}")
    reader.get(f"/api/v1/versions/{published.public_id}/datacite.json")
    reader.get(f"/api/v1/versions/{published.public_id}/dcat.ttl")
    reader.get(f"/api/v1/versions/{published.public_id}/croissant.json")
    b"".join(reader.get(f"/api/v1/versions/{published.public_id}/ro-crate.zip").streaming_content)
    totals = usage_of(published)["totals"]
    assert (totals["total_investigations"], totals["total_requests"], totals["unique_requests"]) == (7, 3, 1)


def test_dataset_report_in_the_counter_shape(published, clock):
    browser().get(landing(published))
    browser(SAFARI).get(content(published))
    report = Client().get("/api/v1/usage/report?begin=2026-01&end=2026-03").json()
    header = report["report-header"]
    assert (header["report-id"], header["release"]) == ("DSR", "rd1")
    assert header["reporting-period"] == {"begin-date": "2026-01-01", "end-date": "2026-03-31"}
    [dataset] = report["report-datasets"]
    assert dataset["dataset-id"][0]["value"] == published.pid
    [performance] = dataset["performance"]
    assert performance["period"] == {"begin-date": "2026-03-01", "end-date": "2026-03-31"}
    counts = {instance["metric-type"]: instance["count"] for instance in performance["instance"]}
    assert counts == {
        "total-dataset-investigations": 2,
        "unique-dataset-investigations": 2,
        "total-dataset-requests": 1,
        "unique-dataset-requests": 1,
    }
    assert Client().get("/api/v1/usage/report?begin=2026-04&end=2026-05").json()["report-datasets"] == []


@pytest.mark.parametrize("query", ["begin=2026-13&end=2026-12", "begin=2026-03&end=2026-01", "begin=x&end=2026-01"])
def test_report_refuses_bad_months(query):
    response = Client().get(f"/api/v1/usage/report?{query}")
    assert response.status_code == 422


def test_landing_page_shows_usage_and_serves_the_chart_library_locally(published, clock):
    reader = browser()
    reader.get(landing(published))
    reader.get(content(published))
    page = reader.get(landing(published))
    text = text_of(page)
    assert "Usage Views Unique views Downloads Unique downloads This version 2 1 1 1 All versions 2 1 1 1" in text
    assert "2026-03 2 1 1 1" in text
    html = page.content.decode()
    assert 'id="usage-data"' in html
    script = html.split('<script src="/data/assets/plotly.min.js', 1)[1].split('"', 1)[0]
    served = Client().get("/data/assets/plotly.min.js" + script)
    assert served.status_code == 200
    assert b"plotly.js" in b"".join(served.streaming_content)[:2000]
    assert "immutable" in served["Cache-Control"]
    chinese = text_of(client_for(language="zh-hans").get(landing(published)))
    assert "使用情况" in chinese
