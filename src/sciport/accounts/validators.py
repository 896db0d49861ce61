"""Checks for organisation identifiers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first_17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015)."""
    total = sum(_USCC_ALPHABET.index(char) * weight for char, weight in zip(first_17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """A unified social credit code: 18 characters from the official alphabet with a valid check character."""
    if len(value) != 18 or any(char not in _USCC_ALPHABET for char in value):
        raise ValidationError(
            _("A unified social credit code has 18 characters: digits and capital letters except I, O, S, V, Z.")
        )
    if uscc_check_character(value[:17]) != value[17]:
        raise ValidationError(_("The check character of this unified social credit code is wrong."))
