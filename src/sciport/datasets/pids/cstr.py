"""China's science and technology resource identifiers (CSTR, GB/T 32843), minted and resolved by sciport.

A CSTR reads ``CSTR:{registration-agency code}.{resource type}.{local id}``; scientific
data is resource type ``11`` (``CSTR:31253.11.sciport.dsv_…``). The national platform
(cstr.cn) documents a registration endpoint, but its metadata templates come with a
developer account; until sciport has one, the identifiers are registered locally and
resolve at ``/pid/<identifier>``, like the ``local`` provider's.
"""

from __future__ import annotations

from django.conf import settings

from sciport.datasets.pids.local import LocalProvider

SCIENTIFIC_DATA = "11"
NAMESPACE = "sciport"


class CstrProvider(LocalProvider):
    name = "cstr"

    def mint(self, public_id: str) -> str:
        return f"CSTR:{settings.PID_PREFIX}.{SCIENTIFIC_DATA}.{NAMESPACE}.{public_id}"
