"""The exceptions of the toolkit.

Every error a user can cause is a :class:`BurdenError`; its message names the
file, the field and the fix.  The command line maps each class to an exit
code (``exit_code``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Iterable

#: an InputError's message lists at most this many problems ("... and N more problems" after them)
MAX_LISTED_PROBLEMS = 50
#: a value echoed in a message is cut to this many characters ("…" marks the cut)
MAX_ECHO = 80
#: one listed problem is cut to this many characters
MAX_PROBLEM_CHARS = 2000


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with "…"."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo(value: Any, limit: int = MAX_ECHO) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters (huge bad inputs give short messages)."""
    if isinstance(value, str) and len(value) > 4 * limit:
        value = value[: 4 * limit]  # never build the repr of a megabyte string
    try:
        r = repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still named
        r = f"<{type(value).__name__}>"
    return clip(r, limit)


#: The plausible magnitude of each kind of quantity, told by the key's name (units are part of
#: the key names): (how the name ends or what it contains, lowest, highest, why).  Beyond these no
#: blast furnace goes: a value there is a typo or a wrong unit, never a setting.
QUANTITY_KINDS: tuple[tuple[str, float, float, str], ...] = (
    ("share_or_ratio", 0.0, 1.0e4, "a share of masses lies within 0-100 %; a ratio (ore to coke) within 0-10,000 %"),
    ("_pct", -100.0, 100.0, "a percentage lies within ±100"),
    ("_kg_per_thm", -1.0e4, 1.0e4,
     "a furnace charges about 1.6 t of ferrous burden and 0.5 t of fuel per tHM; 10 t per tHM is beyond any burden"),
    ("_t_per_day", -1.0e5, 1.0e5, "the largest blast furnaces make about 15,000 t of hot metal a day"),
    ("price", -1.0e6, 1.0e6, "no burden material (nor oxygen) costs a million per unit; check the currency unit"),
    ("_c", -273.15, 5000.0, "no furnace temperature exceeds 5000 degC, none is below absolute zero"),
)
#: any other number of a scenario: beyond a million no setting (nor model constant) is plausible
GENERIC_LIMIT = (-1.0e6, 1.0e6, "no setting of a scenario is beyond a million in its unit")


@functools.lru_cache(maxsize=4096)
def quantity_range(name: str) -> tuple[float, float, str]:
    """(lowest, highest, why) plausible for a number under key ``name`` (kept per name: key and
    column names repeat across a table)."""
    for key, lo, hi, why in QUANTITY_KINDS:
        if key == "price":
            hit = "price" in name
        elif key == "_c":  # a temperature in degC (not a heat per kg of carbon, ..._per_kg_c)
            hit = name.endswith("_c") and "_per_" not in name
        else:
            hit = name.endswith(key)
        if hit:
            return lo, hi, why
    return GENERIC_LIMIT


def number_problem(value: Any, name: str = "") -> str | None:
    """Why ``value`` (under key ``name``) is not a usable number, or None when it is one.

    The one rule for every number of a scenario and a material table: a yes/no value is not a
    number (YAML reads ``yes`` as true, which would count as 1), a number must be finite
    (``.inf``/``.nan``), and it must lie within the plausible range of its kind of quantity
    (:data:`QUANTITY_KINDS`, told by the key name).  Text is left to the caller.
    """
    if isinstance(value, bool):
        return (f"a yes/no value ({str(value).lower()}) is not a number; write the number (YAML reads yes, no, "
                "on, off, true and false as yes/no values)")
    if not isinstance(value, (int, float)):
        return None
    try:
        x = float(value)
    except OverflowError:
        return f"{echo(value)} is too large to be a number of a scenario"
    if not math.isfinite(x):
        return f"{x!r} is not a finite number; write the number (or leave the key out)"
    lo, hi, why = quantity_range(name)
    if not lo <= x <= hi:
        return f"{x:g} is outside the plausible range {lo:g} to {hi:g} ({why}); check the unit or a typo"
    return None


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
        n = len(self.problems)
        lines = [clip(str(p), MAX_PROBLEM_CHARS) for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if n > MAX_LISTED_PROBLEMS:
            lines.append(f"... and {n - MAX_LISTED_PROBLEMS:,} more problems (fix these and run again, "
                         "or see InputError.problems in Python)")
        head = "invalid input" if n == 1 else f"invalid input ({n:,} problems)"
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


def pydantic_message(err: dict) -> str:
    """The message of one pydantic error (``ValidationError.errors()`` item) for a person:
    without pydantic's "Value error, " prefix, cut to 500 characters, with the value given
    when the message does not show it."""
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    msg = clip(msg, 500)
    if "input" in err and not isinstance(err["input"], (dict, list)) and echo(err["input"]) not in msg:
        msg += f" (got {echo(err['input'])})"
    return msg


def did_you_mean(word, choices, cutoff: float = 0.6) -> str:
    """``"did you mean 'x'? "`` for the closest of ``choices`` to ``word`` (difflib, ``cutoff``),
    or ``""``: the one hint of every unknown-name message."""
    import difflib

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return f"did you mean {close[0]!r}? " if close else ""
