"""The ground floor: columns, categories and labels (schema), settings, atomic files and versions, number
formats, problems with file/row/column (validation), roles and rights (access), numpy tables (columnar)
and the event log. Imports no other folder of the package.
"""

__all__ = ["access", "atomic", "columnar", "eventlog", "formatting", "schema", "settings", "validation", "versions"]
