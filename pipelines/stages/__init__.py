"""The stages of the pipeline as plain functions: segment, embed, annotate, topics, analysis,
votes, forecast and the report files."""
