"""The ground floor: columns, categories and labels (schema), settings, atomic files and versions, the one
batch-store engine both stores use (batches), number formats, problems with file/row/column (validation),
roles and rights (access), numpy tables (columnar), the event log, the package's exceptions for the user
(errors) and the value types that recur: Filters, the protected table's protocol, type aliases (types).
Imports no other folder of the package.
"""

__all__ = ["access", "atomic", "batches", "columnar", "errors", "eventlog", "formatting", "schema", "settings", "types", "validation",
           "versions"]
