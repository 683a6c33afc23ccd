"""The one way to a published table: the disclosure control (control.publish), the cell-key method
(cellkey) and the published indicator table (tables.indicator_table). Record-key sums never leave it.
"""

__all__ = ["cellkey", "control", "tables"]
