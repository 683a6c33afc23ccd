"""What a page or the report shows, without streamlit: views, sentences and tables (presentation, views),
plotly figures (charts), files (export) and the report's HTML templates (templates/).
"""

__all__ = ["charts", "export", "presentation", "views"]
