"""Exceptions raised by the nlp package; each names the parameter or field and the value."""

from __future__ import annotations


class NlpError(Exception):
    """Base class for errors raised by :mod:`nlp`."""


class ModelLoadError(NlpError):
    """An embedding model cannot be loaded (offline, missing files, wrong weights)."""


class WeightsMismatchError(ModelLoadError):
    """The model's weights do not have the expected SHA-256."""


class TaxonomyError(NlpError, ValueError):
    """The taxonomy file is invalid; the message names the issue and field."""


class NotFittedError(NlpError, ValueError):
    """An estimator was used before ``fit``."""
