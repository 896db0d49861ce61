"""Files of dataset versions: adding, folders, removing content of withdrawn versions."""

from __future__ import annotations

from django.db.models import Q

from sciport.core import storage
from sciport.datasets.models import DatasetFile, DatasetVersion, VersionState


def remove_withdrawn_content(*, version_id: int) -> int:
    """Delete the stored objects of a withdrawn version that no other live version still uses; returns how many.

    Metadata and file rows stay (the tombstone lists what was there); only content goes.
    """
    version = DatasetVersion.objects.filter(pk=version_id, state=VersionState.WITHDRAWN).first()
    if version is None:
        return 0
    blobs = version.files.values("blob_name")
    still_used = set(
        DatasetFile.objects.filter(blob_name__in=blobs)
        .filter(~Q(version__state=VersionState.WITHDRAWN))
        .values_list("blob_name", flat=True)
        .distinct()
    )
    gone = set(version.files.values_list("blob_name", flat=True).distinct()) - still_used
    for name in sorted(gone):
        storage.delete(name)
    return len(gone)
