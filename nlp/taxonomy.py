"""The issue taxonomy: issues, keywords, seed sentences and stance poles, validated on load.

Taxonomies are plug-ins: :func:`load_taxonomy` takes the name of a built-in one (see
:data:`BUILTIN_TAXONOMIES`: ``cyber``, the default, is ``nlp/taxonomy.yaml``; ``unga`` covers
General Assembly politics) or the path of a YAML file in the same format. Contested issues
have two poles: ``minus`` (stance -1) and ``plus`` (stance +1), each with seed sentences, and
``neutral`` seeds that mention the issue without taking a side. Users extend an issue with
labelled ``examples`` (``{text, stance: -1 | 0 | 1}``) that train the stance model together with
the seeds. Labelled texts may also come from files the taxonomy names (``examples_files``, paths
relative to the taxonomy's folder, in the stance evaluation sets' schema; see
:func:`load_example_files`). An issue may name the roll-call issue code it
corresponds to (``vote_issue: me``), so vote validation can set that issue's alignment beside that
issue's votes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nlp.errors import TaxonomyError

CONTESTED = "contested"
CONSENSUAL = "consensual"
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_VOTE_ISSUE_RE = re.compile(r"^[a-z]{2,8}$")

DEFAULT_TAXONOMY = "cyber"
BUILTIN_TAXONOMIES: dict[str, str] = {
    "cyber": "taxonomy.yaml",
    "unga": "taxonomies/unga.yaml",
}
"""Built-in taxonomy name -> file inside the ``nlp`` package."""


def _safe_load(text: str) -> object:
    """``yaml.safe_load`` through libyaml where PyYAML has it (several times faster, the same
    data); a document libyaml rejects is parsed again in Python for PyYAML's usual message."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # a safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


@dataclass(frozen=True, slots=True)
class Pole:
    """One side of a contested issue."""

    label: str
    seeds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue of the taxonomy."""

    id: str
    label: str
    kind: str
    description: str
    keywords: tuple[str, ...]
    seeds: tuple[str, ...]
    minus: Pole | None = None
    plus: Pole | None = None
    neutral: tuple[str, ...] = ()
    examples: tuple[tuple[str, int], ...] = ()
    vote_issue: str = ""
    """Roll-call issue code this issue corresponds to (``me``, ``nu``, ...), or empty."""
    anchors: tuple[str, ...] = ()
    """Words that name the issue (``*`` matches any ending): a text takes a side on it only when
    it uses one of them; empty, no such condition."""

    @property
    def contested(self) -> bool:
        return self.kind == CONTESTED

    def stance_examples(self) -> list[tuple[str, int]]:
        """Training pairs ``(text, stance)``: pole seeds, neutral seeds and user examples."""
        if not self.contested or self.minus is None or self.plus is None:
            return []
        pairs = [(s, -1) for s in self.minus.seeds] + [(s, 1) for s in self.plus.seeds]
        pairs += [(s, 0) for s in self.neutral]
        return pairs + list(self.examples)

    def topic_seeds(self) -> list[str]:
        """Every sentence that addresses the issue (for tagging)."""
        out = list(self.seeds)
        if self.minus and self.plus:
            out += [*self.minus.seeds, *self.plus.seeds, *self.neutral]
        out += [text for text, _ in self.examples]
        return out


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A validated taxonomy; ``digest`` identifies its content for provenance and caching.

    ``domain_keywords`` (optional, the YAML's ``domain.keywords``) are words that mark a text as
    belonging to the taxonomy's field at all (for the cyber taxonomy: cyber, ICT, digital, ...);
    the tagger holds texts without them, outside a context that has them, to a higher bar.
    ``off_topic`` (optional, ``domain.off_topic``) are sentences about none of the issues, the
    "none of them" class of the tagger's :meth:`~nlp.tagging.IssueTagger.closest_issue`.
    """

    issues: tuple[Issue, ...]
    source: str
    digest: str
    name: str = ""
    """The built-in name (``cyber``, ``unga``) or the file path it was loaded from."""
    domain_keywords: tuple[str, ...] = ()
    off_topic: tuple[str, ...] = ()
    analysis: tuple[tuple[str, Any], ...] = ()
    """Analysis settings the taxonomy recommends (the YAML's ``analysis`` mapping, e.g. the
    weights chosen for General Debate speeches), as ``(name, value)`` pairs; a configuration
    that sets one of them explicitly wins. Not part of ``digest``: they change the analysis, whose
    results are keyed on the whole configuration, not the tagging or stance."""

    def __getitem__(self, issue_id: str) -> Issue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(f"unknown issue {issue_id!r}; known: {', '.join(self.ids)}")

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.issues]

    @property
    def contested(self) -> list[Issue]:
        return [i for i in self.issues if i.contested]

    def provenance(self) -> dict[str, str]:
        """``{"name", "digest"}``: which taxonomy results come from (for run records)."""
        return {"name": self.name or self.source, "digest": self.digest}


def _strings(value: Any, where: str, *, minimum: int = 0) -> tuple[str, ...]:
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: expected a list of non-empty strings")
    if len(value) < minimum:
        raise TaxonomyError(f"{where}: expected at least {minimum} entries, got {len(value)}")
    return tuple(v.strip() for v in value)


def _pole(raw: Any, where: str) -> Pole:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: expected a mapping with 'label' and 'seeds'")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{where}.label: expected a non-empty string")
    return Pole(label=label.strip(), seeds=_strings(raw.get("seeds"), f"{where}.seeds",
                                                    minimum=3))


def _examples(raw: Any, where: str) -> tuple[tuple[str, int], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TaxonomyError(f"{where}: expected a list of {{text, stance}} mappings")
    out = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise TaxonomyError(f"{where}[{n}].text: expected a string")
        stance = item.get("stance")
        if stance not in (-1, 0, 1):
            raise TaxonomyError(f"{where}[{n}].stance: expected -1, 0 or 1, got {stance!r}")
        out.append((item["text"].strip(), int(stance)))
    return tuple(out)


def parse_issue(raw: Any, where: str) -> Issue:
    """Validate one issue mapping; errors name the issue and field."""
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: expected a mapping")
    issue_id = raw.get("id")
    if not isinstance(issue_id, str) or not _ID_RE.match(issue_id):
        raise TaxonomyError(f"{where}.id: expected a snake_case id such as 'binding_instrument', "
                            f"got {issue_id!r}")
    where = f"{where} ({issue_id})"
    kind = raw.get("kind", CONSENSUAL)
    if kind not in (CONTESTED, CONSENSUAL):
        raise TaxonomyError(f"{where}.kind: expected 'contested' or 'consensual', got {kind!r}")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{where}.label: expected a non-empty string")
    keywords = tuple(k.lower() for k in _strings(raw.get("keywords"), f"{where}.keywords",
                                                 minimum=1))
    seeds = _strings(raw.get("seeds"), f"{where}.seeds", minimum=3)
    poles = raw.get("poles")
    minus = plus = None
    neutral: tuple[str, ...] = ()
    if kind == CONTESTED:
        if not isinstance(poles, dict):
            raise TaxonomyError(f"{where}.poles: a contested issue needs 'minus' and 'plus' poles")
        minus = _pole(poles.get("minus"), f"{where}.poles.minus")
        plus = _pole(poles.get("plus"), f"{where}.poles.plus")
        neutral = _strings((poles.get("neutral") or {}).get("seeds"),
                           f"{where}.poles.neutral.seeds", minimum=2)
    elif poles:
        raise TaxonomyError(f"{where}.poles: only contested issues have poles (kind is {kind!r})")
    vote_issue = raw.get("vote_issue") or ""
    if not isinstance(vote_issue, str) or (vote_issue and not _VOTE_ISSUE_RE.match(vote_issue)):
        raise TaxonomyError(f"{where}.vote_issue: expected a roll-call issue code of 2-8 lower-case"
                            f" letters such as 'me' or 'hr', got {vote_issue!r}")
    anchors = tuple(k.lower() for k in _strings(raw.get("anchors"), f"{where}.anchors"))
    if anchors and kind != CONTESTED:
        raise TaxonomyError(f"{where}.anchors: only contested issues take sides, so only they "
                            f"have anchors (kind is {kind!r})")
    return Issue(id=issue_id, label=label.strip(), kind=kind,
                 description=str(raw.get("description") or "").strip(), keywords=keywords,
                 seeds=seeds, minus=minus, plus=plus, neutral=neutral,
                 examples=_examples(raw.get("examples"), f"{where}.examples"),
                 vote_issue=vote_issue, anchors=anchors)


def parse_taxonomy(data: Any, *, source: str = "taxonomy.yaml") -> Taxonomy:
    """Validate parsed YAML and return a :class:`Taxonomy`.

    Raises:
        TaxonomyError: naming the source, the issue and the field.
    """
    if not isinstance(data, dict) or not isinstance(data.get("issues"), list):
        raise TaxonomyError(f"{source}: expected a mapping with an 'issues' list")
    issues = [parse_issue(raw, f"{source}: issues[{n}]") for n, raw in enumerate(data["issues"])]
    seen: set[str] = set()
    for issue in issues:
        if issue.id in seen:
            raise TaxonomyError(f"{source}: issues: duplicate id {issue.id!r}")
        seen.add(issue.id)
    if not issues:
        raise TaxonomyError(f"{source}: issues: expected at least one issue")
    domain = data.get("domain") or {}
    if not isinstance(domain, dict):
        raise TaxonomyError(f"{source}: domain: expected a mapping with a 'keywords' list")
    domain_keywords = tuple(k.lower() for k in _strings(domain.get("keywords"),
                                                        f"{source}: domain.keywords"))
    off_topic = tuple(_strings(domain.get("off_topic"), f"{source}: domain.off_topic"))
    analysis = _analysis_settings(data.get("analysis"), source)
    content = {k: v for k, v in data.items() if k != "analysis"}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return Taxonomy(issues=tuple(issues), source=source, digest=digest,
                    domain_keywords=domain_keywords, off_topic=off_topic, analysis=analysis)


def _analysis_settings(raw: Any, source: str) -> tuple[tuple[str, Any], ...]:
    """The ``analysis`` mapping: setting names to numbers, booleans or strings (the pipeline
    checks names and ranges against its configuration)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{source}: analysis: expected a mapping of setting names to values")
    for key, value in raw.items():
        if not isinstance(key, str) or not isinstance(value, int | float | bool | str):
            raise TaxonomyError(f"{source}: analysis.{key}: expected a number, true/false or a "
                                f"string; got {value!r}")
    return tuple(sorted(raw.items()))


def example_items(data: Any, where: str, unit: str | None = None) -> list[tuple[str, str, int]]:
    """``(issue, text, stance)`` for each labelled text of a parsed examples file.

    The file has the evaluation sets' schema (``benchmarks/stance_eval.py``): ``version: 1`` and
    ``items``, each with ``issue`` (a contested issue id, or null for a text on none of them,
    which is skipped), ``side`` (-1, 0, 1), ``text`` and ``unit`` (``sentence`` or
    ``paragraph``); with ``unit`` given, items of other units are skipped.

    Raises:
        TaxonomyError: naming the file, the item and the field.
    """
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(
            data.get("items"), list):
        raise TaxonomyError(f"{where}: expected a mapping with 'version: 1' and an 'items' list")
    out = []
    for n, item in enumerate(data["items"]):
        if not isinstance(item, dict):
            raise TaxonomyError(f"{where}: items[{n}]: expected a mapping")
        issue, side, text = item.get("issue"), item.get("side"), item.get("text")
        if issue is None or (unit is not None and item.get("unit") != unit):
            continue
        if not isinstance(issue, str) or not isinstance(text, str) or not text.strip():
            raise TaxonomyError(f"{where}: items[{n}]: expected a string 'issue' and 'text'")
        if isinstance(side, bool) or side not in (-1, 0, 1):
            raise TaxonomyError(f"{where}: items[{n}].side: expected -1, 0 or 1, got {side!r}")
        out.append((issue, text.strip(), int(side)))
    return out


def _example_file_spec(entry: Any) -> tuple[str, str | None]:
    """``(path, unit)`` of one ``examples_files`` entry: a path, or ``{path, unit}``."""
    if isinstance(entry, str) and entry.strip():
        return entry.strip(), None
    if isinstance(entry, dict) and isinstance(entry.get("path"), str) and set(entry) <= {
            "path", "unit"} and entry.get("unit", "sentence") in ("sentence", "paragraph"):
        return entry["path"].strip(), entry.get("unit")
    raise TaxonomyError("examples_files: expected file paths or {path, unit} mappings (unit: "
                        f"sentence or paragraph); got {entry!r}")


def load_example_files(data: Any, folder: Any) -> Any:
    """Parsed taxonomy YAML with the labelled texts of its ``examples_files`` added to its issues'
    ``examples`` (the key itself is dropped, so the taxonomy's digest covers the texts, not the
    file names).

    Each entry is a path relative to ``folder``, or ``{path, unit}`` to take only the file's
    items of one unit (``sentence``: what the stance model scores; a paragraph's side is taken
    by one of its sentences).

    Args:
        data: the parsed taxonomy YAML.
        folder: where relative paths resolve: a :class:`~pathlib.Path` or an
            ``importlib.resources`` traversable (the ``nlp`` package for built-in taxonomies).

    Raises:
        TaxonomyError: an unreadable or invalid file, or a text on an issue the taxonomy lacks
            or that is not contested.
    """
    if not isinstance(data, dict) or "examples_files" not in data:
        return data
    files = data["examples_files"]
    if not isinstance(files, list):
        raise TaxonomyError("examples_files: expected a list of file paths")
    specs = [_example_file_spec(entry) for entry in files]
    data = {k: v for k, v in data.items() if k != "examples_files"}
    issues = data.get("issues")
    if not isinstance(issues, list):
        return data  # parse_taxonomy reports it
    by_id = {raw.get("id"): n for n, raw in enumerate(issues) if isinstance(raw, dict)}
    added: dict[int, list[dict[str, Any]]] = {}
    for name, unit in specs:
        try:
            text = folder.joinpath(name).read_text(encoding="utf-8")
        except OSError as err:
            raise TaxonomyError(f"examples_files: cannot read {name} ({err.strerror})") from err
        try:
            parsed = _safe_load(text)
        except yaml.YAMLError as err:
            raise TaxonomyError(f"{name}: not valid YAML ({err})") from err
        for issue, example, side in example_items(parsed, name, unit):
            n = by_id.get(issue)
            if n is None or issues[n].get("kind") != CONTESTED:
                raise TaxonomyError(f"{name}: a text on {issue!r}, which is not a contested "
                                    "issue of this taxonomy")
            added.setdefault(n, []).append({"text": example, "stance": side})
    data["issues"] = [{**raw, "examples": [*(raw.get("examples") or []), *added[n]]}
                      if n in added else raw for n, raw in enumerate(issues)]
    return data


def looks_like_path(spec: str) -> bool:
    """Whether a taxonomy spec names a file rather than a built-in taxonomy."""
    return "/" in spec or "\\" in spec or spec.lower().endswith((".yaml", ".yml", ".json"))


def load_taxonomy(spec: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy: a built-in name, a file path, or the default (``cyber``).

    Args:
        spec: ``None`` or ``""`` for the default; a name from :data:`BUILTIN_TAXONOMIES`; or the
            path of a YAML file (anything with a ``/`` or a ``.yaml``/``.yml`` suffix, or an
            existing file).

    Raises:
        TaxonomyError: an unknown name (listing the built-in ones), an unreadable file, or
            content that does not validate (naming the issue and field).
    """
    spec = str(spec) if spec else DEFAULT_TAXONOMY
    if spec in BUILTIN_TAXONOMIES:
        relative = BUILTIN_TAXONOMIES[spec]
        text = resources.files("nlp").joinpath(relative).read_text(encoding="utf-8")
        folder: Any = resources.files("nlp")
        for part in relative.split("/")[:-1]:
            folder = folder.joinpath(part)
        source, name = f"nlp/{relative}", spec
    elif looks_like_path(spec) or Path(spec).is_file():
        try:
            text = Path(spec).read_text(encoding="utf-8")
        except OSError as err:
            raise TaxonomyError(f"{spec}: cannot read taxonomy ({err.strerror})") from err
        source = name = spec
        folder = Path(spec).parent
    else:
        raise TaxonomyError(f"taxonomy: unknown name {spec!r}; expected a built-in taxonomy ("
                            f"{', '.join(sorted(BUILTIN_TAXONOMIES))}) or the path of a YAML "
                            "file")
    try:
        data = _safe_load(text)
    except yaml.YAMLError as err:
        raise TaxonomyError(f"{source}: not valid YAML ({err})") from err
    try:
        data = load_example_files(data, folder)
    except TaxonomyError as err:
        raise TaxonomyError(f"{source}: {err}") from err
    return replace(parse_taxonomy(data, source=source), name=name)
