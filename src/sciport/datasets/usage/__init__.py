"""Usage statistics after the COUNTER Code of Practice for Research Data: record, fold, report."""
