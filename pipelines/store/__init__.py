"""The analysis store: schema, reads and writes, exports and the report's data."""
