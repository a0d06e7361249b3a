"""Municipality references of a record resolved to codes inside the frame (mainland Finland)."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Iterable

from etl.context import BuildContext

# --- municipalities -----------------------------------------------------------------------------------------------

@dataclass
class Places:
    codes: list[str]
    reason: str | None = None      # quarantine reason code when the record cannot load
    message: str | None = None


_RESOLVED: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def resolve_municipality(ctx: BuildContext, ref: Any) -> Any:
    """ctx.resolver.resolve(ref), remembered per distinct text for this resolver (a source names the same few
    hundred municipalities over and over; the fuzzy candidates for an unknown name are costly)."""
    resolver = ctx.resolver
    if type(ref) is not str:
        return resolver.resolve(ref)
    try:
        cache = _RESOLVED[resolver]
    except KeyError:
        cache = _RESOLVED.setdefault(resolver, {})
    except TypeError:  # not weak-referenceable: no cache
        return resolver.resolve(ref)
    res = cache.get(ref)
    if res is None:
        res = cache[ref] = resolver.resolve(ref)
    return res


def resolve_places(ctx: BuildContext, refs: Iterable[Any], is_national: bool,
                   resolved: Iterable[str] = ()) -> Places:
    """Resolve municipality references; `resolved` are codes already known. Åland codes are dropped (outside the
    frame); a record only on Åland, or local with no place at all, cannot load."""
    codes: set[str] = set(resolved)
    for ref in refs:
        if ref is None or not str(ref).strip():
            continue
        res = resolve_municipality(ctx, ref)
        if not res.code:
            return Places([], "unknown_municipality", f"unknown municipality {str(ref).strip()!r} ({res.message})")
        codes.add(res.code)
    mainland = sorted(c for c in codes if not ctx.resolver.is_aland(c))
    if not is_national and not mainland:
        if codes:
            return Places([], "outside_frame", "all municipalities are on Åland (outside the frame): "
                          + ", ".join(sorted(codes)))
        return Places([], "missing_field", "no municipality and not national")
    return Places(mainland)
