"""A wing: resources (section 6): the price list (prices), the protected resource table and its view.
Never imports payments or plan.
"""

__all__ = ["prices", "table", "view"]
