"""``python -m pipelines.cli``: the same as the ``likeminded`` console script."""

from pipelines.cli.app import main

main()
