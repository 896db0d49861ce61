"""Dataset search: the query string and the page of hits with facet counts."""

from ninja import Field, Schema

from sciport.datasets.schemas.deposit import VersionOut


class DatasetSearchIn(Schema):
    q: str = Field(
        "", max_length=500, description="Words in Chinese and/or English, all of which must match; plain text, no syntax."
    )
    organisation: str = Field("", max_length=64, description="Public id of the publishing organisation.")
    subject: str = Field("", max_length=200, description="Field of science code (such as 1.5), or a subject.")
    licence: str = Field("", max_length=100, description="SPDX identifier of the licence.")
    year: str = Field("", max_length=10, description="Publication year.")
    access: str = Field("", max_length=20, description="open, embargoed or restricted.")
    file_type: str = Field("", max_length=200, description="File extension (csv, nc, …) or media type.")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(20, ge=1, le=100)


class DatasetHitOut(Schema):
    dataset_id: str
    title: str
    snippet: str = Field(..., description="HTML: the matching passage, escaped, with the matched words in <mark>.")
    score: float
    version: VersionOut = Field(..., description="The newest published version, which the concept identifier resolves to.")


class DatasetFacetValueOut(Schema):
    value: str
    label: str
    count: int


class DatasetSearchOut(Schema):
    items: list[DatasetHitOut]
    next_cursor: str | None = None
    facets: dict[str, list[DatasetFacetValueOut]] = Field(
        ..., description="Per filter, how many datasets each value gives, counted with the other filters applied."
    )
