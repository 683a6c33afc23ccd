"""A wing: payments of ekonomiskt bistånd (section 7): reading a payments file, its store, demo payments,
the protected payment table and its view. Never imports resources or plan.
"""

__all__ = ["demo", "reading", "store", "table", "view"]
