"""The entry points and what joins the wings: which data a view reads (sources), the annual report (report),
the command line (cli) and Kolada's key figures (kolada). May import any folder.
"""

__all__ = ["cli", "kolada", "report", "sources"]
