"""Ceasefire Talks Dashboard: loaders, analysis, a DuckDB store and a Streamlit dashboard for ceasefire
negotiations and the news around them."""

__version__ = "0.1.0"
