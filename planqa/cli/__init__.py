"""The `planqa` command line (`main`); `python -m planqa.cli` runs it too."""

from planqa.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
