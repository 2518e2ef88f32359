"""The read side: filters, the dashboard's aggregations, exports and the store's history, on any engine."""
