"""OData v2 system query options: parsed into a small AST with a clear 400 for anything malformed.

``$filter`` grammar (OData v2 URI conventions, the subset a harvester needs)::

    expr    := and ('or' and)*
    and     := unary ('and' unary)*
    unary   := 'not' unary | compare
    compare := primary (('eq'|'ne'|'gt'|'ge'|'lt'|'le') primary)?
    primary := '(' expr ')' | literal | function '(' expr (',' expr)* ')' | property

Literals: ``'text'`` (``''`` escapes a quote), ``datetime'2014-11-09T00:00'``, integers, decimals,
``true``/``false``, ``null``. Functions: ``substringof``, ``startswith``, ``endswith``, ``tolower``,
``toupper``, ``trim``, ``length``, ``year``, ``month``, ``day``. Expressions are type-checked against the
model before they are evaluated, so ``published gt '2014'`` is a 400 that says to write ``datetime'…'``.

A navigation to ``value`` records (``title``, ``description``, ``treaties``, ``types`` …) may stand as a text
argument of ``substringof``, ``startswith`` or ``endswith``: true when any of its records' values matches
(``substringof('Mammals', title)``, as a documents adapter of InforMEA searches).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .model import BOOLEAN, DATETIME, DOUBLE, INT32, MODEL, STRING, EntityType

NUMBER, NULL = "number", "null"
TEXTS = "collection of values"
"""The type of a navigation to ``value`` records in ``$filter``: any of its values."""
NUMERIC = (INT32, DOUBLE, NUMBER)
SYSTEM_OPTIONS = ("$filter", "$orderby", "$top", "$skip", "$inlinecount", "$expand", "$select", "$format", "$skiptoken")


class ODataError(Exception):
    """An error answered with an OData error body (``{"error": {"code", "message"}}``)."""

    def __init__(self, status: int, message: str, code: str = "BadRequest"):
        self.status, self.message, self.code = status, message, code
        super().__init__(message)


def bad(message: str) -> ODataError:
    return ODataError(400, message)


# --- the AST -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: object
    type: str


@dataclass(frozen=True)
class PropertyRef:
    name: str
    type: str


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple
    type: str


@dataclass(frozen=True)
class Compare:
    op: str
    left: object
    right: object
    type: str = BOOLEAN


@dataclass(frozen=True)
class Logical:
    op: str  # "and", "or", "not"
    args: tuple
    type: str = BOOLEAN


@dataclass(frozen=True)
class OrderBy:
    property: str
    descending: bool = False


@dataclass(frozen=True)
class Options:
    filter: object | None = None
    orderby: tuple[OrderBy, ...] = ()
    top: int | None = None
    skip: int = 0
    inlinecount: bool = False
    expand: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    format: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    """The options as given (for building ``__next`` links)."""


# --- parsing the options -------------------------------------------------------------------------------


def parse(params: Mapping[str, list[str]], entity_type: EntityType | None) -> Options:
    """Parse the query string's system options for a request on ``entity_type`` (None: the service document)."""
    raw: dict[str, str] = {}
    for name, values in params.items():
        if not name.startswith("$"):
            continue  # custom query options are allowed and ignored
        if name not in SYSTEM_OPTIONS:
            raise bad(f"unknown system query option {name}; this service takes {', '.join(SYSTEM_OPTIONS[:-1])}")
        if len(values) > 1:
            raise bad(f"{name} is given more than once")
        raw[name] = values[0]
    fmt = _format(raw.get("$format"))
    if entity_type is None:
        unexpected = sorted(set(raw) - {"$format"})
        if unexpected:
            raise bad(f"{', '.join(unexpected)} only apply to entity sets")
        return Options(format=fmt, raw=raw)
    return Options(
        filter=parse_filter(raw["$filter"], entity_type) if "$filter" in raw else None,
        orderby=_orderby(raw["$orderby"], entity_type) if "$orderby" in raw else (),
        top=_count_option("$top", raw["$top"]) if "$top" in raw else None,
        skip=_count_option("$skip", raw["$skip"]) if "$skip" in raw else 0,
        inlinecount=_inlinecount(raw.get("$inlinecount", "none")),
        expand=_names("$expand", raw["$expand"], entity_type, navigations=True) if "$expand" in raw else (),
        select=_select(raw["$select"], entity_type) if "$select" in raw else (),
        format=fmt,
        raw=raw,
    )


def _format(value: str | None) -> str | None:
    if value is None:
        return None
    normalised = {
        "json": "json",
        "application/json": "json",
        "atom": "atom",
        "application/atom+xml": "atom",
        "xml": "atom",
        "application/xml": "atom",
    }.get(value.strip().lower())
    if normalised is None:
        raise bad(f"$format must be json or atom, not {value!r}")
    return normalised


def _count_option(name: str, value: str) -> int:
    if not re.fullmatch(r"\d{1,9}", value.strip()):
        raise bad(f"{name} must be a non-negative integer of at most 9 digits, not {value!r}")
    return int(value)


def _inlinecount(value: str) -> bool:
    if value not in ("allpages", "none"):
        raise bad(f"$inlinecount must be allpages or none, not {value!r}")
    return value == "allpages"


def _names(option: str, value: str, entity_type: EntityType, *, navigations: bool) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(","))
    for name in names:
        if "/" in name:
            raise bad(f"{option}: only one level is supported, not {name!r}")
        known = entity_type.navigation(name) if navigations else entity_type.property(name)
        if known is None:
            choices = (
                [n.name for n in entity_type.navigations] if navigations else [p.name for p in entity_type.properties]
            )
            raise bad(
                f"{option}: {entity_type.name} has no {'navigation' if navigations else 'property'} "
                f"{name!r}; it has {', '.join(choices) or 'none'}"
            )
    return names


def _select(value: str, entity_type: EntityType) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(","))
    if "*" in names:
        return ()
    for name in names:
        if entity_type.property(name) is None and entity_type.navigation(name) is None:
            raise bad(f"$select: {entity_type.name} has no property {name!r}")
    return names


def _orderby(value: str, entity_type: EntityType) -> tuple[OrderBy, ...]:
    keys = []
    for part in value.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise bad(f"$orderby: expected 'property [asc|desc]', not {part.strip()!r}")
        if entity_type.property(words[0]) is None:
            raise bad(f"$orderby: {entity_type.name} has no property {words[0]!r}")
        keys.append(OrderBy(words[0], len(words) == 2 and words[1] == "desc"))
    return tuple(keys)


# --- $filter ------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<datetime>datetime'(?P<dtvalue>[^']*)')
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[LlMmDdFf]?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),])
""",
    re.VERBOSE,
)

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
MAX_DEPTH = 32
_FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "substringof": ((STRING, STRING), BOOLEAN),
    "startswith": ((STRING, STRING), BOOLEAN),
    "endswith": ((STRING, STRING), BOOLEAN),
    "tolower": ((STRING,), STRING),
    "toupper": ((STRING,), STRING),
    "trim": ((STRING,), STRING),
    "length": ((STRING,), INT32),
    "year": ((DATETIME,), INT32),
    "month": ((DATETIME,), INT32),
    "day": ((DATETIME,), INT32),
}


@dataclass
class _Token:
    kind: str
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise bad(f"$filter: unexpected {text[pos]!r} at position {pos + 1}")
        if match.group("datetime"):
            tokens.append(_Token("datetime", match.group("dtvalue"), pos))
        elif match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup or "", match.group(), pos))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, entity_type: EntityType):
        self.tokens, self.pos, self.type, self.text, self.depth = _tokens(text), 0, entity_type, text, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise bad(f"$filter: the expression {self.text!r} ends too early")
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise bad(f"$filter: expected {text!r} at position {token.at + 1}, found {token.text!r}")

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text in words:
            self.pos += 1
            return token.text
        return None

    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise bad(f"$filter: nested more than {MAX_DEPTH} levels deep")
        node = self.conjunction()
        while self.keyword("or"):
            left = _boolean(node, "or")
            node = Logical("or", (left, _boolean(self.conjunction(), "or")))
        self.depth -= 1
        return node

    def conjunction(self):
        node = self.unary()
        while self.keyword("and"):
            node = Logical("and", (_boolean(node, "and"), _boolean(self.unary(), "and")))
        return node

    def unary(self):
        negations = 0
        while self.keyword("not"):
            negations += 1
        node = self.comparison()
        for _ in range(negations):
            node = Logical("not", (_boolean(node, "not"),))
        return node

    def comparison(self):
        left = self.primary()
        op = self.keyword(*COMPARISONS)
        if op is None:
            return left
        right = self.primary()
        _check_comparable(op, left, right)
        return Compare(op, left, right)

    def primary(self):
        token = self.take()
        if token.text == "(":
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "string":
            return Literal(token.text[1:-1].replace("''", "'"), STRING)
        if token.kind == "datetime":
            return Literal(_datetime(token.text), DATETIME)
        if token.kind == "number":
            return _number(token.text)
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Literal(token.text == "true", BOOLEAN)
            if token.text == "null":
                return Literal(None, NULL)
            nxt = self.peek()
            if nxt is not None and nxt.text == "(":
                return self.call(token)
            prop = self.type.property(token.text)
            if prop is None and _texts_navigation(self.type, token.text):
                return PropertyRef(token.text, TEXTS)
            if prop is None:
                raise bad(
                    f"$filter: {self.type.name} has no property {token.text!r} (position {token.at + 1}); "
                    f"it has {', '.join(p.name for p in self.type.properties)}"
                )
            return PropertyRef(prop.name, prop.type)
        raise bad(f"$filter: unexpected {token.text!r} at position {token.at + 1}")

    def call(self, name: _Token):
        if name.text not in _FUNCTIONS:
            raise bad(f"$filter: unknown function {name.text!r}; supported: {', '.join(_FUNCTIONS)}")
        self.expect("(")
        args = [self.expression()]
        while (following := self.peek()) is not None and following.text == ",":
            self.take()
            args.append(self.expression())
        self.expect(")")
        params, result = _FUNCTIONS[name.text]
        if len(args) != len(params):
            raise bad(f"$filter: {name.text} takes {len(params)} argument(s), not {len(args)}")
        for arg, wanted in zip(args, params, strict=True):
            if arg.type == TEXTS and wanted == STRING and result == BOOLEAN:
                continue  # any record's value: substringof('Mammals', title)
            if arg.type not in (wanted, NULL):
                raise bad(f"$filter: {name.text} expects {wanted} arguments, not {arg.type}")
        return Call(name.text, tuple(args), result)


def _texts_navigation(entity_type: EntityType, name: str) -> bool:
    """Whether ``name`` is a navigation of ``entity_type`` to records with a ``value``."""
    navigation = entity_type.navigation(name)
    target = MODEL.type(navigation.target) if navigation else None
    return target is not None and not target.mapping and target.property("value") is not None


def parse_filter(text: str, entity_type: EntityType):
    parser = _Parser(text, entity_type)
    if not parser.tokens:
        raise bad("$filter is empty")
    node = parser.expression()
    token = parser.peek()
    if token is not None:
        raise bad(f"$filter: unexpected {token.text!r} at position {token.at + 1}")
    return _boolean(node, "$filter")


def _boolean(node, where: str):
    if node.type != BOOLEAN:
        raise bad(f"$filter: {where} needs a true/false condition, not a {node.type} value")
    return node


def _datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise bad(f"$filter: datetime'{text}' is not a date-time (yyyy-mm-ddThh:mm[:ss])") from None
    return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)


def _number(text: str) -> Literal:
    body = text.rstrip("LlMmDdFf")
    try:
        return Literal(int(body), INT32) if re.fullmatch(r"-?\d+", body) else Literal(Decimal(body), NUMBER)
    except InvalidOperation:
        raise bad(f"$filter: {text!r} is not a number") from None


def _family(type_: str) -> str:
    return "number" if type_ in NUMERIC else type_


def _check_comparable(op: str, left, right) -> None:
    if NULL in (left.type, right.type):
        if op not in ("eq", "ne"):
            raise bad(f"$filter: null can only be compared with eq or ne, not {op}")
        return
    if _family(left.type) != _family(right.type):
        hint = " (write dates as datetime'2014-11-09T00:00:00')" if DATETIME in (left.type, right.type) else ""
        raise bad(f"$filter: cannot compare {left.type} with {right.type} using {op}{hint}")


# --- evaluation ---------------------------------------------------------------------------------------

_CALLS: dict[str, Callable] = {
    "substringof": lambda a, b: a in b,
    "startswith": str.startswith,
    "endswith": str.endswith,
    "tolower": str.lower,
    "toupper": str.upper,
    "trim": str.strip,
    "length": len,
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
}
_COMPARE: dict[str, Callable] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def evaluate(node, entity: Mapping[str, object]) -> object:
    """The value of ``node`` for one entity; comparisons with a missing value are false (except ``ne``)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, PropertyRef):
        return entity.get(node.name)
    if isinstance(node, Call):
        args = [evaluate(a, entity) for a in node.args]
        if any(isinstance(a, list) for a in args):  # a navigation's records: true if any value matches
            choices = [[r.get("value") for r in a] if isinstance(a, list) else [a] for a in args]
            return any(_CALLS[node.function](*c) for c in itertools.product(*choices) if None not in c)
        return None if any(a is None for a in args) else _CALLS[node.function](*args)
    if isinstance(node, Compare):
        left, right = evaluate(node.left, entity), evaluate(node.right, entity)
        if left is None or right is None:
            return (left is right) if node.op == "eq" else (left is not right) if node.op == "ne" else False
        return _COMPARE[node.op](left, right)
    if node.op == "not":
        return not evaluate(node.args[0], entity)
    if node.op == "and":
        return bool(evaluate(node.args[0], entity)) and bool(evaluate(node.args[1], entity))
    return bool(evaluate(node.args[0], entity)) or bool(evaluate(node.args[1], entity))


def apply(entities: list[dict], options: Options, key: str) -> tuple[list[dict], int]:
    """Filter and order ``entities`` (ties and the default order by key); returns them and how many matched."""
    selected = [e for e in entities if options.filter is None or evaluate(options.filter, e)]
    selected.sort(key=lambda e: e[key])
    for order in reversed(options.orderby):
        present = [e for e in selected if e.get(order.property) is not None]
        missing = [e for e in selected if e.get(order.property) is None]
        present.sort(key=lambda e: e[order.property], reverse=order.descending)
        selected = present + missing if order.descending else missing + present  # null sorts lowest
    return selected, len(selected)
