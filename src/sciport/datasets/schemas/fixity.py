"""Response shapes of preservation reports: fixity runs and the problems they found."""

from datetime import datetime

from ninja import Field, Schema


class FixityRunOut(Schema):
    id: str
    trigger: str = Field(..., description="scheduled (the daily share) or manual (`sciport fixity`).")
    dataset_id: str | None = Field(None, description="Set when the run checked one dataset only.")
    started_at: datetime
    finished_at: datetime | None
    objects_checked: int = Field(..., description="Stored objects of the caller's organisations checked in this run.")
    problems: int = Field(..., description="Of those, how many were mismatched, missing or unreadable.")


class FixityFileOut(Schema):
    file_id: str
    path: str
    version_id: str
    version_number: int


class FixityProblemOut(Schema):
    run_id: str
    dataset_id: str
    status: str = Field(..., description="mismatch, missing or error.")
    checked_at: datetime
    expected_size: int
    expected_sha256: str
    found_size: int | None
    found_sha256: str
    detail: str = Field(..., description="The storage error, for status error.")
    files: list[FixityFileOut] = Field(..., description="The files (paths in versions) whose content this is.")
