"""YAML loading for rule packs: ``yaml.safe_load`` semantics, plus the checks a pack editor needs.

- duplicate keys are errors (PyYAML would silently keep the last one);
- aliases are limited, so an "anchor bomb" cannot expand a small file into gigabytes;
- files larger than :data:`MAX_PACK_FILE_BYTES` are refused without being read, and so is
  anything that is not a regular file (a named pipe, ``/dev/zero``);
- integers that do not fit in 64 bits are refused, naming the line (one of over 4,300 digits
  is more than Python converts, and a CEL int holds 64 bits);
- tags such as ``!!python/object`` are refused (the safe loader cannot construct them);
- booleans are YAML 1.2's (``true``, ``false``): ``OFF``, ``no`` or ``yes`` stay text, so a
  confidence code ``OFF`` is never read as false.

Files are parsed with libyaml (``yaml.CSafeLoader``, about ten times quicker) when PyYAML has
it; the same constructor, duplicate-key check and alias limit apply.  Whenever libyaml finds a
problem, the file is read again with the pure-Python loader, so that every message (and what is
accepted) is the reference loader's own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import yaml

from pcn_rules.errors import PackError
from pcn_rules.ingest.files import PACK_FILE_LIMIT, FileRefused
from pcn_rules.packs import deps

MAX_PACK_FILE_BYTES = PACK_FILE_LIMIT
MAX_ALIASES = 50


_BOOL = "tag:yaml.org,2002:bool"


def _yaml12_resolvers() -> dict[Any, Any]:
    """PyYAML's implicit types, except that only true and false are booleans (YAML 1.1 also
    reads yes/no/on/off, which would turn the confidence code OFF into false)."""
    resolvers = {
        first: [(tag, regexp) for tag, regexp in found if tag != _BOOL]
        for first, found in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }
    boolean = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
    for first in "tTfF":
        resolvers.setdefault(first, []).insert(0, (_BOOL, boolean))
    return resolvers


class _Yaml12Booleans:
    """Mixed into the loaders: YAML 1.2's booleans."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = _yaml12_resolvers()


class _NoDuplicateKeys(yaml.constructor.SafeConstructor):
    """The safe constructor, refusing a key repeated in one mapping."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue
                if key in seen:
                    raise yaml.YAMLError(
                        f"duplicate key {key!r} at line {key_node.start_mark.line + 1} "
                        f"(first at line {seen[key] + 1})"
                    )
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> int:
        """An integer, refused when it does not fit in 64 bits (what a CEL int holds).  Its
        text is measured first: converting thousands of digits (or sexagesimal ``1:2:3:...``)
        would fail or take long."""
        text = str(node.value)
        if len(text) > _MAX_INT_TEXT:
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of {len(text):,} characters is too large", node.start_mark
            )
        value: int = super().construct_yaml_int(node)
        if not -(2**63) <= value < 2**63:
            raise yaml.constructor.ConstructorError(
                None, None, f"the integer {text} does not fit in 64 bits", node.start_mark
            )
        return value


#: The longest integer text read (a 64-bit integer has at most 20 characters, with a sign).
_MAX_INT_TEXT = 40
_NoDuplicateKeys.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:int", _NoDuplicateKeys.construct_yaml_int
)


class _Loader(_NoDuplicateKeys, _Yaml12Booleans, yaml.SafeLoader):
    """The reference loader (pure Python): counts aliases as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.YAMLError(
                    f"more than {MAX_ALIASES} YAML aliases (line {mark.line + 1}); "
                    "anchors and aliases are limited in rule packs"
                )
        return super().compose_node(parent, index)


_FastBase: Any = getattr(yaml, "CSafeLoader", None)
_FastLoader: Any = None
if _FastBase is not None:

    class _CLoader(_NoDuplicateKeys, _Yaml12Booleans, _FastBase):  # type: ignore[misc]
        """libyaml's parser and composer with the reference loader's constructor."""

    _FastLoader = _CLoader


def _alias_count(root: Any) -> int:
    """How many aliases a composed document uses: each reference to a node already reached.

    libyaml composes an alias as the anchored node itself, so a node reached n times was
    written once and aliased n - 1 times (the root, only by aliases).
    """
    seen = {id(root)}
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            continue
        for child in children:
            if id(child) in seen:
                count += 1
            else:
                seen.add(id(child))
                stack.append(child)
    return count


def _fast_load(text: str) -> tuple[bool, Any]:
    """(True, data) when libyaml reads the file without any problem; else (False, None)."""
    if _FastLoader is None:
        return False, None
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return True, None
        if _alias_count(node) > MAX_ALIASES:
            return False, None
        return True, loader.construct_document(node)
    except (yaml.YAMLError, RecursionError):
        return False, None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, display: str) -> Any:
    """Read one pack file, turning every problem into a :class:`PackError` naming the file."""
    try:
        text = deps.read_file(path).decode("utf-8")
    except FileRefused as exc:
        raise PackError(display, "", str(exc)) from None
    except UnicodeDecodeError:
        raise PackError(display, "", "not UTF-8 text") from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Any:
    """Parse YAML text (of the file ``display`` names), every problem a :class:`PackError`."""
    done, data = _fast_load(text)
    if done:
        return data
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # e.g. a control character, found before parsing starts
        raise PackError(display, "", str(exc)) from None
    try:
        return loader.get_single_data()
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = exc.problem or "cannot be constructed"
        if "could not determine a constructor" in problem:
            problem = f"YAML tag not allowed in a rule pack: {problem.split('tag ')[-1]}"
        raise PackError(display, "", f"{problem}{where}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PackError(display, "", f"YAML syntax error{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise PackError(display, "", str(exc)) from None
    except RecursionError:
        raise PackError(display, "", "YAML nests too deeply; not a rule pack file") from None
    finally:
        loader.dispose()
