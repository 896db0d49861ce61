"""Licences a dataset may carry, by SPDX identifier: the common data and software licences.

Depositors choose one of these, so every published dataset's rights are machine-readable
(``rightsIdentifierScheme: SPDX``); the export adds the name and the licence URL.
"""

from __future__ import annotations

from dataclasses import dataclass

SPDX_SCHEME_URI = "https://spdx.org/licenses/"


@dataclass(frozen=True)
class Licence:
    spdx_id: str
    name: str
    url: str


LICENCES: tuple[Licence, ...] = (
    Licence("CC0-1.0", "Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/legalcode"),
    Licence(
        "CC-BY-4.0", "Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/legalcode"
    ),
    Licence(
        "CC-BY-SA-4.0",
        "Creative Commons Attribution Share Alike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/legalcode",
    ),
    Licence(
        "CC-BY-NC-4.0",
        "Creative Commons Attribution Non Commercial 4.0 International",
        "https://creativecommons.org/licenses/by-nc/4.0/legalcode",
    ),
    Licence(
        "CC-BY-NC-SA-4.0",
        "Creative Commons Attribution Non Commercial Share Alike 4.0 International",
        "https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode",
    ),
    Licence(
        "CC-BY-ND-4.0",
        "Creative Commons Attribution No Derivatives 4.0 International",
        "https://creativecommons.org/licenses/by-nd/4.0/legalcode",
    ),
    Licence(
        "CC-BY-NC-ND-4.0",
        "Creative Commons Attribution Non Commercial No Derivatives 4.0 International",
        "https://creativecommons.org/licenses/by-nc-nd/4.0/legalcode",
    ),
    Licence("ODbL-1.0", "Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    Licence(
        "PDDL-1.0", "Open Data Commons Public Domain Dedication & License 1.0", "https://opendatacommons.org/licenses/pddl/1-0/"
    ),
    Licence("ODC-By-1.0", "Open Data Commons Attribution License v1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    Licence("MIT", "MIT License", "https://opensource.org/license/mit"),
    Licence("Apache-2.0", "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"),
    Licence("BSD-3-Clause", 'BSD 3-Clause "New" or "Revised" License', "https://opensource.org/license/bsd-3-clause"),
    Licence(
        "GPL-3.0-or-later", "GNU General Public License v3.0 or later", "https://www.gnu.org/licenses/gpl-3.0-standalone.html"
    ),
    Licence("MPL-2.0", "Mozilla Public License 2.0", "https://www.mozilla.org/MPL/2.0/"),
)

_BY_FOLDED_ID = {licence.spdx_id.casefold(): licence for licence in LICENCES}


def licence(spdx_id: str) -> Licence | None:
    """The licence with this SPDX identifier, matched regardless of case (DataCite itself stores them lower-cased)."""
    return _BY_FOLDED_ID.get(spdx_id.casefold())
