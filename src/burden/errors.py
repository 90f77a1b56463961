"""The exceptions of the toolkit.

Every error a user can cause is a :class:`BurdenError`; its message names the
file, the field and the fix.  The command line maps each class to an exit
code (``exit_code``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


class BurdenError(Exception):
    """Base class of the toolkit's errors.  Exit code 1."""

    exit_code = 1


@dataclass(frozen=True)
class InputProblem:
    """One problem found in the input: where, what, and how to fix it."""

    source: str  # file name, or "<python>" / "<DataFrame>"
    field: str  # dotted path of the field, or "row 3 (sinter), column SiO2"
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.message}"


class InputError(BurdenError):
    """Invalid input (scenario, material table, argument).  Exit code 4.

    Holds every problem found, so a user fixes them all in one pass.
    """

    exit_code = 4

    def __init__(self, problems: Iterable[InputProblem] | str):
        if isinstance(problems, str):
            problems = [InputProblem("", "", problems)]
        self.problems: list[InputProblem] = list(problems)
        lines = [str(p) for p in self.problems]
        head = "invalid input" if len(lines) == 1 else f"invalid input ({len(lines)} problems)"
        super().__init__(head + ":\n  " + "\n  ".join(lines))


class InfeasibleError(BurdenError):
    """The limits of a scenario cannot all be met.  Exit code 3.

    ``explanation`` says which limits conflict and by how much each would have
    to move; ``result`` is the (infeasible) :class:`~burden.result.Result`.
    """

    exit_code = 3

    def __init__(self, explanation: str, result=None):
        super().__init__(explanation)
        self.explanation = explanation
        self.result = result


class SolverError(BurdenError):
    """The solver failed for a reason other than infeasibility.  Exit code 1."""

    exit_code = 1
