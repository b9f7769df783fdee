"""Tables of the analysis stages, declared as a versioned component of the store's schema.

The corpora package owns the statement tables; these belong to the pipelines layer, which is the
only place where statements meet segments, embeddings and analyses.
"""

from __future__ import annotations

from corpora.store import Schema
from pipelines.store.corrections import CORRECTIONS_SCHEMA

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
        (
            """CREATE TABLE positions (
                state VARCHAR NOT NULL, issue VARCHAR NOT NULL, session VARCHAR NOT NULL,
                n_own INTEGER NOT NULL, n_group INTEGER NOT NULL, weight DOUBLE NOT NULL,
                stance DOUBLE, stance_lo DOUBLE, stance_hi DOUBLE, n_stance INTEGER NOT NULL,
                thin BOOLEAN NOT NULL, direction FLOAT[] NOT NULL,
                PRIMARY KEY (state, issue, session)
            )""",
            """CREATE TABLE alignment (
                state_a VARCHAR NOT NULL, state_b VARCHAR NOT NULL, issue VARCHAR NOT NULL,
                session VARCHAR NOT NULL, score DOUBLE NOT NULL, lo DOUBLE, hi DOUBLE,
                PRIMARY KEY (state_a, state_b, issue, session)
            )""",
            """CREATE TABLE coalitions (
                issue VARCHAR NOT NULL, state VARCHAR NOT NULL, coalition INTEGER NOT NULL,
                silhouette DOUBLE NOT NULL, nearest_other INTEGER NOT NULL,
                PRIMARY KEY (issue, state)
            )""",
            """CREATE TABLE coalition_summary (
                issue VARCHAR PRIMARY KEY, k INTEGER NOT NULL, k_scores JSON NOT NULL
            )""",
            """CREATE TABLE group_cohesion (
                issue VARCHAR NOT NULL, "group" VARCHAR NOT NULL, members_present INTEGER,
                pairs INTEGER, cohesion DOUBLE, main_coalition INTEGER, share_in_main DOUBLE,
                PRIMARY KEY (issue, "group")
            )""",
            """CREATE TABLE dispersion (
                issue VARCHAR NOT NULL, session VARCHAR NOT NULL, "order" INTEGER NOT NULL,
                n_states INTEGER NOT NULL, stance_sd DOUBLE, stance_sd_lo DOUBLE,
                stance_sd_hi DOUBLE, semantic_spread DOUBLE, spread_lo DOUBLE, spread_hi DOUBLE,
                PRIMARY KEY (issue, session)
            )""",
            """CREATE TABLE trends (
                issue VARCHAR NOT NULL, measure VARCHAR NOT NULL, slope DOUBLE, lo DOUBLE,
                hi DOUBLE, sessions INTEGER, direction VARCHAR, PRIMARY KEY (issue, measure)
            )""",
            """CREATE TABLE movers (
                state VARCHAR NOT NULL, issue VARCHAR NOT NULL, from_session VARCHAR NOT NULL,
                to_session VARCHAR NOT NULL, shift DOUBLE NOT NULL, stance_from DOUBLE,
                stance_to DOUBLE, toward VARCHAR[] NOT NULL,
                PRIMARY KEY (state, from_session, to_session)
            )""",
        ),
        (
            """CREATE TABLE vote_validation (
                measure VARCHAR PRIMARY KEY, spearman DOUBLE, spearman_lo DOUBLE,
                spearman_hi DOUBLE, pearson DOUBLE, pearson_lo DOUBLE, pearson_hi DOUBLE,
                n_pairs INTEGER, n_states INTEGER, n_roll_calls INTEGER,
                votes_source VARCHAR NOT NULL, selection JSON NOT NULL,
                text_issue VARCHAR NOT NULL, text_session VARCHAR NOT NULL
            )""",
        ),
        (
            # which statements were tagged, and under which models and settings: tagging is
            # per segment, so an update scores only statements missing here
            """CREATE TABLE annotated_statements (
                statement_id VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL
            )""",
        ),
        (
            # validate-votes --per-session: each session's speech alignment and baselines
            # against that session's roll calls (all, and per issue area)
            """CREATE TABLE vote_validation_sessions (
                session VARCHAR NOT NULL, vote_session INTEGER NOT NULL,
                vote_issue VARCHAR NOT NULL, text_issue VARCHAR NOT NULL,
                method VARCHAR NOT NULL, measure VARCHAR NOT NULL, spearman DOUBLE,
                spearman_lo DOUBLE, spearman_hi DOUBLE, n_pairs INTEGER, n_states INTEGER,
                n_roll_calls INTEGER,
                PRIMARY KEY (session, vote_issue, method, measure)
            )""",
            # text movers against vote movers (agreement with a reference camp) between sessions
            """CREATE TABLE vote_mover_check (
                from_session VARCHAR NOT NULL, to_session VARCHAR NOT NULL,
                camp VARCHAR NOT NULL, population INTEGER NOT NULL,
                text_movers INTEGER NOT NULL, vote_movers INTEGER NOT NULL,
                overlap INTEGER NOT NULL, expected DOUBLE NOT NULL, p_value DOUBLE,
                states VARCHAR[] NOT NULL,
                PRIMARY KEY (from_session, to_session)
            )""",
        ),
        (
            # the office a statement was delivered in (chair, facilitator, presidency), and
            # whether it is a joint statement others can join; segments spoken in such an
            # office have kind 'capacity' and are not analysed
            "ALTER TABLE statement_annotations ADD COLUMN capacity VARCHAR DEFAULT ''",
            "ALTER TABLE statement_annotations ADD COLUMN joint BOOLEAN DEFAULT false",
            # what an overall alignment rests on: shared issues, or whole positions
            "ALTER TABLE alignment ADD COLUMN basis VARCHAR DEFAULT 'issues'",
            # where the centre of stances heads, and movers that moved beyond their interval
            "ALTER TABLE dispersion ADD COLUMN centre DOUBLE",
            "ALTER TABLE dispersion ADD COLUMN centre_lo DOUBLE",
            "ALTER TABLE dispersion ADD COLUMN centre_hi DOUBLE",
            "DROP TABLE movers",
            """CREATE TABLE movers (
                state VARCHAR NOT NULL, issue VARCHAR NOT NULL, from_session VARCHAR NOT NULL,
                to_session VARCHAR NOT NULL, shift DOUBLE NOT NULL, shift_lo DOUBLE,
                shift_hi DOUBLE, stance_from DOUBLE, stance_to DOUBLE, pole VARCHAR NOT NULL,
                camp INTEGER NOT NULL, toward VARCHAR[] NOT NULL,
                PRIMARY KEY (state, issue, from_session, to_session)
            )""",
            # the sides each coalition's members share on contested issues
            """CREATE TABLE coalition_positions (
                coalition INTEGER NOT NULL, issue VARCHAR NOT NULL, pole VARCHAR NOT NULL,
                share DOUBLE NOT NULL, states INTEGER NOT NULL, mean_stance DOUBLE,
                PRIMARY KEY (coalition, issue)
            )""",
            # overall alignment of pairs in the last two sessions, and its change with interval
            """CREATE TABLE pair_changes (
                state_a VARCHAR NOT NULL, state_b VARCHAR NOT NULL, from_session VARCHAR NOT NULL,
                to_session VARCHAR NOT NULL, before DOUBLE, after DOUBLE, delta DOUBLE,
                delta_lo DOUBLE, delta_hi DOUBLE,
                PRIMARY KEY (state_a, state_b, from_session, to_session)
            )""",
            # the stored analysis predates these tables' new columns: compute it again
            "DELETE FROM analysis_state WHERE stage = 'analyze'",
        ),
        (
            # where each run's time went: Prefect's start-up, each stage, the total (seconds)
            """CREATE TABLE run_timings (
                run_id VARCHAR NOT NULL, position INTEGER NOT NULL, step VARCHAR NOT NULL,
                seconds DOUBLE NOT NULL,
                PRIMARY KEY (run_id, step)
            )""",
        ),
        (
            # whether a clustered state belongs to its coalition (analysis.coalition_min_silhouette)
            # or is unattached, nearest to it; stores analysed before had partitions
            "ALTER TABLE coalitions ADD COLUMN attached BOOLEAN DEFAULT true",
            # the coalition whose members it aligns with most, and that mean alignment
            "ALTER TABLE coalitions ADD COLUMN nearest INTEGER",
            "ALTER TABLE coalitions ADD COLUMN nearest_alignment DOUBLE",
            "DELETE FROM analysis_state WHERE stage = 'analyze'",
        ),
    ),
)

SCHEMAS = (ANALYSIS_SCHEMA, CORRECTIONS_SCHEMA)
"""Every schema component the pipelines layer adds to the store."""
