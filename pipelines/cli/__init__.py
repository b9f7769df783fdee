"""The ``likeminded`` command line: commands, options and text formatting (see ARCHITECTURE.md).

Kept minimal: importing this package imports nothing else, so the console script's entry point
(``pipelines.cli:main``) loads the app only when it runs.
"""


def main() -> None:
    """Console-script entry point: builds the app and runs it."""
    from pipelines.cli.app import main as run_app

    run_app()
