"""The parts of the platform, described once for the home page, the navigation and the part pages.

A part that has not landed yet links to its description page; when its app arrives,
``url_name`` points the navigation at the real pages instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Part:
    slug: str
    nav_label: Promise
    name: Promise
    sentence: Promise
    will_offer: tuple[Promise, ...]
    who: Promise
    peers: Promise
    url_name: str = ""


PARTS: tuple[Part, ...] = (
    Part(
        slug="data",
        nav_label=_("Data"),
        name=_("Science Data Bank"),
        sentence=_(
            "Deposit, curate and publish research datasets with DOIs, versioned files and FAIR metadata, open or under controlled access."
        ),
        will_offer=(
            _(
                "Deposit datasets with titles, descriptions and keywords in Chinese and English, and upload large files in resumable pieces."
            ),
            _("Curators review every deposit before it is published and registered with a DOI at DataCite."),
            _("Open, embargoed and restricted access; restricted files are released only after a curator approves a request."),
            _("Metadata others can harvest and cite: OAI-PMH, schema.org, DCAT, FAIR Signposting, BibTeX, RIS and CSL-JSON."),
            _(
                "Private review links for journal editors and reviewers, and usage statistics that follow the COUNTER code of practice."
            ),
        ),
        who=_("Researchers deposit, curators review, journals link articles to datasets, everyone can search and cite."),
        peers=_("ScienceDB, Zenodo and InvenioRDM, Dataverse, Dryad, Figshare, CKAN"),
        url_name="datasets:list",
    ),
    Part(
        slug="services",
        nav_label=_("Services"),
        name=_("Resource sharing"),
        sentence=_(
            "Book large research instruments, laboratories, libraries and professional services offered by universities, institutes and providers."
        ),
        will_offer=(
            _(
                "A catalogue of instruments, laboratories, testing and inspection, patent (IP) services, technology validation and consulting, with prices and conditions."
            ),
            _("Booking of instrument time in a calendar, with approval rules and iCalendar feeds."),
            _("Orders and quotes for services: acceptance, delivery of results, invoices and ratings."),
            _("Utilisation of every instrument for its provider, and the open-sharing figures the programme asks for."),
        ),
        who=_("Providers publish offerings and accept bookings; companies and researchers search, book and order."),
        peers=_("iLab, PPMS, LibreBooking, Clustermarket, national large-instrument sharing platforms"),
    ),
    Part(
        slug="vouchers",
        nav_label=_("Vouchers"),
        name=_("Innovation vouchers"),
        sentence=_(
            "Companies apply for innovation vouchers and compute vouchers from public programmes and use them to pay part of what they buy."
        ),
        will_offer=(
            _("Voucher programmes with budgets, eligibility rules and application periods, run by programme officers."),
            _("Online applications and reviews; an approved voucher is held against an order and settled after delivery."),
            _("An append-only ledger: every hold, release and settlement can be traced, and no balance can go below zero."),
            _("Alerts on related-party transactions and unusual patterns for programme officers."),
        ),
        who=_("Companies apply and pay, providers claim settlement, programme officers review, approve and watch the budget."),
        peers=_("City voucher portals of Shanghai, Zhejiang and Jiangsu"),
    ),
    Part(
        slug="compute",
        nav_label=_("Compute"),
        name=_("Compute access"),
        sentence=_(
            "Apply for computing allocations and run jobs on shared clusters, paid from project budgets or compute vouchers."
        ),
        will_offer=(
            _("Allocations per project with CPU-hour and GPU-hour budgets, and usage charts with the same numbers as a table."),
            _("Submit and follow jobs on the local executor or on Slurm clusters, with accounting taken from Slurm."),
            _(
                "Compute-to-data: approved code runs next to restricted datasets, and curators check the outputs before they leave."
            ),
        ),
        who=_(
            "Researchers and companies run jobs, resource owners grant allocations, programme officers pay with compute vouchers."
        ),
        peers=_("Waldur, ColdFront, the NAIRR pilot portal, Open OnDemand"),
    ),
    Part(
        slug="demands",
        nav_label=_("Demands"),
        name=_("Demands and matching"),
        sentence=_(
            "Companies post technology demands; the platform matches them with experts, offerings and demonstration scenarios."
        ),
        will_offer=(
            _("Technology demands with field, budget and deadline, visible to providers and experts."),
            _("Demonstration scenarios where new technology can be tried out in real settings."),
            _("Expert profiles, and matching by keywords in Chinese and English, optionally by meaning."),
        ),
        who=_("Companies post demands, experts and providers answer, incubators and funds follow promising matches."),
        peers=_("Technology-transfer marketplaces, the EOSC marketplace"),
    ),
)

PARTS_BY_SLUG = {part.slug: part for part in PARTS}
