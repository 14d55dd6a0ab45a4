"""The small named exceptions the library raises; the CLI and the API map each to one exit code / status.

Each class carries its `kg` exit code (``exit_code``): 1 build, validation or publish failure, 2 bad usage or
bad setting, 3 store missing or corrupt, 4 remote store unreachable, failing or too slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KgError(Exception):
    """Base class of mea-kg's own errors."""

    exit_code = 1

    def __reduce__(self) -> tuple:
        """Pickle as class, arguments and attributes, without calling ``__init__`` again: subclasses whose
        ``__init__`` takes other arguments than ``args`` cross from a worker process to the service intact."""
        return (_restore, (type(self), self.args), self.__dict__)


def _restore(cls: type[KgError], args: tuple) -> KgError:
    return cls.__new__(cls, *args)


class BadSetting(KgError):
    """A setting (a ``kg`` option or a ``KG_*`` variable) has a value it cannot take."""

    exit_code = 2


class SourceError(KgError):
    """A source file cannot be read or parsed: carries the file and the position."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.message = path, line, column, message
        where = str(path) + (f":{line}" if line else "") + (f":{column}" if line and column else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Finding:
    """One problem found by validation: which rule, on which resource, and what is wrong."""

    rule: str
    focus: str
    message: str
    path: str | None = None

    def __str__(self) -> str:
        on = f"<{self.focus}>" + (f" {self.path}" if self.path else "")
        return f"[{self.rule}] {on}: {self.message}"


class ValidationFailed(KgError):
    """SHACL shapes or QC queries found violations."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(f"{len(findings)} validation finding(s)")


class StoreMissing(KgError):
    """No built store exists at the given location."""

    exit_code = 3


class StoreCorrupt(KgError):
    """The built store exists but cannot be read."""

    exit_code = 3


class BuildLocked(KgError):
    """Another build holds the store's lock."""


class ReadOnlyGraph(KgError):
    """A write would change a graph that `kg build` produces from the sources."""

    exit_code = 2


class GraphNotFound(KgError):
    """The Graph Store Protocol names a graph that does not exist."""

    exit_code = 2


class DatasetConflict(KgError):
    """An update names its dataset both in the protocol (using-graph-uri) and in its text (USING/WITH)."""

    exit_code = 2


class QueryTooComplex(KgError):
    """The service will not evaluate the query: over a configured limit, or it stopped the engine (twice)."""

    exit_code = 2


class ServiceFailed(KgError):
    """A remote endpoint the query reached (SERVICE, LOAD, the remote store) failed or answered unreadably."""

    exit_code = 4


class InvalidInput(KgError):
    """A request's data cannot be used as given (e.g. an upload in a media type that is not RDF)."""

    exit_code = 2


class InternalError(KgError):
    """An unexpected error in a worker process, carried to the service as text (its class is not the library's)."""
