"""The indicators of the data contract's section 2, their statistics (intervals, gaps, tests, 40/60) and the
indicator catalogue (data/indikatorer.toml).
"""

__all__ = ["catalogue", "indicators", "stats"]
