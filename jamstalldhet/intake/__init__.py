"""File -> canonical table -> count arrays: personnummer and pseudonyms, reading CSV/Excel/Parquet, typed
Parquet in Arrow, values no synonym list knows (asked about, never mapped silently), the export
templates, the import and the participant store, the demo data, the records (Prepared) and the
persons' record keys.
"""

__all__ = ["demo", "importing", "personnummer", "reading", "record_keys", "records", "store", "template", "typed",
           "unknown_values"]
