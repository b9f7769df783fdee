"""The two records every section of the report model uses: :class:`Quote` (a paragraph and
where it comes from) and :class:`Estimate` (a value with its 95 % interval).

They live apart from :mod:`reports.model` so the section modules (:mod:`reports.model_focus`,
:mod:`reports.model_draft`, :mod:`reports.model_findings`) can use them without importing the
module that re-exports them. Import them from :mod:`reports.model`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Estimate", "Quote"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A paragraph a state said, with where and when it said it.

    ``url`` is the statement's web address when known; ``source`` is the file path relative to
    the corpus folder (shown as text when there is no ``url``).
    """

    state: str
    name: str
    session: str
    text: str
    source: str = ""
    url: str = ""
    on_behalf_of: str = ""
    issue: str = ""
    delivered_by: str = ""

    def voice(self, *, long: bool = False) -> str:
        """Whose words these are: ``""`` (the state's own), ``"for EU"`` (it spoke for the
        group; ``long``: "on behalf of EU"), or, for a member quoted through a group statement
        another state delivered, ``"via EU, delivered by HUN"`` ("in the EU statement
        delivered by HUN")."""
        group = self.on_behalf_of or "group"
        if self.delivered_by:
            return (f"in the {group} statement delivered by {self.delivered_by}" if long
                    else f"via {group}, delivered by {self.delivered_by}")
        if not self.on_behalf_of:
            return ""
        return f"on behalf of {group}" if long else f"for {group}"


@dataclass(frozen=True, slots=True)
class Estimate:
    """A value with its 95 % interval (``lo``/``hi`` ``None`` when there is none)."""

    value: float | None
    lo: float | None = None
    hi: float | None = None
