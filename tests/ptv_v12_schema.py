"""Validation of PTV v12 pages against the official OpenAPI document (shared/data/sources/ptv_v12_openapi.json)
with a JSON Schema 2020-12 validator; `$ref`s resolve into the document's `components` through `referencing`."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema._keywords import oneOf as _one_of
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from etl import paths
from etl.ptv.settings import schema_name_for

DOC_URI = "urn:ptv-v12-openapi"


def document_path() -> Path:
    return paths.reference_dir() / "sources" / "ptv_v12_openapi.json"


@lru_cache(maxsize=1)
def _registry() -> tuple[Registry, dict]:
    doc = json.loads(document_path().read_text(encoding="utf-8"))
    return Registry().with_resource(DOC_URI, Resource(contents=doc, specification=DRAFT202012)), doc


def _one_of_discriminated(validator: Any, one_of: Any, instance: Any, schema: dict) -> Any:
    """`oneOf` with an OpenAPI `discriminator.mapping`: validate against the branch the discriminator names only.
    Sound for this document: each mapped branch fixes the discriminator property with its own one-value `enum`,
    so no other branch can match. Without a mapping, or for a value not in it, the plain 2020-12 `oneOf`."""
    disc = schema.get("discriminator")
    if isinstance(disc, dict) and isinstance(disc.get("mapping"), dict) and isinstance(instance, dict):
        target = disc["mapping"].get(instance.get(disc.get("propertyName")))
        if isinstance(target, str) and {"$ref": target} in one_of:
            yield from validator.descend(instance, {"$ref": target})
            return
    yield from _one_of(validator, one_of, instance, schema)


Validator = validators.extend(Draft202012Validator, {"oneOf": _one_of_discriminated})


@lru_cache(maxsize=None)
def validator(schema_name: str) -> Any:
    """A validator for `#/components/schemas/<schema_name>` (formats checked where jsonschema can: uuid...)."""
    registry, doc = _registry()
    if schema_name not in doc["components"]["schemas"]:
        raise KeyError(f"{schema_name} is not a schema of the document")
    return Validator({"$ref": f"{DOC_URI}#/components/schemas/{schema_name}"}, registry=registry,
                     format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(doc: Any, schema_name: str) -> list[str]:
    """Every validation error as `path: message` (empty list = valid)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in sorted(validator(schema_name).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]


def check_tree(root: Path) -> dict[str, str]:
    """Validate every page under a `ptv/v12` folder; returns {relative path: schema name}; raises on a mismatch."""
    checked: dict[str, str] = {}
    bad: list[str] = []
    for path in sorted(root.rglob("*.json")):
        if path.name.endswith(".meta.json"):
            continue
        rel = path.relative_to(root).as_posix()
        name = schema_name_for(rel)
        found = errors(json.loads(path.read_text(encoding="utf-8")), name)
        checked[rel] = name
        bad += [f"{rel} against {name}: {e}" for e in found[:5]]
    assert not bad, "pages that do not match the PTV v12 document:\n" + "\n".join(bad)
    return checked
