"""Ingest on Apache Spark into a lake of Parquet tables (needs the `spark` extra and Java 17)."""
