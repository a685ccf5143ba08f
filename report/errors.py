"""Errors aimed at the user. Anything that is not a ReportError is a bug."""

from __future__ import annotations


class ReportError(Exception):
    """Base error: the CLI prints its message and exits non-zero, without a traceback."""


class ConfigError(ReportError):
    """A setting (an option, an environment variable, the site's configuration) is wrong; the
    message names it."""


class DataError(ReportError):
    """A week of record or editorial file is malformed; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class RenderError(ReportError):
    """A template failed to render."""


class VerifyError(ReportError):
    """A written page holds numbers that do not trace back to the week of record."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class PublishError(ReportError):
    """The site could not be built; the last good site is left as it was."""
