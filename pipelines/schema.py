"""Tables of the analysis stages, declared as a versioned component of the store's schema.

The corpora package owns the statement tables; these belong to the pipelines layer, which is the
only place where statements meet segments, embeddings and analyses.
"""

from __future__ import annotations

from corpora.store import Schema

ANALYSIS_SCHEMA = Schema(
    component="analysis",
    migrations=(
        (
            """CREATE TABLE segments (
                statement_id VARCHAR NOT NULL,
                idx INTEGER NOT NULL,
                paragraph INTEGER NOT NULL,
                kind VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                n_sentences INTEGER NOT NULL,
                text_hash VARCHAR NOT NULL,
                PRIMARY KEY (statement_id, idx)
            )""",
            """CREATE TABLE statement_annotations (
                statement_id VARCHAR PRIMARY KEY,
                language_detected VARCHAR NOT NULL,
                on_behalf_detected VARCHAR NOT NULL,
                aligned_detected VARCHAR NOT NULL,
                n_segments INTEGER NOT NULL,
                n_procedural INTEGER NOT NULL,
                segment_config VARCHAR NOT NULL
            )""",
            """CREATE TABLE models (
                model_key VARCHAR PRIMARY KEY,
                backend VARCHAR NOT NULL,
                model VARCHAR NOT NULL,
                weights_sha256 VARCHAR NOT NULL,
                precision VARCHAR NOT NULL,
                dimension INTEGER NOT NULL,
                first_used TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE embeddings (
                model_key VARCHAR NOT NULL,
                text_hash VARCHAR NOT NULL,
                vector FLOAT[] NOT NULL,
                PRIMARY KEY (model_key, text_hash)
            )""",
            """CREATE TABLE segment_issues (
                statement_id VARCHAR NOT NULL,
                idx INTEGER NOT NULL,
                issue VARCHAR NOT NULL,
                score DOUBLE NOT NULL,
                stance DOUBLE,
                PRIMARY KEY (statement_id, idx, issue)
            )""",
            """CREATE TABLE topics (
                topic_id INTEGER PRIMARY KEY,
                size INTEGER NOT NULL,
                label VARCHAR NOT NULL,
                keywords VARCHAR[] NOT NULL,
                representative_statement VARCHAR NOT NULL,
                representative_idx INTEGER NOT NULL
            )""",
            """CREATE TABLE segment_topics (
                statement_id VARCHAR NOT NULL,
                idx INTEGER NOT NULL,
                topic_id INTEGER NOT NULL,
                PRIMARY KEY (statement_id, idx)
            )""",
            """CREATE TABLE analysis_state (
                stage VARCHAR PRIMARY KEY,
                fingerprint VARCHAR NOT NULL,
                updated_at TIMESTAMP NOT NULL,
                details JSON NOT NULL
            )""",
        ),
    ),
)

SCHEMAS = (ANALYSIS_SCHEMA,)
"""Every schema component the pipelines layer adds to the store."""
