"""Page tests render translated pages: compile the committed .po catalogues first (as ``make messages`` does)."""

from __future__ import annotations

import pytest

from sciport.core.i18n_compile import compile_all


def pytest_configure(config: pytest.Config) -> None:
    compile_all()
