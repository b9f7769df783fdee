"""State positions per issue and session: direction of what they say, mean stance, evidence.

Input is one row per (segment, issue) tag attributed to a state, with a weight: 1 for the
state's own segments and ``group_weight`` for segments of group statements delivered on its
behalf (see :func:`expand_group_rows`). A position is the weighted mean of the tagged segments'
embeddings, projected on the issue's principal components after centring on the issue's mean
(so similarity measures *relative* position within the debate), and the weighted mean of the
segments' stances on contested issues. Intervals come from a Poisson bootstrap over segments;
stance intervals add a weak prior toward "no position" (see :class:`PositionConfig`) so that a
position resting on a few paragraphs gets the wide interval its evidence deserves.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nlp.stats import centred_interval

WINDOW = "*"
"""Session label of positions pooled over every session in the analysed window."""


@dataclass(frozen=True, slots=True)
class PositionConfig:
    """Parameters of position estimation.

    Attributes:
        group_weight: weight of a group statement's segments for each member (own: 1).
        min_weight: positions with less evidence weight than this are marked thin.
        group_only: whether a member that never spoke on the issue itself holds a position
            from its groups' statements alone; by default such positions are marked thin, so
            silent members are not scored as if they had spoken.
        components: dimensions of the per-issue projection of embeddings.
        n_boot: bootstrap replicates for intervals.
        random_state: seed of the bootstrap.
        stance_prior: weight, in own paragraphs, of a prior pseudo-paragraph at stance 0
            ("no position") in every replicate of a stance. A bootstrap over two paragraphs
            that both read about -0.65 gives an interval of width ~0.1, however little two
            paragraphs tell; the prior is the Bayesian bootstrap's (Rubin 1981) Dirichlet
            with one extra atom at 0 of concentration ``stance_prior``: each replicate draws a
            Gamma(``stance_prior``, 1) weight for that atom beside the paragraphs' Poisson(1)
            weights. Its expected pull toward 0 is about ``prior / (n + prior)`` for ``n``
            paragraphs, so it widens intervals over a few paragraphs and vanishes over many.
            Only the stance intervals change: the reported stance is the paragraphs' own
            weighted mean, the interval is laid around it (:func:`nlp.stats.centred_interval`),
            and the replicates kept for alignment intervals (``replicates``,
            ``session_replicates``) are the paragraphs' own. 0 turns the prior off.
    """

    group_weight: float = 0.5
    min_weight: float = 1.0
    group_only: bool = False
    components: int = 32
    n_boot: int = 100
    random_state: int = 0
    stance_prior: float = 1.0

    def validate(self) -> None:
        if not 0 <= self.group_weight <= 1:
            raise ValueError(f"group_weight must be in [0, 1]; got {self.group_weight}")
        if self.min_weight <= 0:
            raise ValueError(f"min_weight must be positive; got {self.min_weight}")
        if self.components < 2:
            raise ValueError(f"components must be at least 2; got {self.components}")
        if self.n_boot < 10:
            raise ValueError(f"n_boot must be at least 10; got {self.n_boot}")
        if not 0 <= self.stance_prior <= 10:
            raise ValueError(f"stance_prior must be in [0, 10]; got {self.stance_prior}")


@dataclass(frozen=True)
class Positions:
    """Positions and their directions.

    Attributes:
        table: one row per (state, issue, session) with columns ``state, issue, session,
            n_own, n_group, weight, stance, stance_lo, stance_hi, n_stance, thin``;
            ``session == WINDOW`` rows pool all sessions.
        directions: ``(len(table), k)`` float32 projected mean directions, row-aligned.
        replicates: issue -> ``(n_boot, n_rows_of_issue_window, k + 1)`` bootstrap replicates
            of the window positions (direction and stance), for alignment intervals.
        window_rows: issue -> row indices into ``table`` of that issue's window positions.
        session_replicates: (issue, session) -> ``(n_boot, n_rows, k + 1)`` replicates of the
            positions in the last two sessions of the window (for intervals of changes);
            ``session_rows`` gives their row indices into ``table``.
    """

    table: pd.DataFrame
    directions: np.ndarray
    replicates: Mapping[str, np.ndarray]
    window_rows: Mapping[str, np.ndarray]
    session_replicates: Mapping[tuple[str, str], np.ndarray] = field(default_factory=dict)
    session_rows: Mapping[tuple[str, str], np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class WholePositions:
    """Each state's whole position: the mean embedding of everything it said in its own name.

    Attributes:
        states: ISO3 codes, row order.
        vectors: ``(n, d)`` mean unit embeddings of the states' own segments.
        replicates: ``(n_boot, n, d)`` Poisson-bootstrap replicates over segments, or ``None``.
    """

    states: list[str]
    vectors: np.ndarray
    replicates: np.ndarray | None = None


def estimate_whole_positions(segments: pd.DataFrame, vectors: np.ndarray, *,
                             n_boot: int = 0, random_state: int = 0,
                             components: int = 32) -> WholePositions:
    """Whole positions of the states in ``segments``.

    Like issue positions, they are means of the segments' embeddings projected on the main
    axes of those segments (after centring on their mean), which also keeps the bootstrap cheap.

    Args:
        segments: one row per own segment with columns ``seg`` (row of ``vectors``) and
            ``state``.
        vectors: ``(n_segments, d)`` unit embeddings.
        n_boot: bootstrap replicates (0: none).
        random_state: seed of the bootstrap (its own stream, see :func:`issue_seed`).
        components: dimensions of the projection.
    """
    from scipy import sparse  # here: reading the store needs no scipy

    states, index = np.unique(segments["state"].to_numpy(dtype=object), return_inverse=True)
    segs = segments["seg"].to_numpy()
    m, n = len(segs), len(states)
    if m == 0:
        return WholePositions([], np.zeros((0, components), np.float32), None)
    to_state = sparse.csr_matrix((np.ones(m), (index, np.arange(m))), shape=(n, m))
    mean, axes = issue_projection(vectors[segs], components)
    x = ((vectors[segs] - mean) @ axes.T).astype(np.float64)
    counts = np.asarray(to_state.sum(axis=1)).ravel()
    means = (to_state @ x) / np.maximum(counts, 1)[:, None]
    replicates = None
    if n_boot and m:
        rng = np.random.default_rng(issue_seed(random_state, "*whole*"))
        replicates = np.empty((n_boot, n, x.shape[1]), np.float32)
        for b in range(n_boot):
            w = rng.poisson(1.0, size=m).astype(np.float64)
            weighted = sparse.csr_matrix((w, (index, np.arange(m))), shape=(n, m))
            total = np.asarray(weighted.sum(axis=1)).ravel()
            with np.errstate(invalid="ignore", divide="ignore"):
                replicates[b] = (weighted @ x) / total[:, None]
    return WholePositions([str(s) for s in states], means.astype(np.float32), replicates)


def expand_group_rows(rows: pd.DataFrame, recipients: Mapping[str, Sequence[str]], *,
                      group_weight: float) -> pd.DataFrame:
    """Attribute group statements' rows to every recipient state.

    Args:
        rows: tagged rows with columns ``statement_id, state, ...``; own rows get weight 1.
        recipients: statement id -> states on whose behalf (or in alignment with whom) it was
            delivered, e.g. the group's members on the statement's date.
        group_weight: weight of the attributed copies.

    Returns:
        The rows with ``weight`` and ``kind`` (``own`` or ``group``) columns, plus one copy per
        recipient (other than the speaker) of each group statement's rows.
    """
    own = rows.assign(weight=1.0, kind="own")
    if not recipients or group_weight == 0:
        return own.reset_index(drop=True)
    copies = []
    for statement_id, states in recipients.items():
        part = rows[rows["statement_id"] == statement_id]
        if part.empty:
            continue
        for state in states:
            if state in set(part["state"]):
                continue
            copies.append(part.assign(state=state, weight=group_weight, kind="group"))
    if not copies:
        return own.reset_index(drop=True)
    return pd.concat([own, *copies], ignore_index=True)


def issue_projection(vectors: np.ndarray, components: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(d,)`` and top principal axes ``(k, d)`` of an issue's segment vectors ``(n, d)``.

    Eigen-decomposition of the ``(d, d)`` covariance (cheaper than an SVD of the data for many
    segments); each axis's sign is fixed so that its largest coordinate is positive, which makes
    the projection deterministic.
    """
    mean = vectors.mean(axis=0, dtype=np.float64)
    centred = (vectors - mean).astype(np.float64)
    k = max(1, min(components, vectors.shape[0] - 1, vectors.shape[1]))
    values, vecs = np.linalg.eigh(centred.T @ centred)
    axes = vecs[:, np.argsort(values, kind="stable")[::-1][:k]].T
    signs = np.sign(axes[np.arange(k), np.argmax(np.abs(axes), axis=1)])
    return mean.astype(np.float32), (axes * signs[:, None]).astype(np.float32)


def issue_seed(random_state: int, issue: str) -> np.random.SeedSequence:
    """The bootstrap seed of one issue: a function of the run's seed and the issue id only.

    Each issue draws from its own stream, so its positions do not depend on which other issues
    exist or in which order (or on which machine) the issues are computed.
    """
    return np.random.SeedSequence([random_state, zlib.crc32(issue.encode("utf-8"))])


def prior_seed(random_state: int, issue: str) -> np.random.SeedSequence:
    """The seed of an issue's stance-prior weights: a stream apart from the paragraphs' own
    (:func:`issue_seed`), so the prior leaves every other replicate exactly as it was."""
    return np.random.SeedSequence([random_state, zlib.crc32(issue.encode("utf-8")), 1])


@dataclass(frozen=True)
class IssuePositions:
    """Positions on one issue (see :class:`Positions`; ``window`` indexes into ``table``)."""

    issue: str
    table: pd.DataFrame
    directions: np.ndarray
    replicates: np.ndarray
    window: np.ndarray
    session_replicates: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict)


def split_by_issue(rows: pd.DataFrame, vectors: np.ndarray, *,
                   session_order: Sequence[str]) -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    """Per issue (sorted): its rows, with ``seg`` renumbered, and just the vectors they use.

    Rows of sessions outside ``session_order`` are dropped. The parts are small, self-contained
    inputs for :func:`estimate_issue_positions`, e.g. to ship to other processes.
    """
    rows = rows[rows["session"].isin(set(session_order))]
    parts = []
    codes, names = pd.factorize(rows["issue"].to_numpy(dtype=object), sort=True)
    for code, issue in enumerate(names):
        part = rows.loc[codes == code]
        used, local = np.unique(part["seg"].to_numpy(), return_inverse=True)
        parts.append((str(issue), part.assign(seg=local), vectors[used]))
    return parts


def estimate_issue_positions(rows: pd.DataFrame, vectors: np.ndarray, *, issue: str,
                             session_order: Sequence[str],
                             config: PositionConfig | None = None) -> IssuePositions:
    """Positions on one issue per (state, session) and per state over the window.

    Args:
        rows: the issue's tag rows (columns as for :func:`estimate_positions`).
        vectors: segment embeddings indexed by ``rows.seg``.
        issue: the issue id (labels the table and seeds the bootstrap, see :func:`issue_seed`).
        session_order: sessions in chronological order.
        config: see :class:`PositionConfig`.
    """
    config = config or PositionConfig()
    config.validate()
    present = set(pd.unique(rows["session"].to_numpy(dtype=object)))
    sessions = [s for s in session_order if s in present]
    rank = {s: i for i, s in enumerate(sessions)}
    session_rank = pd.Series(rows["session"].to_numpy(dtype=object)).map(rank).to_numpy()
    keep = ~pd.isna(session_rank)
    part = rows.loc[keep]
    segs = part["seg"].to_numpy()
    mean, axes = issue_projection(vectors[np.unique(segs)], config.components)
    projected = ((vectors[segs] - mean) @ axes.T).astype(np.float64)  # (m, k)
    rng = np.random.default_rng(issue_seed(config.random_state, issue))
    latest = [rank[s] for s in list(session_order)[-2:] if s in rank]
    prior_rng = np.random.default_rng(prior_seed(config.random_state, issue))
    table, directions, window_boot, cell_boot = _issue_positions(
        part, projected, session_rank[keep].astype(int), sessions, config, rng, latest,
        prior_rng)
    table.insert(1, "issue", issue)
    window = np.flatnonzero(table["session"].to_numpy() == WINDOW)
    labels = table["session"].to_numpy()
    by_session = {}
    for r in latest:
        rows = np.flatnonzero(labels[:len(labels) - len(window)] == sessions[r])
        by_session[sessions[r]] = (rows, cell_boot[r])
    return IssuePositions(issue, table, directions, window_boot.astype(np.float32), window,
                          by_session)


def combine_positions(parts: Sequence[IssuePositions],
                      config: PositionConfig | None = None) -> Positions:
    """Stack per-issue positions (in issue order) into one :class:`Positions`."""
    config = config or PositionConfig()
    columns = ["state", "issue", "session", "n_own", "n_group", "weight", "stance",
               "stance_lo", "stance_hi", "n_stance"]
    parts = sorted(parts, key=lambda p: p.issue)
    if not parts:
        empty = pd.DataFrame(columns=[*columns, "thin"])
        return Positions(empty, np.zeros((0, config.components), np.float32), {}, {})
    replicates, window_rows, offset = {}, {}, 0
    session_replicates, session_rows = {}, {}
    for part in parts:
        replicates[part.issue] = part.replicates
        window_rows[part.issue] = offset + part.window
        for session, (rows, boot) in part.session_replicates.items():
            session_rows[part.issue, session] = offset + rows
            session_replicates[part.issue, session] = boot
        offset += len(part.table)
    table = pd.concat([p.table for p in parts], ignore_index=True)[columns]
    table["thin"] = table["weight"] < config.min_weight
    if not config.group_only:
        table["thin"] |= table["n_own"] == 0
    width = max(p.directions.shape[1] for p in parts)
    padded = [np.pad(p.directions, ((0, 0), (0, width - p.directions.shape[1]))) for p in parts]
    return Positions(table, np.vstack(padded).astype(np.float32), replicates, window_rows,
                     session_replicates, session_rows)


def estimate_positions(rows: pd.DataFrame, vectors: np.ndarray, *, session_order: Sequence[str],
                       config: PositionConfig | None = None) -> Positions:
    """Estimate positions per (state, issue, session) and per (state, issue) over the window.

    Args:
        rows: one row per tag with columns ``seg`` (row of ``vectors``), ``state``, ``session``,
            ``issue``, ``stance`` (float, NaN when none), ``weight``, ``kind``.
        vectors: ``(n_segments, d)`` L2-normalised segment embeddings.
        session_order: sessions in chronological order (defines the window).
        config: see :class:`PositionConfig`.

    Issues are independent (each has its own projection and bootstrap stream), so computing them
    one by one here or in parallel elsewhere (:func:`split_by_issue`,
    :func:`estimate_issue_positions`, :func:`combine_positions`) gives identical results.
    """
    config = config or PositionConfig()
    config.validate()
    return combine_positions(
        [estimate_issue_positions(part, part_vectors, issue=issue, session_order=session_order,
                                  config=config)
         for issue, part, part_vectors in split_by_issue(rows, vectors,
                                                         session_order=session_order)],
        config)


def _issue_positions(part: pd.DataFrame, projected: np.ndarray, session_rank: np.ndarray,
                     sessions: list[str], config: PositionConfig, rng: np.random.Generator,
                     latest: Sequence[int] = (), prior_rng: np.random.Generator | None = None
                     ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """One issue: cells per (state, session) and per state (window), with bootstrap.

    Rows are aggregated into cells with one sparse product; window cells are sums of a state's
    session cells. Each bootstrap replicate redraws Poisson(1) weights for every row once and
    updates all cells together; each cell's stance replicate also draws the weight of its
    prior pseudo-paragraph at 0 (``config.stance_prior``, from ``prior_rng``).

    Returns:
        The table (session cells, then window cells), directions ``(n_cells, k)``, window
        replicates ``(n_boot, n_states, k + 1)`` (direction and stance), and for each session
        rank in ``latest`` the replicates of its cells ``(n_boot, n_cells_of_session, k + 1)``.
    """
    from scipy import sparse  # here: reading the store needs no scipy

    states, state_index = np.unique(part["state"].to_numpy(dtype=object), return_inverse=True)
    n_states, m, k = len(states), len(part), projected.shape[1]
    cell_key = state_index * len(sessions) + np.asarray(session_rank)
    cells, cell_index = np.unique(cell_key, return_inverse=True)
    n_cells = len(cells)
    to_cell = sparse.csr_matrix((np.ones(m), (cell_index, np.arange(m))), shape=(n_cells, m))
    to_window = sparse.csr_matrix((np.ones(n_cells), (cells // len(sessions), np.arange(n_cells))),
                                  shape=(n_states, n_cells))
    weight = part["weight"].to_numpy(dtype=np.float64)
    stance = part["stance"].to_numpy(dtype=np.float64)
    has = ~np.isnan(stance)
    value = np.where(has, stance, 0.0)
    own = (part["kind"].to_numpy(dtype=object) == "own").astype(np.float64)
    # columns: weight, weighted direction (k), stance weight, weighted stance
    features = np.column_stack([np.ones(m), projected, has, value])

    def aggregate(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cell_sums = to_cell @ (features * w[:, None])
        return cell_sums, to_window @ cell_sums

    def finish(sums: np.ndarray, prior: np.ndarray | float = 0.0
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Totals, directions and stances from sums ``(n, features, ...)``; ``prior`` is the
        weight of the pseudo-paragraph at stance 0 (none for the estimates themselves)."""
        total = sums[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            direction = sums[:, 1:k + 1] / total[:, None]
            mean_stance = np.where(sums[:, k + 1] > 0,
                                   sums[:, k + 2] / (sums[:, k + 1] + prior), np.nan)
        direction = np.where((total == 0)[:, None], np.nan, direction)
        return total, direction, mean_stance

    cell_sums, window_sums = aggregate(weight)
    total, direction, mean_stance = finish(np.vstack([cell_sums, window_sums]))
    counts = np.vstack([to_cell @ np.column_stack([own, 1 - own, has]),
                        to_window @ (to_cell @ np.column_stack([own, 1 - own, has]))])
    boot_stance = np.empty((config.n_boot, n_cells + n_states))
    window_boot = np.empty((config.n_boot, n_states, k + 1))
    cell_session = cells % len(sessions)
    cell_boot = {r: np.empty((config.n_boot, int((cell_session == r).sum()), k + 1), np.float32)
                 for r in latest}
    n_features = features.shape[1]
    chunk = 10  # replicates per sparse product: few Python iterations, bounded memory
    prior_rng = prior_rng or np.random.default_rng(0)
    for start in range(0, config.n_boot, chunk):
        size = min(chunk, config.n_boot - start)
        draws = weight[:, None] * rng.poisson(1.0, size=(m, size))
        if config.stance_prior > 0:
            prior = prior_rng.gamma(config.stance_prior, 1.0, size=(n_cells + n_states, size))
        else:
            prior = np.zeros((n_cells + n_states, size))
        stacked = (features[:, :, None] * draws[:, None, :]).reshape(m, n_features * size)
        cell_b = (to_cell @ stacked).reshape(n_cells, n_features, size)
        window_b = (to_window @ cell_b.reshape(n_cells, -1)).reshape(n_states, n_features, size)
        # the replicates kept for alignment are the paragraphs' own; only the stance
        # intervals carry the prior
        _, cell_dir, cell_stance = finish(cell_b)
        for r, store in cell_boot.items():
            chosen = cell_session == r
            store[start:start + size, :, :k] = np.moveaxis(cell_dir[chosen], 2, 0)
            store[start:start + size, :, k] = cell_stance[chosen].T
        _, window_dir, window_stance = finish(window_b)
        boot_stance[start:start + size, :n_cells] = finish(cell_b, prior[:n_cells])[2].T
        boot_stance[start:start + size, n_cells:] = finish(window_b, prior[n_cells:])[2].T
        window_boot[start:start + size, :, :k] = np.moveaxis(window_dir, 2, 0)
        window_boot[start:start + size, :, k] = window_stance.T
    lo, hi = centred_interval(mean_stance, boot_stance, bounds=(-1.0, 1.0))
    session_labels = np.array(sessions, dtype=object)[cells % len(sessions)]
    table = pd.DataFrame({
        "state": np.concatenate([states[cells // len(sessions)], states]),
        "session": np.concatenate([session_labels, np.full(n_states, WINDOW, dtype=object)]),
        "n_own": counts[:, 0].astype(int), "n_group": counts[:, 1].astype(int),
        "weight": total, "stance": mean_stance, "stance_lo": lo, "stance_hi": hi,
        "n_stance": counts[:, 2].astype(int)})
    no_stance = table["n_stance"].to_numpy() == 0
    table.loc[no_stance, ["stance_lo", "stance_hi"]] = np.nan
    return table, direction.astype(np.float32), window_boot, cell_boot
