"""Response shapes of the metadata exports and the taxonomy."""

from ninja import Schema


class FieldOfScienceOut(Schema):
    code: str
    parent: str
    en: str
    zh: str
