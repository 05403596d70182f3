"""YAML files parsed into pydantic models, with errors that name the file, line and field."""
from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from engagekit.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)


def read_yaml(path: Path, text: str | None = None) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML file and its node tree (for line numbers)."""
    text = path.read_text(encoding="utf-8") if text is None else text
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ConfigError(f"{path}:{line}: not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def validate(model: type[Model], data: Any, path: Path, node: yaml.Node | None) -> Model:
    """`model` from `data`, or a ConfigError naming the line and field of the first problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(part for part in first["loc"] if not isinstance(part, str) or not part.startswith("function-"))
        field = ".".join(str(part) for part in loc) or "(entry)"
        raise ConfigError(f"{path}:{line_of(node, loc)}: field '{field}': {first['msg']}") from exc


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the node at `loc` (the deepest existing ancestor when it is missing)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if pair[0].value == str(key)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line
