"""/api/v1 routes of the Science Data Bank, one module per room."""

from ninja import Router

from sciport.datasets.api import access, citations, deposit, exports, files, fixity, metadata, search, usage

router = Router()
router.add_router("", search.router)  # before /datasets/{dataset_id}
router.add_router("", deposit.router)
router.add_router("", metadata.router)
router.add_router("", access.router)
router.add_router("", files.router)
router.add_router("", citations.router)
router.add_router("", fixity.router)
router.add_router("", usage.router)
router.add_router("", exports.router)
